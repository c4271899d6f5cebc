from __future__ import annotations

from pathlib import Path

from persistence.sqlite.files import immediate
from persistence.world.connect import connect
from persistence.world.knowledge_base import split_sections
from tools.knowledge_base import search
from tools.world import World


def test_split_sections_keeps_intro_and_each_heading() -> None:
    sections = split_sections("# T\n\nintro\n\n## A\n\na body\n\n## B\nb body\n")
    assert sections == [("Overview", "intro"), ("A", "a body"), ("B", "b body")]


def test_stale_index_is_rebuilt_when_the_world_is_opened(tmp_path: Path) -> None:
    world = World(home=tmp_path)
    world.init()
    conn = connect(world)
    try:
        with immediate(conn):
            conn.execute("UPDATE kb_docs SET text = 'old' WHERE doc = 'tone-guide'")
            conn.execute("DELETE FROM kb_sections WHERE doc = 'tone-guide'")
    finally:
        conn.close()
    world.open()
    assert search(world, "banned phrases")[0].cite == "tone-guide#Banned phrases"
