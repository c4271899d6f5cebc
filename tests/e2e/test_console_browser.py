"""The operator console in a real Chromium against a real ``baton serve``.

One server and one browser serve the module; each test starts its own threads through the
API (langgraph-sdk), as a chat backend would, and answers them in the browser.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from console_browser import launch, screenshot, signed_in
from langgraph_sdk import get_sync_client
from openai_server.server import ScriptedServer
from playwright.sync_api import Browser, Page, expect, sync_playwright
from serve_process import KEYS, Server
from two_refunds import REQUEST as TWO_REFUNDS
from two_refunds import replies as two_refund_replies

pytestmark = pytest.mark.e2e

DOUBLE_5531 = "Customer 1042 was charged twice for order 5531; refund the duplicate and email them."
MARKUP = '<img id=xss src=x onerror="window.pwned=1"> What is the refund policy?'
DOUBLE_5602 = "Customer 1077 was charged twice for order 5602; refund the duplicate and email them."


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = Server(tmp_path_factory.mktemp("console") / "home").start()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


def _client(server: Server, tenant: str = "acme") -> Any:
    return get_sync_client(url=server.url, api_key=KEYS[tenant])


def _start(server: Server, request: str, *, wait: bool) -> str:
    """A new acme thread with ``request`` running (or, with ``wait``, waiting for approval)."""
    client = _client(server)
    thread_id = str(client.threads.create()["thread_id"])
    if wait:
        client.runs.wait(thread_id, "baton", input={"request": request})
    else:
        client.runs.create(thread_id, "baton", input={"request": request})
    return thread_id


def _card(page: Page, thread_id: str, tool: str) -> Any:
    return page.locator(f'article.approval[data-thread="{thread_id}"][data-tool="{tool}"]')


def _decided(server: Server, thread_id: str) -> list[str]:
    return [e for e in server.audit_events(thread_id) if e == "decided"]


def _post_decision(server: Server, thread_id: str, decision: dict[str, Any]) -> httpx.Response:
    body = {"decider": "script", "decisions": [decision]}
    url = f"{server.url}/console/api/threads/{thread_id}/decisions"
    return httpx.post(url, json=body, headers={"Authorization": f"Bearer {KEYS['acme']}"})


def _field_error(card: Any) -> Any:
    return card.locator('.field-error[data-field="amount"]')


def test_double_charge_edited_and_approved_in_the_browser(server: Server, browser: Browser) -> None:
    page = signed_in(browser, server.url, KEYS["acme"], "alice", "/console/inbox")
    expect(page.locator("#inbox")).to_have_attribute("data-live", "stream")  # not polling
    thread_id = _start(server, DOUBLE_5531, wait=False)
    refund = _card(page, thread_id, "issue_refund")
    expect(refund).to_be_visible()  # arrives while the page is open: no reload
    expect(refund.locator('[data-arg="amount"]')).to_have_text("129.00")
    expect(refund.locator('[data-live="refundable"]')).to_contain_text("129.00 USD")
    expect(refund.locator(".request")).to_contain_text("charged twice for order 5531")
    screenshot(page, "inbox")

    refund.locator("button.open-edit").click()
    amount = refund.locator('form.edit input[name="amount"]')
    for wrong, says in (("-5", "greater than 0"), ("500.00", "refundable remainder")):
        amount.fill(wrong)
        refund.locator("form.edit button[type=submit]").click()
        expect(_field_error(refund)).to_contain_text(says)
        expect(refund.locator(".outcome")).to_contain_text("nothing was decided")
    screenshot(page, "edit-form")
    amount.fill("0x10")  # a number to the page's script, not a decimal to the service
    refund.locator("form.edit button[type=submit]").click()
    expect(_field_error(refund)).to_contain_text("valid decimal")
    expect(refund.locator(".outcome")).to_contain_text("refused: amount:")
    # the service applies the same rules to a client that skips the page's checks
    item_id = refund.get_attribute("data-approval")
    for wrong in ("-5", "500.00"):
        reply = _post_decision(
            server, thread_id, {"id": item_id, "type": "edit", "args": {"amount": wrong}}
        )
        assert reply.status_code == 422 and reply.json()["errors"][0]["field"] == "amount"
    assert _decided(server, thread_id) == [] and server.refunds(5531) == []

    amount.fill("100.00")
    refund.locator("form.edit button[type=submit]").click()
    expect(refund.locator(".outcome")).to_contain_text("decided: edit")
    email = _card(page, thread_id, "send_email")
    expect(email).to_be_visible()
    expect(email.locator('[data-arg="body"]')).to_contain_text("100.00")
    email.locator("button.approve").click()
    expect(email.locator(".outcome")).to_contain_text("decided: approve")

    page.goto(f"{server.url}/console/threads/{thread_id}")
    expect(page.locator('#thread-status [data-status="done"]')).to_be_visible()
    effects = page.locator("#effects tr.effect")
    expect(effects).to_have_count(2)
    expect(page.locator('#effects tr.effect[data-tool="issue_refund"]')).to_contain_text('"100.00"')
    expect(page.locator('#effects tr.effect[data-tool="send_email"]')).to_have_count(1)
    expect(page.locator('#effects tr.effect[data-tool="issue_refund"] .ledger-key')).to_have_text(
        re.compile(r"\S{8,}")
    )
    expect(page.locator('#plan [data-step][data-status="ok"]').first).to_be_visible()
    expect(page.locator('#audit tr[data-event="decided"]')).to_have_count(2)
    expect(page.locator('#timelines li[data-kind="model_call"]').first).to_contain_text("tokens")
    screenshot(page, "thread-view", height=1400)
    assert server.refunds(5531) == [10000]
    assert len(server.emails()) == 1
    assert "100.00" in server.emails()[0].read_text()
    assert page.script_errors == []  # type: ignore[attr-defined]


def test_another_tenant_sees_nothing_and_two_operators_race_for_one_approval(
    server: Server, browser: Browser
) -> None:
    thread_id = _start(server, DOUBLE_5602, wait=True)
    pages = {name: signed_in(browser, server.url, KEYS["acme"], name) for name in ("ann", "bob")}
    cards = {name: _card(page, thread_id, "issue_refund") for name, page in pages.items()}
    for card in cards.values():
        expect(card).to_be_visible()

    globex = signed_in(browser, server.url, KEYS["globex"], "gus", "/console/inbox")
    expect(globex.locator("#inbox-count")).to_have_text("Nothing waits for you.")
    expect(globex.locator("article.approval")).to_have_count(0)
    globex.goto(f"{server.url}/console/threads/{thread_id}")
    expect(globex.locator("#thread-error")).to_have_text(f"thread {thread_id} not found")
    globex.goto(f"{server.url}/console/threads")
    expect(globex.locator("#filters")).to_be_visible()
    expect(globex.locator("tr[data-thread]")).to_have_count(0)

    for page in pages.values():  # pin the cards: both operators click the approval they see
        page.evaluate("Console.stop()")
    for card in cards.values():
        card.locator("button.approve").dispatch_event("click")
    outcomes = {}
    for name, card in cards.items():
        expect(card.locator(".outcome")).to_contain_text(re.compile("decided|refused"))
        outcomes[name] = card.locator(".outcome").inner_text()
    winners = [name for name, text in outcomes.items() if text.startswith("decided")]
    assert len(winners) == 1, outcomes
    (loser,) = set(outcomes) - set(winners)
    assert (
        f"already answered by {winners[0]} (tenant acme, baton serve): approved" in outcomes[loser]
    )
    _client(server).runs.join(thread_id, _last_run(server, thread_id))
    assert server.refunds(5602) == [4900]
    assert _decided(server, thread_id)[:1] == ["decided"]


def _last_run(server: Server, thread_id: str) -> str:
    runs = _client(server).runs.list(thread_id, limit=1)
    return str(runs[0]["run_id"])


def test_threads_list_filters_searches_and_shows_markup_as_text(
    server: Server, browser: Browser
) -> None:
    other = _start(server, DOUBLE_5602, wait=True)
    marked = _start(server, MARKUP, wait=True)
    page = signed_in(browser, server.url, KEYS["acme"], "ann", "/console/threads")
    row = page.locator(f'tr[data-thread="{marked}"]')
    expect(row).to_contain_text(MARKUP)  # shown as text: no element made, no script run
    expect(row.locator('[data-status="done"]')).to_be_visible()
    expect(page.locator("#xss")).to_have_count(0)
    assert page.evaluate("window.pwned") is None
    page.fill("#search", "order 5602")
    expect(page.locator(f'tr[data-thread="{other}"]')).to_be_visible()
    expect(row).to_have_count(0)
    page.fill("#search", "refund policy")
    expect(row).to_be_visible()
    expect(page.locator(f'tr[data-thread="{other}"]')).to_have_count(0)
    page.select_option("#status-filter", "waiting")
    expect(row).to_have_count(0)
    page.select_option("#status-filter", "done")
    expect(row).to_be_visible()
    assert "status=done" in page.url and page.script_errors == []  # type: ignore[attr-defined]


def test_approve_all_answers_two_refunds_of_one_thread_once_each(
    tmp_path: Path, browser: Browser
) -> None:
    with ScriptedServer(two_refund_replies()) as model:
        server = Server(tmp_path / "home").start(
            OPENAI_API_KEY="sk-test", OPENAI_BASE_URL=model.base_url
        )
        try:
            page = signed_in(browser, server.url, KEYS["acme"], "ann", "/console/inbox")
            expect(page.locator("#inbox")).to_have_attribute("data-live", "stream")
            polled = signed_in(browser, server.url, KEYS["acme"], "cy", "/console/inbox")
            polled.route("**/console/api/inbox/events", lambda route: route.abort())
            polled.reload()  # its feed is unavailable: the page falls back to polling
            expect(polled.locator("#inbox")).to_have_attribute("data-live", "poll")
            thread_id = _start(server, TWO_REFUNDS, wait=False)
            group = page.locator(f'.group[data-thread="{thread_id}"]')
            expect(group.locator("article.approval")).to_have_count(2)  # live: no reload
            expect(polled.locator(f'article[data-thread="{thread_id}"]')).to_have_count(2)
            approve_all = group.locator("button.approve-all")
            expect(approve_all).to_have_text("Approve all 2 of this thread together")
            approve_all.click()
            expect(group.locator(":scope > .outcome")).to_contain_text("decided: approve, approve")
            _client(server).runs.join(thread_id, _last_run(server, thread_id))
            assert (server.refunds(5531), server.refunds(5602)) == ([12900], [4900])
            assert _decided(server, thread_id) == ["decided", "decided"]
            # the feed told the page the thread moved on; the answered cards stay, marked
            expect(page.locator("#inbox-count")).to_have_text("Nothing waits for you.")
            expect(group.locator('article[data-decided="yes"]')).to_have_count(2)
            assert model.script.rejected() == [] and page.script_errors == []  # type: ignore[attr-defined]
        finally:
            server.stop()
