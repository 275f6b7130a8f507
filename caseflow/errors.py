"""One exception hierarchy for the whole app; `web/` maps each to an HTTP status once."""


class CaseflowError(Exception):
    """Base of every domain error; `message` is safe to show to the user."""

    http_status = 500

    def __init__(self, message: str, **details):
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(CaseflowError):
    http_status = 404


class NotAllowed(CaseflowError):
    http_status = 403


class Conflict(CaseflowError):
    http_status = 409


class InvalidInput(CaseflowError):
    http_status = 400


class InvalidSpec(CaseflowError):
    """A BPMN/DMN bundle that cannot be deployed; `element` names the offending element when known."""

    http_status = 422

    def __init__(self, message: str, *, element: str | None = None, file: str | None = None):
        super().__init__(message, element=element, file=file)
        self.element = element
        self.file = file

    def __str__(self):
        where = ", ".join(p for p in (self.file and f"file {self.file}",
                                      self.element and f"element {self.element}") if p)
        return f"{self.message} ({where})" if where else self.message
