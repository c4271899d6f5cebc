"""Why a thinking step can fail cleanly."""


class StepFailed(Exception):
    """A step could not get a valid output after its retries and escalation."""


class ModelUnavailable(Exception):
    """The model server could not be used: down, timing out, refusing, or answering garbage.

    Not a ``StepFailed``: no node turns it into a failed step. It leaves the node, so the run
    stops at its last checkpoint (the steps finished so far, effects included, are kept) and
    ends ``failed`` with this one-line reason; ``baton resume`` runs the node again once the
    cause is fixed. A step whose request cannot fit the context window is a ``StepFailed``.
    """
