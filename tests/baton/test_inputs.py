"""Request and thread-id checks."""

from __future__ import annotations

import pytest

from baton.errors import BadInput
from baton.inputs import THREAD_ID, checked_request, checked_thread_id, new_thread_id


def test_request_is_stripped() -> None:
    assert checked_request("  refund order 5531 \n") == "refund order 5531"


def test_request_of_exactly_4000_chars_is_accepted() -> None:
    assert len(checked_request("x" * 4000)) == 4000


def test_request_over_the_limit_names_its_length() -> None:
    with pytest.raises(BadInput, match="4001 characters"):
        checked_request("y" * 4001)


@pytest.mark.parametrize("thread", ["a", "t-1", "demo.refund:2", "A_b-C.d:e", "x" * 64])
def test_valid_thread_ids(thread: str) -> None:
    assert checked_thread_id(thread) == thread


def test_new_thread_ids_are_valid_and_distinct() -> None:
    ids = {new_thread_id() for _ in range(50)}
    assert len(ids) == 50
    assert all(THREAD_ID.match(i) for i in ids)
