"""``baton world init``: create the sample world (business database, policy docs, outbox)."""

from __future__ import annotations

import argparse

from baton import exit_codes
from baton.console import print_json, say
from baton.errors import BadInput
from baton.settings import ensure_home_writable, load_settings


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``world`` and its ``init``."""
    parser = commands.add_parser(
        "world",
        help="create the sample world a home runs against",
        description="The world is the business data runs act on (customers, orders, "
        "charges, refunds, tickets, policy docs) and the email outbox. Runs never create "
        "it: a missing world is an error, so refunds already issued are never forgotten.",
    )
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    init = actions.add_parser(
        "init",
        help="create and seed the sample world if BATON_HOME has none",
        description="Create and seed the sample world in BATON_HOME. An existing world is "
        "left exactly as it is; `baton demo --reset` starts it over.",
    )
    init.add_argument("--json", action="store_true", help="print one JSON object")
    init.set_defaults(handler=world_init_command)


def world_init_command(args: argparse.Namespace) -> int:
    """Seed a new world; leave an existing one alone; refuse to touch an unreadable one."""
    from tools.world import World, WorldUnavailable, world_database

    settings = load_settings()
    world = World(settings.home, settings.smtp_url, world_database(settings.database))
    created = False
    if world.exists():
        try:
            world.check()
        except WorldUnavailable as exc:
            raise BadInput(str(exc)) from None
    else:
        ensure_home_writable(settings)
        created = world.init()
    place = world.where if world.database is not None else str(settings.home)
    if args.json:
        print_json({"world": world.where, "created": created})
    elif created:
        say(f"created the sample world in {place}")
    else:
        say(f"the world in {place} already exists; nothing changed")
    return exit_codes.DONE
