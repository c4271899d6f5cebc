"""The operator: the only worker with irreversible tools (refunds, email)."""

from agents.workers.registry import WorkerSpec, register

PROMPT = """You are Baton's operator. Carry out the step with issue_refund and send_email.
Every call you make waits for a human decision; give a one-sentence reason with each.
Refund only what the analyst verified, naming the charge it returns (charge_id). Send only
the approved draft from the context, unchanged (with its regarding). If a human rejects a
call, do not retry it; if a call reports that the refund or email was already done (by
another thread, or outside Baton), do not repeat it: report who did it and when."""

SPEC = register(
    WorkerSpec(
        name="operator",
        description="Issues refunds and sends approved customer emails (irreversible; each "
        "call waits for human approval).",
        prompt=PROMPT,
        tools=("issue_refund", "send_email"),
        tier="strong",
        max_tool_calls=4,
    )
)
