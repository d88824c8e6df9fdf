"""Translations: every string the console shows is translatable and translated.

* The catalog: ``pyside6-lupdate`` over ``gui/`` finds the source strings; each one must have a
  finished Japanese and Simplified Chinese translation in ``resources/i18n/`` with the same
  placeholders and markup.
* The screens: with the pseudo-translator installed, every view, tab and dialog is opened and
  every visible text (labels, buttons, tabs, headers, cells, actions, tooltips, placeholders,
  accessible names, chart titles) must have come through the translator; every string asked of
  the translator at run time must be in the catalog.
* The compiled ``.qm`` files load, follow the system locale, and Settings can switch language.
"""

from __future__ import annotations

import asyncio
import collections
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QLocale, QModelIndex, Qt, QTranslator
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDialog,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTabWidget,
    QTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

import gui.i18n
from gui.i18n import PseudoTranslator

ROOT = Path(__file__).resolve().parents[2]
I18N = ROOT / "resources" / "i18n"
LANGUAGES = ("ja", "zh_CN")
_TOOLS = Path(sys.executable).parent

Key = tuple[str, str]  # (context, source)


def _tool(name: str) -> str:
    path = _TOOLS / name
    assert path.exists(), f"{name} is missing from the environment (PySide6 installs it)"
    return str(path)


def _parse_ts(path: Path) -> dict[Key, tuple[str | None, list[str], bool]]:
    """``{(context, source): (translation type, texts, numerus)}``."""
    out: dict[Key, tuple[str | None, list[str], bool]] = {}
    for ctx in ET.parse(path).getroot().iter("context"):
        name = ctx.findtext("name") or ""
        for msg in ctx.iter("message"):
            source = msg.findtext("source") or ""
            tr = msg.find("translation")
            assert tr is not None
            forms = [f.text or "" for f in tr.iter("numerusform")]
            texts = forms if msg.get("numerus") == "yes" else [tr.text or ""]
            out[(name, source)] = (tr.get("type"), texts, msg.get("numerus") == "yes")
    return out


@pytest.fixture(scope="module")
def source_strings(tmp_path_factory: pytest.TempPathFactory) -> dict[Key, bool]:
    """What ``pyside6-lupdate`` finds in ``gui/`` now: ``{(context, source): numerus}``."""
    out = tmp_path_factory.mktemp("lupdate") / "app_xx.ts"
    result = subprocess.run(
        [
            _tool("pyside6-lupdate"),
            "-extensions",
            "py",
            "-locations",
            "none",
            "-source-language",
            "en",
            "gui",
            "-ts",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    found = {key: numerus for key, (_t, _x, numerus) in _parse_ts(out).items()}
    assert len(found) > 100, f"lupdate found only {len(found)} strings:\n{result.stdout}"
    return found


_PLACEHOLDER = re.compile(r"%(?:n|L?\d+)")
_MARKUP = re.compile(r"</?[A-Za-z][^>]*>")


def _problems(
    lang: str,
    source_strings: dict[Key, bool],
    committed: dict[Key, tuple[str | None, list[str], bool]],
) -> list[str]:
    problems = []
    for (context, source), _numerus in sorted(source_strings.items()):
        entry = committed.get((context, source))
        where = f"{lang} {context}: {source!r}"
        if entry is None:
            problems.append(
                f"{where}: not in app_{lang}.ts "
                "(run packaging/build.py --update-translations, then translate)"
            )
            continue
        kind, texts, _ = entry
        if kind in ("unfinished", "vanished", "obsolete") or not any(t.strip() for t in texts):
            problems.append(f"{where}: translation {kind or 'empty'}")
            continue
        for text in texts:
            if collections.Counter(_PLACEHOLDER.findall(text)) != collections.Counter(
                _PLACEHOLDER.findall(source)
            ):
                problems.append(f"{where}: placeholders differ in {text!r}")
            if sorted(_MARKUP.findall(text)) != sorted(_MARKUP.findall(source)):
                problems.append(f"{where}: markup differs in {text!r}")
            if re.search(r"(?<!&)&(?!&)", text) and not re.search(r"(?<!&)&(?!&)", source):
                problems.append(f"{where}: a stray '&' (a mnemonic?) in {text!r}")
    return problems


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_source_string_has_a_finished_translation(
    lang: str, source_strings: dict[Key, bool]
) -> None:
    committed = _parse_ts(I18N / f"app_{lang}.ts")
    problems = _problems(lang, source_strings, committed)
    assert not problems, (
        f"{len(problems)} of {len(source_strings)} strings are not ready in {lang}:\n"
        + "\n".join(problems[:80])
    )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_are_not_left_in_english(lang: str, source_strings: dict[Key, bool]) -> None:
    """A translation equal to its source is allowed only for names, units and symbols."""
    committed = _parse_ts(I18N / f"app_{lang}.ts")
    same = []
    for key in source_strings:
        entry = committed.get(key)
        if entry is None:
            continue
        for text in entry[1]:
            words = re.findall(r"[A-Za-z]{4,}", _PLACEHOLDER.sub("", text))
            if text == key[1] and any(w.lower() == w for w in words):
                same.append(f"{key[0]}: {key[1]!r}")
    assert not same, f"{lang}: left in English:\n" + "\n".join(same)


def test_problem_checker_notices_missing_broken_and_unfinished_entries() -> None:
    strings = {("C", "Save %1"): False, ("C", "Gone"): False, ("C", "<b>x</b>"): False}
    committed = {
        ("C", "Save %1"): (None, ["保存"], False),
        ("C", "<b>x</b>"): ("unfinished", [""], False),
    }
    problems = _problems("ja", strings, committed)
    assert any("placeholders differ" in p for p in problems)
    assert any("not in app_ja.ts" in p for p in problems)
    assert any("translation unfinished" in p for p in problems)


# -- compiled translations -----------------------------------------------------------------


@pytest.fixture(scope="module")
def qm_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("qm")
    for lang in LANGUAGES:
        result = subprocess.run(
            [
                _tool("pyside6-lrelease"),
                str(I18N / f"app_{lang}.ts"),
                "-qm",
                str(out / f"app_{lang}.qm"),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
    return out


@pytest.fixture
def compiled(qm_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setattr(gui.i18n, "translations_dir", lambda: qm_dir)
    monkeypatch.delenv("FCDESK_PSEUDO_LOCALE", raising=False)
    yield qm_dir
    gui.i18n.install_translators("en")


@pytest.mark.parametrize(
    ("lang", "functions", "lab"),
    [("ja", "関数", "コールドスタートラボ"), ("zh_CN", "函数", "冷启动实验室")],
)
def test_compiled_translations_load(
    qapp: QApplication, compiled: Path, lang: str, functions: str, lab: str
) -> None:
    assert gui.i18n.install_translators(lang) == lang.split("_")[0]
    assert QCoreApplication.translate("MainWindow", "Functions") == functions
    assert QCoreApplication.translate("MainWindow", "Cold-start lab") == lab
    # plurals come from the numerus forms
    text = QCoreApplication.translate("FunctionsView", "%n function(s)", None, 3)
    assert "3" in text
    assert text != "3 functions"


def test_settings_offers_the_languages_and_switching_applies_them(
    qtbot: QtBot,
    qapp: QApplication,
    compiled: Path,
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FCDESK_CONFIG_DIR", str(data_dir / "config"))
    from gui.viewmodels.settings_vm import SettingsViewModel
    from gui.views.settings_view import SettingsView

    vm = SettingsViewModel()
    view = SettingsView(vm)
    qtbot.addWidget(view)
    combo = view.language_combo
    codes = [combo.itemData(i) for i in range(combo.count())]
    assert codes[0] == ""  # follow the system
    assert {"ja", "zh_CN"} <= set(codes)
    combo.setCurrentIndex(codes.index("zh_CN"))
    assert vm.pref("language") == "zh_CN"
    assert SettingsViewModel().pref("language") == "zh_CN"  # saved
    gui.i18n.install_translators(vm.pref("language"))
    assert QCoreApplication.translate("MainWindow", "Settings") == "设置"


@pytest.mark.parametrize(
    ("lang_env", "expected"), [("ja_JP.UTF-8", "設定"), ("zh_CN.UTF-8", "设置")]
)
def test_language_follows_the_system_locale(compiled: Path, lang_env: str, expected: str) -> None:
    code = (
        "import sys\n"
        "from PySide6.QtWidgets import QApplication\n"
        "from PySide6.QtCore import QCoreApplication\n"
        "import gui.i18n\n"
        "from pathlib import Path\n"
        f"gui.i18n.translations_dir = lambda: Path({str(compiled)!r})\n"
        "app = QApplication([])\n"
        "gui.i18n.install_translators(None)\n"
        "sys.stdout.buffer.write(QCoreApplication.translate('MainWindow', 'Settings').encode())\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("LC_")}
    env.update(LANG=lang_env, LANGUAGE="", QT_QPA_PLATFORM="offscreen")
    env.pop("FCDESK_PSEUDO_LOCALE", None)
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, check=False
    )
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout.decode() == expected


# -- every screen through the pseudo-translator ----------------------------------------------

# Names, units and symbols that are the same in every language.
_NEUTRAL = {
    "fcdesk",
    "fcaccel",
    "vCPU",
    "CPU",
    "MB",
    "GB",
    "KB",
    "MiB",
    "GiB",
    "KiB",
    "ms",
    "s",
    "JSON",
    "PNG",
    "CSV",
    "ARN",
    "HTTP",
    "HTTPS",
    "URL",
    "VPC",
    "ACR",
    "FC",
    "OCI",
    "ID",
    "p50",
    "p95",
    "A",
    "B",
    "Local",
    "AccessKey",
    "Alibaba",
    "Cloud",
    "STS",
    "TLS",
    "Ctrl",
    "Shift",
    "Alt",
    "Esc",
    "F5",
}
_DATA_TOKEN = re.compile(r"[\d\-_/:.@=%+#<>&]")


class RecordingTranslator(QTranslator):
    """The pseudo-translator that also records every (context, source) asked of it."""

    def __init__(self) -> None:
        super().__init__()
        self.pseudo = PseudoTranslator(1.3)
        self.asked: set[Key] = set()

    def translate(
        self, context: str, source: str, disambiguation: str | None = None, n: int = -1
    ) -> str:
        if source and not context.startswith("Q"):  # Qt's own contexts use qtbase
            self.asked.add((context, source))
        return self.pseudo.translate(context, source, disambiguation, n)

    def isEmpty(self) -> bool:
        return False


def untranslated(text: str, data: set[str]) -> bool:
    """True if ``text`` holds English words that did not come through the translator."""
    text = _MARKUP.sub(" ", text).replace("&&", "&")
    text = re.sub(r"&(?=\w)", "", text)
    if "[" in text and "]" in text:
        return False
    for value in sorted(data, key=len, reverse=True):
        if value and value in text:
            text = text.replace(value, " ")
    for token in text.split():
        token = token.strip("()[]{}…:;,.!?·•\"'“”‘’|*×→←↑↓✓✗●○")
        if not token or token in _NEUTRAL or _DATA_TOKEN.search(token):
            continue
        if not re.search(r"[A-Za-z]{2,}", token):
            continue  # symbols, CJK, single letters
        return True
    return False


def test_untranslated_detector() -> None:
    assert untranslated("Refresh", set())
    assert not untranslated("[Réfréśh~~]", set())
    assert not untranslated("[Prõfîlé: Local~~]", set())
    assert not untranslated("fn-000", set())
    assert not untranslated("512 MB", set())
    assert not untranslated("test-ee", set())
    assert not untranslated("日本語", set())
    assert not untranslated("demo app", {"demo app"})
    assert not untranslated("cri-…", set())
    assert untranslated("Loading…", set())
    assert untranslated("<b>Conversion finished</b>", set())


def _item_view_texts(view: QAbstractItemView) -> Iterator[tuple[str, str]]:
    model = view.model()
    if model is None:
        return
    root = QModelIndex()
    try:
        columns = model.columnCount(root)
    except TypeError:  # list models hide columnCount
        columns = 1
    for section in range(columns):
        for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            value = model.headerData(section, Qt.Orientation.Horizontal, role)
            if isinstance(value, str):
                yield "header", value
    for row in range(min(model.rowCount(root), 40)):
        for column in range(columns):
            index = model.index(row, column, root)
            for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                value = index.data(role)
                if isinstance(value, str):
                    yield "cell", value


def visible_texts(widget: QWidget) -> Iterator[tuple[QWidget, str, str]]:
    """Every user-visible text of ``widget`` and its visible descendants."""
    widgets = [widget, *widget.findChildren(QWidget)]
    for w in widgets:
        if not w.isVisibleTo(widget.window()) and w is not widget:
            continue
        if w.isWindow():
            yield w, "window title", w.windowTitle()
        yield w, "tooltip", w.toolTip()
        yield w, "accessible name", w.accessibleName()
        yield w, "accessible description", w.accessibleDescription()
        if isinstance(w, QLabel):
            yield w, "label", w.text()
        elif isinstance(w, QAbstractButton):
            yield w, "button", w.text()
        if isinstance(w, QGroupBox):
            yield w, "group", w.title()
        if isinstance(w, QLineEdit | QPlainTextEdit | QTextEdit):
            yield w, "placeholder", w.placeholderText()
        if isinstance(w, QAbstractSpinBox):
            yield w, "special value", w.specialValueText()
        if isinstance(w, QComboBox):
            for i in range(w.count()):
                yield w, "combo item", w.itemText(i)
        if isinstance(w, QTabWidget):
            for i in range(w.count()):
                yield w, "tab", w.tabText(i)
                yield w, "tab tooltip", w.tabToolTip(i)
        if isinstance(w, QAbstractItemView) and w.isVisibleTo(widget.window()):
            for kind, text in _item_view_texts(w):
                yield w, kind, text
        for action in w.actions():
            yield w, "action", action.text()
            yield (
                w,
                "action tooltip",
                action.toolTip() if action.toolTip() != action.text().replace("&", "") else "",
            )
        chart_view = _chart_of(w)
        if chart_view is not None:
            yield from chart_view


def _chart_of(w: QWidget) -> Iterator[tuple[QWidget, str, str]] | None:
    chart_fn = getattr(w, "chart", None)
    if chart_fn is None or not callable(chart_fn):
        return None
    try:
        from PySide6.QtCharts import QChartView
    except ImportError:  # pragma: no cover
        return None
    if not isinstance(w, QChartView):
        return None

    def gen() -> Iterator[tuple[QWidget, str, str]]:
        chart = w.chart()
        yield w, "chart title", chart.title()
        for axis in chart.axes():
            yield w, "axis title", axis.titleText()
        for series in chart.series():
            yield w, "series", series.name()

    return gen()


def _strings_in(obj: object, out: set[str], depth: int = 0) -> set[str]:
    """Every string inside the fake backend's data (names, images, tags, logs …)."""
    if depth > 6:
        return out
    if isinstance(obj, str):
        if obj.strip():
            out.add(obj)
    elif isinstance(obj, dict):
        for k, v in obj.items():
            _strings_in(k, out, depth + 1)
            _strings_in(v, out, depth + 1)
    elif isinstance(obj, list | tuple | set | frozenset):
        for v in obj:
            _strings_in(v, out, depth + 1)
    elif hasattr(obj, "__dataclass_fields__"):
        for name in obj.__dataclass_fields__:
            _strings_in(getattr(obj, name, None), out, depth + 1)
    elif hasattr(obj, "__dict__") and depth == 0:
        for v in vars(obj).values():
            _strings_in(v, out, depth + 1)
    return out


@pytest.fixture
def recording(qapp: QApplication, monkeypatch: pytest.MonkeyPatch) -> Iterator[RecordingTranslator]:
    monkeypatch.delenv("FCDESK_PSEUDO_LOCALE", raising=False)
    gui.i18n.install_translators("en")
    translator = RecordingTranslator()
    qapp.installTranslator(translator)
    yield translator
    qapp.removeTranslator(translator)


class ScreenWalk:
    def __init__(self, qtbot: QtBot, data: set[str]) -> None:
        self.qtbot = qtbot
        self.data = data
        self.problems: dict[str, str] = {}
        self.steps: list[str] = []
        self.texts_seen = 0

    def scan(self, step: str) -> None:
        self.qtbot.wait(60)
        self.steps.append(step)
        for top in QApplication.topLevelWidgets():
            if not top.isVisible():
                continue
            for w, kind, text in visible_texts(top):
                if not text:
                    continue
                self.texts_seen += 1
                if untranslated(text, self.data):
                    where = f"{type(w).__name__}#{w.objectName() or '?'} {kind}: {text!r}"
                    self.problems.setdefault(where, step)

    def report(self) -> str:
        return "\n".join(f"[{step}] {where}" for where, step in sorted(self.problems.items()))


def test_every_screen_shows_only_translated_text(
    qtbot: QtBot,
    qloop: object,
    data_dir: Path,
    tmp_path: Path,
    recording: RecordingTranslator,
    source_strings: dict[Key, bool],
) -> None:
    from gui.app import Console, SecretChoiceDialog
    from gui.errors import ExceptionDialog
    from tests.gui.fakes import FakeBackend

    console = Console(lab_history=tmp_path / "lab.json")
    window = console.window
    assert window is not None
    try:
        window.show()
        backend = FakeBackend()
        console.ctx.set_backend(backend, profile="Local", kind="local")
        console.ctx.set_connection("running", "http://127.0.0.1:1")
        # Language names are shown in their own language.
        languages = {QLocale(c).nativeLanguageName() for c in ("en", *LANGUAGES)}
        walk = ScreenWalk(qtbot, _strings_in(backend, {"http://127.0.0.1:1"}) | languages)
        qtbot.waitUntil(lambda: console.functions.model.rowCount() > 0, timeout=5000)

        # every page, and every tab on it
        for page in range(window.nav.count()):
            window.go(page)
            qtbot.wait(250)
            walk.scan(f"page {page}")
            view = window.stack.currentWidget()
            assert view is not None
            for tabs in view.findChildren(QTabWidget):
                for i in range(tabs.count()):
                    tabs.setCurrentIndex(i)
                    walk.scan(f"page {page} tab {tabs.tabText(i)}")

        # a function's detail page, each tab
        window.go(0)
        name = sorted(backend.functions)[0]
        window.functions_view.open_function(name)
        qtbot.wait(300)
        for tabs in window.functions_view.findChildren(QTabWidget):
            for i in range(tabs.count()):
                tabs.setCurrentIndex(i)
                walk.scan(f"function detail tab {i}")

        # the dialogs
        dialog = window.open_create_dialog()
        assert dialog is not None
        qtbot.wait(200)
        walk.scan("create function dialog")
        browse = getattr(dialog, "browse_button", None)
        if browse is not None:
            browse.click()
            qtbot.wait(400)
            walk.scan("image picker")
        for top in QApplication.topLevelWidgets():
            if isinstance(top, QDialog) and top.isVisible():
                top.reject()
        edit = window.open_edit_dialog(backend.functions[name])
        qtbot.wait(200)
        walk.scan("edit function dialog")
        edit.reject()

        from gui.dialogs.profile_dialog import ProfileDialog

        for kind in ("aliyun", "registry"):
            profile_dialog = ProfileDialog(kind, window)
            profile_dialog.show()
            walk.scan(f"profile dialog {kind}")
            profile_dialog.reject()

        secret = SecretChoiceDialog(window)
        secret.show()
        walk.scan("secret choice dialog")
        secret.reject()

        from core.errors import CloudError, CredentialsError, ServerError

        for exc in (
            CloudError("x", code="AccessDenied"),
            CredentialsError("no secret"),
            ServerError("the Local server exited"),
        ):
            msg = console.presenter.describe(exc)
            box = ExceptionDialog(msg, window)
            box.show()
            walk.scan(f"error dialog {type(exc).__name__}")
            box.reject()

        # notifications
        console.ctx.notify(
            QCoreApplication.translate("ImagesViewModel", "Conversion finished"),
            "demo/app:v1_accelerated",
            "ok",
        )
        walk.scan("toast")
    finally:
        task = asyncio.ensure_future(console.shutdown())
        qtbot.waitUntil(task.done, timeout=5000)
        window.close()
        window.deleteLater()
        console.deleteLater()

    assert walk.texts_seen > 300, f"only {walk.texts_seen} texts seen; the walk is broken"
    assert not walk.problems, (
        f"{len(walk.problems)} visible texts did not come through the translator:\n" + walk.report()
    )
    not_in_catalog = sorted(k for k in recording.asked if k not in source_strings)
    assert not not_in_catalog, (
        "strings translated at run time that lupdate cannot see (use QT_TRANSLATE_NOOP or "
        "self.tr with a literal):\n" + "\n".join(f"{c}: {s!r}" for c, s in not_in_catalog)
    )
