"""What answers before the API does: the token check and the injected faults' answers."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from timecamp_simulator.faults import DEFAULT_SHAPE_BODY, EDGE_ERROR_NAMES, Fault
from timecamp_simulator.pages import LOGIN_PATH, MAINTENANCE_PAGE
from timecamp_simulator.params import Params
from timecamp_simulator.response import Response, error

HTML = "text/html; charset=UTF-8"


def is_authorized(token: str, authorization: str | None, params: Params) -> bool:
    """Whether a request carries the account's token, as a Bearer header or the legacy way."""
    scheme, _, sent = (authorization or "").partition(" ")
    if scheme.lower() == "bearer" and sent.strip() == token:
        return True
    # The legacy query-string token still works on the real API; the log masks it.
    return params.get("api_token", [""])[0] == token


def auth_failure(mode: str, host: str) -> Response:
    """How a bad or missing token is answered in the given mode ("redirect", "401", "403")."""
    if mode == "401":
        return error(401, "Unauthorized")
    if mode == "403":
        return error(403, "Forbidden")
    return login_redirect(host)


def login_redirect(host: str) -> Response:
    """A 302 to the HTML login page at `host`, what TimeCamp answers without a valid token."""
    return Response(
        302,
        raw=b'<html><body>Redirecting to <a href="/auth/login">/auth/login</a></body></html>',
        content_type=HTML,
        headers={"Location": f"http://{host}{LOGIN_PATH}"},
    )


def fault_answer(fault: Fault, host: str) -> Response:
    """The answer of a fault that answers at all: not `slow`, `reset` or `truncated`."""
    if fault.kind == "html":
        return Response(200, raw=MAINTENANCE_PAGE, content_type=HTML)
    if fault.kind == "redirect":
        return login_redirect(host)
    if fault.kind == "shape":
        return Response(200, DEFAULT_SHAPE_BODY if fault.body is None else fault.body)
    headers: dict[str, str] = {}
    retry_after = fault.retry_after
    if retry_after is not None and fault.retry_after_in == "header":
        headers["Retry-After"] = _seconds(retry_after)
    if fault.body is not None:
        value: Any = fault.body
    elif retry_after is not None and fault.retry_after_in == "body":
        # The shape TimeCamp's edge uses for retryable failures.
        value = {
            "retryable": True,
            "retry_after": retry_after,
            "error_name": EDGE_ERROR_NAMES.get(fault.status, "origin_error"),
        }
    else:
        value = {"message": _phrase(fault.status)}
    return Response(fault.status, value, headers=headers)


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return f"Error {status}"


def _seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
