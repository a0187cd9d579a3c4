"""Map every refusal to a 4xx JSON body ``{code, message, field}``; bad input is never a 500."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from trispace.kernel import errors
from trispace.kernel.errors import DomainError


def _body(
    api: NinjaAPI, request: HttpRequest, status: int, code: str, message: Any, field: str | None
) -> HttpResponse:
    return api.create_response(
        request, {"code": code, "message": str(message), "field": field}, status=status
    )


def install(api: NinjaAPI) -> None:
    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        return _body(api, request, exc.status, exc.code, exc.message, exc.field)

    @api.exception_handler(NinjaValidationError)
    def validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        first = exc.errors[0] if exc.errors else {}
        loc = [
            str(part)
            for part in first.get("loc", [])
            if part not in ("body", "query", "path", "payload")
        ]
        field = ".".join(loc) or None
        message = first.get("msg") or errors.INVALID.message
        return api.create_response(
            request,
            {"code": "invalid", "message": str(message), "field": field, "errors": exc.errors},
            status=400,
        )

    @api.exception_handler(AuthenticationError)
    def not_authenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        error = errors.NOT_AUTHENTICATED()
        return _body(api, request, 401, error.code, error.message, None)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        error = errors.NOT_FOUND()
        return _body(api, request, 404, error.code, error.message, None)

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        error = errors.PERMISSION_DENIED()
        return _body(api, request, 403, error.code, error.message, None)

    @api.exception_handler(RequestDataTooBig)
    def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return _body(api, request, 413, "request_too_large", errors.INVALID.message, None)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return _body(api, request, exc.status_code, "http_error", str(exc), None)
