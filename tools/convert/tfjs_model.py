"""Reading a TF.js model from disk: model.json + binary weight shards.

Understands both TF.js GraphModel files (``modelTopology.node`` holds a
TensorFlow GraphDef rendered as JSON) and weights-only manifests such as
face-api's ``*-weights_manifest.json`` (a bare list of weight groups).

Weights come back as float32/int32 numpy arrays, dequantised:
  * ``quantization.dtype == float16``          -> stored as IEEE half
  * ``quantization.dtype in (uint8, uint16)``   -> value = q * scale + min
"""

import base64
import json
import os

import numpy as np

_PLAIN_DTYPES = {
    "float32": np.dtype("<f4"),
    "int32": np.dtype("<i4"),
    "bool": np.dtype("u1"),
}
_QUANT_DTYPES = {
    "float16": np.dtype("<f2"),
    "uint8": np.dtype("u1"),
    "uint16": np.dtype("<u2"),
}


def _decode_group(group, base_dir):
    blob = b"".join(open(os.path.join(base_dir, p), "rb").read() for p in group["paths"])
    out = {}
    offset = 0
    for spec in group["weights"]:
        shape = [int(d) for d in spec["shape"]]
        count = int(np.prod(shape)) if shape else 1
        quant = spec.get("quantization")
        if spec["dtype"] == "string":
            raise ValueError("string weights are not supported: %s" % spec["name"])
        if quant:
            qdt = _QUANT_DTYPES[quant["dtype"]]
            nbytes = count * qdt.itemsize
            raw = np.frombuffer(blob, dtype=qdt, count=count, offset=offset)
            if quant["dtype"] == "float16":
                arr = raw.astype(np.float32)
            else:
                # TF.js computes q*scale+min in double precision, then stores float32.
                arr = (raw.astype(np.float64) * float(quant["scale"]) + float(quant["min"])).astype(np.float32)
            if spec["dtype"] == "int32":
                arr = np.round(arr).astype(np.int32)
        else:
            dt = _PLAIN_DTYPES[spec["dtype"]]
            nbytes = count * dt.itemsize
            arr = np.frombuffer(blob, dtype=dt, count=count, offset=offset).copy()
            if spec["dtype"] == "float32":
                arr = arr.astype(np.float32)
        offset += nbytes
        out[spec["name"]] = arr.reshape(shape)
    if offset != len(blob):
        raise ValueError("weight shards %s: %d bytes read, %d present" % (group["paths"], offset, len(blob)))
    return out


def load_weights(manifest, base_dir):
    """Decodes every weight group of a manifest into {name: ndarray}."""
    weights = {}
    for group in manifest:
        weights.update(_decode_group(group, base_dir))
    return weights


def load_weights_manifest(path):
    """face-api style: the JSON file is the manifest itself."""
    with open(path) as f:
        manifest = json.load(f)
    return load_weights(manifest, os.path.dirname(path))


class GraphModel:
    """A TF.js graph-model: nodes by name plus decoded weights."""

    def __init__(self, path):
        with open(path) as f:
            self.json = json.load(f)
        if self.json.get("format") not in (None, "graph-model"):
            raise ValueError("%s: not a graph-model (format=%s)" % (path, self.json.get("format")))
        self.nodes = {n["name"]: n for n in self.json["modelTopology"]["node"]}
        self.weights = load_weights(self.json["weightsManifest"], os.path.dirname(path))
        sig = self.json.get("signature") or (self.json.get("userDefinedMetadata") or {}).get("signature") or {}
        self.signature = sig

    def input_names(self):
        return [n for n, node in self.nodes.items() if node["op"] == "Placeholder"]

    def output_names(self):
        """Node names of the graph outputs (signature order is not stable, so sorted)."""
        outs = self.signature.get("outputs")
        if outs:
            names = [o["name"].split(":")[0] for o in outs.values()]
        else:
            consumed = set()
            for node in self.nodes.values():
                for i in node.get("input", []):
                    consumed.add(strip_input(i))
            names = [n for n, node in self.nodes.items() if n not in consumed and node["op"] != "Const"]
        return sorted(names)

    def signature_keys(self):
        """{node name: signature key} for outputs, e.g. Identity_2 -> output_mesh."""
        outs = self.signature.get("outputs") or {}
        return {o["name"].split(":")[0]: k.split(":")[0] for k, o in outs.items()}

    def const_value(self, name):
        if name in self.weights:
            return self.weights[name]
        node = self.nodes[name]
        return tensor_from_attr(node["attr"]["value"]["tensor"])


def strip_input(name):
    """'^ctrl' and 'node:1' forms -> node name."""
    name = name.lstrip("^")
    return name.split(":")[0]


_TF_DTYPES = {
    "DT_FLOAT": np.float32,
    "DT_INT32": np.int32,
    "DT_INT64": np.int64,
    "DT_BOOL": np.bool_,
}


def tensor_from_attr(t):
    dtype = _TF_DTYPES[t.get("dtype", "DT_FLOAT")]
    dims = [int(d.get("size", 0)) for d in t.get("tensorShape", {}).get("dim", [])]
    count = int(np.prod(dims)) if dims else 1
    if "tensorContent" in t:
        arr = np.frombuffer(base64.b64decode(t["tensorContent"]), dtype=np.dtype(dtype).newbyteorder("<"))
    elif "floatVal" in t:
        arr = np.array([float(v) for v in t["floatVal"]], dtype=dtype)
    elif "intVal" in t:
        arr = np.array([int(v) for v in t["intVal"]], dtype=dtype)
    elif "int64Val" in t:
        arr = np.array([int(v) for v in t["int64Val"]], dtype=dtype)
    elif "boolVal" in t:
        arr = np.array([bool(v) for v in t["boolVal"]], dtype=dtype)
    else:
        raise ValueError("constant without a value: %s" % json.dumps(t)[:200])
    if arr.size == 1 and count > 1:
        arr = np.full(count, arr[0], dtype=dtype)  # TF splats a single value
    return arr.astype(dtype).reshape(dims)


def attr(node, key, default=None):
    """Decodes one attribute of a GraphDef node in its JSON form."""
    a = node.get("attr", {}).get(key)
    if a is None:
        return default
    if "s" in a:
        return base64.b64decode(a["s"]).decode()
    if "i" in a:
        return int(a["i"])
    if "f" in a:
        return float(a["f"])
    if "b" in a:
        return bool(a["b"])
    if "type" in a:
        return a["type"]
    if "list" in a:
        lst = a["list"]
        if "i" in lst:
            return [int(v) for v in lst["i"]]
        if "s" in lst:
            return [base64.b64decode(v).decode() for v in lst["s"]]
        if "f" in lst:
            return [float(v) for v in lst["f"]]
        return []
    if "shape" in a:
        return [int(d.get("size", -1)) for d in a["shape"].get("dim", [])]
    return default
