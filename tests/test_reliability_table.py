"""``make reliability``'s table: one column per engine, each summing only its own lines."""

from __future__ import annotations

import pytest
from reliability_log import report
from reliability_table import table


def _line(suite: str, engine: str | None, kills: int, sigkill: int) -> dict[str, object]:
    line: dict[str, object] = {
        "suite": suite,
        "kills": kills,
        "faults": {"SIGKILL": sigkill},
        "duplicates": 0,
        "unhandled": 0,
        "checks": sigkill,
    }
    if engine is not None:
        line["engine"] = engine
    return line


def test_each_engine_gets_its_own_column_and_suite_list() -> None:
    lines = [
        _line("crash matrix: refund", "sqlite", 9, 10),
        _line("crash matrix: refund", "postgresql", 4, 5),
        _line("model garbage", None, 0, 0),
    ]
    text = table(lines).splitlines()
    assert [cell.strip() for cell in text[0].split("|")[2:4]] == ["sqlite", "postgresql"]
    kills = next(row for row in text if row.startswith("| kill points"))
    assert [cell.strip() for cell in kills.split("|")[2:4]] == ["9", "4"]
    sigkill = next(row for row in text if "faults injected: SIGKILL" in row)
    assert [cell.strip() for cell in sigkill.split("|")[2:4]] == ["10", "5"]
    assert "suites on sqlite: crash matrix: refund, model garbage" in text
    assert "suites on postgresql: crash matrix: refund" in text


def test_only_sqlite_lines_give_one_column() -> None:
    text = table([_line("tool faults", "sqlite", 0, 1)]).splitlines()
    assert "postgresql" not in text[0]


def test_an_unknown_engine_is_refused() -> None:
    with pytest.raises(ValueError, match="engine must be one of"):
        report("x", engine="mysql")
