"""The outbox folder: one ``<key>.eml`` file per sent email, written once, read back."""

from __future__ import annotations

import os
import threading
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any


def message_result(message: EmailMessage, path: Path, duplicate: bool) -> dict[str, Any]:
    """What ``send_email`` returns for a message recorded at ``path``."""
    result = {
        "message_id": message["Message-ID"],
        "to": message["To"],
        "subject": message["Subject"],
        "path": str(path),
        "transport": message.get("X-Baton-Transport", "outbox"),
        "duplicate": duplicate,
    }
    if message.get("X-Baton-Reconciled"):
        result["reconciled"] = message["X-Baton-Reconciled"]
    return result


def read_message(path: Path) -> EmailMessage:
    """Parse one ``.eml`` file."""
    with path.open("rb") as handle:
        parsed = BytesParser(policy=policy.default).parse(handle)
    assert isinstance(parsed, EmailMessage)  # policy.default always builds EmailMessage
    return parsed


def write_once(path: Path, message: EmailMessage) -> bool:
    """Atomically create ``path``; False if it already existed (and it is left untouched)."""
    path.parent.mkdir(parents=True, exist_ok=True)
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
