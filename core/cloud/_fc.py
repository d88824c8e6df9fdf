"""Function Compute 3.0 client (ROA style: versioned paths, JSON bodies, ACS3 signatures)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Mapping
from typing import Any
from urllib.parse import quote

import httpx

from core._progress import Progress, ProgressCallback, emit
from core._retry import RetryPolicy
from core.cloud._api import ApiClientBase, error_from_response
from core.cloud._credentials import Credentials
from core.cloud._endpoints import FC_API_VERSION, fc_invoke_endpoint, fc_management_endpoint
from core.cloud._fc_models import Function, FunctionInstance, InvocationResult
from core.cloud._signing import CredentialsSource
from core.errors import CloudError, InvalidInput

__all__ = ["FCClient"]

_FUNCTION_ERROR_TYPES = ("HandledInvocationError", "UnhandledInvocationError")


def _path(*parts: str) -> str:
    return "/" + "/".join([FC_API_VERSION, *(quote(p, safe="") for p in parts)])


class FCClient:
    """Async FC 3.0 client over an injected ``httpx.AsyncClient``.

    ``endpoint`` is the management base URL, ``invoke_endpoint`` the invocation base URL
    (defaults to ``endpoint``). `for_region` fills both with the documented defaults.
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        credentials: Credentials | CredentialsSource,
        *,
        endpoint: str,
        invoke_endpoint: str | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        self._api = ApiClientBase(http, credentials, retry=retry, service="fc")
        self.endpoint = endpoint.rstrip("/")
        self.invoke_endpoint = (invoke_endpoint or endpoint).rstrip("/")

    def current_credentials(self) -> Credentials:
        """The credentials requests are signed with now."""
        return self._api.current_credentials()

    @classmethod
    def for_region(
        cls,
        http: httpx.AsyncClient,
        credentials: Credentials | CredentialsSource,
        region: str,
        account_id: str | None = None,
        *,
        endpoint: str | None = None,
        invoke_endpoint: str | None = None,
        retry: RetryPolicy | None = None,
    ) -> FCClient:
        management = endpoint or fc_management_endpoint(region)
        if invoke_endpoint is None:
            invoke_endpoint = fc_invoke_endpoint(region, account_id) if account_id else management
        return cls(
            http, credentials, endpoint=management, invoke_endpoint=invoke_endpoint, retry=retry
        )

    def __repr__(self) -> str:
        return f"FCClient(endpoint={self.endpoint!r}, invoke_endpoint={self.invoke_endpoint!r})"

    async def _json(
        self,
        method: str,
        path: str,
        action: str,
        *,
        params: Mapping[str, str] | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        content = None
        headers = {}
        if body is not None:
            # Compact UTF-8 JSON under the content type the official SDKs declare.
            content = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
            headers["content-type"] = "application/json; charset=utf-8"
        response = await self._api._send(
            method,
            self.endpoint + path,
            action=action,
            version=FC_API_VERSION,
            params=params,
            content=content,
            headers=headers,
        )
        if not response.content:
            return {}
        try:
            data = response.json()
        except ValueError as exc:
            raise CloudError(
                f"{action}: the service answered with a body that is not JSON",
                code="InvalidResponse",
                status=response.status_code,
                request_id=response.headers.get("x-fc-request-id"),
            ) from exc
        if not isinstance(data, dict):
            raise CloudError(f"{action}: unexpected response shape", code="InvalidResponse")
        return data

    # -- functions ---------------------------------------------------------------------------

    async def list_functions(
        self,
        *,
        prefix: str | None = None,
        limit: int = 100,
        fc_version: str | None = None,
        max_items: int | None = None,
    ) -> AsyncIterator[Function]:
        """Every function (or those whose name starts with ``prefix``), page by page.

        Listed functions carry a subset of fields: `get_function` returns ``state`` and
        ``lastUpdateStatus``.
        """
        if not 1 <= limit <= 100:
            raise InvalidInput("limit must be 1-100", code="InvalidArgument", field="limit")
        token: str | None = None
        yielded = 0
        seen_tokens: set[str] = set()
        while True:
            params = {"limit": str(limit)}
            if prefix:
                params["prefix"] = prefix
            if fc_version:
                params["fcVersion"] = fc_version
            if token:
                params["nextToken"] = token
            data = await self._json("GET", _path("functions"), "ListFunctions", params=params)
            for raw in data.get("functions") or []:
                yield Function.from_json(raw)
                yielded += 1
                if max_items is not None and yielded >= max_items:
                    return
            token = data.get("nextToken") or None
            if not token:
                return
            if token in seen_tokens:
                raise CloudError(
                    "ListFunctions: the service returned the same nextToken twice",
                    code="InvalidResponse",
                )
            seen_tokens.add(token)

    async def get_function(self, name: str, *, qualifier: str | None = None) -> Function:
        params = {"qualifier": qualifier} if qualifier else None
        data = await self._json("GET", _path("functions", name), "GetFunction", params=params)
        return Function.from_json(data)

    async def create_function(self, fn: Function) -> Function:
        if not fn.function_name:
            raise InvalidInput("functionName is required", code="required", field="functionName")
        body = fn.to_create_json()
        body.setdefault("tags", [])  # always present in the official SDKs' CreateFunctionInput
        data = await self._json("POST", _path("functions"), "CreateFunction", body=body)
        return Function.from_json(data)

    async def update_function(self, name: str, fn: Function | Mapping[str, Any]) -> Function:
        """Update ``name`` with the fields set in ``fn`` (a `Function` or a raw JSON patch)."""
        body = fn.to_update_json() if isinstance(fn, Function) else dict(fn)
        data = await self._json("PUT", _path("functions", name), "UpdateFunction", body=body)
        return Function.from_json(data)

    async def delete_function(self, name: str) -> None:
        await self._json("DELETE", _path("functions", name), "DeleteFunction")

    async def list_instances(
        self, name: str, *, qualifier: str | None = None
    ) -> list[FunctionInstance]:
        params = {"qualifier": qualifier} if qualifier else None
        data = await self._json(
            "GET", _path("functions", name, "instances"), "ListInstances", params=params
        )
        return [FunctionInstance.from_json(i) for i in data.get("instances") or []]

    async def wait_until_ready(
        self,
        name: str,
        *,
        interval: float = 2.0,
        max_wait: float = 40 * 60,
        failed_reads: int = 3,
        on_progress: ProgressCallback | None = None,
    ) -> Function:
        """Poll `get_function` until the function is Active with its last update done.

        Emits ``Progress(phase="function-state", item=<state>/<lastUpdateStatus>)`` on each
        change. Raises `CloudError` (code ``FunctionFailed``) after ``failed_reads`` reads in a
        failed state, or ``Timeout`` after ``max_wait`` seconds.
        """
        deadline = time.monotonic() + max_wait
        failures = 0
        last = ""
        while True:
            fn = await self.get_function(name)
            current = f"{fn.state}/{fn.last_update_status}"
            if current != last:
                emit(
                    on_progress,
                    Progress(
                        "function-state",
                        item=current,
                        extra={
                            "state": fn.state,
                            "lastUpdateStatus": fn.last_update_status,
                            "reasonCode": fn.last_update_status_reason_code or fn.state_reason_code,
                        },
                    ),
                )
                last = current
            if fn.is_ready:
                return fn
            if fn.state == "Failed" or fn.last_update_status == "Failed":
                failures += 1
                if failures >= failed_reads:
                    reason = fn.last_update_status_reason or fn.state_reason or ""
                    raise CloudError(
                        f"function {name} failed to become ready: {reason}",
                        code="FunctionFailed",
                        reason_code=fn.last_update_status_reason_code or fn.state_reason_code,
                    )
            if time.monotonic() >= deadline:
                raise CloudError(
                    f"function {name} was not ready after {max_wait:.0f} s (state {current})",
                    code="Timeout",
                )
            await asyncio.sleep(interval)

    # -- invocation --------------------------------------------------------------------------

    async def invoke_function(
        self,
        name: str,
        event: bytes = b"",
        *,
        qualifier: str | None = None,
        asynchronous: bool = False,
        log_tail: bool = False,
        async_task_id: str | None = None,
        headers: Mapping[str, str] | None = None,
        http_timeout: httpx.Timeout | None = None,
    ) -> InvocationResult:
        """Invoke ``name`` with ``event`` bytes. The function's own error responses are returned
        (see `InvocationResult.error_type`); platform errors (function missing, not active,
        container exited …) raise `CloudError`. ``http_timeout`` replaces the HTTP client's for
        this call: a synchronous invocation may last as long as the function's own timeout
        (plus a cold start)."""
        extra = {
            "content-type": "application/octet-stream",
            "x-fc-invocation-type": "Async" if asynchronous else "Sync",
            "x-fc-log-type": "Tail" if log_tail else "None",
        }
        if async_task_id:
            extra["x-fc-async-task-id"] = async_task_id
        extra.update(headers or {})
        response = await self._api._send(
            "POST",
            self.invoke_endpoint + _path("functions", name, "invocations"),
            action="InvokeFunction",
            version=FC_API_VERSION,
            params={"qualifier": qualifier} if qualifier else None,
            content=event,
            headers=extra,
            check_status=False,
            http_timeout=http_timeout,
        )
        error_type = response.headers.get("x-fc-error-type")
        if response.status_code >= 400 and error_type not in _FUNCTION_ERROR_TYPES:
            body = _platform_error_body(response)
            if body is not None:
                raise error_from_response(response, body=body, secrets=self._api._secrets())
        return InvocationResult(
            status=response.status_code,
            headers=dict(response.headers),
            body=response.content,
            request_id=response.headers.get("x-fc-request-id"),
            log=InvocationResult.decode_log(response.headers.get("x-fc-log-result")),
            error_type=error_type,
            instance_id=response.headers.get("x-fc-instance-id"),
        )


def _platform_error_body(response: httpx.Response) -> dict[str, Any] | None:
    """The FC error body (``Code`` + ``Message``) of a failed invocation, if it is one."""
    try:
        data = json.loads(response.content)
    except ValueError:
        return None
    if (
        isinstance(data, dict)
        and (data.get("Code") or data.get("code"))
        and ("Message" in data or "message" in data)
    ):
        return data
    return None
