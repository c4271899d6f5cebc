"""The Python snippets of README.md's "Embedding in a chat backend", ready to call."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

README = Path(__file__).resolve().parents[2] / "README.md"


def embedding_snippets() -> list[str]:
    """The section's Python code blocks, in order (Python API, then langgraph-sdk)."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## Embedding in a chat backend", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)


def load(snippet: str) -> dict[str, Any]:
    """Execute a snippet as a module and return its names."""
    names: dict[str, Any] = {"__name__": "readme_snippet"}
    exec(compile(snippet, "README.md", "exec"), names)
    return names
