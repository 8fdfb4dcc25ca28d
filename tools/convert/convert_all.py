#!/usr/bin/python3
"""Converts the FacePass face models from the npm packages to ONNX.

  /usr/bin/python3 tools/convert/convert_all.py \
      --human .cache/npm/human/package --faceapi .cache/npm/face-api/package --out models

Writes models/<name>.onnx and models/models.json, the list the TF.js
reference runner (tools/tfjs_reference) and the tests read: for each model
its source file, input name/shape/value range and output names/shapes.
Needs Debian's python3-onnx and python3-numpy (run with /usr/bin/python3).
"""

import argparse
import hashlib
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import onnx  # noqa: E402

from faceapi_recognition import convert_faceapi_recognition  # noqa: E402
from tfjs2onnx import convert_graph_model  # noqa: E402

# name, package, file inside the package, kind, input value range, what feeds it
MODELS = [
    ("blazeface", "human", "models/blazeface.json", "graph", [-1.0, 1.0],
     "RGB image resized to 256x256, x/127.5-1"),
    ("facemesh", "human", "models/facemesh.json", "graph", [0.0, 1.0],
     "RGB face crop resized to 192x192, x/255"),
    ("faceres", "human", "models/faceres.json", "graph", [0.0, 255.0],
     "RGB face crop resized to 224x224, 0..255"),
    ("antispoof", "human", "models/antispoof.json", "graph", [0.0, 1.0],
     "RGB face crop resized to 128x128, x/255"),
    ("liveness", "human", "models/liveness.json", "graph", [0.0, 1.0],
     "RGB face crop resized to 32x32, x/255"),
    ("faceapi_recognition", "faceapi", "model/face_recognition_model-weights_manifest.json", "faceapi-recognition",
     [0.0, 255.0], "RGB aligned face, 150x150, 0..255 (mean subtraction and /255 are inside the graph)"),
]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("--human", required=True, help="extracted @vladmandic/human package dir")
    ap.add_argument("--faceapi", required=True, help="extracted @vladmandic/face-api package dir")
    ap.add_argument("--out", required=True, help="output dir (models/)")
    ap.add_argument("--only", nargs="*", help="convert only these models")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    roots = {"human": args.human, "faceapi": args.faceapi}
    listing = []
    for name, pkg, rel, kind, value_range, feed in MODELS:
        if args.only and name not in args.only:
            continue
        src = os.path.join(roots[pkg], rel)
        if kind == "graph":
            model, info = convert_graph_model(src, name)
        else:
            model, info = convert_faceapi_recognition(src)
        dst = os.path.join(args.out, name + ".onnx")
        tmp = dst + ".tmp"
        onnx.save(model, tmp)
        os.replace(tmp, dst)
        with open(dst, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        info.update({"model": name, "onnx": name + ".onnx", "sha256": digest, "source_package": pkg,
                     "source": os.path.abspath(src), "kind": kind,
                     "input_range": value_range, "input_feed": feed, "channel_order": "RGB"})
        listing.append(info)
        outs = ", ".join("%s %s" % (o["name"], o["shape"]) for o in info["outputs"])
        print("converted %-20s input %s %s -> %s (%d nodes)" % (
            name, info["input"]["name"], info["input"]["onnx_shape"], outs, len(model.graph.node)))
    path = os.path.join(args.out, "models.json")
    if args.only and os.path.exists(path):
        with open(path) as f:
            old = [m for m in json.load(f) if m["model"] not in args.only]
        listing = old + listing
    with open(path + ".tmp", "w") as f:
        json.dump(listing, f, indent=1)
    os.replace(path + ".tmp", path)


if __name__ == "__main__":
    main()
