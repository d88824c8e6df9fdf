"""Errors with a service code keep the service's own message.

A function whose container cannot start was reported as "The container exited before it
was ready. Check the image's entrypoint …" without the reason the service gave
("bwrap: execvp python3: No such file or directory"); an asynchronous invocation on the
Local server was refused with "The service refused a value. Check the highlighted fields."
on a page that has no fields, without saying which value.
"""

from __future__ import annotations

from core.errors import CloudError
from gui.errors import ErrorPresenter


def test_coded_error_keeps_the_service_message() -> None:
    exc = CloudError(
        "function process exited with 1 before its port 9000 answered: "
        "bwrap: execvp python3: No such file or directory",
        code="CAExited",
    )
    msg = ErrorPresenter.describe(exc)
    assert msg.text.startswith("The container exited before it was ready.")
    assert "execvp python3: No such file or directory" in msg.text
    assert "entrypoint" in msg.hint


def test_invalid_argument_says_which_value_and_points_at_no_fields() -> None:
    exc = CloudError(
        "asynchronous invocation is not enabled for this function", code="InvalidArgument"
    )
    msg = ErrorPresenter.describe(exc)
    assert "asynchronous invocation is not enabled for this function" in msg.text
    assert "highlighted" not in msg.text + msg.hint


def test_unreachable_service_names_the_call_and_the_host() -> None:
    from core.errors import TransportError, TransportTimeout

    msg = ErrorPresenter.describe(
        TransportError("ListFunctions: cannot reach fcv3.cn-hangzhou.aliyuncs.com: ConnectError")
    )
    assert msg.title == "Connection problem"
    assert "fcv3.cn-hangzhou.aliyuncs.com" in msg.text
    msg = ErrorPresenter.describe(TransportTimeout("GetFunction: cr.example.com timed out"))
    assert "cr.example.com" in msg.text
