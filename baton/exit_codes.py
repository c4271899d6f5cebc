"""The ``baton`` exit codes, one meaning each."""

from __future__ import annotations

DONE = 0
"""The run finished with status ``done`` (or an inspection command succeeded)."""
FAILED = 1
"""The run ended ``failed`` or ``budget_exhausted``, or an internal error."""
BAD_INPUT = 2
"""The input was refused; nothing was written."""
WAITING = 3
"""The run is waiting for a human decision on an irreversible action."""
UNRESOLVED = 4
"""The run finished, but its contract does not hold (status ``unresolved``; see ``error``)."""
INTERRUPTED = 130
"""Stopped with Ctrl-C; the thread resumes from its last checkpoint."""
