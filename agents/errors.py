"""Why a thinking step can fail cleanly."""


class StepFailed(Exception):
    """A step could not get a valid output after its retries and escalation."""


class ModelUnavailable(StepFailed):
    """The model provider kept failing (after the client's own transport retries)."""
