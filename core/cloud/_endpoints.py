"""Endpoints: Alibaba Cloud defaults per region, and the Local server's layout.

Alibaba Cloud
    FC management   ``https://fcv3.<region>.aliyuncs.com`` (a few regions use
                    ``https://<region>.fc.aliyuncs.com``)
    FC invocation   ``https://<accountId>.<region>.fc.aliyuncs.com``
    ACR (RPC)       ``https://cr.<region>.aliyuncs.com/``
    registry        ``<instance>-registry[-vpc].<region>.cr.aliyuncs.com`` (Enterprise Edition)

Local server (one base URL)
    FC              ``<base>/2023-03-30/...`` (management and invocation)
    ACR (RPC)       ``<base>/`` (as on the cloud: RPC calls go to the root path)
    extensions      ``<base>/x-fcdesk/...``
    registry        ``<base>/v2/``
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.errors import InvalidInput

__all__ = [
    "ACR_API_VERSION",
    "FC_API_VERSION",
    "Endpoints",
    "acr_endpoint",
    "fc_invoke_endpoint",
    "fc_management_endpoint",
    "local_endpoints",
    "registry_hosts_for",
]

FC_API_VERSION = "2023-03-30"
ACR_API_VERSION = "2018-12-01"

# Regions whose FC 3.0 management endpoint is <region>.fc.aliyuncs.com (SDK endpoint map).
_FC_LEGACY_HOST_REGIONS = frozenset(
    {"me-central-1", "cn-shanghai-finance-1", "cn-heyuan-acdr-1", "cn-hangzhou-finance"}
)
# Regions where the official tool invokes over the internal account endpoint.
_FC_INTERNAL_INVOKE_REGIONS = frozenset({"cn-heyuan-acdr-1"})
_REGION_RE = re.compile(r"^[a-z]{2,}(-[a-z0-9]+)+$")
_ACCOUNT_RE = re.compile(r"^[0-9]{1,32}$")


def _check_region(region: str) -> str:
    region = region.strip()
    if not _REGION_RE.match(region):
        raise InvalidInput(f"invalid region id {region!r}", code="InvalidRegion", field="region")
    return region


def fc_management_endpoint(region: str) -> str:
    region = _check_region(region)
    if region in _FC_LEGACY_HOST_REGIONS:
        return f"https://{region}.fc.aliyuncs.com"
    return f"https://fcv3.{region}.aliyuncs.com"


def fc_invoke_endpoint(region: str, account_id: str) -> str:
    region = _check_region(region)
    if not _ACCOUNT_RE.match(account_id or ""):
        raise InvalidInput(
            "the invocation endpoint needs the account id (digits)",
            code="MissingAccountId",
            field="account_id",
        )
    if region in _FC_INTERNAL_INVOKE_REGIONS:
        return f"https://{account_id}.{region}-internal.fc.aliyuncs.com"
    return f"https://{account_id}.{region}.fc.aliyuncs.com"


def acr_endpoint(region: str) -> str:
    return f"https://cr.{_check_region(region)}.aliyuncs.com/"


def registry_hosts_for(instance_name: str, region: str) -> tuple[str, str]:
    """Documented Enterprise Edition registry hosts: ``(public, vpc)``."""
    region = _check_region(region)
    return (
        f"{instance_name}-registry.{region}.cr.aliyuncs.com",
        f"{instance_name}-registry-vpc.{region}.cr.aliyuncs.com",
    )


@dataclass(frozen=True, slots=True)
class Endpoints:
    """The base URLs one profile talks to."""

    fc: str
    fc_invoke: str
    acr: str
    registry: str | None = None  # set for the Local server (its /v2/ base)
    extensions: str | None = None  # the Local server's /x-fcdesk/ base

    @property
    def is_local(self) -> bool:
        return self.extensions is not None


def local_endpoints(base_url: str) -> Endpoints:
    base = base_url.rstrip("/")
    if not re.match(r"^https?://[^/\s]+(/\S*)?$", base):
        raise InvalidInput(f"invalid Local server URL {base_url!r}", code="InvalidURL", field="url")
    return Endpoints(
        fc=base,
        fc_invoke=base,
        acr=f"{base}/",
        registry=base,
        extensions=f"{base}/x-fcdesk",
    )
