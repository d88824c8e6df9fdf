"""Translations: Qt's own and fcdesk's ``app_<lang>.qm`` (CONTRIBUTING.md, "Translations").

The language follows the system locale unless Settings overrides it. Setting
``FCDESK_PSEUDO_LOCALE=1`` installs a pseudo-translator that lengthens every string by about
40 % and wraps it in brackets, to find clipped or hard-coded text.
"""

from __future__ import annotations

import logging
import os
import re

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QObject, QTranslator

from gui.resources import translations_dir

__all__ = ["PseudoTranslator", "arg", "available_languages", "install_translators"]

log = logging.getLogger(__name__)

_installed: list[QTranslator] = []


_PLACEHOLDER = re.compile(r"%([1-9][0-9]?)")


def arg(text: str, *args: object) -> str:
    """A translated ``text`` with its placeholders ``%1``, ``%2`` … filled by ``args``.

    Wrap the translation call, so that ``pyside6-lupdate`` still finds the source text::

        arg(self.tr("Convert %1 into %2 now"), tag, twin)
        arg(QCoreApplication.translate("OverviewView", "%1 of %2"), done, total)

    Like ``QString.arg``, every placeholder is filled in one pass: a value that itself contains
    ``%2`` is not filled again, a placeholder may appear several times, and one without a
    value stays as it is. Translators may reorder the placeholders.
    """
    values = [str(a) for a in args]

    def fill(match: re.Match[str]) -> str:
        n = int(match.group(1))
        return values[n - 1] if n <= len(values) else match.group(0)

    return _PLACEHOLDER.sub(fill, text)


class PseudoTranslator(QTranslator):
    """Expands every string (accents + padding) to check layouts."""

    _MAP = str.maketrans("aeiouAEIOUcnyCNY", "áéîõüÅÉÎÕÜçñýÇÑÝ")

    def __init__(self, scale: float = 1.4, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._scale = scale

    def translate(
        self, context: str, source: str, disambiguation: str | None = None, n: int = -1
    ) -> str:
        if not source:
            return source
        pad = "~" * max(0, int(len(source) * (self._scale - 1)))
        return f"[{source.translate(self._MAP)}{pad}]"

    def isEmpty(self) -> bool:
        return False


def available_languages() -> list[str]:
    """Language codes with a compiled ``app_<lang>.qm`` (English is built in)."""
    langs = {"en"}
    folder = translations_dir()
    if folder.is_dir():
        for qm in folder.glob("app_*.qm"):
            langs.add(qm.stem.removeprefix("app_"))
    return sorted(langs)


def install_translators(language: str | None = None) -> str:
    """Install translators for ``language`` ("" or None = system locale); returns the code."""
    app = QCoreApplication.instance()
    if app is None:
        raise RuntimeError("create the application first")
    for tr in _installed:
        app.removeTranslator(tr)
    _installed.clear()
    locale = QLocale(language) if language else QLocale.system()
    code = locale.name().split("_")[0]
    qt_tr = QTranslator(app)
    if qt_tr.load(
        locale, "qtbase", "_", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    ):
        app.installTranslator(qt_tr)
        _installed.append(qt_tr)
    ours = QTranslator(app)
    folder = str(translations_dir())
    if ours.load(locale, "app", "_", folder) or ours.load(f"app_{code}", folder):
        app.installTranslator(ours)
        _installed.append(ours)
    elif code != "en":
        log.info("no translation for %s; using English", code)
    if os.environ.get("FCDESK_PSEUDO_LOCALE"):
        scale = float(os.environ.get("FCDESK_PSEUDO_SCALE", "1.4") or 1.4)
        pseudo = PseudoTranslator(scale, app)
        app.installTranslator(pseudo)
        _installed.append(pseudo)
    return code
