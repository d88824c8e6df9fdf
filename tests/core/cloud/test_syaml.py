"""Serverless Devs s.yaml export and import (fc3 component)."""

from __future__ import annotations

import pytest
import yaml

from core.cloud import Function, HealthCheckConfig, function_to_s_yaml, functions_from_s_yaml
from core.errors import InvalidInput

IMAGE = "registry-vpc.cn-hangzhou.aliyuncs.com/ns/app:v1_accelerated"


def test_export_then_import_round_trip() -> None:
    fn = Function.for_container("demo", IMAGE, timeout=60, instance_concurrency=10)
    fn.role = "acs:ram::123:role/fc"
    fn.environment_variables = {"MODE": "prod"}
    assert fn.custom_container_config is not None
    fn.custom_container_config.entrypoint = ["python"]
    fn.custom_container_config.command = ["app.py"]
    fn.custom_container_config.health_check_config = HealthCheckConfig(http_get_url="/ready")
    fn.state = "Active"  # read-only fields are not exported
    fn.extra["logConfig"] = {"project": "p", "logstore": "l"}
    text = function_to_s_yaml(fn, region="cn-shanghai")
    doc = yaml.safe_load(text)
    assert doc["edition"] == "3.0.0"
    assert doc["vars"] == {"region": "cn-shanghai"}
    props = doc["resources"]["demo"]["props"]
    assert doc["resources"]["demo"]["component"] == "fc3"
    assert props["region"] == "${vars.region}"
    assert props["customContainerConfig"]["image"] == IMAGE
    assert props["customContainerConfig"]["healthCheckConfig"] == {"httpGetUrl": "/ready"}
    assert "state" not in props
    assert "handler" not in props  # the component adds its own placeholder
    (imported,) = functions_from_s_yaml(text)
    assert imported.resource == "demo"
    assert imported.region == "cn-shanghai"
    assert imported.unresolved == []
    back = imported.function
    assert back.function_name == "demo"
    assert back.image == IMAGE
    assert back.cpu == 0.35
    assert back.environment_variables == {"MODE": "prod"}
    assert back.extra["logConfig"] == {"project": "p", "logstore": "l"}
    assert back.custom_container_config is not None
    assert back.custom_container_config.command == ["app.py"]


SYAML = """
edition: 3.0.0
name: hello-world-app
access: "default"
vars:
  region: "cn-hangzhou"
  image: registry.cn-hangzhou.aliyuncs.com/fc-demo/web:v2
  fn:
    memory: 1024
resources:
  web:
    component: fc3
    actions:
      pre-deploy:
        - run: docker build .
    props:
      region: ${vars.region}
      functionName: "web-${vars.region}"
      runtime: custom-container
      memorySize: ${vars.fn.memory}
      cpu: 1
      role: ${env('FC_ROLE')}
      description: ${config('AccountID')}
      customContainerConfig:
        image: ${vars.image}
        port: 9000
  other:
    component: fc
    props:
      service: {name: s}
  domain:
    component: fc3-domain
    props: {domainName: auto}
"""


def test_import_resolves_vars_and_env_and_reports_the_rest() -> None:
    (fn,) = functions_from_s_yaml(SYAML, env={"FC_ROLE": "acs:ram::1:role/r"})
    assert fn.region == "cn-hangzhou"
    assert fn.function.function_name == "web-cn-hangzhou"
    assert fn.function.memory_size == 1024  # whole-value reference keeps the type
    assert fn.function.role == "acs:ram::1:role/r"
    assert fn.function.image == "registry.cn-hangzhou.aliyuncs.com/fc-demo/web:v2"
    assert fn.unresolved == ["config('AccountID')"]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("resources: [unclosed", "InvalidYaml"),
        ("- a list", "InvalidYaml"),
        ("resources: 3", "InvalidYaml"),
        ("resources:\n  x:\n    component: fc\n    props: {}", "NoFunctions"),
        ("edition: 3.0.0", "NoFunctions"),
    ],
)
def test_import_errors(text: str, code: str) -> None:
    with pytest.raises(InvalidInput) as info:
        functions_from_s_yaml(text, env={})
    assert info.value.code == code


def test_import_refuses_python_tags() -> None:
    with pytest.raises(InvalidInput):
        functions_from_s_yaml("!!python/object/apply:os.system ['true']", env={})
