"""`gui.i18n.arg`: placeholders filled the way Qt's QString.arg fills them."""

from __future__ import annotations

from gui.i18n import arg


def test_placeholders_are_filled_in_any_order_and_as_often_as_they_appear() -> None:
    assert arg("%2 starts faster than %1", "a", "b") == "b starts faster than a"
    assert arg("Convert %1:%2 into %1:%3", "ns/app", "v1", "v1_accelerated") == (
        "Convert ns/app:v1 into ns/app:v1_accelerated"
    )


def test_a_value_is_never_filled_again() -> None:
    # A chain of str.replace would turn the first value's "%2" into the second value.
    assert arg("%1 and %2", "50%2 off", "x") == "50%2 off and x"


def test_other_percent_signs_and_missing_values_stay() -> None:
    assert arg("Converting %1: %2 % (%3 left)", "v1", "40") == "Converting v1: 40 % (%3 left)"
    assert arg("%n file(s) in %1", "dir") == "%n file(s) in dir"
    assert arg("no placeholders", "unused") == "no placeholders"


def test_two_digit_placeholders_and_non_text_values() -> None:
    values = [str(i) for i in range(1, 13)]
    assert arg("%10-%11-%12-%1", *values) == "10-11-12-1"
    assert arg("%1 of %2", 3, 7) == "3 of 7"


def test_the_console_fills_placeholders_only_with_arg() -> None:
    """No ``translate(…).replace("%1", …)`` chains: they fill a value's own ``%2`` again."""
    import re
    from pathlib import Path

    gui = Path(__file__).resolve().parents[2] / "gui"
    chain = re.compile(r"""\.replace\(\s*["']%[0-9]""")
    offenders = [
        f"{path.relative_to(gui.parent)}:{n}"
        for path in sorted(gui.rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if chain.search(line)
    ]
    assert offenders == []
