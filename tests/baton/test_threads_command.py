"""``baton threads`` reads statuses without LangGraph on either engine: the graph's own answers."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cli_samples import BUG_REPORT, DOUBLE_CHARGE

from baton.cli import main
from baton.runtime import config_for, open_runtime
from baton.settings import home_path, load_settings
from baton.thread_view import thread_status
from graphs.settings import Settings
from persistence.database import PostgresDatabase
from persistence.thread_summaries import thread_summaries
from tools.world import World


def _graph_statuses() -> dict[str, str]:
    """Each thread's status as ``baton show`` computes it, from the compiled graph."""
    with open_runtime(load_settings(), readonly=True) as rt:
        return {
            row["thread_id"]: thread_status(
                rt.graph.get_state(config_for(row["thread_id"]), subgraphs=True)
            )
            for row in thread_summaries(rt.settings.database)
        }


def _env(home: Path) -> dict[str, str]:
    """A process environment with this test's home and engine, and nothing else."""
    env = {"BATON_HOME": str(home), "PATH": "/usr/bin:/bin"}
    url = os.environ.get("BATON_DATABASE_URL")
    return {**env, "BATON_DATABASE_URL": url} if url else env


def _crash(home: Path, point: str, *argv: str) -> None:
    """Run ``baton ARGV`` in a process that SIGKILLs itself at crash point ``point``."""
    env = {**_env(home), "BATON_CRASH_AT": point}
    done = subprocess.run([sys.executable, "-m", "baton", *argv], env=env, capture_output=True)
    assert done.returncode == -9, done.stderr


def test_listed_statuses_are_the_graphs(
    engine_threads_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Killed right after the approval was answered: the parent still lists the interrupt.
    assert main(["run", DOUBLE_CHARGE, "--thread", "answered", "--json"]) == 3
    _crash(
        engine_threads_home,
        "effect:issue_refund:before_backend",
        "resume",
        "answered",
        "--approve",
        "all",
    )
    # Killed while its workers ran.
    _crash(
        engine_threads_home, "worker:analyst:after_model", "run", DOUBLE_CHARGE, "--thread", "cut"
    )
    with monkeypatch.context() as low:
        low.setenv("BATON_MAX_MODEL_CALLS", "2")
        assert main(["run", DOUBLE_CHARGE, "--thread", "poor", "--json"]) == 1
    capsys.readouterr()
    database = load_settings().database
    listed = {row["thread_id"]: row["status"] for row in thread_summaries(database)}
    assert listed == {
        "waiting": "waiting",
        "finished": "done",
        "answered": "running",
        "cut": "running",
        "poor": "budget_exhausted",
    }
    assert listed == _graph_statuses()


def test_threads_json_lists_request_and_update_time(
    engine_threads_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["threads", "--json"]) == 0
    rows: list[dict[str, Any]] = json.loads(capsys.readouterr().out)
    assert [r["thread_id"] for r in rows] == ["finished", "waiting"]  # most recent first
    assert rows[1]["request"] == DOUBLE_CHARGE
    assert all(r["updated_at"].startswith("20") for r in rows)


def test_both_engines_list_the_same_threads_alike(
    threads_home: Path,
    postgres_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def listed() -> tuple[list[dict[str, Any]], str]:
        assert main(["threads", "--json"]) == 0
        rows = json.loads(capsys.readouterr().out)
        assert main(["threads"]) == 0
        shown = re.sub(r"20\d\d-\d\d-\d\dT\S+", "TIME", capsys.readouterr().out)
        return [{k: v for k, v in row.items() if k != "updated_at"} for row in rows], shown

    on_sqlite = listed()
    monkeypatch.setenv("BATON_DATABASE_URL", postgres_url)
    World(threads_home, database=PostgresDatabase(postgres_url)).init()
    assert main(["run", DOUBLE_CHARGE, "--thread", "waiting", "--json"]) == 3
    assert main(["run", BUG_REPORT, "--thread", "finished", "--json"]) == 0
    capsys.readouterr()
    assert listed() == on_sqlite
    assert on_sqlite[1].count("TIME") == 2


def test_threads_on_a_home_without_threads_says_so(
    home: Path, engine: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["threads"]) == 0
    assert capsys.readouterr().out == "no threads yet\n"
    assert not home.exists()


@pytest.mark.parametrize("source", ["env", "dotenv", "default"])
def test_the_home_is_found_where_the_settings_find_it(
    source: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BATON_HOME", raising=False)
    if source == "env":
        monkeypatch.setenv("baton_home", str(tmp_path / "from-env"))
    elif source == "dotenv":
        (tmp_path / ".env").write_text("# settings\nBATON_HOME='from dotenv'\n")
    assert home_path() == Settings().home
    assert (
        home_path().name
        == {"env": "from-env", "dotenv": "from dotenv", "default": ".baton"}[source]
    )


def test_listing_threads_does_not_load_langgraph(engine_threads_home: Path) -> None:
    code = (
        "import sys; from baton.cli import main; code = main(['threads']); "
        "print(code, sorted({m.split('.')[0] for m in sys.modules} & "
        "{'langgraph', 'langchain_core', 'pydantic_settings'}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=_env(engine_threads_home),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.splitlines()[-1] == "0 []"
