"""One exception hierarchy for the whole app; `web/` maps each to an HTTP status once.

An error's `message` is an English msgid with %(name)s placeholders filled from `params`, so the web layer
can show it in the user's language: `gettext(exc.message, **exc.params)`. Mark msgids with `N_` so the
translation catalog extracts them.
"""

import math
from datetime import timedelta


def N_(message: str) -> str:  # noqa: N802 (the conventional gettext marker name)
    """Mark a string for extraction into the translation catalog without translating it here."""
    return message


class CaseflowError(Exception):
    """Base of every domain error; the formatted message is safe to show to the user."""

    http_status = 500

    def __init__(self, message: str, /, **params):
        self.message = message
        self.params = params
        super().__init__(self.text())

    def text(self) -> str:
        return self.message % self.params if self.params else self.message


class NotFound(CaseflowError):
    http_status = 404


class OutOfRegion(NotFound):
    """Something outside the actor's region was asked for: it answers as not found (nothing of it is shown), and
    the web edge records the refusal in the audit trail in a transaction of its own."""

    def __init__(self, message: str, /, *, actor, kind: str, key, case_id: int | None = None, **params):
        self.actor, self.kind, self.key, self.case_id = actor, kind, str(key)[:100], case_id
        super().__init__(message, **params)


class NotAllowed(CaseflowError):
    http_status = 403


class Conflict(CaseflowError):
    http_status = 409


class InvalidInput(CaseflowError):
    http_status = 400


class Throttled(CaseflowError):
    """Too many attempts: the caller may try again after `retry_after` (shown to the user as %(wait)s)."""

    http_status = 429

    def __init__(self, message: str, /, *, retry_after: timedelta, **params):
        self.retry_after = max(1, math.ceil(retry_after.total_seconds()))  # whole seconds, for Retry-After
        super().__init__(message, wait=timedelta(seconds=self.retry_after), **params)


class InvalidSpec(CaseflowError):
    """A BPMN/DMN bundle that cannot be deployed; `element` names the offending element when known."""

    http_status = 422

    def __init__(self, message: str, /, *, element: str | None = None, file: str | None = None, **params):
        self.element = element
        self.file = file
        super().__init__(message, **params)

    def text(self) -> str:
        where = ", ".join(p for p in (self.file and f"file {self.file}", self.element and f"element {self.element}")
                          if p)
        base = super().text()
        return f"{base} ({where})" if where else base
