"""The one error the CLI expects: input it refuses, reported in one line with exit code 2."""

from __future__ import annotations


class BadInput(Exception):
    """The command line, a setting or the named thread cannot be acted on; nothing changed."""
