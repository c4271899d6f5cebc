"""Debian's Chromium driven by Playwright, for the operator console's tests.

Playwright's own browser download does not work offline, so the browser is the system
one (``make test`` installs it with apt when ``/usr/bin/chromium`` is missing). Pages
are signed in the way an operator does it: the API key and a name in the sign-in form.
"""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / ".artifacts" / "console"
"""Screenshots of each run (gitignored); README's copies live in docs/console/."""
WAIT_MS = 20_000
expect.set_options(timeout=WAIT_MS)  # a loaded 2-core machine: pages refresh in 1-1.5 s


def launch(playwright: object) -> Browser:
    """Headless Chromium; ``--no-sandbox`` because tests may run as root in a container."""
    assert os.access(CHROMIUM, os.X_OK), f"{CHROMIUM} is missing: apt-get install -y chromium"
    chromium = playwright.chromium  # type: ignore[attr-defined]
    browser: Browser = chromium.launch(
        executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
    )
    return browser


def signed_in(browser: Browser, url: str, key: str, name: str, path: str = "/console") -> Page:
    """A fresh browser context (its own session storage) signed in as ``name`` with ``key``."""
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url + path)
    page.fill("#key", key)
    page.fill("#name", name)
    page.click("#sign-in button[type=submit]")
    page.wait_for_selector("#sign-in", state="hidden")
    page.script_errors = errors  # type: ignore[attr-defined]
    return page


def screenshot(page: Page, name: str, height: int | None = None) -> Path:
    """Save a screenshot under ``.artifacts/console/``: the whole page, or its top ``height``."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    clip = {"x": 0, "y": 0, "width": 1200, "height": height} if height else None
    page.screenshot(path=str(path), full_page=True, clip=clip)  # type: ignore[arg-type]
    return path
