"""The request id of the current request (or task), so that audit events can name it without every
service taking it as an argument. Set by ``RequestIdMiddleware`` and by tasks."""

import re
import uuid
from contextvars import ContextVar

_request_id: ContextVar[str] = ContextVar("intercoder_request_id", default="")
_VALID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


def new_request_id(proposed: str | None = None) -> str:
    """Accept a well-formed id from a trusted proxy header, otherwise mint one."""
    if proposed and _VALID.match(proposed):
        return proposed
    return uuid.uuid4().hex


def set_request_id(value: str):
    return _request_id.set(value)


def reset_request_id(token) -> None:
    _request_id.reset(token)


def get_request_id() -> str:
    return _request_id.get()
