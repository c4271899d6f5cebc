"""An approved email survives a mail server's temporary refusal, and is delivered once."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from graph_run import Run
from smtp_server import serve_smtp

DOUBLE_CHARGE = "Order 5531 for customer 1042 was charged twice, please refund it."


class GreylistingServer:
    """Refuses the first message offered with a 4xx, then accepts every one."""

    def __init__(self) -> None:
        self.offered: list[bytes] = []
        self.delivered: list[bytes] = []

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:
        content = bytes(envelope.content)
        self.offered.append(content)
        if len(self.offered) == 1:
            return "451 4.7.1 Greylisted, try again later"
        self.delivered.append(content)
        return "250 Message accepted"


@pytest.fixture
def smtp() -> Iterator[tuple[str, GreylistingServer]]:
    server = GreylistingServer()
    with serve_smtp(server) as url:
        yield url, server


def test_a_temporary_refusal_is_retried_and_the_email_delivered_once(
    make_run: Callable[..., Run], smtp: tuple[str, GreylistingServer]
) -> None:
    url, server = smtp
    run = make_run(smtp_url=url)
    run.start(DOUBLE_CHARGE)
    out = run.approve_all()
    assert out["status"] == "done"
    assert len(server.offered) == 2
    assert len(server.delivered) == 1
    assert b"dana.whitfield@example.com" in server.delivered[0]
    (sent,) = [e for e in run.effects() if e["tool"] == "send_email"]
    assert sent["status"] == "done"
    assert sent["result"]["transport"] == "smtp"
    assert len(run.outbox()) == 1
