"""Serverless Devs interop: FC functions to and from ``s.yaml`` (``fc3`` component format).

```yaml
edition: 3.0.0
name: demo-app
access: default
vars:
  region: cn-hangzhou
resources:
  demo:
    component: fc3
    props:
      region: ${vars.region}
      functionName: demo
      runtime: custom-container
      customContainerConfig:
        image: registry-vpc.cn-hangzhou.aliyuncs.com/ns/app:v1_accelerated
        port: 9000
```

Import resolves ``${vars.x}`` and ``${env.X}`` / ``${env('X')}`` references; anything else is
left as written and reported in `SYamlFunction.unresolved`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from core.cloud._fc_models import Function
from core.errors import InvalidInput

__all__ = ["SYamlFunction", "function_to_s_yaml", "functions_from_s_yaml"]

_COMPONENTS = ("fc3",)
_REF_RE = re.compile(r"\$\{\s*([^}]+?)\s*\}")
_NOT_PROPS = frozenset({"region"})


@dataclass(frozen=True, slots=True)
class SYamlFunction:
    resource: str
    region: str | None
    function: Function
    unresolved: list[str] = field(default_factory=list)


def function_to_s_yaml(
    fn: Function,
    *,
    region: str,
    app_name: str | None = None,
    access: str = "default",
    resource: str | None = None,
) -> str:
    """An ``s.yaml`` that deploys ``fn`` with the ``fc3`` component."""
    props: dict[str, Any] = {"region": "${vars.region}"}
    props.update(fn.to_create_json())
    if props.get("runtime") == "custom-container" and props.get("handler") == "index.handler":
        props.pop("handler")  # the component injects its own placeholder
    name = fn.function_name or "function"
    doc = {
        "edition": "3.0.0",
        "name": app_name or f"{name}-app",
        "access": access,
        "vars": {"region": region},
        "resources": {resource or name: {"component": "fc3", "props": props}},
    }
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, default_flow_style=False)


def _resolve(
    value: Any, variables: Mapping[str, Any], env: Mapping[str, str], missing: list[str]
) -> Any:
    if isinstance(value, dict):
        return {k: _resolve(v, variables, env, missing) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, variables, env, missing) for v in value]
    if not isinstance(value, str) or "${" not in value:
        return value

    def lookup(expr: str) -> tuple[bool, Any]:
        if expr.startswith("vars."):
            node: Any = variables
            for part in expr[5:].split("."):
                if not isinstance(node, Mapping) or part not in node:
                    return False, None
                node = node[part]
            return True, node
        match = re.fullmatch(r"env\.(\w+)|env\(\s*['\"](\w+)['\"]\s*\)", expr)
        if match:
            key = match.group(1) or match.group(2)
            if key in env:
                return True, env[key]
        return False, None

    whole = _REF_RE.fullmatch(value)
    if whole:
        ok, resolved = lookup(whole.group(1))
        if ok:
            return resolved
        missing.append(whole.group(1))
        return value

    def sub(match: re.Match[str]) -> str:
        ok, resolved = lookup(match.group(1))
        if ok:
            return str(resolved)
        missing.append(match.group(1))
        return match.group(0)

    return _REF_RE.sub(sub, value)


def functions_from_s_yaml(
    text: str, *, env: Mapping[str, str] | None = None
) -> list[SYamlFunction]:
    """The ``fc3`` functions declared in an ``s.yaml`` (to pre-fill a function form).

    Raises `InvalidInput` with code ``InvalidYaml`` (not YAML / not a mapping) or
    ``NoFunctions`` (no ``fc3`` resource with a function).
    """
    env = os.environ if env is None else env
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise InvalidInput(f"s.yaml is not valid YAML{where}", code="InvalidYaml") from exc
    if not isinstance(doc, dict):
        raise InvalidInput("s.yaml must be a mapping", code="InvalidYaml")
    raw_vars = doc.get("vars")
    variables: Mapping[str, Any] = raw_vars if isinstance(raw_vars, dict) else {}
    resources = doc.get("resources") or doc.get("services") or {}
    if not isinstance(resources, dict):
        raise InvalidInput("s.yaml resources must be a mapping", code="InvalidYaml")
    out = []
    for resource, spec in resources.items():
        if not isinstance(spec, dict):
            continue
        component = str(spec.get("component", "")).split("@")[0].rsplit("/", 1)[-1]
        if component not in _COMPONENTS:
            continue
        props = spec.get("props")
        if not isinstance(props, dict):
            continue
        missing: list[str] = []
        props = _resolve(props, variables, env, missing)
        if "functionName" not in props:
            continue
        region = props.get("region")
        data = {k: v for k, v in props.items() if k not in _NOT_PROPS}
        fn = Function.from_json(data)
        out.append(
            SYamlFunction(
                resource=str(resource),
                region=str(region) if isinstance(region, str) else None,
                function=fn,
                unresolved=missing,
            )
        )
    if not out:
        raise InvalidInput("s.yaml declares no fc3 function", code="NoFunctions")
    return out
