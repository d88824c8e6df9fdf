"""Cold starts: function instances, phase timelines, the link shaper, comparisons, demo images.

```python
from core.coldstart import SandboxInstance, InstanceConfig, LinkSpec, ShapedTransport, compare

# The runtime the Local server uses: start, invoke (warm), stop.
instance = await SandboxInstance.start(InstanceConfig(image=ref, function_name="f"),
                                registry=registry, cache=cache, workdir=state_dir)
result = await instance.invoke(b"event")
await instance.stop()

# A start-up profile for any image: record it over a lazy mount, push it, optimize.
recording = await record_startup_profile(registry, "host/ns/app:v1_accelerated", workdir=tmp)
await publish_profile(registry, recording)
await optimize_with_profile(registry, recording)

# The cold-start lab: plain vs accelerated over an emulated 100 Mbit/s, 20 ms link.
report = await compare(plain, accelerated, runs=3, workdir=tmp,
                       options=ColdStartOptions(link=LinkSpec.parse("100mbit,20ms")))
print(report.table())
```
"""

from core.coldstart._demo import (
    DEMO_KINDS,
    DemoBuildResult,
    DemoImage,
    DemoLayer,
    build_demo_image,
    build_demo_tree,
    demo_python,
    import_options,
    merge_layers,
)
from core.coldstart._instance import (
    InstanceConfig,
    InstanceState,
    InvokeResult,
    SandboxInstance,
    fc_environment,
    fc_request_id,
    has_prefetch_regions,
    image_argv,
    startup_profile_for,
)
from core.coldstart._link import LinkSpec, LinkStats, ShapedTransport, TokenBucket
from core.coldstart._local import LocalStart, physical_bound
from core.coldstart._record import (
    DEFAULT_EVENT,
    RECORD_MODES,
    Exercise,
    ProfileRecording,
    TwinChoice,
    optimize_with_profile,
    prepare_twin,
    publish_profile,
    record_startup_profile,
)
from core.coldstart._runner import (
    TARGET_VS_BOUND,
    TARGET_VS_FULL,
    ColdStartOptions,
    Comparison,
    bound_line,
    cold_start,
    compare,
    exec_available,
    fetch_counts,
    fetch_line,
    target_line,
    target_verdicts,
)
from core.coldstart._sandbox import LogLine, NetnsConnector, Sandbox, SandboxSpec, sandbox_available
from core.coldstart._timeline import (
    PHASES,
    PhaseRecord,
    Timeline,
    TimelineRecorder,
    summarize,
)

__all__ = [
    "DEFAULT_EVENT",
    "DEMO_KINDS",
    "PHASES",
    "RECORD_MODES",
    "TARGET_VS_BOUND",
    "TARGET_VS_FULL",
    "ColdStartOptions",
    "Comparison",
    "DemoBuildResult",
    "DemoImage",
    "DemoLayer",
    "Exercise",
    "InstanceConfig",
    "InstanceState",
    "InvokeResult",
    "LinkSpec",
    "LinkStats",
    "LocalStart",
    "LogLine",
    "NetnsConnector",
    "PhaseRecord",
    "ProfileRecording",
    "Sandbox",
    "SandboxInstance",
    "SandboxSpec",
    "ShapedTransport",
    "Timeline",
    "TimelineRecorder",
    "TokenBucket",
    "TwinChoice",
    "bound_line",
    "build_demo_image",
    "build_demo_tree",
    "cold_start",
    "compare",
    "demo_python",
    "exec_available",
    "fc_environment",
    "fc_request_id",
    "fetch_counts",
    "fetch_line",
    "has_prefetch_regions",
    "image_argv",
    "import_options",
    "merge_layers",
    "optimize_with_profile",
    "physical_bound",
    "prepare_twin",
    "publish_profile",
    "record_startup_profile",
    "sandbox_available",
    "startup_profile_for",
    "summarize",
    "target_line",
    "target_verdicts",
]
