"""Delivering a message to an SMTP server named by a ``smtp://host:port`` URL."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from urllib.parse import urlsplit

from tools.spec import ToolRejected, ToolTransientError

DEFAULT_TIMEOUT_S = 10.0


def send_via_smtp(url: str, message: EmailMessage, timeout: float = DEFAULT_TIMEOUT_S) -> None:
    """Send ``message`` through the server at ``url``.

    Raises ``ToolTransientError`` for connection problems and 4xx replies (worth retrying),
    ``ToolRejected`` for 5xx replies (the server will keep refusing this message).
    """
    parts = urlsplit(url)
    if parts.scheme != "smtp" or not parts.hostname:
        raise ValueError(f"unsupported SMTP URL {url!r}; expected smtp://host:port")
    try:
        with smtplib.SMTP(parts.hostname, parts.port or 25, timeout=timeout) as smtp:
            smtp.send_message(message)
    except smtplib.SMTPRecipientsRefused as exc:
        raise ToolRejected(f"mail server refused the recipient: {exc.recipients}") from exc
    except smtplib.SMTPResponseException as exc:
        detail = f"mail server replied {exc.smtp_code}: {exc.smtp_error!r}"
        if exc.smtp_code >= 500:
            raise ToolRejected(detail) from exc
        raise ToolTransientError(detail) from exc
    except OSError as exc:  # smtplib.SMTPException is an OSError too
        raise ToolTransientError(f"mail server unreachable: {exc}") from exc
