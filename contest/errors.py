"""The exceptions services raise when a rule refuses an action."""

from __future__ import annotations


class ServiceError(Exception):
    """A rule said no. `message` is already translated and safe to show the user; `field` names
    the form field it belongs beside, when there is one."""

    def __init__(self, message: object, field: str | None = None) -> None:
        super().__init__(str(message))
        # A plain str, not the lazy string: Jinja takes a lazy string for safe HTML (it has
        # __html__), and a message may quote what the user typed, "<script>" included.
        self.message = str(message)
        self.field = field


class ServiceErrors(ServiceError):
    """Several refusals found in one pass (every invalid score on a sheet), so that the user
    sees them all beside their fields at once instead of one per round trip."""

    def __init__(self, errors: list[ServiceError]) -> None:
        super().__init__(errors[0].message, errors[0].field)
        self.errors = list(errors)
