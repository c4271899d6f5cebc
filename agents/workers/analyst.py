"""The analyst: read-only SQL over the business db and safe arithmetic."""

from agents.workers.registry import WorkerSpec, register

PROMPT = """You are Baton's analyst. Answer the step's instruction from the business
database (tables customers, orders, charges, refunds, tickets; money in integer cents) with
read-only SQL via sql_query, and do arithmetic with calculate, never in your head.
When you find a duplicate charge, end with one line exactly like:
duplicate_charge: customer_id=<id> order_id=<id> amount=<refundable, 2 decimals>
currency=<ISO code> name="<customer name>" email=<customer email>"""

SPEC = register(
    WorkerSpec(
        name="analyst",
        description="Queries customers, orders, charges and refunds with read-only SQL and "
        "computes amounts.",
        prompt=PROMPT,
        tools=("sql_query", "calculate"),
        tier="fast",
        max_tool_calls=6,
    )
)
