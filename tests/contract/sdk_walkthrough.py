"""A walk through the Local server with Alibaba Cloud's official Python SDKs only, as a script
written for the cloud would make it: nothing in it knows about fcdesk.

    ALIBABA_CLOUD_ACCESS_KEY_ID=... ALIBABA_CLOUD_ACCESS_KEY_SECRET=... \\
        python tests/contract/sdk_walkthrough.py --endpoint 127.0.0.1:PORT

(``fcaccel serve --print-credentials`` prints the pair.) Against a fresh ``fcaccel serve`` it
waits for the seeded demo repository (``demo/hello``, tags ``v1`` and ``v1_accelerated``),
then: Container Registry — list instances, namespaces, repositories and tags, create and get
the repository's acceleration rule; Function Compute — create a function on the accelerated
image, list functions, get it until Active, update its memory, invoke it right after the
update, wait for the update, invoke again, delete it. Exit status 0 when every step passed.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
from typing import Any

from alibabacloud_cr20181201 import models as cr
from alibabacloud_cr20181201.client import Client as CrClient
from alibabacloud_fc20230330 import models as fc
from alibabacloud_fc20230330.client import Client as FcClient
from alibabacloud_tea_openapi.exceptions import ClientException
from alibabacloud_tea_openapi.models import Config

NAMESPACE = "demo"
REPOSITORY = "hello"
FUNCTION = "sdk-walkthrough"


def step(text: str) -> None:
    sys.stdout.write(f"- {text}\n")
    sys.stdout.flush()


def check(condition: object, failure: object) -> None:
    """Stop with ``failure`` unless ``condition`` holds (not ``assert``: ``-O`` drops those)."""
    if not condition:
        raise SystemExit(f"FAILED: {failure}")


def wait_for(what: str, check: Any, timeout: float) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise SystemExit(f"FAILED: {what} not seen within {timeout:.0f} s")
        time.sleep(0.5)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--endpoint", required=True, help="host:port of the server")
    parser.add_argument("--protocol", default="http")
    parser.add_argument("--timeout", type=float, default=600, help="seconds for each wait")
    args = parser.parse_args()

    def config() -> Config:
        return Config(
            access_key_id=os.environ["ALIBABA_CLOUD_ACCESS_KEY_ID"],
            access_key_secret=os.environ["ALIBABA_CLOUD_ACCESS_KEY_SECRET"],
            endpoint=args.endpoint,
            protocol=args.protocol,
        )

    registry = CrClient(config())
    functions = FcClient(config())

    # -- Container Registry ------------------------------------------------------------------
    instances = registry.list_instance(cr.ListInstanceRequest(page_no=1, page_size=30)).body
    check(instances.is_success, instances.to_map())
    instance = instances.instances[0]
    step(f"ListInstance: {instance.instance_id} ({instance.instance_specification})")

    def namespace() -> Any:
        body = registry.list_namespace(
            cr.ListNamespaceRequest(instance_id=instance.instance_id, page_no=1, page_size=30)
        ).body
        return next((n for n in body.namespaces if n.namespace_name == NAMESPACE), None)

    ns = wait_for(f"namespace {NAMESPACE}", namespace, args.timeout)
    step(f"ListNamespace: {ns.namespace_name} ({ns.namespace_id})")

    def repository() -> Any:
        body = registry.list_repository(
            cr.ListRepositoryRequest(
                instance_id=instance.instance_id,
                repo_namespace_name=NAMESPACE,
                page_no=1,
                page_size=30,
            )
        ).body
        return next((r for r in body.repositories if r.repo_name == REPOSITORY), None)

    repo = wait_for(f"repository {NAMESPACE}/{REPOSITORY}", repository, args.timeout)
    step(f"ListRepository: {repo.repo_namespace_name}/{repo.repo_name} ({repo.repo_id})")

    def tags() -> Any:
        body = registry.list_repo_tag(
            cr.ListRepoTagRequest(
                instance_id=instance.instance_id, repo_id=repo.repo_id, page_no=1, page_size=30
            )
        ).body
        names = {image.tag: image for image in body.images}
        return names if {"v1", "v1_accelerated"} <= set(names) else None

    images = wait_for("tags v1 and v1_accelerated", tags, args.timeout)
    step(f"ListRepoTag: {sorted(images)}")

    rule = registry.create_artifact_build_rule(
        cr.CreateArtifactBuildRuleRequest(
            instance_id=instance.instance_id,
            scope_type="REPOSITORY",
            scope_id=repo.repo_id,
            artifact_type="ACCELERATED_IMAGE",
        )
    ).body
    check(rule.is_success, rule.to_map())
    got_rule = registry.get_artifact_build_rule(
        cr.GetArtifactBuildRuleRequest(
            instance_id=instance.instance_id, build_rule_id=rule.build_rule_id
        )
    ).body
    check(got_rule.is_success, got_rule.to_map())
    check(got_rule.scope_id == repo.repo_id, got_rule.to_map())
    step(f"CreateArtifactBuildRule / GetArtifactBuildRule: {rule.build_rule_id}")

    endpoints = registry.list_instance_endpoint(
        cr.ListInstanceEndpointRequest(instance_id=instance.instance_id, module_name="Registry")
    ).body
    vpc = next(e for e in endpoints.endpoints if e.endpoint_type == "vpc")
    host = vpc.domains[0].domain
    image = f"{host}/{NAMESPACE}/{REPOSITORY}:v1_accelerated"

    # -- Function Compute ---------------------------------------------------------------------
    created = functions.create_function(
        fc.CreateFunctionRequest(
            body=fc.CreateFunctionInput(
                function_name=FUNCTION,
                runtime="custom-container",
                handler="index.handler",
                cpu=0.35,
                memory_size=512,
                disk_size=512,
                timeout=60,
                custom_container_config=fc.CustomContainerConfig(image=image, port=9000),
            )
        )
    ).body
    step(f"CreateFunction: {created.function_name} on {image} ({created.state})")
    listed = functions.list_functions(fc.ListFunctionsRequest(prefix=FUNCTION)).body
    check([f.function_name for f in listed.functions] == [FUNCTION], listed.to_map())
    step("ListFunctions: found")

    def ready() -> Any:
        got = functions.get_function(FUNCTION, fc.GetFunctionRequest()).body
        if got.state == "Failed" or got.last_update_status == "Failed":
            raise SystemExit(f"FAILED: {FUNCTION} failed: {got.to_map()}")
        return got if (got.state, got.last_update_status) == ("Active", "Successful") else None

    active = wait_for(f"{FUNCTION} Active", ready, args.timeout)
    step(f"GetFunction: Active, {active.custom_container_config.resolved_image_uri}")

    updated = functions.update_function(
        FUNCTION, fc.UpdateFunctionRequest(body=fc.UpdateFunctionInput(memory_size=1024))
    ).body
    step(
        f"UpdateFunction: memory {updated.memory_size}, {updated.last_update_status} "
        f"({updated.last_update_status_reason_code or 'no reason code'})"
    )
    for when in ("right after the update", "after the update"):
        response = functions.invoke_function(
            FUNCTION, fc.InvokeFunctionRequest(body=io.BytesIO(b'{"from": "sdk"}'))
        )
        body = response.body.read()
        check(response.status_code == 200, (response.status_code, body))
        check(body, "an empty answer")
        step(f"InvokeFunction {when}: {response.status_code}, {len(body)} bytes")
        if when == "right after the update":
            settled = wait_for(f"{FUNCTION} update", ready, args.timeout)
            check(settled.memory_size == 1024, settled.to_map())
            step("GetFunction: update Successful")

    functions.delete_function(FUNCTION)
    try:
        functions.get_function(FUNCTION, fc.GetFunctionRequest())
    except ClientException as exc:
        check(exc.code == "FunctionNotFound", exc)
    else:
        raise SystemExit(f"FAILED: {FUNCTION} still exists after DeleteFunction")
    step("DeleteFunction: gone")
    sys.stdout.write("walkthrough passed\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
