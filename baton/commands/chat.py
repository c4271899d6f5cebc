"""``baton chat [--thread ID]``: a conversation in the terminal, turn by turn.

Each line typed is a turn on the thread (``{"request": ...}``); progress is rendered from
the run's progress events and the answer streams as the model writes it. Approvals are
answered inline (approve, edit with JSON, reject with a reason). Ctrl-D leaves; the
conversation continues later with ``baton chat --thread ID`` (or ``baton run``/``resume``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from baton import exit_codes
from baton.chat_decisions import Ask, ask_decisions
from baton.console import say
from baton.errors import BadInput
from baton.execution import announce_models, drive
from baton.inputs import checked_request, checked_thread_id, new_thread_id
from baton.lease import thread_lease
from baton.outcome import Outcome, read_outcome
from baton.pending import cut_off
from baton.runtime import Runtime, config_for, open_runtime
from baton.settings import ensure_home_writable, load_settings
from persistence.checkpoint_lookups import thread_exists

_ANSWER_NODES = ("synthesize",)


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``chat``."""
    parser = commands.add_parser(
        "chat",
        help="talk to Baton turn by turn, answering approvals inline",
        description="An interactive conversation on a thread (a new one by default): type a "
        "request, see progress and the streamed answer, answer approvals inline. Ctrl-D "
        "leaves; `baton chat --thread ID` continues the conversation later. Exit 0 when the "
        "last turn is done, 1 failed, 2 bad input, 3 left while an approval waits.",
    )
    parser.add_argument("--thread", metavar="ID", help="conversation to continue or start")
    parser.set_defaults(handler=chat_command)


class _AnswerPrinter:
    """Prints the final answer's tokens as they stream in."""

    def __init__(self) -> None:
        self.streamed = False

    def __call__(self, mode: str, data: Any) -> None:
        if mode != "messages":
            return
        chunk, meta = data
        if type(chunk).__name__ != "AIMessageChunk" or meta.get("langgraph_node") not in (
            _ANSWER_NODES
        ):
            return
        if not self.streamed:
            print("baton> ", end="", flush=True)
            self.streamed = True
        print(chunk.content, end="", flush=True)


class ChatSession:
    """One terminal conversation on one thread."""

    def __init__(self, rt: Runtime, thread_id: str, ask: Ask) -> None:
        self.rt, self.thread_id, self.ask = rt, thread_id, ask
        self.last: Outcome | None = None

    def _drive(self, turn_input: Any) -> Outcome:
        printer = _AnswerPrinter()
        with thread_lease(self.rt.settings.database, self.thread_id) as lease:
            outcome = drive(
                self.rt,
                turn_input,
                self.thread_id,
                show_progress=True,
                heartbeat=lease.renew,
                on_event=printer,
            )
        if printer.streamed:
            say("")
        elif outcome.final_answer and outcome.status != "waiting":
            say(f"baton> {outcome.final_answer}")
        if outcome.status not in ("done", "waiting"):
            say(f"status: {outcome.status}" + (f" — {outcome.error}" if outcome.error else ""))
        return outcome

    def _settle(self, outcome: Outcome) -> Outcome:
        """Ask for every pending approval until the turn ends; EOFError if the person left.

        ``self.last`` always holds where the thread stands, so leaving mid-way reports it.
        """
        from langgraph.types import Command

        self.last = outcome
        while outcome.status == "waiting":
            decisions = ask_decisions(outcome.pending, self.rt.services.tools, self.ask)
            outcome = self.last = self._drive(Command(resume=decisions))
        return outcome

    def _reopen(self) -> Outcome | None:
        """Where an existing conversation stands: finish what it left open first."""
        if not thread_exists(self.rt.settings.database, self.thread_id):
            return None
        snapshot = self.rt.graph.get_state(config_for(self.thread_id), subgraphs=True)
        outcome = read_outcome(self.rt, self.thread_id)
        if outcome.status != "waiting" and cut_off(snapshot):
            say("continuing the turn that was cut off")
            outcome = self._drive(None)
        return outcome

    def run(self) -> int:
        """Converse until the person leaves; the exit code says how the last turn ended."""
        outcome: Outcome | None = None
        try:
            outcome = self._reopen()
            if outcome is not None:
                outcome = self._settle(outcome)  # what the last visit left waiting
            while True:
                text = self.ask("you> ")
                if not text.strip():
                    continue
                try:
                    request = checked_request(text)
                except BadInput as exc:
                    say(f"error: {exc}")
                    continue
                outcome = self._drive({"request": request})
                outcome = self._settle(outcome)
        except EOFError:
            say("")
            outcome = self.last
            if outcome is not None and outcome.status == "waiting":
                say(f"the thread waits for approval: baton chat --thread {self.thread_id}")
        if outcome is None:
            return exit_codes.DONE
        return outcome.exit_code


def _ask_line(prompt: str) -> str:
    """``input`` that reads a terminal or a pipe (EOFError at the end of either)."""
    if sys.stdin.isatty():
        return input(prompt)
    print(prompt, end="", flush=True)
    line = sys.stdin.readline()
    if not line:
        raise EOFError
    return line.rstrip("\n")


def chat_command(args: argparse.Namespace, ask: Callable[[str], str] = _ask_line) -> int:
    """Validate the thread id, then converse."""
    thread_id = checked_thread_id(args.thread) if args.thread is not None else new_thread_id()
    settings = load_settings()
    ensure_home_writable(settings)
    with open_runtime(settings) as rt:
        say(f"thread: {thread_id}")
        announce_models(rt)
        say("type a request and press Enter; Ctrl-D leaves")
        return ChatSession(rt, thread_id, ask).run()
