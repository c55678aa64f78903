"""Writes kubeconform schemas ({kind}-{group}-{version}.json + _definitions.json) from Kubernetes'
own OpenAPI document (api/openapi-spec/swagger.json of the k8s.io/kubernetes module), the same
layout kubeconform's published schemas use. The schema download site is not reachable here; the
Go module proxy serves the Kubernetes source, and the OpenAPI document in it is the source of truth.

Usage: python k8s-schemas.py SWAGGER_JSON OUT_DIR
"""

import json
import sys
from pathlib import Path
from typing import Any


def as_kubeconform(node: Any) -> Any:
    """Points local refs at _definitions.json, spells int-or-string the way JSON Schema can check, and
    refuses unknown fields (additionalProperties: false, as kubectl's own validation does), so a
    misspelt or misplaced key fails instead of being ignored."""
    if isinstance(node, dict):
        if node.get("format") == "int-or-string":
            return {"oneOf": [{"type": "string"}, {"type": "integer"}]}
        if "properties" in node and "additionalProperties" not in node:
            node = {**node, "additionalProperties": False}
        return {
            key: (
                value.replace("#/definitions/", "_definitions.json#/definitions/")
                if key == "$ref" and isinstance(value, str)
                else as_kubeconform(value)
            )
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [as_kubeconform(item) for item in node]
    return node


def main(swagger_path: str, out_dir: str) -> None:
    definitions = json.loads(Path(swagger_path).read_text())["definitions"]
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    converted = {name: as_kubeconform(schema) for name, schema in definitions.items()}
    (out / "_definitions.json").write_text(json.dumps({"definitions": converted}))
    written = 0
    for schema in converted.values():
        for gvk in schema.get("x-kubernetes-group-version-kind", []):
            group = gvk["group"].split(".")[0] if gvk["group"] else ""
            suffix = f"-{group}-{gvk['version']}" if group else f"-{gvk['version']}"
            (out / f"{gvk['kind'].lower()}{suffix}.json").write_text(json.dumps(schema))
            written += 1
    print(f"{written} kind schemas in {out}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
