"""Resolving an image reference to its manifest and config (the ``resolve`` phase)."""

from __future__ import annotations

from dataclasses import dataclass

from core.errors import ManifestError, UnsupportedMediaType
from core.oci import Digest, ImageConfig, ImageReference, Index, Manifest, Platform, is_layer
from core.registry import RegistryClient

__all__ = ["DEFAULT_PLATFORM", "ResolvedImage", "resolve_image"]

DEFAULT_PLATFORM = Platform(os="linux", architecture="amd64")


@dataclass(frozen=True, slots=True)
class ResolvedImage:
    """A reference pinned to one platform's manifest, with its config."""

    reference: ImageReference
    manifest: Manifest
    config: ImageConfig
    index_digest: Digest | None = None

    @property
    def digest(self) -> Digest:
        return self.manifest.digest

    @property
    def size(self) -> int:
        """Sum of the (compressed) layer sizes: what a full pull transfers."""
        return sum(layer.size for layer in self.manifest.layers)

    @property
    def pinned(self) -> ImageReference:
        return self.reference.with_digest(self.manifest.digest)


async def resolve_image(
    registry: RegistryClient,
    reference: ImageReference | str,
    *,
    platform: Platform = DEFAULT_PLATFORM,
) -> ResolvedImage:
    """Fetch (and verify) the manifest for ``reference``, choosing ``platform`` from an index,
    then the config. Raises :class:`ManifestError` for non-image artifacts."""
    ref = reference if isinstance(reference, ImageReference) else ImageReference.parse(reference)
    found = await registry.get_manifest(ref.repository, ref.reference)
    index_digest: Digest | None = None
    if isinstance(found, Index):
        index_digest = found.digest
        chosen = found.select(platform)
        found = await registry.get_manifest(ref.repository, chosen.digest)
        if isinstance(found, Index):
            raise ManifestError(f"{ref}: an index points to another index")
    manifest = found
    for layer in manifest.layers:
        if not is_layer(layer.media_type):
            raise UnsupportedMediaType(
                f"{ref}: {layer.media_type!r} is not an image layer (an artifact, not an image)",
                media_type=layer.media_type,
            )
    raw = await registry.get_blob(ref.repository, manifest.config.digest, max_size=16 << 20)
    config = ImageConfig.parse(raw, manifest.config.media_type, digest=manifest.config.digest)
    if len(config.diff_ids) not in (0, len(manifest.layers)):
        raise ManifestError(
            f"{ref}: config lists {len(config.diff_ids)} diff_ids for {len(manifest.layers)} layers"
        )
    return ResolvedImage(ref, manifest, config, index_digest)
