"""The ``send_email`` tool: send a customer email, exactly once per idempotency key.

Every message is written to ``outbox/<key>.eml``; that file is the record that the key was
used. With an SMTP URL the message is sent first and the file written after, so a crash in
between resends (at-least-once) under the same Message-ID, which receivers deduplicate on,
rather than silently never sending.
"""

from __future__ import annotations

import os
import re
import threading
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from tools.customers import check_recipient
from tools.smtp_transport import send_via_smtp
from tools.spec import ToolCallContext, ToolSpec
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
    message.set_content(args.body)
    return message


def _result(message: EmailMessage, path: Path, duplicate: bool) -> dict[str, Any]:
    return {
        "message_id": message["Message-ID"],
        "to": message["To"],
        "subject": message["Subject"],
        "path": str(path),
        "transport": message.get("X-Baton-Transport", "outbox"),
        "duplicate": duplicate,
    }


def _read(path: Path) -> EmailMessage:
    with path.open("rb") as handle:
        parsed = BytesParser(policy=policy.default).parse(handle)
    assert isinstance(parsed, EmailMessage)  # policy.default always builds EmailMessage
    return parsed


def _write_once(path: Path, message: EmailMessage) -> bool:
    """Atomically create ``path``; False if it already existed (and it is left untouched)."""
    temp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    temp.write_bytes(message.as_bytes())
    try:
        # link() fails if the target exists, unlike replace(): the first writer wins and
        # a duplicate never overwrites the recorded message.
        os.link(temp, path)
        return True
    except FileExistsError:
        return False
    finally:
        temp.unlink(missing_ok=True)


def send_email(
    world: World, args: SendEmailArgs, key: str, sender: str = DEFAULT_SENDER
) -> dict[str, Any]:
    """Send (or, without SMTP, just record) the email once per ``key``."""
    if not _SAFE_KEY.match(key):
        raise ValueError(f"idempotency key {key!r} is not usable as a file name")
    path = world.outbox_dir / f"{key}.eml"
    with _SEND_LOCKS[hash(key) % len(_SEND_LOCKS)]:
        if path.exists():
            return _result(_read(path), path, duplicate=True)
        if args.customer_id is not None:
            check_recipient(world, args.customer_id, args.to)
        message = build_message(args, key, sender)
        if world.smtp_url is not None:
            send_via_smtp(world.smtp_url, message)
            message["X-Baton-Transport"] = "smtp"  # on the outbox copy only, after sending
        world.outbox_dir.mkdir(parents=True, exist_ok=True)
        if not _write_once(path, message):  # another process won the race
            return _result(_read(path), path, duplicate=True)
    return _result(message, path, duplicate=False)


def outbox_messages(world: World) -> list[EmailMessage]:
    """Every message in the outbox, oldest first."""
    if not world.outbox_dir.exists():
        return []
    paths = [p for p in world.outbox_dir.glob("*.eml") if not p.name.startswith(".")]
    return [_read(p) for p in sorted(paths, key=lambda p: (p.stat().st_mtime_ns, p.name))]


def build_send_email(world: World, sender: str = DEFAULT_SENDER) -> ToolSpec:
    """Build the email tool; ``sender`` is the From address."""

    def run(args: SendEmailArgs, ctx: ToolCallContext) -> dict[str, Any]:
        return send_email(world, args, ctx.idempotency_key, sender)

    return ToolSpec(
        name="send_email",
        description=(
            "Send an email to a customer. IRREVERSIBLE: needs human approval. Send only a "
            "draft that passed review; `to` must be the customer's address on file."
        ),
        args_schema=SendEmailArgs,
        reversible=False,
        run=run,
    )
