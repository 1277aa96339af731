"""The one family of errors a person can act on.

Services raise these; the admin turns them into messages, the portal into form errors and
the API into 4xx problem responses. Anything else escaping a service is a bug.
"""

from __future__ import annotations


class ApplicationError(Exception):
    """A refusal with a message meant for the person who asked."""

    status_code = 400
    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code


class ValidationFailed(ApplicationError):
    """The input is wrong; `field` names the input when there is one."""

    code = "validation_failed"


class PermissionRefused(ApplicationError):
    """The actor may not do this (role, organization or separation of duties)."""

    status_code = 403
    code = "permission_refused"


class InvalidState(ApplicationError):
    """The object is not in a state that allows this action."""

    status_code = 409
    code = "invalid_state"


class ConcurrentChange(ApplicationError):
    """Someone else changed the object since the actor loaded it."""

    status_code = 409
    code = "concurrent_change"

    def __init__(
        self,
        message: str = "This request was changed by someone else; reload the page and try again.",
    ):
        super().__init__(message)


class NotFound(ApplicationError):
    status_code = 404
    code = "not_found"
