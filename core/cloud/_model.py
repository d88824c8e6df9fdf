"""A small base for API models: dataclasses with snake_case fields mapped to the API's JSON
names, nested models, and every unknown field kept in ``extra`` (the APIs grow; a client that
drops what it does not know would erase it on the next update)."""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from typing import Any, ClassVar, Self

__all__ = ["ApiModel", "json_name"]


def _camel(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(p[:1].upper() + p[1:] for p in rest)


def _pascal(name: str) -> str:
    return "".join(p[:1].upper() + p[1:] for p in name.split("_"))


def json_name(name: str, style: str) -> str:
    return _pascal(name) if style == "pascal" else _camel(name)


def _model_type(hint: Any) -> type[ApiModel] | None:
    """The `ApiModel` class inside ``hint`` (``X``, ``X | None``), if any."""
    if isinstance(hint, type) and issubclass(hint, ApiModel):
        return hint
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        for arg in typing.get_args(hint):
            found = _model_type(arg)
            if found is not None:
                return found
    return None


def _list_model_type(hint: Any) -> type[ApiModel] | None:
    for candidate in (hint, *typing.get_args(hint)):
        if typing.get_origin(candidate) is list:
            (item,) = typing.get_args(candidate) or (Any,)
            return _model_type(item)
    return None


_SPECS: dict[type, tuple[tuple[str, str, Any, Any], ...]] = {}


def _spec(cls: type[ApiModel]) -> tuple[tuple[str, str, Any, Any], ...]:
    """(attribute, json key, model type, list-of-model type) for each field but ``extra``."""
    cached = _SPECS.get(cls)
    if cached is not None:
        return cached
    hints = typing.get_type_hints(cls)
    out = []
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        if f.name == "extra":
            continue
        key = f.metadata.get("json") or json_name(f.name, cls._json_style)
        out.append((f.name, key, _model_type(hints[f.name]), _list_model_type(hints[f.name])))
    spec = _SPECS[cls] = tuple(out)
    return spec


class ApiModel:
    """Base of the API dataclasses. Subclasses are ``@dataclass`` with an ``extra`` field.

    ``from_json`` never fails on unexpected types for scalar fields: it keeps the value as
    given (the API is the authority); use the validation helpers to check input.
    """

    __slots__ = ()
    _json_style: ClassVar[str] = "camel"
    extra: dict[str, Any]

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> Self:
        data = dict(data or {})
        kwargs: dict[str, Any] = {}
        for attr, key, model, list_model in _spec(cls):
            if key not in data:
                continue
            value = data.pop(key)
            if model is not None and isinstance(value, Mapping):
                value = model.from_json(value)
            elif list_model is not None and isinstance(value, list):
                value = [list_model.from_json(v) if isinstance(v, Mapping) else v for v in value]
            kwargs[attr] = value
        return cls(**kwargs, extra=data)  # type: ignore[call-arg]

    def to_json(self) -> dict[str, Any]:
        """The JSON object: unknown fields as received, then every set (non-``None``) field."""
        out: dict[str, Any] = dict(self.extra)
        for attr, key, _model, _list in _spec(type(self)):
            value = getattr(self, attr)
            if value is None:
                continue
            if isinstance(value, ApiModel):
                value = value.to_json()
            elif isinstance(value, list):
                value = [v.to_json() if isinstance(v, ApiModel) else v for v in value]
            elif isinstance(value, dict):
                value = dict(value)
            out[key] = value
        return out
