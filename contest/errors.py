"""The exceptions services raise when a rule refuses an action."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from markupsafe import Markup, escape


class UserMessage(LazyString):
    """A refusal's text: translated each time it is shown, like the lazy string it wraps, but
    escaped when put into a page. A plain lazy string tells Jinja it is safe HTML (it has
    __html__), and a refusal may quote what the user typed, "<script>" included."""

    def __init__(self, message: object) -> None:
        super().__init__(str, message)

    def __html__(self) -> Markup:
        return escape(str(self))


class ServiceError(Exception):
    """A rule said no. `message` is translated when shown and safe to put in a page; `field`
    names the form field it belongs beside, when there is one."""

    def __init__(self, message: object, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message if isinstance(message, UserMessage) else UserMessage(message)
        self.field = field


class ServiceErrors(ServiceError):
    """Several refusals found in one pass (every invalid score on a sheet), so that the user
    sees them all beside their fields at once instead of one per round trip."""

    def __init__(self, errors: list[ServiceError]) -> None:
        super().__init__(errors[0].message, errors[0].field)
        self.errors = list(errors)


def optional_reason(text: str | None, field: str, max_length: int) -> str:
    """A reason as the services keep it: without surrounding blanks; refused beside `field`
    when longer than `max_length`."""
    reason = (text or "").strip()
    if len(reason) > max_length:
        raise ServiceError(_l("The reason is too long (at most %(count)d characters).", count=max_length), field)
    return reason


def required_reason(text: str | None, field: str, max_length: int, *, missing: object = None) -> str:
    """As `optional_reason`, and refused when empty: with `missing` where the form says more
    than "give the reason" (who reads it, what it is for)."""
    reason = optional_reason(text, field, max_length)
    if not reason:
        raise ServiceError(missing or _l("Give the reason."), field)
    return reason
