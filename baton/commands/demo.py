"""``baton demo``: the three sample requests end to end, approving every action."""

from __future__ import annotations

import argparse
import secrets
from typing import TYPE_CHECKING

from baton import exit_codes
from baton.console import compact_json, say
from baton.execution import announce_models, drive
from baton.outcome import Outcome, report
from baton.runtime import Runtime
from baton.settings import ensure_home_writable, load_settings
from baton.world_report import print_world, world_contents

if TYPE_CHECKING:
    from graphs.settings import Settings

SAMPLE_REQUESTS = (
    (
        "refund",
        "Customer 1042 was charged twice for order 5531. Please refund the duplicate charge "
        "and let them know by email.",
    ),
    (
        "ticket",
        "Bug report from customer 1077: the mobile app crashes when I tap Export on the dashboard.",
    ),
    ("answer", "How long does a refund for a duplicate charge take to reach the customer?"),
)
MAX_APPROVAL_ROUNDS = 10


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``demo``."""
    parser = commands.add_parser(
        "demo",
        help="run the three sample requests, approving everything",
        description="Run a refund, a bug report and a policy question against the sample "
        "world, approving every irreversible action automatically, then show the emails, "
        "refunds and tickets they produced.",
    )
    parser.add_argument(
        "--reset", action="store_true", help="reset the sample world (database, outbox) first"
    )
    parser.set_defaults(handler=demo_command)


def run_approving(rt: Runtime, thread_id: str, request: str) -> Outcome:
    """Run ``request`` on a new thread, approving each pending action as it comes."""
    from langgraph.types import Command

    outcome = drive(rt, {"request": request}, thread_id, show_progress=True)
    for _ in range(MAX_APPROVAL_ROUNDS):
        if outcome.status != "waiting":
            break
        decisions = {}
        for item in outcome.pending:
            say(f"auto-approve {item['id']} · {item['tool']} {compact_json(item['args'], 200)}")
            decisions[item["id"]] = {"type": "approve", "args_hash": item["args_hash"]}
        outcome = drive(rt, Command(resume=decisions), thread_id, show_progress=True)
    return outcome


def prepare_world(settings: Settings, reset: bool) -> None:
    """Reset the world if asked; create it on a new home (neither world nor threads yet).

    A home that has threads but lost its world is not re-seeded behind anyone's back:
    opening it fails with the fix (``--reset`` or ``baton world init``).
    """
    from tools.world import World, world_database

    world = World(settings.home, settings.smtp_url, world_database(settings.database))
    if reset:
        world.reset()
        say("reset the sample world: business database and outbox (threads are kept)")
    elif world.database is not None and not world.exists() and world.init():
        say(f"created the sample world in {world.where}")
    elif (
        world.database is None
        and not world.exists()
        and not settings.db_path.exists()
        and world.init()
    ):
        say(f"created the sample world in {settings.home}")


def demo_command(args: argparse.Namespace) -> int:
    """Run the samples one after another; exit 0 only if all three are done."""
    from baton.runtime import open_runtime

    settings = load_settings()
    ensure_home_writable(settings)
    prepare_world(settings, args.reset)
    codes = []
    with open_runtime(settings) as rt:
        announce_models(rt)
        run_id = secrets.token_hex(3)
        for name, request in SAMPLE_REQUESTS:
            thread_id = f"demo-{name}-{run_id}"
            say("")
            say(f"== {name}: {request}")
            say(f"thread: {thread_id}")
            codes.append(report(run_approving(rt, thread_id, request), as_json=False))
        say("")
        print_world(world_contents(rt.services.world))
    return exit_codes.DONE if all(c == exit_codes.DONE for c in codes) else exit_codes.FAILED
