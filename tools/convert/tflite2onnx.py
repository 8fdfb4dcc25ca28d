#!/usr/bin/python3
"""Converts a float TFLite image model (a plain chain of convolutions and
element-wise ops, e.g. MobileFaceNet) to an NCHW ONNX graph that OpenCV 4.6's
``cv::dnn::readNetFromONNX`` loads.

  /usr/bin/python3 tools/convert/tflite2onnx.py MobileFaceNet.tflite /tmp/mfn/mobilefacenet.onnx \
      [--input-scale S] [--check]
  # --check also writes <out>.check.in.f32 (a random 1xCxHxW input) and <out>.check.out.f32
  # (the numpy reference interpreter's output for it): compare with OpenCV's forward pass.

The flatbuffer is read by hand (struct; no flatbuffers package): the few
tables of the public TFLite schema this needs are in ``TFLite`` below. The
batch dimension becomes 1. Handles ADD, SUB, MUL, ABS, RELU, RELU6,
CONV_2D, DEPTHWISE_CONV_2D, RESHAPE (to [N, C]) with float32 tensors; the
TF ``prelu`` spelling relu(x) + a * (x - |x|) becomes one PRelu node.
``reference()`` is a numpy interpreter of the same graph in TFLite's own
NHWC layout, for checking the conversion.
Needs Debian's python3-onnx and python3-numpy (run with /usr/bin/python3).
"""

import argparse
import os
import struct
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from onnx_builder import Builder  # noqa: E402

# BuiltinOperator values (schema.fbs) that this converter knows.
OPS = {0: "ADD", 3: "CONV_2D", 4: "DEPTHWISE_CONV_2D", 18: "MUL", 19: "RELU", 21: "RELU6", 22: "RESHAPE",
       41: "SUB", 101: "ABS"}
# ActivationFunctionType
ACT_NONE, ACT_RELU, ACT_RELU6 = 0, 1, 3
TENSOR_FLOAT32, TENSOR_INT32 = 0, 2


class FlatBuffer:
    """Random access to flatbuffer tables: fields by index, with the schema's defaults."""

    def __init__(self, data):
        self.b = data

    def u8(self, p):
        return self.b[p]

    def i32(self, p):
        return struct.unpack_from("<i", self.b, p)[0]

    def u32(self, p):
        return struct.unpack_from("<I", self.b, p)[0]

    def deref(self, p):
        return p + self.u32(p)

    def root(self):
        return self.deref(0)

    def field(self, table, i):
        """Absolute position of field i of the table, or None when absent."""
        vt = table - self.i32(table)
        vt_size = struct.unpack_from("<H", self.b, vt)[0]
        if 4 + 2 * i >= vt_size:
            return None
        off = struct.unpack_from("<H", self.b, vt + 4 + 2 * i)[0]
        return table + off if off else None

    def scalar(self, table, i, fmt, default=0):
        p = self.field(table, i)
        return default if p is None else struct.unpack_from("<" + fmt, self.b, p)[0]

    def table(self, table, i):
        p = self.field(table, i)
        return None if p is None else self.deref(p)

    def vector(self, table, i):
        """(start, length) of a vector field; (0, 0) when absent."""
        p = self.field(table, i)
        if p is None:
            return 0, 0
        v = self.deref(p)
        return v + 4, self.u32(v)

    def tables(self, table, i):
        start, n = self.vector(table, i)
        return [self.deref(start + 4 * k) for k in range(n)]

    def ints(self, table, i):
        start, n = self.vector(table, i)
        return list(struct.unpack_from("<%di" % n, self.b, start)) if n else []

    def string(self, table, i):
        start, n = self.vector(table, i)
        return self.b[start:start + n].decode("utf-8", "replace") if n else ""

    def bytes(self, table, i):
        start, n = self.vector(table, i)
        return self.b[start:start + n]


class TFLite:
    """The first subgraph of a .tflite file: tensors (with constant data), operators, inputs, outputs."""

    def __init__(self, path):
        data = open(path, "rb").read()
        if data[4:8] != b"TFL3":
            raise ValueError("%s: not a TFLite flatbuffer (no TFL3 identifier)" % path)
        fb = FlatBuffer(data)
        model = fb.root()
        # Model: 0 version, 1 operator_codes, 2 subgraphs, 3 description, 4 buffers
        codes = []
        for oc in fb.tables(model, 1):
            # OperatorCode: 0 deprecated_builtin_code (int8), 1 custom_code, 2 version, 3 builtin_code (int32)
            code = max(fb.scalar(oc, 0, "b"), fb.scalar(oc, 3, "i"))
            codes.append(OPS.get(code, "builtin_%d" % code))
        buffers = []
        for bt in fb.tables(model, 4):
            # Buffer: 0 data ([ubyte]); 1 offset, 2 size (data outside the flatbuffer, files > 2 GB)
            if fb.scalar(bt, 1, "Q"):
                raise ValueError("buffers stored outside the flatbuffer are not supported")
            buffers.append(fb.bytes(bt, 0))
        subgraphs = fb.tables(model, 2)
        if len(subgraphs) != 1:
            raise ValueError("expected one subgraph, found %d" % len(subgraphs))
        g = subgraphs[0]
        # SubGraph: 0 tensors, 1 inputs, 2 outputs, 3 operators, 4 name
        self.tensors = []
        for t in fb.tables(g, 0):
            # Tensor: 0 shape, 1 type, 2 buffer, 3 name, 4 quantization
            shape = fb.ints(t, 0)
            ttype = fb.scalar(t, 1, "b")
            raw = buffers[fb.scalar(t, 2, "I")]
            value = None
            if len(raw):
                dtype = {TENSOR_FLOAT32: np.float32, TENSOR_INT32: np.int32}.get(ttype)
                if dtype is None:
                    raise ValueError("tensor %s: type %d not supported" % (fb.string(t, 3), ttype))
                value = np.frombuffer(bytes(raw), dtype=dtype).reshape(shape)
            elif ttype != TENSOR_FLOAT32:
                raise ValueError("tensor %s: activations must be float32 (type %d)" % (fb.string(t, 3), ttype))
            self.tensors.append({"name": fb.string(t, 3), "shape": shape, "value": value})
        self.inputs = fb.ints(g, 1)
        self.outputs = fb.ints(g, 2)
        self.ops = []
        for o in fb.tables(g, 3):
            # Operator: 0 opcode_index, 1 inputs, 2 outputs, 3 builtin_options_type, 4 builtin_options
            op = {"type": codes[fb.scalar(o, 0, "I")], "inputs": fb.ints(o, 1), "outputs": fb.ints(o, 2)}
            opt = fb.table(o, 4)
            if op["type"] == "CONV_2D":
                # Conv2DOptions: 0 padding, 1 stride_w, 2 stride_h, 3 fused_activation, 4/5 dilation w/h
                op.update(same=fb.scalar(opt, 0, "b") == 0, stride=(fb.scalar(opt, 2, "i"), fb.scalar(opt, 1, "i")),
                          act=fb.scalar(opt, 3, "b"), dilation=(fb.scalar(opt, 5, "i", 1), fb.scalar(opt, 4, "i", 1)),
                          multiplier=1)
            elif op["type"] == "DEPTHWISE_CONV_2D":
                # DepthwiseConv2DOptions: 0 padding, 1 stride_w, 2 stride_h, 3 depth_multiplier,
                # 4 fused_activation, 5/6 dilation w/h
                op.update(same=fb.scalar(opt, 0, "b") == 0, stride=(fb.scalar(opt, 2, "i"), fb.scalar(opt, 1, "i")),
                          multiplier=fb.scalar(opt, 3, "i", 1), act=fb.scalar(opt, 4, "b"),
                          dilation=(fb.scalar(opt, 6, "i", 1), fb.scalar(opt, 5, "i", 1)))
            elif op["type"] in ("ADD", "SUB", "MUL"):
                # AddOptions / SubOptions / MulOptions: 0 fused_activation
                op["act"] = fb.scalar(opt, 0, "b") if opt is not None else ACT_NONE
            elif op["type"] not in ("RELU", "RELU6", "ABS", "RESHAPE"):
                raise ValueError("operator %s not supported" % op["type"])
            if op.get("act", ACT_NONE) not in (ACT_NONE, ACT_RELU, ACT_RELU6):
                raise ValueError("fused activation %d not supported" % op["act"])
            self.ops.append(op)

    def const(self, i):
        return self.tensors[i]["value"]


def same_pads(size, kernel, stride, dilation):
    """TF 'SAME' padding of one axis: (before, after); the odd pixel goes after."""
    eff = (kernel - 1) * dilation + 1
    out = -(-size // stride)
    total = max(0, (out - 1) * stride + eff - size)
    return total // 2, total - total // 2


# -- numpy reference (NHWC, batch 1, TFLite semantics) -----------------------------------


def _activate(x, act):
    if act == ACT_RELU:
        return np.maximum(x, 0)
    if act == ACT_RELU6:
        return np.clip(x, 0, 6)
    return x


def _conv_nhwc(x, w, bias, op):
    """x [H,W,Cin]; CONV_2D w [Cout,kh,kw,Cin]; DEPTHWISE w [1,kh,kw,Cin*m]."""
    h, wd, cin = x.shape
    depthwise = op["type"] == "DEPTHWISE_CONV_2D"
    kh, kw = w.shape[1], w.shape[2]
    (sh, sw), (dh, dw) = op["stride"], op["dilation"]
    if op["same"]:
        pt, pb = same_pads(h, kh, sh, dh)
        pl, pr = same_pads(wd, kw, sw, dw)
    else:
        pt = pb = pl = pr = 0
    xp = np.pad(x, ((pt, pb), (pl, pr), (0, 0)))
    oh = (xp.shape[0] - ((kh - 1) * dh + 1)) // sh + 1
    ow = (xp.shape[1] - ((kw - 1) * dw + 1)) // sw + 1
    cout = w.shape[3] if depthwise else w.shape[0]
    out = np.zeros((oh, ow, cout), np.float64)
    for i in range(kh):
        for j in range(kw):
            patch = xp[i * dh:i * dh + (oh - 1) * sh + 1:sh, j * dw:j * dw + (ow - 1) * sw + 1:sw, :]
            if depthwise:
                out += np.repeat(patch, op["multiplier"], axis=2) * w[0, i, j, :]
            else:
                out += patch @ w[:, i, j, :].T.astype(np.float64)
    return _activate(out + bias, op.get("act", ACT_NONE))


def reference(model, x_nhwc):
    """Runs the graph on one image x [H,W,C] (float): the output tensors, batch dimension dropped."""
    vals = {model.inputs[0]: np.asarray(x_nhwc, np.float64)}

    def get(i):
        if i in vals:
            return vals[i]
        c = model.const(i)
        if c is None:
            raise ValueError("tensor %d has no value" % i)
        # Constants that carry the batch axis (e.g. [1,1,1,C]) lose it like the activations.
        c = np.asarray(c, np.float64)
        return c.reshape(c.shape[1:]) if c.ndim == 4 else c

    for op in model.ops:
        t, ins = op["type"], op["inputs"]
        if t in ("CONV_2D", "DEPTHWISE_CONV_2D"):
            y = _conv_nhwc(get(ins[0]), model.const(ins[1]).astype(np.float64),
                           model.const(ins[2]) if len(ins) > 2 and ins[2] >= 0 else 0.0, op)
        elif t in ("ADD", "SUB", "MUL"):
            a, b = get(ins[0]), get(ins[1])
            y = _activate(a + b if t == "ADD" else a - b if t == "SUB" else a * b, op["act"])
        elif t == "RELU":
            y = np.maximum(get(ins[0]), 0)
        elif t == "RELU6":
            y = np.clip(get(ins[0]), 0, 6)
        elif t == "ABS":
            y = np.abs(get(ins[0]))
        elif t == "RESHAPE":
            y = get(ins[0]).reshape(-1)
        vals[op["outputs"][0]] = y
    return [vals[o].astype(np.float32) for o in model.outputs]


# -- ONNX (NCHW, batch 1) ---------------------------------------------------------------


def _prelu_matches(model, ops, k, consumers):
    """ops[k..k+4] = relu(x), abs(x), sub(x, abs), mul(a, sub), add(relu, mul): the slope, or None."""
    if k + 4 >= len(ops):
        return None
    relu, ab, sub, mul, add = ops[k:k + 5]
    if [o["type"] for o in (relu, ab, sub, mul, add)] != ["RELU", "ABS", "SUB", "MUL", "ADD"]:
        return None
    x = relu["inputs"][0]
    if ab["inputs"][0] != x or sub["inputs"] != [x, ab["outputs"][0]] or sub["act"] or mul["act"] or add["act"]:
        return None
    m_in = mul["inputs"]
    if sub["outputs"][0] not in m_in:
        return None
    slope = model.const(m_in[0] if m_in[1] == sub["outputs"][0] else m_in[1])
    if slope is None or sorted(add["inputs"]) != sorted([relu["outputs"][0], mul["outputs"][0]]):
        return None
    inner = [relu["outputs"][0], ab["outputs"][0], sub["outputs"][0], mul["outputs"][0]]
    if any(len(consumers.get(v, [])) != 1 for v in inner):
        return None
    # relu(x) + s*(x - |x|) = x for x > 0, 2*s*x below: PRelu with slope 2s.
    return 2.0 * np.asarray(slope, np.float32).reshape(-1)


def to_onnx(model, name="tflite", input_scale=1.0):
    """The ONNX model; with input_scale != 1 the graph multiplies its input by it first."""
    b = Builder(name)
    inp = model.tensors[model.inputs[0]]
    n, h, w, c = inp["shape"]
    names = {model.inputs[0]: b.add_input("input", [1, c, h, w])}
    if input_scale != 1.0:
        names[model.inputs[0]] = b.node("Mul", ["input", b.const(np.array([input_scale], np.float32))], "input_scaled")
    shapes = {model.inputs[0]: [c, h, w]}  # CHW of every activation
    consumers = {}
    for op in model.ops:
        for i in op["inputs"]:
            consumers.setdefault(i, []).append(op)

    def value(i, like_channels=None):
        """An op input as an ONNX name: an activation, or a constant laid out for NCHW broadcasting."""
        if i in names:
            return names[i]
        cst = np.asarray(model.const(i), np.float32)
        if cst.size == 1:
            return b.const(cst.reshape(1))
        flat = cst.reshape(-1)
        if like_channels is not None and flat.size == like_channels:
            return b.const(flat.reshape(1, -1, 1, 1))
        raise ValueError("constant %s %s cannot broadcast over NCHW" % (model.tensors[i]["name"], cst.shape))

    def act(v, a, base):
        if a == ACT_RELU:
            return b.node("Relu", [v], base + "_relu")
        if a == ACT_RELU6:
            return b.node("Clip", [v], base + "_relu6", min=0.0, max=6.0)
        return v

    k = 0
    while k < len(model.ops):
        op = model.ops[k]
        t, ins, out = op["type"], op["inputs"], op["outputs"][0]
        base = model.tensors[out]["name"].replace("/", "_") or "t%d" % out
        slope = _prelu_matches(model, model.ops, k, consumers)
        if slope is not None:
            x = ins[0]
            y_out = model.ops[k + 4]["outputs"][0]
            names[y_out] = b.node("PRelu", [names[x], b.const(slope.reshape(-1, 1, 1), base + "_slope")],
                                  model.tensors[y_out]["name"].replace("/", "_"))
            shapes[y_out] = shapes[x]
            k += 5
            continue
        if t in ("CONV_2D", "DEPTHWISE_CONV_2D"):
            cin, ih, iw = shapes[ins[0]]
            wt = np.asarray(model.const(ins[1]), np.float32)
            kh, kw = wt.shape[1], wt.shape[2]
            if t == "CONV_2D":
                wo = wt.transpose(0, 3, 1, 2)  # OHWI -> OIHW
                group = 1
            else:
                wo = wt.transpose(3, 0, 1, 2)  # 1,H,W,C*m -> C*m,1,H,W
                group = cin
            cout = wo.shape[0]
            (sh, sw), (dh, dw) = op["stride"], op["dilation"]
            if op["same"]:
                pt, pb = same_pads(ih, kh, sh, dh)
                pl, pr = same_pads(iw, kw, sw, dw)
            else:
                pt = pb = pl = pr = 0
            conv_in = [names[ins[0]], b.const(wo, base + "_w")]
            if len(ins) > 2 and ins[2] >= 0:
                conv_in.append(b.const(np.asarray(model.const(ins[2]), np.float32).reshape(-1), base + "_b"))
            y = b.node("Conv", conv_in, base, kernel_shape=[kh, kw], strides=[sh, sw], dilations=[dh, dw],
                       pads=[pt, pl, pb, pr], group=group)
            names[out] = act(y, op["act"], base)
            shapes[out] = [cout, (ih + pt + pb - ((kh - 1) * dh + 1)) // sh + 1,
                           (iw + pl + pr - ((kw - 1) * dw + 1)) // sw + 1]
        elif t in ("ADD", "SUB", "MUL"):
            act_in = [i for i in ins if i in names]
            if not act_in:
                raise ValueError("%s of two constants" % t)
            shp = shapes[act_in[0]]
            y = b.node({"ADD": "Add", "SUB": "Sub", "MUL": "Mul"}[t], [value(i, shp[0]) for i in ins], base)
            names[out] = act(y, op["act"], base)
            shapes[out] = shp
        elif t in ("RELU", "RELU6", "ABS"):
            if t == "RELU":
                y = b.node("Relu", [names[ins[0]]], base)
            elif t == "RELU6":
                y = b.node("Clip", [names[ins[0]]], base, min=0.0, max=6.0)
            else:
                y = b.node("Abs", [names[ins[0]]], base)
            names[out] = y
            shapes[out] = shapes[ins[0]]
        elif t == "RESHAPE":
            cc, hh, ww = shapes[ins[0]]
            if hh != 1 or ww != 1:
                raise ValueError("RESHAPE of a %dx%d map: only the final squeeze to [N, C] is supported" % (hh, ww))
            names[out] = b.node("Flatten", [names[ins[0]]], base, axis=1)
            shapes[out] = [cc]
        k += 1
    for o in model.outputs:
        shp = shapes[o]
        b.add_output(names[o], model.tensors[o]["name"].replace("/", "_") or "output", [1] + shp)
    return b.model("converted by tools/convert/tflite2onnx.py")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("tflite")
    ap.add_argument("onnx")
    ap.add_argument("--check", action="store_true",
                    help="write <onnx>.check.in.f32 (random NCHW input) and .check.out.f32 (numpy reference output)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--input-scale", type=float, default=1.0,
                    help="multiply the input by this first (e.g. 127.5/128: a model trained on (x-127.5)/128 fed "
                         "(x-127.5)/127.5)")
    args = ap.parse_args()
    model = TFLite(args.tflite)
    onx = to_onnx(model, os.path.splitext(os.path.basename(args.tflite))[0], args.input_scale)
    with open(args.onnx, "wb") as f:
        f.write(onx.SerializeToString())
    kinds = {}
    for nd in onx.graph.node:
        kinds[nd.op_type] = kinds.get(nd.op_type, 0) + 1
    print("%s: %d tflite ops -> %d onnx nodes %s; input %s, output %s" % (
        args.onnx, len(model.ops), len(onx.graph.node), kinds,
        [d.dim_value for d in onx.graph.input[0].type.tensor_type.shape.dim],
        [d.dim_value for d in onx.graph.output[0].type.tensor_type.shape.dim]))
    if args.check:
        _, h, w, c = model.tensors[model.inputs[0]]["shape"]
        x = np.random.RandomState(args.seed).uniform(-1, 1, (h, w, c)).astype(np.float32)
        y = reference(model, x * np.float32(args.input_scale))[0]
        x.transpose(2, 0, 1).astype("<f4").tofile(args.onnx + ".check.in.f32")
        y.astype("<f4").tofile(args.onnx + ".check.out.f32")
        print("reference output: %d values, |y| %.4f, first %s" % (y.size, float(np.linalg.norm(y)), y[:4]))


if __name__ == "__main__":
    main()
