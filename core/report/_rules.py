"""The Container Registry limits behind "why is this image not accelerated?", as plain rules
over facts the report engine looks up (no I/O here).

* Image acceleration needs an Enterprise instance of the Standard or Advanced edition: a Basic
  instance has none (CreateArtifactBuildRule is refused there).
* Multi-architecture images (an image index) are not converted.
* The compressed image may be up to 10 GB on Advanced and 3 GB on Basic and Personal; the
  documentation gives no figure for Standard, which is taken as Advanced's.
* Index-only twins (``ImageIndexOnly``) cannot be used by Function Compute.
* Function Compute pulls through the instance's VPC endpoint (``<name>-registry-vpc.<region>
  .cr.aliyuncs.com``), which must have the function's VPC linked; the instance must be in the
  function's region.
* A Personal edition registry (``registry[-vpc].<region>.aliyuncs.com``) or any other registry
  has no acceleration at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "ACCELERATING_EDITIONS",
    "BASIC_EDITION",
    "RegistryHost",
    "parse_registry_host",
    "size_limit",
]

BASIC_EDITION = "Enterprise_Basic"
ACCELERATING_EDITIONS = frozenset({"Enterprise_Standard", "Enterprise_Advanced"})
_GB = 1 << 30
_SIZE_LIMITS = {
    "Enterprise_Advanced": 10 * _GB,
    "Enterprise_Standard": 10 * _GB,
    "Enterprise_Basic": 3 * _GB,
    "Personal": 3 * _GB,
}
_EE_HOST = re.compile(r"^([\w-]{3,30})-registry(-vpc)?\.([\w-]+)\.cr\.aliyuncs\.com$")
_PERSONAL_HOST = re.compile(r"^registry(-vpc)?\.([\w-]+)\.aliyuncs\.com$")


def size_limit(edition: str) -> int | None:
    """The largest compressed image the edition converts (bytes), ``None`` when unknown."""
    return _SIZE_LIMITS.get(edition)


@dataclass(frozen=True, slots=True)
class RegistryHost:
    """What an image host says about itself: ``kind`` is ``enterprise`` (an ACR EE instance:
    ``instance`` names it), ``personal`` or ``other``; ``region`` and ``vpc`` when known."""

    kind: str
    region: str = ""
    vpc: bool = False
    instance: str = ""


def parse_registry_host(host: str) -> RegistryHost:
    """Classify a registry host name (port and case ignored)."""
    name = host.rsplit(":", 1)[0].lower() if host.count(":") == 1 else host.lower()
    m = _EE_HOST.match(name)
    if m:
        return RegistryHost("enterprise", m.group(3), bool(m.group(2)), m.group(1))
    m = _PERSONAL_HOST.match(name)
    if m:
        return RegistryHost("personal", m.group(2), bool(m.group(1)))
    return RegistryHost("other")
