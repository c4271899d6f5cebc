"""The ``send_email`` tool: send a customer email, exactly once per idempotency key.

Every message is written to ``outbox/<key>.eml``; with the world in SQLite that file is the
record that the key was used. With the world in PostgreSQL the record is the key's row in
``baton_world.outbox``, shared by every replica (``persistence.world.outbox``), and the file is a
local copy. With an SMTP URL the message is sent first and recorded after, so a crash in
between resends (at-least-once) under the same Message-ID, which receivers deduplicate on,
rather than silently never sending.
"""

from __future__ import annotations

import hashlib
import re
import threading
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from persistence.world import outbox as outbox_rows
from state.draft import Draft
from tools.customers import check_recipient, customer_by_email, recipient_on_file
from tools.faults import crash_point
from tools.outbox_files import message_result, read_message, write_once
from tools.smtp_transport import send_via_smtp
from tools.spec import Fact, Reconciliation, ToolCallContext, ToolSpec
from tools.world import World

DEFAULT_SENDER = "support@baton.example"
_SAFE_KEY = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
# Serialise sends of the same key inside one process, so concurrent retries of one call
# cannot both reach the SMTP server before either has written the outbox file. Striped
# (a fixed pool, same key -> same lock) so unrelated sends rarely wait on each other.
_SEND_LOCKS = tuple(threading.Lock() for _ in range(64))


class SendEmailArgs(BaseModel):
    """Arguments of ``send_email``."""

    model_config = ConfigDict(extra="forbid")

    to: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", description="Recipient address.")
    subject: str = Field(
        min_length=1, max_length=200, pattern=r"^[^\r\n]+$", description="One-line subject."
    )
    body: str = Field(min_length=1, max_length=10000, description="Plain-text body.")
    customer_id: int | None = Field(
        default=None, description="The customer the email is for; `to` must be their address."
    )
    regarding: str | None = Field(
        default=None,
        max_length=200,
        description="The case and what the email tells about it, e.g. 'order 5531: duplicate "
        "charge refunded' (copy it from the draft). One email per recipient and case.",
    )


def _normalised(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def email_fact(args: SendEmailArgs) -> str:
    """The fact an email creates: this recipient told this about this case.

    With ``regarding`` the case is what the caller named; without it, only the very same
    message (subject and body, ignoring case and punctuation) to the same address is the
    same fact, so two different emails are never mistaken for one.
    """
    recipient = args.to.strip().casefold()
    if args.regarding and _normalised(args.regarding):
        return f"email to {recipient} regarding {_normalised(args.regarding)}"
    digest = hashlib.sha256(_normalised(f"{args.subject}\n{args.body}").encode()).hexdigest()
    return f"email to {recipient}, message {digest[:16]}"


def email_draft(world: World, args: SendEmailArgs) -> Draft | None:
    """The email as a draft for the review rules; None if its customer cannot be told."""
    customer = args.customer_id or customer_by_email(world, args.to)
    if customer is None:
        return None
    return Draft(
        customer_id=customer,
        to=args.to,
        subject=args.subject,
        body=args.body[:5000],
        regarding=args.regarding,
    )


def build_message(args: SendEmailArgs, key: str, sender: str = DEFAULT_SENDER) -> EmailMessage:
    """Build the RFC 5322 message for a call; its Message-ID is derived from the key."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = args.to
    message["Subject"] = args.subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = f"<{key}@baton.local>"
    if args.customer_id is not None:
        message["X-Baton-Customer-Id"] = str(args.customer_id)
    if args.regarding:
        message["X-Baton-Regarding"] = args.regarding
    message.set_content(args.body)
    return message


def send_email(
    world: World, args: SendEmailArgs, key: str, sender: str = DEFAULT_SENDER
) -> dict[str, Any]:
    """Send (or, without SMTP, just record) the email once per ``key``."""
    if not _SAFE_KEY.match(key):
        raise ValueError(f"idempotency key {key!r} is not usable as a file name")
    path = world.outbox_dir / f"{key}.eml"
    with _SEND_LOCKS[hash(key) % len(_SEND_LOCKS)]:
        if world.database is not None:
            return _send_recorded_in_postgres(world, args, key, sender)
        if path.exists():
            return message_result(read_message(path), path, duplicate=True)
        if args.customer_id is not None:
            check_recipient(world, args.customer_id, args.to)
        message = build_message(args, key, sender)
        if world.smtp_url is not None:
            send_via_smtp(world.smtp_url, message)
            crash_point("email:after_smtp")  # sent, not yet recorded: the unknown outcome
            message["X-Baton-Transport"] = "smtp"  # on the outbox copy only, after sending
        if not write_once(path, message):  # another process won the race
            return message_result(read_message(path), path, duplicate=True)
    return message_result(message, path, duplicate=False)


def _send_recorded_in_postgres(
    world: World, args: SendEmailArgs, key: str, sender: str
) -> dict[str, Any]:
    """``send_email`` with the key's row in PostgreSQL as the record (then a local copy)."""
    assert world.database is not None
    path = world.outbox_dir / f"{key}.eml"
    with outbox_rows.claim(world.database, key) as claim:
        if claim.recorded is not None:
            write_once(path, claim.recorded)
            return message_result(claim.recorded, path, duplicate=True)
        if args.customer_id is not None:
            recipient_on_file(claim.conn, args.customer_id, args.to)
        message = build_message(args, key, sender)
        if world.smtp_url is not None:
            send_via_smtp(world.smtp_url, message)
            crash_point("email:after_smtp")  # sent, not yet recorded: the unknown outcome
            message["X-Baton-Transport"] = "smtp"
        claim.record(message)
    write_once(path, message)
    return message_result(message, path, duplicate=False)


def outbox_messages(world: World) -> list[EmailMessage]:
    """Every message in the outbox, oldest first."""
    if world.database is not None:
        return outbox_rows.messages(world.database)
    if not world.outbox_dir.exists():
        return []
    paths = [p for p in world.outbox_dir.glob("*.eml") if not p.name.startswith(".")]
    return [read_message(p) for p in sorted(paths, key=lambda p: (p.stat().st_mtime_ns, p.name))]


def email_reconciliation(world: World, sender: str = DEFAULT_SENDER) -> Reconciliation:
    """How an email attempt of unknown outcome is settled.

    Without SMTP the outbox file is the send, so the outcome is always known. With SMTP, a
    crash between the server accepting the message and the outbox file being written
    leaves no trace Baton can read, so a human says whether it went out.
    """

    def outcome_known(ctx: ToolCallContext) -> bool:
        if world.smtp_url is None:
            return True
        if world.database is not None:
            return outbox_rows.sent(world.database, ctx.idempotency_key)
        return (world.outbox_dir / f"{ctx.idempotency_key}.eml").exists()

    def record_sent(args: SendEmailArgs, ctx: ToolCallContext) -> dict[str, Any]:
        message = build_message(args, ctx.idempotency_key, sender)
        message["X-Baton-Transport"] = "smtp"
        message["X-Baton-Reconciled"] = "a human confirmed it was sent"
        path = world.outbox_dir / f"{ctx.idempotency_key}.eml"
        if world.database is not None:
            recorded = outbox_rows.record_once(world.database, ctx.idempotency_key, message)
            write_once(path, recorded)
            return message_result(recorded, path, duplicate=recorded is not message)
        if not write_once(path, message):
            return message_result(read_message(path), path, duplicate=True)
        return message_result(message, path, duplicate=False)

    return Reconciliation(outcome_known=outcome_known, record_sent=record_sent)


def build_send_email(world: World, sender: str = DEFAULT_SENDER) -> ToolSpec:
    """Build the email tool; ``sender`` is the From address."""

    def run(args: SendEmailArgs, ctx: ToolCallContext) -> dict[str, Any]:
        return send_email(world, args, ctx.idempotency_key, sender)

    return ToolSpec(
        name="send_email",
        description=(
            "Send an email to a customer. IRREVERSIBLE: needs human approval. Send only a "
            "draft that passed review; `to` must be the customer's address on file. One "
            "email per recipient and case (`regarding`)."
        ),
        args_schema=SendEmailArgs,
        reversible=False,
        run=run,
        reconciliation=email_reconciliation(world, sender),
        fact=Fact(key=email_fact),
        as_draft=lambda args: email_draft(world, args),
    )
