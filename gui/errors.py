"""How errors reach the user (CONTRIBUTING.md, "Errors the user sees").

`ErrorPresenter.describe` maps core exception types and codes to translated, actionable
text. `ErrorPresenter.show` puts it in a non-modal box (or the toast area); unexpected
exceptions from slots and jobs go through `sys.excepthook` to the log and a copyable
details dialog. ``CancelledError`` is silent.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core import errors as E

__all__ = ["ErrorPresenter", "ExceptionDialog", "UserMessage", "install_excepthook"]

log = logging.getLogger(__name__)


def _t(text: str) -> str:
    return QCoreApplication.translate("ErrorPresenter", text)


@dataclass(frozen=True, slots=True)
class UserMessage:
    title: str
    text: str
    hint: str = ""
    details: str = ""
    expected: bool = True  # False: a bug, show the details dialog


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:
    """Marks ``text`` for ``pyside6-lupdate`` (context ``context``); translated by `_t`."""
    return text


# Cloud / Local server error codes (FC 3.0 and ACR) with their own text.
_CODE_TEXT: dict[str, tuple[str, str]] = {
    "FunctionNotFound": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "The function does not exist (any more)."),
        QT_TRANSLATE_NOOP("ErrorPresenter", "Refresh the list; someone may have deleted it."),
    ),
    "FunctionAlreadyExists": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "A function with this name already exists."),
        QT_TRANSLATE_NOOP("ErrorPresenter", "Choose another name, or edit the existing function."),
    ),
    "ConcurrentUpdateError": (
        QT_TRANSLATE_NOOP(
            "ErrorPresenter", "Another update of this function is still in progress."
        ),
        QT_TRANSLATE_NOOP(
            "ErrorPresenter", "Wait until its last update has finished, then try again."
        ),
    ),
    "InvalidArgument": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "The service refused a value."),
        "",  # the service's own message (shown below the text) says which one
    ),
    "AccessDenied": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "Access denied."),
        QT_TRANSLATE_NOOP(
            "ErrorPresenter",
            "The AccessKey in this profile lacks the permission; check its RAM policy.",
        ),
    ),
    "NoPrivilege": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "Access denied."),
        QT_TRANSLATE_NOOP(
            "ErrorPresenter",
            "The AccessKey in this profile lacks the permission; check its RAM policy.",
        ),
    ),
    "InvalidAccessKeyID": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "The AccessKey ID is not valid."),
        QT_TRANSLATE_NOOP(
            "ErrorPresenter", "Open Settings › Profiles and enter a valid AccessKey."
        ),
    ),
    "SignatureNotMatch": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "The service rejected the request signature."),
        QT_TRANSLATE_NOOP(
            "ErrorPresenter",
            "The AccessKey secret is probably wrong, or this computer's clock is off.",
        ),
    ),
    "NoKeyringBackend": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "No system keyring is available to store secrets."),
        QT_TRANSLATE_NOOP(
            "ErrorPresenter",
            "Open Settings › Profiles and choose a protected file store, or enter the "
            "secret each session.",
        ),
    ),
    "ResourceExhausted": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "The function is at its concurrency limit."),
        QT_TRANSLATE_NOOP(
            "ErrorPresenter", "Retry in a moment or raise the function's instance concurrency."
        ),
    ),
    "ResourceThrottled": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "The service is busy."),
        QT_TRANSLATE_NOOP("ErrorPresenter", "Retry in a moment."),
    ),
    "Throttling": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "Too many requests."),
        QT_TRANSLATE_NOOP("ErrorPresenter", "fcdesk slows down and retries; try again shortly."),
    ),
    "CAExited": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "The container exited before it was ready."),
        QT_TRANSLATE_NOOP(
            "ErrorPresenter", "Check the image's entrypoint, command and port, and the log tail."
        ),
    ),
    "FunctionNotStarted": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "The container did not start listening."),
        QT_TRANSLATE_NOOP(
            "ErrorPresenter",
            "The server in the image must listen on 0.0.0.0 and the function's port.",
        ),
    ),
    "INSTANCE_NOT_EXIST": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "The registry instance does not exist."),
        QT_TRANSLATE_NOOP("ErrorPresenter", "Refresh the list."),
    ),
    "NAMESPACE_NOT_EXIST": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "The namespace does not exist."),
        QT_TRANSLATE_NOOP("ErrorPresenter", "Refresh the list."),
    ),
    "REPO_NOT_EXIST": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "The repository does not exist."),
        QT_TRANSLATE_NOOP("ErrorPresenter", "Refresh the list."),
    ),
    "EDITION_NOT_SUPPORTED": (
        QT_TRANSLATE_NOOP("ErrorPresenter", "This registry edition cannot accelerate images."),
        QT_TRANSLATE_NOOP(
            "ErrorPresenter", "Image acceleration needs a Standard or Advanced Enterprise instance."
        ),
    ),
}


class ErrorPresenter(QObject):
    """Turns exceptions into `UserMessage`s and shows them without blocking."""

    message = Signal(object)  # UserMessage, for the in-app notification area

    def __init__(self, parent_widget: Callable[[], QWidget | None] | None = None) -> None:
        super().__init__()
        self._parent_widget = parent_widget or (lambda: None)
        self._open: list[QDialog] = []

    @staticmethod
    def describe(exc: BaseException) -> UserMessage:
        code = getattr(exc, "code", "") or ""
        if code in _CODE_TEXT:
            text, hint = _CODE_TEXT[code]
            # The service's own message says what exactly (which value, why the container
            # exited …): keep it under the translated sentence.
            said = str(exc).strip()
            return UserMessage(
                QCoreApplication.translate("ErrorPresenter", "Request failed"),
                _t(text) + (f"\n{said}" if said else ""),
                _t(hint) if hint else "",
                _details(exc),
            )
        if isinstance(exc, E.CredentialsError):
            return UserMessage(
                QCoreApplication.translate("ErrorPresenter", "Credentials"),
                QCoreApplication.translate(
                    "ErrorPresenter", "The profile's credentials are missing or cannot be used."
                ),
                QCoreApplication.translate(
                    "ErrorPresenter", "Open Settings › Profiles to enter or fix them."
                ),
                _details(exc),
            )
        if isinstance(exc, E.SignatureError):
            return UserMessage(
                QCoreApplication.translate("ErrorPresenter", "Signature refused"),
                QCoreApplication.translate(
                    "ErrorPresenter", "The service rejected the request signature."
                ),
                QCoreApplication.translate(
                    "ErrorPresenter", "Check the AccessKey secret and this computer's clock."
                ),
                _details(exc),
            )
        if isinstance(exc, E.ThrottledError | E.TooManyRequests):
            return UserMessage(
                QCoreApplication.translate("ErrorPresenter", "Slow down"),
                QCoreApplication.translate("ErrorPresenter", "The service is throttling requests."),
                QCoreApplication.translate("ErrorPresenter", "Wait a moment and try again."),
                _details(exc),
            )
        if isinstance(exc, E.ResourceNotFound | E.NotFound):
            return UserMessage(
                QCoreApplication.translate("ErrorPresenter", "Not found"),
                QCoreApplication.translate("ErrorPresenter", "The item no longer exists."),
                QCoreApplication.translate("ErrorPresenter", "Refresh the view."),
                _details(exc),
            )
        if isinstance(exc, E.AuthError):
            return UserMessage(
                QCoreApplication.translate("ErrorPresenter", "Registry login failed"),
                QCoreApplication.translate(
                    "ErrorPresenter", "The registry refused the credentials."
                ),
                QCoreApplication.translate(
                    "ErrorPresenter",
                    "Check the registry user name and password in Settings › Profiles.",
                ),
                _details(exc),
            )
        if isinstance(exc, E.TransportError):
            local = _loopback(exc)
            timeout = isinstance(exc, E.TransportTimeout)
            if timeout:
                text = QCoreApplication.translate(
                    "ErrorPresenter", "The server did not answer in time."
                )
            else:
                text = QCoreApplication.translate(
                    "ErrorPresenter", "fcdesk could not reach the server."
                )
            if local:
                hint = QCoreApplication.translate(
                    "ErrorPresenter",
                    "It is the Local server on this computer: see its state in the status "
                    "bar (Settings › Local server can restart it).",
                )
            else:
                hint = QCoreApplication.translate(
                    "ErrorPresenter", "Check this computer's network connection and try again."
                )
            return UserMessage(
                QCoreApplication.translate("ErrorPresenter", "Timed out")
                if timeout
                else QCoreApplication.translate("ErrorPresenter", "Connection problem"),
                text + _said(exc),
                hint,
                _details(exc),
            )
        if isinstance(exc, E.InvalidReference):
            return UserMessage(
                QCoreApplication.translate("ErrorPresenter", "Invalid image reference"),
                str(exc),
                QCoreApplication.translate(
                    "ErrorPresenter", "Use the form registry/namespace/repository:tag."
                ),
                _details(exc),
            )
        if isinstance(exc, E.InvalidInput):
            return UserMessage(
                QCoreApplication.translate("ErrorPresenter", "Invalid value"),
                str(exc),
                "",
                _details(exc),
            )
        if isinstance(exc, E.ConvertError | E.FormatError | E.UnsafeContent):
            return UserMessage(
                QCoreApplication.translate("ErrorPresenter", "Conversion failed"),
                str(exc),
                QCoreApplication.translate(
                    "ErrorPresenter", "The task log has the details; the source image is unchanged."
                ),
                _details(exc),
            )
        if isinstance(exc, E.DigestMismatch):
            return UserMessage(
                QCoreApplication.translate("ErrorPresenter", "Corrupt data"),
                QCoreApplication.translate(
                    "ErrorPresenter", "Downloaded data did not match its digest."
                ),
                QCoreApplication.translate(
                    "ErrorPresenter",
                    "Nothing was kept. Try again; if it repeats, the registry is serving "
                    "corrupt content.",
                ),
                _details(exc),
            )
        if isinstance(exc, E.ServerError) and code == "NotConnected":
            return UserMessage(
                QCoreApplication.translate("ErrorPresenter", "Not connected"),
                QCoreApplication.translate(
                    "ErrorPresenter", "The profile in use is not connected (yet)."
                ),
                QCoreApplication.translate(
                    "ErrorPresenter",
                    "Wait until the status bar says it is connected, or choose another profile.",
                ),
                _details(exc),
            )
        if isinstance(exc, E.ServerError):
            return UserMessage(
                QCoreApplication.translate("ErrorPresenter", "Local server"),
                QCoreApplication.translate(
                    "ErrorPresenter", "The Local server could not start or answer."
                ),
                QCoreApplication.translate(
                    "ErrorPresenter",
                    "See Settings › Local server (data directory, port) and its log.",
                ),
                _details(exc),
            )
        if isinstance(exc, E.ColdStartError | E.PullError):
            return UserMessage(
                QCoreApplication.translate("ErrorPresenter", "Cold start failed"),
                str(exc),
                "",
                _details(exc),
            )
        if isinstance(exc, E.CloudError | E.RegistryError):
            status = getattr(exc, "status", None)
            text = str(exc) if not status else f"{exc} (HTTP {status})"
            return UserMessage(
                QCoreApplication.translate("ErrorPresenter", "Request failed"),
                text,
                "",
                _details(exc),
            )
        if isinstance(exc, E.CoreError):
            return UserMessage(
                QCoreApplication.translate("ErrorPresenter", "Error"), str(exc), "", _details(exc)
            )
        if isinstance(exc, OSError):
            return UserMessage(
                QCoreApplication.translate("ErrorPresenter", "File or system error"),
                str(exc),
                "",
                _details(exc),
            )
        return UserMessage(
            QCoreApplication.translate("ErrorPresenter", "Unexpected error"),
            QCoreApplication.translate("ErrorPresenter", "Something went wrong inside fcdesk."),
            QCoreApplication.translate("ErrorPresenter", "The details below help to report it."),
            _details(exc),
            expected=False,
        )

    def show(self, exc: BaseException, parent: QWidget | None = None) -> UserMessage | None:
        if isinstance(exc, asyncio.CancelledError):
            return None
        msg = self.describe(exc)
        log.warning("%s: %s", msg.title, msg.details.splitlines()[-1] if msg.details else "")
        if msg.expected:
            self.message.emit(msg)
        else:
            self.show_details(msg, parent)
        return msg

    def show_details(self, msg: UserMessage, parent: QWidget | None = None) -> ExceptionDialog:
        dialog = ExceptionDialog(msg, parent or self._parent_widget())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._open.append(dialog)
        dialog.finished.connect(lambda _c: self._open.remove(dialog))
        dialog.show()
        return dialog

    def excepthook(
        self, etype: type[BaseException], value: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(etype, asyncio.CancelledError | KeyboardInterrupt):
            return
        log.error("unhandled error", exc_info=(etype, value, tb))
        try:
            self.show(value)
        except Exception:  # noqa: BLE001 - the hook must never raise
            sys.__excepthook__(etype, value, tb)


def _loopback(exc: BaseException) -> bool:
    """Whether a connection error concerns a server on this computer (the Local server)."""
    detail = getattr(exc, "detail", None)
    host = str(detail.get("host") or "") if isinstance(detail, dict) else ""
    if not host:
        text = str(exc)
        return any(h in text for h in ("127.0.0.1", "localhost", "[::1]"))
    return host in ("localhost", "::1", "[::1]") or host.startswith("127.")


def _said(exc: BaseException) -> str:
    """The exception's own message (which call, which host) on a line of its own."""
    said = str(exc).strip()
    return f"\n{said}" if said else ""


def _details(exc: BaseException) -> str:
    lines = traceback.format_exception(type(exc), exc, exc.__traceback__)
    extra = []
    for attr in ("code", "status", "request_id"):
        value = getattr(exc, attr, None)
        if value:
            extra.append(f"{attr}: {value}")
    return "".join(lines) + ("\n" + "\n".join(extra) if extra else "")


class ExceptionDialog(QDialog):
    """A non-modal dialog with the message and copyable details."""

    def __init__(self, msg: UserMessage, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("exceptionDialog")
        self.setWindowTitle(msg.title)
        self.setAccessibleName(self.tr("Error details"))
        layout = QVBoxLayout(self)
        text = QLabel(msg.text + (f"\n\n{msg.hint}" if msg.hint else ""))
        text.setWordWrap(True)
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(text)
        self.details = QPlainTextEdit(msg.details)
        self.details.setReadOnly(True)
        self.details.setAccessibleName(self.tr("Technical details"))
        self.details.setMinimumSize(560, 220)
        layout.addWidget(self.details)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy = QPushButton(self.tr("Copy details"))
        copy.clicked.connect(self._on_copy_clicked)
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _on_copy_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self.details.toPlainText())


def install_excepthook(presenter: ErrorPresenter) -> Callable[[], None]:
    """Route ``sys.excepthook`` to ``presenter``; returns a function that restores it."""
    previous = sys.excepthook
    sys.excepthook = presenter.excepthook

    def restore() -> None:
        sys.excepthook = previous

    return restore
