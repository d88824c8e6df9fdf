""" "Why is this image not accelerated?" — `check_image`, the report's checks for one image,
on a real Local server: as the Local profile sees it, and as a cloud account would (no Local
extensions) with the facts only a cloud account has (a Basic edition, an index-only rule, a
huge image, a VPC link) set in the server's answers on their way back."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import httpx
import pytest

from core.cloud import Function
from core.registry import RegistryClient
from core.report import (
    FixKind,
    FunctionRow,
    ProblemCode,
    ReportTarget,
    StepAction,
    TargetKey,
    TwinState,
    check_image,
    parse_registry_host,
    plan_fix,
    size_limit,
)
from tests.core.report.scenario import Scenario
from tests.fixtures.images import TestIndex, push_image

pytestmark = pytest.mark.integration

GIB = 1 << 30


def test_registry_hosts_and_size_limits() -> None:
    host = parse_registry_host("my-ee-registry-vpc.cn-shanghai.cr.aliyuncs.com")
    assert (host.kind, host.region, host.vpc, host.instance) == (
        "enterprise",
        "cn-shanghai",
        True,
        "my-ee",
    )
    assert parse_registry_host("My-EE-registry.cn-hangzhou.cr.aliyuncs.com:443").vpc is False
    personal = parse_registry_host("registry-vpc.cn-beijing.aliyuncs.com")
    assert (personal.kind, personal.region) == ("personal", "cn-beijing")
    for other in ("127.0.0.1:5000", "docker.io", "ghcr.io", "cr.aliyuncs.com"):
        assert parse_registry_host(other).kind == "other", other
    assert size_limit("Enterprise_Advanced") == 10 * GIB
    assert size_limit("Enterprise_Standard") == 10 * GIB
    assert size_limit("Enterprise_Basic") == 3 * GIB
    assert size_limit("Personal") == 3 * GIB
    assert size_limit("something-else") is None


def _codes(row: FunctionRow) -> set[ProblemCode]:
    return set(row.problem_codes)


async def test_an_image_on_its_own_on_the_local_profile(scenario: Scenario) -> None:
    host = scenario.host
    async with httpx.AsyncClient(timeout=30) as http:
        target = scenario.target(http)
        web = await check_image(target, f"{host}/shop/web:v1")
        twin = await check_image(target, f"{host}/shop/web:v1_accelerated")
        batch = await check_image(target, f"{host}/shop/batch:v1")
        broken = await check_image(target, f"{host}/shop/broken:v1")
        legacy = await check_image(target, f"{host}/shop/legacy:v1")
        stale = await check_image(target, f"{host}/shop/api:v1_accelerated")
        ghost = await check_image(target, f"{host}/shop/ghost:v1")
        as_function = await check_image(
            target,
            f"{host}/shop/web:v1",
            function=Function.for_container("web-plain", f"{host}/shop/web:v0"),
        )
    assert (web.function, web.twin_state, web.problems) == ("", TwinState.READY, ())
    assert (twin.runs_accelerated, twin.twin_state, twin.problems) == (True, TwinState.READY, ())
    assert _codes(batch) == {ProblemCode.ACCELERATION_OFF}
    plan = plan_fix(batch, ProblemCode.ACCELERATION_OFF)
    assert plan is not None
    assert [s.action for s in plan.steps] == [StepAction.CREATE_BUILD_RULE, StepAction.CONVERT_TAG]
    assert _codes(broken) == {ProblemCode.TWIN_FAILED}
    failed = broken.finding(ProblemCode.TWIN_FAILED)
    assert failed is not None
    assert "escape" in failed.reason
    assert failed.fix is None
    assert _codes(legacy) == {ProblemCode.TWIN_MISSING}
    assert legacy.finding(ProblemCode.TWIN_MISSING).fix is FixKind.CONVERT_NOW  # type: ignore[union-attr]
    assert _codes(stale) == {ProblemCode.STALE_TWIN}
    assert _codes(ghost) == {ProblemCode.IMAGE_UNREADABLE}
    # checked for a function, the function's use of the image counts too
    assert as_function.function == "web-plain"
    assert as_function.image == f"{host}/shop/web:v1"
    assert _codes(as_function) == {ProblemCode.PLAIN_TAG_WITH_TWIN}


class CloudFacts(httpx.AsyncBaseTransport):
    """Loopback only (anything else is refused without a DNS lookup); API answers whose
    ``x-acs-action`` is in ``changes`` are edited before the client reads them."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.changes: dict[str, Callable[[dict[str, Any], httpx.Request], None]] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.host not in ("127.0.0.1", "localhost"):
            raise httpx.ConnectError("not a loopback host", request=request)
        response = await self.inner.handle_async_request(request)
        change = self.changes.get(request.headers.get("x-acs-action", ""))
        if change is None or response.status_code != 200:
            return response
        body = json.loads(await response.aread())
        change(body, request)
        headers = [
            (k, v)
            for k, v in response.headers.items()
            if k.lower() not in ("content-length", "content-encoding", "transfer-encoding")
        ]
        return httpx.Response(200, headers=headers, json=body, request=request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def _cloud(scenario: Scenario, http: httpx.AsyncClient) -> ReportTarget:
    clients = replace(scenario.clients(http), local=None)
    return ReportTarget(TargetKey("cloud", "cn-hangzhou"), clients, http)


async def test_what_a_cloud_account_refuses(scenario: Scenario, multiarch_index: TestIndex) -> None:
    host = scenario.host
    vpc_host = "localhost:" + host.rsplit(":", 1)[1]
    facts = CloudFacts()
    async with httpx.AsyncClient(transport=facts, timeout=30) as http:
        cloud = _cloud(scenario, http)
        later = 1e11  # long after every push: a missing twin is not "still converting"

        # Standard edition, full mode: only what the Local profile sees too, plus the address
        legacy = await check_image(cloud, f"{host}/shop/legacy:v1", now=later)
        assert _codes(legacy) == {ProblemCode.TWIN_MISSING}
        assert legacy.finding(ProblemCode.TWIN_MISSING).fix is FixKind.CONVERT_NOW  # type: ignore[union-attr]

        # a Basic edition instance has no acceleration: switching it on is not offered
        facts.changes["GetInstance"] = lambda body, _r: body.update(
            InstanceSpecification="Enterprise_Basic"
        )
        basic = await check_image(cloud, f"{host}/shop/batch:v1", now=later)
        assert _codes(basic) == {ProblemCode.EDITION_UNSUPPORTED, ProblemCode.ACCELERATION_OFF}
        off = basic.finding(ProblemCode.ACCELERATION_OFF)
        assert off is not None
        assert (off.fix, off.fix_blocked) == (None, "edition-unsupported")
        assert plan_fix(basic, ProblemCode.ACCELERATION_OFF) is None
        edition = basic.finding(ProblemCode.EDITION_UNSUPPORTED)
        assert edition is not None
        assert edition.detail == {"edition": "Enterprise_Basic"}
        del facts.changes["GetInstance"]

        # an index-only rule: its twins cannot be used by Function Compute
        def index_only(body: dict[str, Any], _r: httpx.Request) -> None:
            body.setdefault("Parameters", {})["ImageIndexOnly"] = True

        facts.changes["GetArtifactBuildRule"] = index_only
        web = await check_image(cloud, f"{host}/shop/web:v1", now=later)
        assert ProblemCode.INDEX_ONLY in _codes(web)
        del facts.changes["GetArtifactBuildRule"]

        # larger than the edition converts
        def huge(body: dict[str, Any], request: httpx.Request) -> None:
            if "Tag=v1&" in str(request.url) + "&" or body.get("Tag") == "v1":
                body["ImageSize"] = 11 * GIB

        facts.changes["GetRepoTag"] = huge
        big = await check_image(cloud, f"{host}/shop/legacy:v1", now=later)
        assert _codes(big) == {ProblemCode.TWIN_MISSING, ProblemCode.TOO_LARGE}
        too_large = big.finding(ProblemCode.TOO_LARGE)
        assert too_large is not None
        assert too_large.detail["limit"] == str(10 * GIB)
        missing = big.finding(ProblemCode.TWIN_MISSING)
        assert missing is not None
        assert missing.fix_blocked == "too-large"
        del facts.changes["GetRepoTag"]

    # a multi-architecture image is not converted (its repository has no rule either)
    auth = scenario.credentials.access_key_id, scenario.credentials.access_key_secret
    async with RegistryClient(host, credentials=auth) as registry:
        await push_image(registry, "shop/multi", multiarch_index, "v1")
    async with httpx.AsyncClient(transport=CloudFacts(), timeout=30) as http:
        cloud = _cloud(scenario, http)
        multi = await check_image(cloud, f"{host}/shop/multi:v1", now=1e11)
        assert _codes(multi) == {ProblemCode.MULTI_ARCH, ProblemCode.ACCELERATION_OFF}

        # how a function pulls: the public address (with the fix), a VPC not linked
        fn = Function.for_container("web", f"{host}/shop/web:v1_accelerated")
        public = await check_image(cloud, fn.image or "", function=fn)
        assert _codes(public) == {ProblemCode.PUBLIC_ENDPOINT}
        plan = plan_fix(public, ProblemCode.PUBLIC_ENDPOINT)
        assert plan is not None
        assert (plan.kind, plan.steps[0].after) == (
            FixKind.USE_VPC_ADDRESS,
            f"{vpc_host}/shop/web:v1_accelerated",
        )
        in_vpc = f"{vpc_host}/shop/web:v1_accelerated"
        fn.extra["vpcConfig"] = {"vpcId": "vpc-elsewhere"}
        unlinked = await check_image(cloud, in_vpc, function=fn)
        assert _codes(unlinked) == {ProblemCode.VPC_NOT_LINKED}
        finding = unlinked.finding(ProblemCode.VPC_NOT_LINKED)
        assert finding is not None
        assert finding.detail["vpcId"] == "vpc-elsewhere"
        fn.extra["vpcConfig"] = {"vpcId": "vpc-local"}  # the one the instance links
        assert (await check_image(cloud, in_vpc, function=fn)).problems == ()

        # images outside the account's instances in this region
        shanghai = await check_image(cloud, "myee-registry-vpc.cn-shanghai.cr.aliyuncs.com/ns/a:v1")
        assert _codes(shanghai) == {ProblemCode.REGION_MISMATCH, ProblemCode.IMAGE_UNREADABLE}
        region = shanghai.finding(ProblemCode.REGION_MISMATCH)
        assert region is not None
        assert region.detail == {
            "imageRegion": "cn-shanghai",
            "region": "cn-hangzhou",
            "instance": "myee",
        }
        personal = await check_image(cloud, "registry-vpc.cn-hangzhou.aliyuncs.com/ns/a:v1")
        assert ProblemCode.NOT_ENTERPRISE in _codes(personal)
        assert personal.finding(ProblemCode.NOT_ENTERPRISE).detail == {"registry": "personal"}  # type: ignore[union-attr]


def test_fcaccel_accel_why(
    scenario: Scenario, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from core.cli import main
    from core.cloud import LOCAL_SECRET_ENV
    from core.settings import LocalProfile, TomlSettingsStore

    store = TomlSettingsStore()
    settings = store.load()
    settings.local = LocalProfile(
        url=scenario.url, access_key_id=scenario.credentials.access_key_id
    )
    store.save(settings)
    monkeypatch.setenv(LOCAL_SECRET_ENV, scenario.credentials.access_key_secret)
    host = scenario.host
    assert main(["accel", "why", f"{host}/shop/web:v1_accelerated"]) == 0
    assert "nothing stands in the way" in capsys.readouterr().out
    assert main(["accel", "why", f"{host}/shop/batch:v1"]) == 3
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"{host}/shop/batch:v1: plain, twin none"
    assert out[1] == "- acceleration-off"
    assert out[2].startswith("  what to do: switch acceleration on")
    assert out[3] == "  fix offered: enable-acceleration (fcaccel report --fix acceleration-off)"
    assert main(["accel", "why", f"{host}/shop/web:v1", "--function", "web-plain", "--json"]) == 3
    data = json.loads(capsys.readouterr().out)
    assert [p["code"] for p in data["problems"]] == ["plain-tag-with-twin"]
    assert data["fixes"]["plain-tag-with-twin"]["steps"][0]["after"].endswith(":v1_accelerated")
