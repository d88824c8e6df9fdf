"""Image references (``[registry/]repository[:tag][@digest]``), parsed like container tools do.

Normalisation follows the Docker / containers convention:

* no registry part → ``docker.io``; a single-component repository on Docker Hub gets the
  ``library/`` namespace (``ubuntu`` → ``docker.io/library/ubuntu``);
* the first path component is a registry when it contains ``.`` or ``:``, is ``localhost``, or
  has upper-case letters (``Registry.Example/x``); ``index.docker.io`` is ``docker.io``;
* no tag and no digest → tag ``latest`` (unless ``default_tag=None``);
* ``name:tag@digest`` keeps both; the digest identifies the content, the tag is informative.

Transport scheme: a registry on a loopback host (``localhost``, ``127.0.0.0/8``, ``[::1]``) is
spoken to over plain HTTP by default, like the insecure-registry exemption of container tools;
every other host uses HTTPS unless the caller passes ``insecure=True``.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, replace
from urllib.parse import quote

from core.errors import InvalidDigest, InvalidReference
from core.oci._digest import Digest

__all__ = [
    "DEFAULT_REGISTRY",
    "DOCKER_HUB_API_HOST",
    "ImageReference",
    "is_loopback_host",
    "registry_base_url",
    "v2_path",
    "validate_repository",
    "validate_tag",
]

DEFAULT_REGISTRY = "docker.io"
DOCKER_HUB_API_HOST = "registry-1.docker.io"
_DOCKER_HUB_ALIASES = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io"})
_MAX_NAME = 255

_ALNUM = r"[a-z0-9]+"
_SEPARATOR = r"(?:[._]|__|-+)"
_PATH_COMPONENT_RE = re.compile(rf"{_ALNUM}(?:{_SEPARATOR}{_ALNUM})*")
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN_RE = re.compile(
    rf"(?:{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*|\[[a-fA-F0-9:.]+\])(?::[0-9]{{1,5}})?"
)
_TAG_RE = re.compile(r"[\w][\w.-]{0,127}", re.ASCII)


def validate_tag(tag: str) -> str:
    """Return ``tag`` or raise :class:`InvalidReference`."""
    if not _TAG_RE.fullmatch(tag):
        raise InvalidReference(
            f"invalid tag {tag[:140]!r}: up to 128 of [A-Za-z0-9_.-], not starting with . or -"
        )
    return tag


def validate_repository(repository: str) -> str:
    """Return ``repository`` (a path like ``library/ubuntu``) or raise :class:`InvalidReference`."""
    if not repository:
        raise InvalidReference("empty repository name")
    if repository != repository.lower():
        raise InvalidReference(f"repository name must be lowercase: {repository[:140]!r}")
    for component in repository.split("/"):
        if not _PATH_COMPONENT_RE.fullmatch(component):
            raise InvalidReference(
                f"invalid repository name {repository[:140]!r}: component {component[:60]!r} "
                "must be lowercase letters and digits separated by '.', '_', '__' or '-'"
            )
    if len(repository) > _MAX_NAME:
        raise InvalidReference(f"repository name longer than {_MAX_NAME} characters")
    return repository


def is_loopback_host(host: str) -> bool:
    """Whether ``host`` (``name[:port]`` or ``[v6][:port]``) is a loopback address."""
    if host.startswith("["):
        name = host[1 : host.find("]")] if "]" in host else host[1:]
    else:
        name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    if name.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def registry_base_url(registry: str, *, insecure: bool | None = None) -> str:
    """``scheme://host`` for a registry; loopback hosts default to plain HTTP (see module doc)."""
    host = DOCKER_HUB_API_HOST if registry in _DOCKER_HUB_ALIASES else registry
    if insecure is None:
        insecure = is_loopback_host(host)
    return f"{'http' if insecure else 'https'}://{host}"


def v2_path(repository: str, *parts: str) -> str:
    """``/v2/<repository>/<parts…>`` with each extra part URL-quoted."""
    tail = "/".join(quote(p, safe=":") for p in parts)
    return f"/v2/{repository}/{tail}" if tail else f"/v2/{repository}/"


@dataclass(frozen=True, slots=True)
class ImageReference:
    """A normalised image reference. Build with :meth:`parse`; ``str()`` gives the full form."""

    registry: str
    repository: str
    tag: str | None = None
    digest: Digest | None = None

    def __post_init__(self) -> None:
        if not _DOMAIN_RE.fullmatch(self.registry):
            raise InvalidReference(f"invalid registry host {self.registry[:140]!r}")
        validate_repository(self.repository)
        if self.tag is not None:
            validate_tag(self.tag)

    @classmethod
    def parse(cls, text: str, *, default_tag: str | None = "latest") -> ImageReference:
        """Parse and normalise ``text``; raises :class:`InvalidReference` with the reason."""
        if not isinstance(text, str) or not text:
            raise InvalidReference("empty image reference")
        if len(text) > 1024 or any(c.isspace() for c in text):
            raise InvalidReference(f"invalid image reference {text[:140]!r}")
        name, at, digest_text = text.partition("@")
        digest: Digest | None = None
        if at:
            try:
                digest = Digest.parse(digest_text)
            except InvalidDigest as exc:
                raise InvalidReference(
                    f"invalid digest in reference {text[:140]!r}: {exc}"
                ) from exc
        tag: str | None = None
        slash, colon = name.rfind("/"), name.rfind(":")
        if colon > slash:
            name, tag = name[:colon], name[colon + 1 :]
            if not tag:
                raise InvalidReference(f"empty tag in reference {text[:140]!r}")
            validate_tag(tag)
        if not name:
            raise InvalidReference(f"missing repository in reference {text[:140]!r}")
        first, sep, rest = name.partition("/")
        if not sep or (
            not any(c in first for c in ".:") and first != "localhost" and first == first.lower()
        ):
            registry, repository = DEFAULT_REGISTRY, name
        else:
            registry, repository = first, rest
        if not _DOMAIN_RE.fullmatch(registry):
            raise InvalidReference(f"invalid registry host {registry[:140]!r} in {text[:140]!r}")
        if registry in _DOCKER_HUB_ALIASES:
            registry = DEFAULT_REGISTRY
            if "/" not in repository:
                repository = f"library/{repository}"
        validate_repository(repository)
        if tag is None and digest is None and default_tag is not None:
            tag = default_tag
        return cls(registry=registry, repository=repository, tag=tag, digest=digest)

    @classmethod
    def try_parse(cls, text: str, *, default_tag: str | None = None) -> ImageReference | None:
        """:meth:`parse`, or ``None`` when ``text`` is not a valid reference (for code that
        shows what it can of a user's text). No tag is assumed unless ``default_tag``."""
        try:
            return cls.parse(text, default_tag=default_tag)
        except InvalidReference:
            return None

    # -- derived forms ------------------------------------------------------------------
    @property
    def reference(self) -> str:
        """What goes after ``/manifests/``: the digest when there is one, else the tag."""
        if self.digest is not None:
            return str(self.digest)
        return self.tag or "latest"

    @property
    def name(self) -> str:
        """``registry/repository`` without tag or digest."""
        return f"{self.registry}/{self.repository}"

    @property
    def familiar(self) -> str:
        """The short form users type (``ubuntu:22.04`` for Docker Hub's library)."""
        name = self.name
        if self.registry == DEFAULT_REGISTRY:
            name = self.repository.removeprefix("library/")
        return name + self._suffix()

    def _suffix(self) -> str:
        out = f":{self.tag}" if self.tag else ""
        return out + (f"@{self.digest}" if self.digest else "")

    def __str__(self) -> str:
        return self.name + self._suffix()

    def with_tag(self, tag: str) -> ImageReference:
        """The same repository at ``tag`` (any digest dropped)."""
        return replace(self, tag=validate_tag(tag), digest=None)

    def with_digest(self, digest: Digest | str) -> ImageReference:
        """The same repository pinned to ``digest`` (the tag is kept for display)."""
        return replace(self, digest=Digest.parse(digest))

    # -- URLs ---------------------------------------------------------------------------
    @property
    def api_host(self) -> str:
        """The host the Distribution API answers on (Docker Hub's differs from its name)."""
        return DOCKER_HUB_API_HOST if self.registry == DEFAULT_REGISTRY else self.registry

    def base_url(self, *, insecure: bool | None = None) -> str:
        return registry_base_url(self.registry, insecure=insecure)

    def manifest_url(self, *, insecure: bool | None = None) -> str:
        return self.base_url(insecure=insecure) + v2_path(
            self.repository, "manifests", self.reference
        )

    def blob_url(self, digest: Digest | str, *, insecure: bool | None = None) -> str:
        return self.base_url(insecure=insecure) + v2_path(
            self.repository, "blobs", str(Digest.parse(digest))
        )

    def tags_url(self, *, insecure: bool | None = None) -> str:
        return self.base_url(insecure=insecure) + v2_path(self.repository, "tags", "list")

    def uploads_url(self, *, insecure: bool | None = None) -> str:
        return self.base_url(insecure=insecure) + v2_path(self.repository, "blobs", "uploads") + "/"
