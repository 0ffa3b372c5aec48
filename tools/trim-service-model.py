#!/usr/bin/env python3
"""Writes the subset of botocore's SageMaker service model that the control plane serves.

The control plane validates requests and documents its REST routes from this file, so it is the one definition of
every shape. Run it again when the operation list changes or botocore's model is updated:

    python3 tools/trim-service-model.py ../shared/reference/service-models/sagemaker-2017-07-24.service-2.json
"""
import json
import pathlib
import sys

OPERATIONS = """
CreateProcessingJob DescribeProcessingJob ListProcessingJobs StopProcessingJob
CreateTrainingJob DescribeTrainingJob ListTrainingJobs StopTrainingJob
CreateModel DescribeModel ListModels DeleteModel
CreateEndpointConfig DescribeEndpointConfig ListEndpointConfigs DeleteEndpointConfig
CreateEndpoint DescribeEndpoint ListEndpoints UpdateEndpoint UpdateEndpointWeightsAndCapacities DeleteEndpoint
CreateTransformJob DescribeTransformJob ListTransformJobs StopTransformJob
AddTags ListTags DeleteTags
""".split()

# Summary shapes are not reachable from operation inputs; lists project stored documents onto them.
KEEP_KEYS = {"type", "required", "members", "member", "key", "value", "min", "max", "pattern", "enum", "shape",
             "error", "exception", "documentation", "box", "input", "output", "errors", "name", "http"}


def main() -> None:
    source = pathlib.Path(sys.argv[1])
    target = pathlib.Path(__file__).resolve().parent.parent / "src/ControlPlane.Core/ServiceModel/sagemaker-control-plane.json"
    model = json.loads(source.read_text())
    shapes = model["shapes"]
    reachable: set[str] = set()

    def walk(name: str) -> None:
        if name in reachable:
            return
        reachable.add(name)
        shape = shapes[name]
        for ref in ("member", "key", "value"):
            if ref in shape:
                walk(shape[ref]["shape"])
        for member in shape.get("members", {}).values():
            walk(member["shape"])

    operations = {}
    for name in OPERATIONS:
        operation = model["operations"][name]
        operations[name] = {k: v for k, v in operation.items() if k in KEEP_KEYS}
        for key in ("input", "output"):
            if key in operation:
                walk(operation[key]["shape"])
        for error in operation.get("errors", []):
            walk(error["shape"])

    trimmed = {
        "metadata": model["metadata"],
        "operations": operations,
        "shapes": {name: {k: v for k, v in shapes[name].items() if k in KEEP_KEYS} for name in sorted(reachable)},
    }
    target.write_text(json.dumps(trimmed, indent=1, sort_keys=True) + "\n")
    print(f"{target}: {len(operations)} operations, {len(reachable)} shapes")


if __name__ == "__main__":
    main()
