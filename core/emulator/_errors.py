"""Errors the Local server answers with, rendered in each API family's own shape."""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response

__all__ = ["ApiError", "acr_error", "fc_auth_code", "fc_error", "registry_error"]


class ApiError(Exception):
    """A refused request: ``status`` + ``code`` + ``message`` (+ extra detail for registry)."""

    def __init__(self, status: int, code: str, message: str, **detail: Any) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.detail = detail


def fc_error(status: int, code: str, message: str, request_id: str) -> Response:
    body = {"Code": code, "Message": message, "RequestId": request_id}
    return Response(
        json.dumps(body),
        status_code=status,
        media_type="application/json",
        headers={"x-fc-request-id": request_id},
    )


def acr_error(status: int, code: str, message: str, request_id: str) -> Response:
    body = {"RequestId": request_id, "Code": code, "Message": message, "IsSuccess": False}
    return Response(
        json.dumps(body),
        status_code=status,
        media_type="application/json",
        headers={"x-acs-request-id": request_id},
    )


def registry_error(
    status: int,
    code: str,
    message: str,
    *,
    detail: Any = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body = {"errors": [{"code": code, "message": message, "detail": detail}]}
    hdrs = {"Docker-Distribution-API-Version": "registry/2.0"}
    hdrs.update(headers or {})
    return Response(
        json.dumps(body), status_code=status, media_type="application/json", headers=hdrs
    )


def fc_auth_code(exc: ApiError) -> tuple[str, int]:
    """FC's names and statuses for signature failures."""
    mapping = {
        "MissingAuthorization": ("MissingRequiredHeader", 400),
        "IncompleteSignature": ("InvalidArgument", 400),
        "MissingHeader": ("MissingRequiredHeader", 400),
        "InvalidAccessKeyId.NotFound": ("InvalidAccessKeyID", 403),
        "InvalidTimeStamp.Expired": ("RequestTimeTooSkewed", 403),
        "InvalidTimeStamp.Format": ("InvalidArgument", 400),
        "ContentSHA256Mismatch": ("SignatureNotMatch", 403),
        "SignatureNotMatch": ("SignatureNotMatch", 403),
        "SignatureNonceUsed": ("SignatureNonceUsed", 403),
        "MissingSignatureNonce": ("MissingRequiredHeader", 400),
    }
    return mapping.get(exc.code, (exc.code, exc.status))
