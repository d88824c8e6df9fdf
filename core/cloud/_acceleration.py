"""A function's image-acceleration status, derived honestly from what is known.

Order of evidence:

1. ``customContainerConfig.accelerationInfo.status`` when the API filled it with a real value
   (FC 2.0-style ``Ready`` / ``Preparing``; FC 3.0 samples carry the literal ``"deprecated"``,
   which counts as absent);
2. the image tag: ``<tag>_accelerated`` is an accelerated image;
3. the registry: whether the ``_accelerated`` image (or twin, for a plain tag) exists, through
   a lookup the caller provides (e.g. `ACRClient.tag_exists` or a registry HEAD).
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from core import is_accelerated_tag, twin_tag_of
from core.cloud._fc_models import Function, is_placeholder
from core.errors import CoreError, InvalidReference
from core.oci import ImageReference

__all__ = [
    "AccelerationState",
    "AccelerationStatus",
    "ImageExists",
    "accelerated_twin",
    "acceleration_status",
]


#: ``async (image reference) -> True | False | None`` (None: could not tell).
ImageExists = Callable[[str], Awaitable[bool | None]]


class AccelerationState(enum.StrEnum):
    READY = "ready"  # the function runs an accelerated image that exists / API says Ready
    PREPARING = "preparing"  # the API says acceleration is being prepared
    FAILED = "failed"  # the API says it failed
    MISSING = "missing"  # the function names an _accelerated image the registry lacks
    AVAILABLE = "available"  # plain image whose _accelerated twin exists (switch to it)
    NONE = "none"  # plain image, no twin
    UNKNOWN = "unknown"  # not enough information (no lookup, digest reference, lookup failed)


@dataclass(frozen=True, slots=True)
class AccelerationStatus:
    state: AccelerationState
    source: str  # "api" | "tag" | "registry"
    image: str | None = None  # the function's image
    accelerated_image: str | None = None  # the _accelerated image (the twin for plain tags)
    api_status: str | None = None  # accelerationInfo.status as returned, when real
    optimizing: bool = False  # FC reports lastUpdateStatusReasonCode ImageOptimizing


def accelerated_twin(image: str) -> str | None:
    """``repo:tag`` → ``repo:tag_accelerated`` (``None`` for digest references)."""
    try:
        ref = ImageReference.parse(image, default_tag=None)
    except InvalidReference:
        return None
    if ref.digest is not None:
        return None
    if ref.tag is None:
        return f"{image}:{twin_tag_of('latest')}"
    if is_accelerated_tag(ref.tag):
        return image
    # The tag ends the text (no digest): keep the rest exactly as the function names it.
    return image.removesuffix(ref.tag) + twin_tag_of(ref.tag)


_API_STATES = {
    "ready": AccelerationState.READY,
    "available": AccelerationState.READY,
    "preparing": AccelerationState.PREPARING,
    "building": AccelerationState.PREPARING,
    "failed": AccelerationState.FAILED,
}


async def acceleration_status(
    fn: Function, image_exists: ImageExists | None = None
) -> AccelerationStatus:
    """Derive the acceleration status of ``fn`` (see the module docstring for the rules)."""
    ccc = fn.custom_container_config
    image = ccc.image if ccc else None
    optimizing = fn.last_update_status_reason_code == "ImageOptimizing"
    info_status = ccc.acceleration_info.status if ccc and ccc.acceleration_info else None
    if not is_placeholder(info_status):
        assert info_status is not None
        state = _API_STATES.get(info_status.strip().lower(), AccelerationState.UNKNOWN)
        return AccelerationStatus(
            state, "api", image, image, api_status=info_status, optimizing=optimizing
        )
    if not image:
        return AccelerationStatus(AccelerationState.UNKNOWN, "tag", optimizing=optimizing)
    try:
        ref = ImageReference.parse(image, default_tag=None)
    except InvalidReference:
        return AccelerationStatus(AccelerationState.UNKNOWN, "tag", image, optimizing=optimizing)
    if ref.digest is not None:
        return AccelerationStatus(AccelerationState.UNKNOWN, "tag", image, optimizing=optimizing)
    twin = accelerated_twin(image)
    accelerated = is_accelerated_tag(ref.tag)
    exists: bool | None = None
    if image_exists is not None and twin is not None:
        try:
            exists = await image_exists(twin)
        except CoreError:
            exists = None
    if accelerated:
        if exists is None:
            return AccelerationStatus(
                AccelerationState.READY, "tag", image, twin, optimizing=optimizing
            )
        state = AccelerationState.READY if exists else AccelerationState.MISSING
        return AccelerationStatus(state, "registry", image, twin, optimizing=optimizing)
    if exists is None:
        return AccelerationStatus(
            AccelerationState.UNKNOWN, "tag", image, twin, optimizing=optimizing
        )
    state = AccelerationState.AVAILABLE if exists else AccelerationState.NONE
    return AccelerationStatus(
        state, "registry", image, twin if exists else None, optimizing=optimizing
    )
