"""The final answer may only cite steps that exist."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from state.synthesis import Synthesis


def test_citing_known_steps_validates() -> None:
    out = Synthesis.model_validate(
        {"answer": "Refunded.", "cited_steps": ["s1", "s4"]},
        context={"step_ids": {"s1", "s2", "s3", "s4"}},
    )
    assert out.cited_steps == ["s1", "s4"]


def test_citing_an_unknown_step_is_rejected_with_the_known_ids() -> None:
    with pytest.raises(ValidationError) as info:
        Synthesis.model_validate(
            {"answer": "Refunded.", "cited_steps": ["s1", "s9"]},
            context={"step_ids": {"s1", "s2"}},
        )
    message = str(info.value)
    assert "cites unknown step(s) ['s9']" in message
    assert "['s1', 's2']" in message


def test_an_empty_answer_is_rejected() -> None:
    with pytest.raises(ValidationError):
        Synthesis.model_validate({"answer": ""}, context={"step_ids": set()})
