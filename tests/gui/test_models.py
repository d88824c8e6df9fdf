"""Every item model passes Qt's model tester, and behaves as the views rely on."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt

from gui.backend import (
    AccelState,
    FunctionInfo,
    LabPhase,
    LabRequest,
    LabResult,
    LabSide,
    LabTimeline,
    RepoInfo,
    TagInfo,
    TaskInfo,
    TaskStatus,
)
from gui.models import (
    FunctionsModel,
    LabRunsModel,
    RepositoriesModel,
    TagsModel,
    TasksModel,
)
from gui.models import functions_model as fm
from gui.models import lab_runs_model as lm
from gui.models import tags_model as tm
from gui.models import tasks_model as km


def _functions() -> list[FunctionInfo]:
    return [
        FunctionInfo(
            "a", "reg.example.com/ns/app:v1", cpu=0.5, memory_mb=1024, last_modified="2026-01-02"
        ),
        FunctionInfo(
            "b",
            "reg/ns/app:v1_accelerated",
            state="Pending",
            detailed=True,
            last_update_status="InProgress",
            last_update_reason_code="ImageOptimizing",
            accel=AccelState.READY,
        ),
    ]


def test_functions_model_passes_modeltester(qtmodeltester) -> None:
    model = FunctionsModel()
    model.set_rows(_functions())
    qtmodeltester.check(model)
    model.append_rows([FunctionInfo("c")])
    model.update_function(
        FunctionInfo("a", state="Active", last_update_status="Successful", detailed=True)
    )
    model.remove("b")
    qtmodeltester.check(model)


def test_functions_model_badges_and_paging() -> None:
    model = FunctionsModel()
    model.set_rows(_functions())
    b = model.row_of("b")
    assert model.index(b, fm.Col.STATE).data(fm.Roles.Badge) == ("Pending", "busy")
    assert model.index(b, fm.Col.UPDATE).data(fm.Roles.Badge) == ("Optimizing image", "busy")
    assert model.index(b, fm.Col.ACCEL).data(fm.Roles.Badge) == ("Accelerated", "ok")
    a = model.row_of("a")
    # Listed rows have no state yet: shown as pending lookups, not as a wrong value.
    assert model.index(a, fm.Col.STATE).data(fm.Roles.Badge)[1] == "muted"
    assert model.index(a, fm.Col.IMAGE).data() == "ns/app:v1"
    assert model.index(a, fm.Col.RESOURCES).data() == "0.5 vCPU / 1024 MB"
    requested = []
    model.moreRequested.connect(lambda: requested.append(1))
    assert not model.canFetchMore()
    model.has_more = True
    assert model.canFetchMore()
    model.fetchMore()
    assert requested == [1]
    assert not model.canFetchMore()  # one request at a time
    model.set_fetching(False)
    assert model.canFetchMore()


def _tags() -> list[TagInfo]:
    return [
        TagInfo("v1", "sha256:" + "1" * 64, 100, "1700000001"),
        TagInfo("v2", "sha256:" + "2" * 64, 200, "1700000002"),
        TagInfo("v1_accelerated", "sha256:" + "3" * 64, 130, "1700000003"),
        TagInfo("v3", "sha256:" + "4" * 64, 300, "1700000004"),
    ]


def test_tags_model_passes_modeltester(qtmodeltester) -> None:
    model = TagsModel()
    model.set_tags(_tags())
    qtmodeltester.check(model)
    model.set_filter("v1")
    qtmodeltester.check(model)
    model.sort(tm.Col.SIZE, Qt.SortOrder.AscendingOrder)
    qtmodeltester.check(model)


def test_tags_model_lists_accelerated_first() -> None:
    model = TagsModel()  # as the image picker uses it
    model.set_tags(_tags())
    names = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert names == ["v1_accelerated", "v3", "v2", "v1"]


def test_tags_model_lists_each_twin_under_its_tag() -> None:
    model = TagsModel()
    model.set_paired(True)  # as the Images page shows them
    model.set_tags(_tags())
    names = [model.index(r, 0).data(tm.Roles.Key) for r in range(model.rowCount())]
    # Newest first, each plain tag followed by its accelerated twin (a pair).
    assert names == ["v3", "v2", "v1", "v1_accelerated"]
    assert model.index(3, 0).data() == "  ↳ v1_accelerated"  # shown indented under v1
    assert model.twin_state("v1") is AccelState.READY
    assert model.twin_state("v2") is AccelState.NONE
    row = model.row_of_tag("v1")
    assert model.index(row, tm.Col.TWIN).data() == "v1_accelerated"
    assert model.index(3, tm.Col.TWIN).data() == "source: v1"
    now = time.time()
    model.set_tasks(
        [
            TaskInfo(
                "t1",
                "cri",
                "crr",
                "v2",
                "v2_accelerated",
                TaskStatus.BUILDING,
                done=1,
                total=4,
                started=now,
            ),
            TaskInfo(
                "t2",
                "cri",
                "crr",
                "v3",
                "v3_accelerated",
                TaskStatus.FAILED,
                error="bad layer",
                started=now,
            ),
        ]
    )
    assert model.twin_state("v2") is AccelState.CONVERTING
    r2 = model.row_of_tag("v2")
    assert model.index(r2, tm.Col.STATE).data(tm.Roles.Progress) == 0.25
    assert model.index(r2, tm.Col.STATE).data(tm.Roles.Badge) == ("Converting 25%", "busy")
    r3 = model.row_of_tag("v3")
    assert model.index(r3, tm.Col.STATE).data(tm.Roles.Badge) == ("Failed", "bad")
    assert model.index(r3, tm.Col.STATE).data(Qt.ItemDataRole.ToolTipRole) == "bad layer"
    # The twin lands: the source turns ready.
    model.upsert_tag(TagInfo("v2_accelerated", updated="1700000009"))
    assert model.twin_state("v2") is AccelState.READY
    assert model.task_by_id("t1") is not None


def test_tags_model_filters_large_lists_without_losing_order() -> None:
    tags = [TagInfo(f"build-{i:06d}", updated=str(1_700_000_000 + i)) for i in range(100_000)]
    tags += [
        TagInfo(f"build-{i:06d}_accelerated", updated=str(1_700_000_000 + i))
        for i in range(0, 100_000, 1000)
    ]
    model = TagsModel()
    model.set_tags(tags)
    assert model.rowCount() == 100_100
    assert model.index(0, 0).data().endswith("_accelerated")
    model.set_filter("0999")
    shown = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert all("0999" in s for s in shown)
    assert len(shown) == sum(1 for t in tags if "0999" in t.tag)
    assert shown[0].endswith("_accelerated") or not any(s.endswith("_accelerated") for s in shown)
    model.set_filter("")
    assert model.rowCount() == 100_100


def test_tags_model_filter_ignores_case_with_or_without_letters() -> None:
    names = [
        "Release-1.2",
        "release-1.20_accelerated",
        "RC-2024",
        "rc-2025",
        "v1.2",
        "_accelerated",
    ]
    model = TagsModel()
    model.set_tags([TagInfo(n, updated=str(1_700_000_000 + i)) for i, n in enumerate(names)])

    def shown() -> set[str]:
        return {model.index(r, 0).data() for r in range(model.rowCount())}

    model.set_filter("1.2")  # no letters: names matched as they are
    assert shown() == {"Release-1.2", "release-1.20_accelerated", "v1.2"}
    model.set_filter("RELEASE-1.2")  # letters: matched case-folded
    assert shown() == {"Release-1.2", "release-1.20_accelerated"}
    model.set_filter("rc-202")
    assert shown() == {"RC-2024", "rc-2025"}
    model.set_filter("-")
    assert shown() == set(names) - {"v1.2", "_accelerated"}
    model.set_filter("")
    # a tag literally named "_accelerated" is nobody's twin and is listed with the plain tags
    assert not model.index(model.row_of_tag("_accelerated"), 0).data(tm.Roles.IsAccelerated)


def test_repositories_model_passes_modeltester(qtmodeltester) -> None:
    model = RepositoriesModel()
    model.set_rows(
        [
            RepoInfo("crr-1", "app", "demo", "cri"),
            RepoInfo("crr-2", "web", "demo", "cri", acceleration=True),
        ]
    )
    qtmodeltester.check(model)
    model.set_acceleration("crr-1", False)
    assert model.index(0, 1).data() == "Off"
    assert model.index(1, 1).data() == "On"
    qtmodeltester.check(model)


def test_tasks_model_passes_modeltester_and_shows_eta(qtmodeltester) -> None:
    model = TasksModel()
    now = time.time()
    model.set_rows(
        [
            TaskInfo(
                "t1",
                "cri",
                "crr",
                "v1",
                "v1_accelerated",
                TaskStatus.BUILDING,
                "demo/app",
                done=1,
                total=2,
                started=now - 10,
            ),
            TaskInfo("t2", "cri", "crr", "v2", "v2_accelerated", TaskStatus.SUCCESS, "demo/app"),
        ]
    )
    qtmodeltester.check(model)
    task = model.get("t1")
    assert task is not None
    eta = km.eta_seconds(task, now=now)
    assert eta is not None
    assert 9 < eta < 11
    assert "left" in model.index(0, km.Col.PROGRESS).data()
    assert model.index(1, km.Col.STATUS).data(km.Roles.Badge) == ("Succeeded", "ok")


def _result(run_id: str, a_ms: float, b_ms: float) -> LabResult:
    def side(label: str, ms: float) -> LabSide:
        runs = tuple(
            LabTimeline((LabPhase("pull", 0, ms),), bytes_fetched=10, image_size=100)
            for _ in range(3)
        )
        return LabSide(label, label, runs)

    return LabResult(
        run_id,
        1_767_000_000.0,
        LabRequest("functions", "a", "b", "fast", 3),
        (side("a", a_ms), side("b", b_ms)),
    )


def test_lab_runs_model_passes_modeltester(qtmodeltester) -> None:
    model = LabRunsModel()
    model.set_rows([_result("r1", 4000, 500), _result("r2", 1000, 1000)])
    qtmodeltester.check(model)
    assert model.index(0, lm.Col.RATIO).data() == "8.0×"
    assert model.index(0, lm.Col.P50_A).data() == "4.00 s"
    run = model.get("r1")
    assert run is not None
    stats = lm.side_stats(run.sides[0])
    assert stats["share"] == 0.1


def test_percentile() -> None:
    assert lm.percentile([], 50) is None
    assert lm.percentile([5.0], 95) == 5.0
    assert lm.percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert lm.percentile([float(i) for i in range(1, 101)], 95) == 95.05


def test_pushed_tags_are_inserted_at_the_top_of_their_group(qtmodeltester) -> None:
    model = TagsModel()
    model.set_tags(_tags())
    inserted: list[tuple[int, int]] = []
    model.rowsInserted.connect(lambda _p, first, last: inserted.append((first, last)))
    resets: list[int] = []
    model.modelReset.connect(lambda: resets.append(1))
    model.upsert_tag(TagInfo("v4", updated="1700000010"))
    assert inserted == [(1, 1)]  # after the one accelerated tag, before older plain tags
    assert model.index(1, 0).data() == "v4"
    assert model.twin_state("v4") is AccelState.NONE
    model.upsert_tag(TagInfo("v4_accelerated", updated="1700000011"))
    assert inserted[-1] == (0, 0)
    assert model.index(0, 0).data() == "v4_accelerated"
    assert model.twin_state("v4") is AccelState.READY
    assert model.row_of_tag("v4") == 2
    assert not resets
    qtmodeltester.check(model)
    # An older tag than the newest of its group falls back to a full, sorted rebuild.
    model.upsert_tag(TagInfo("v0", updated="1600000000"))
    assert resets == [1]
    assert model.index(model.rowCount() - 1, 0).data() == "v0"
