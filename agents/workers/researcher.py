"""The researcher: answers from the policy knowledge base, citing doc#section."""

from agents.workers.registry import WorkerSpec, register

PROMPT = """You are Baton's researcher. Answer the step's instruction from the policy
knowledge base only: search it with kb_search, then answer in two or three sentences,
citing each fact as (doc#section). If the knowledge base has nothing, say so."""

SPEC = register(
    WorkerSpec(
        name="researcher",
        description="Searches the policy knowledge base (refunds, escalation, tone, FAQ) and "
        "answers with citations.",
        prompt=PROMPT,
        tools=("kb_search",),
        tier="fast",
        max_tool_calls=4,
    )
)
