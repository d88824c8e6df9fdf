"""The official Alibaba Cloud SDKs as an oracle: clients configured for a loopback server, and
what their generated models say about JSON field names and types.

The SDK models (``alibabacloud_fc20230330.models``, ``alibabacloud_cr20181201.models``) are
generated from the APIs' published metadata. Their constructor annotations give each field's
type; their ``to_map`` gives its JSON name. `type_errors` checks a JSON document against them
field by field (nested models and lists included), and `populated` builds a model with every
field set, so that a response can carry everything the real API may send.
"""

from __future__ import annotations

import sys
import typing
from typing import Any

from alibabacloud_cr20181201.client import Client as CrClient
from alibabacloud_fc20230330.client import Client as FcClient
from alibabacloud_tea_openapi.models import Config
from darabonba.model import DaraModel

__all__ = [
    "cr_client",
    "fc_client",
    "json_fields",
    "populated",
    "sdk_config",
    "type_errors",
    "unknown_fields",
]


def sdk_config(host: str, access_key_id: str, access_key_secret: str, **more: Any) -> Config:
    """A default SDK configuration pointed at ``host`` (``127.0.0.1:PORT``).

    Only the endpoint and the transport are set: the Local server speaks plain HTTP on
    loopback, so ``protocol`` is ``http``; everything else is the SDK's default.
    """
    return Config(
        access_key_id=access_key_id,
        access_key_secret=access_key_secret,
        endpoint=host,
        protocol="http",
        **more,
    )


def fc_client(host: str, access_key_id: str, access_key_secret: str) -> FcClient:
    return FcClient(sdk_config(host, access_key_id, access_key_secret))


def cr_client(host: str, access_key_id: str, access_key_secret: str) -> CrClient:
    return CrClient(sdk_config(host, access_key_id, access_key_secret))


# -- model introspection -------------------------------------------------------------------


class _Probe:
    """Stands in for a field value while ``to_map`` runs, to learn the field's JSON name."""

    def to_map(self) -> str:
        return "\0probe"

    def __iter__(self) -> typing.Iterator[_Probe]:
        yield self

    def items(self) -> list[tuple[str, _Probe]]:
        return [("k", self)]


def _holds_probe(value: Any) -> bool:
    if isinstance(value, _Probe) or value == "\0probe":
        return True
    if isinstance(value, list):
        return any(_holds_probe(v) for v in value)
    if isinstance(value, dict):
        return any(_holds_probe(v) for v in value.values())
    return False


_FIELDS: dict[type, dict[str, tuple[str, Any]]] = {}


def json_fields(cls: type[DaraModel]) -> dict[str, tuple[str, Any]]:
    """``{json name: (attribute, type hint)}`` of an SDK model class."""
    cached = _FIELDS.get(cls)
    if cached is not None:
        return cached
    hints = typing.get_type_hints(cls.__init__, globalns=vars(sys.modules[cls.__module__]))
    hints.pop("return", None)
    out: dict[str, tuple[str, Any]] = {}
    for attr, hint in hints.items():
        model = cls()
        setattr(model, attr, _Probe())
        mapped = model.to_map()
        keys = [k for k, v in mapped.items() if _holds_probe(v)]
        if len(keys) != 1:
            raise AssertionError(f"{cls.__name__}.{attr}: cannot tell its JSON name ({keys})")
        out[keys[0]] = (attr, hint)
    _FIELDS[cls] = out
    return out


def _is_model(hint: Any) -> bool:
    return isinstance(hint, type) and issubclass(hint, DaraModel)


def _value_errors(hint: Any, value: Any, where: str) -> list[str]:
    if value is None or hint is Any:
        return []
    origin = typing.get_origin(hint)
    if origin is list:
        if not isinstance(value, list):
            return [f"{where}: {type(value).__name__}, the SDK says a list"]
        (item,) = typing.get_args(hint) or (Any,)
        errors: list[str] = []
        for i, v in enumerate(value):
            errors += _value_errors(item, v, f"{where}[{i}]")
        return errors
    if origin is dict:
        if not isinstance(value, dict):
            return [f"{where}: {type(value).__name__}, the SDK says an object"]
        _, item = typing.get_args(hint) or (str, Any)
        errors = []
        for k, v in value.items():
            errors += _value_errors(item, v, f"{where}.{k}")
        return errors
    if _is_model(hint):
        if not isinstance(value, dict):
            return [f"{where}: {type(value).__name__}, the SDK says an object ({hint.__name__})"]
        return type_errors(hint, value, where)
    if hint is bool:
        ok = isinstance(value, bool)
    elif hint is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif hint is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
    elif hint is str:
        ok = isinstance(value, str)
    elif hint is bytes:
        ok = isinstance(value, bytes | str)
    else:
        ok = True  # BinaryIO and friends (invoke bodies) are not JSON
    if ok:
        return []
    name = getattr(hint, "__name__", str(hint))
    return [f"{where}: {type(value).__name__} {value!r:.60}, the SDK says {name}"]


def type_errors(cls: type[DaraModel], data: dict[str, Any], where: str = "") -> list[str]:
    """Every field of ``data`` whose JSON type differs from the SDK model's declaration."""
    fields = json_fields(cls)
    errors: list[str] = []
    for key, value in data.items():
        if key in fields:
            errors += _value_errors(fields[key][1], value, f"{where}.{key}" if where else key)
    return errors


def unknown_fields(cls: type[DaraModel], data: dict[str, Any], where: str = "") -> list[str]:
    """Fields of ``data`` (recursively) that the SDK model does not declare."""
    fields = json_fields(cls)
    out: list[str] = []
    for key, value in data.items():
        path = f"{where}.{key}" if where else key
        if key not in fields:
            out.append(path)
            continue
        hint = fields[key][1]
        if _is_model(hint) and isinstance(value, dict):
            out += unknown_fields(hint, value, path)
        elif typing.get_origin(hint) is list and isinstance(value, list):
            (item,) = typing.get_args(hint) or (Any,)
            if _is_model(item):
                for i, v in enumerate(value):
                    if isinstance(v, dict):
                        out += unknown_fields(item, v, f"{path}[{i}]")
    return out


def _sample(hint: Any, name: str, depth: int) -> Any:
    origin = typing.get_origin(hint)
    if origin is list:
        (item,) = typing.get_args(hint) or (str,)
        return [_sample(item, name, depth)]
    if origin is dict:
        _, item = typing.get_args(hint) or (str, str)
        return {f"{name}-key": _sample(item, name, depth)}
    if _is_model(hint):
        return populated(hint, depth - 1) if depth > 0 else hint()
    if hint is bool:
        return True
    if hint is int:
        return 7
    if hint is float:
        return 1.5
    return f"sample-{name}"


def populated(cls: type[DaraModel], depth: int = 4, **overrides: Any) -> DaraModel:
    """An instance of ``cls`` with every field set (nested models ``depth`` levels deep);
    ``overrides`` set attributes by name."""
    model = cls()
    for attr, hint in json_fields(cls).values():
        setattr(model, attr, _sample(hint, attr, depth))
    for attr, value in overrides.items():
        setattr(model, attr, value)
    return model
