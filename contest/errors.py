"""The one exception services raise when a rule refuses an action."""

from __future__ import annotations


class ServiceError(Exception):
    """A rule said no. `message` is already translated (or lazy) and safe to show the user;
    `field` names the form field it belongs beside, when there is one."""

    def __init__(self, message: object, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field
