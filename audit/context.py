"""Where an action comes from (request id, client address, source), for audit events.

Set by the middleware for web requests and by tasks and commands for theirs; services read it
when they record an event, so the transport layer never writes audit rows itself.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from audit.constants import Source


@dataclass(frozen=True)
class AuditContext:
    source: str = Source.SYSTEM
    request_id: str = ""
    client_address: str = ""
    credential: str = ""  # how the actor authenticated when not by session, e.g. "api_token:42"


_current: contextvars.ContextVar[AuditContext] = contextvars.ContextVar("audit_context", default=AuditContext())  # noqa: B039 - frozen dataclass


def current() -> AuditContext:
    return _current.get()


@contextlib.contextmanager
def use(context: AuditContext) -> Iterator[AuditContext]:
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)


def bind(**fields: str) -> AuditContext:
    """Add facts learnt during the request (the API token that authenticated it); the
    enclosing `use` restores the previous context when the request ends."""
    context = dataclasses.replace(_current.get(), **fields)
    _current.set(context)
    return context


def for_task(task_id: str | None = None) -> AuditContext:
    return AuditContext(source=Source.TASK, request_id=task_id or uuid.uuid4().hex)


def for_command() -> AuditContext:
    return AuditContext(source=Source.COMMAND, request_id=uuid.uuid4().hex)
