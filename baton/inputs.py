"""Checks on what a person types: the request text, thread ids and run ids."""

from __future__ import annotations

import re
import secrets

from baton.errors import BadInput

MAX_REQUEST_CHARS = 4000
THREAD_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")


def checked_request(text: str) -> str:
    """The request without surrounding blanks; empty or longer than 4000 characters is refused."""
    request = text.strip()
    if not request:
        raise BadInput("the request is empty")
    if len(request) > MAX_REQUEST_CHARS:
        raise BadInput(
            f"the request has {len(request)} characters; the limit is {MAX_REQUEST_CHARS}"
        )
    return request


def checked_thread_id(thread_id: str) -> str:
    """A thread id of 1-64 letters, digits and ``_ . : -``; anything else is refused."""
    if not THREAD_ID.match(thread_id):
        raise BadInput(
            f"invalid thread id {thread_id!r}: use 1-64 characters from A-Z a-z 0-9 _ . : -"
        )
    return thread_id


def checked_run_id(run_id: str) -> str:
    """A run id (as ``baton run``/``resume`` print it): the characters a thread id allows."""
    if not THREAD_ID.match(run_id):
        raise BadInput(f"invalid run id {run_id!r}: use 1-64 characters from A-Z a-z 0-9 _ . : -")
    return run_id


def new_thread_id() -> str:
    """A fresh, short, random thread id."""
    return f"t-{secrets.token_hex(5)}"
