#!/usr/bin/python3
"""Lists ONNX models copied as they are from an npm package in models/models.json.

  /usr/bin/python3 tools/convert/list_onnx.py --models models --package NAME@VER \
      /path/in/package/fr_feature.onnx=arcface.onnx ...

For each: input/output names and shapes read from the graph, the sha256 of the
file, the package it came from. Entries of the same file names are replaced.
"""

import argparse
import hashlib
import json
import os

import onnx


def shape_of(value_info):
    dims = value_info.type.tensor_type.shape.dim
    return [d.dim_value if d.dim_value > 0 else (d.dim_param or -1) for d in dims]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("--models", required=True)
    ap.add_argument("--package", required=True, help="npm NAME@VERSION the files came from")
    ap.add_argument("pairs", nargs="+", help="SOURCE=NAME_IN_MODELS")
    args = ap.parse_args()
    entries = []
    for pair in args.pairs:
        src, name = pair.split("=", 1)
        dst = os.path.join(args.models, name)
        model = onnx.load(dst)
        inits = {i.name for i in model.graph.initializer}
        inputs = [i for i in model.graph.input if i.name not in inits]
        with open(dst, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        entries.append({
            "model": os.path.splitext(name)[0], "onnx": name, "sha256": digest,
            "source_package": args.package, "npm": args.package,
            "source": os.path.abspath(src), "kind": "onnx",
            "input": {"name": inputs[0].name, "onnx_shape": shape_of(inputs[0])},
            "outputs": [{"name": o.name, "shape": shape_of(o)} for o in model.graph.output],
        })
        print("listed %-20s %s sha256 %s" % (name, args.package, digest[:16]))
    path = os.path.join(args.models, "models.json")
    listing = []
    if os.path.exists(path):
        with open(path) as f:
            listing = json.load(f)
    names = {e["onnx"] for e in entries}
    listing = [m for m in listing if m.get("onnx") not in names] + entries
    with open(path + ".tmp", "w") as f:
        json.dump(listing, f, indent=1)
    os.replace(path + ".tmp", path)


if __name__ == "__main__":
    main()
