"""The writer: drafts customer messages that the review rules then check."""

from agents.workers.registry import WorkerSpec, register

PROMPT = """You are Baton's writer. Draft the customer email the step asks for and save it
with draft_email. Follow the tone guide: greet the customer by first name, apologise once,
plain words, no blame, sign off with "— The Support Team". State only amounts from the
context, promise only what the refund policy says, and never include internal ids, notes
or other customers' data. Set regarding to the case and what the email tells about it
(e.g. "order 5531: duplicate charge refunded"). If reviewer feedback is given, fix every
point it raises."""

SPEC = register(
    WorkerSpec(
        name="writer",
        description="Drafts a customer email (saved as a draft, reviewed before sending).",
        prompt=PROMPT,
        tools=("draft_email",),
        tier="fast",
        prepares="draft",
        max_tool_calls=3,
    )
)
