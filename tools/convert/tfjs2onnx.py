"""TF.js GraphModel -> ONNX (opset 10) for OpenCV 4.6's ONNX importer.

TF.js graphs are NHWC; OpenCV's DNN module is NCHW. The converter tracks,
for every TensorFlow tensor, its TF (NHWC) shape and how the ONNX value
holding it is laid out:

  * ``nchw``  - a rank-4 TF tensor [N,H,W,C] stored as ONNX [N,C,H,W];
  * ``same``  - stored exactly as TF has it (rank != 4, or after a Reshape).

Convolutions, pools, pads and channel-wise arithmetic work on ``nchw``
values; Reshape (whose element order is NHWC in TF) transposes back to
``same`` first. The image input is exposed as [1,3,H,W] so C++ can feed
``cv::dnn::blobFromImage`` directly.

Only the ops these face models use are mapped (see docs/model-conversion.md);
anything else stops the conversion with a clear error rather than guessing.
"""

import numpy as np

from onnx_builder import FLT_MAX, Builder
from tfjs_model import GraphModel, attr, strip_input

NHWC_TO_NCHW = [0, 3, 1, 2]
NCHW_TO_NHWC = [0, 2, 3, 1]


class V:
    """One TF tensor: TF shape, its ONNX value (or a numpy constant), layout."""

    def __init__(self, shape, onnx=None, layout="same", const=None):
        self.shape = [int(d) for d in shape]
        self.onnx = onnx
        self.layout = layout
        self.const = const

    @property
    def rank(self):
        return len(self.shape)


class ConversionError(Exception):
    pass


def same_pads(in_size, k, stride, dilation=1):
    """TF 'SAME': output = ceil(in/stride); the extra goes after (bottom/right)."""
    k_eff = (k - 1) * dilation + 1
    out = -(-in_size // stride)
    total = max((out - 1) * stride + k_eff - in_size, 0)
    return total // 2, total - total // 2, out


def valid_out(in_size, k, stride, dilation=1):
    k_eff = (k - 1) * dilation + 1
    return (in_size - k_eff) // stride + 1


class Converter:
    def __init__(self, model: GraphModel, name, input_shape=None):
        self.m = model
        self.b = Builder(name)
        self.vals = {}
        self.input_shape = input_shape
        self._layout_cache = {}

    # -- layout helpers -------------------------------------------------------
    def nchw(self, v: V):
        """ONNX name of a rank-4 value in NCHW layout."""
        if v.const is not None:
            return self.b.const(np.ascontiguousarray(v.const.astype(np.float32).transpose(NHWC_TO_NCHW)), "c")
        assert v.rank == 4, v.shape
        if v.layout == "nchw":
            return v.onnx
        key = (v.onnx, "nchw")
        if key not in self._layout_cache:
            self._layout_cache[key] = self.b.node("Transpose", [v.onnx], v.onnx + "/nchw", perm=NHWC_TO_NCHW)
        return self._layout_cache[key]

    def plain(self, v: V):
        """ONNX name of a value in TF's own layout."""
        if v.const is not None:
            return self.b.const(v.const.astype(np.float32), "c")
        if v.layout == "same":
            return v.onnx
        key = (v.onnx, "same")
        if key not in self._layout_cache:
            self._layout_cache[key] = self.b.node("Transpose", [v.onnx], v.onnx + "/nhwc", perm=NCHW_TO_NHWC)
        return self._layout_cache[key]

    def channel_const(self, c, dyn: V):
        """A constant broadcast against ``dyn`` along TF's last axis, in ``dyn``'s layout."""
        c = np.asarray(c, dtype=np.float32)
        if c.size == 1:
            return self.b.const(c.reshape([1]), "s")
        if dyn.layout == "nchw":
            if c.shape[-1] != c.size or c.size != dyn.shape[3]:
                raise ConversionError("non per-channel constant %s against %s" % (c.shape, dyn.shape))
            return self.b.const(c.reshape([c.size, 1, 1]), "cc")
        return self.b.const(c, "c")

    def out_like(self, v: V):
        return "nchw" if v.layout == "nchw" else "same"

    def input_value(self, v: V):
        return self.nchw(v) if v.rank == 4 else self.plain(v)

    # -- conversion driver ---------------------------------------------------
    def topo_order(self, outputs):
        order, seen = [], set()

        def visit(name):
            if name in seen:
                return
            seen.add(name)
            node = self.m.nodes[name]
            for i in node.get("input", []):
                if not i.startswith("^"):
                    visit(strip_input(i))
            order.append(name)

        for o in outputs:
            visit(o)
        return order

    def convert(self, output_names=None):
        outputs = output_names or self.m.output_names()
        for name in self.topo_order(outputs):
            node = self.m.nodes[name]
            op = node["op"]
            fn = getattr(self, "op_" + op.lstrip("_"), None)
            if fn is None:
                raise ConversionError("unsupported op %s (node %s)" % (op, name))
            ins = [self.vals[strip_input(i)] for i in node.get("input", []) if not i.startswith("^")]
            self.vals[name] = fn(node, ins)
        result = []
        for o in outputs:
            v = self.vals[o]
            onnx_name = self.b.add_output(self.plain(v), o, v.shape)
            result.append((onnx_name, v.shape))
        return result

    def emit(self, node, op, inputs, **attrs):
        return self.b.node(op, inputs, node["name"], **attrs)

    # -- sources ---------------------------------------------------------------
    def op_Placeholder(self, node, ins):
        shape = attr(node, "shape") or []
        if self.input_shape:
            shape = list(self.input_shape)
        if not shape:
            sig = self.m.signature.get("inputs", {})
            for s in sig.values():
                if s["name"].split(":")[0] == node["name"]:
                    shape = [int(d["size"]) for d in s["tensorShape"]["dim"]]
        shape = [1 if d < 0 else d for d in shape]
        if len(shape) != 4:
            raise ConversionError("only image inputs are supported, got %s" % shape)
        n, h, w, c = shape
        onnx = self.b.add_input(node["name"], [n, c, h, w])
        return V(shape, onnx, "nchw")

    def op_Const(self, node, ins):
        c = self.m.const_value(node["name"])
        return V(c.shape, const=c)

    def op_Identity(self, node, ins):
        return ins[0]

    # -- convolution ------------------------------------------------------------
    def _conv(self, node, x: V, w_onnx, kh, kw, cout, group, bias, fused, extra):
        strides = attr(node, "strides", [1, 1, 1, 1])
        dil = attr(node, "dilations", [1, 1, 1, 1])
        if attr(node, "data_format", "NHWC") != "NHWC":
            raise ConversionError("only NHWC convolutions are supported")
        n, h, w, _ = x.shape
        sh, sw = strides[1], strides[2]
        dh, dw = dil[1], dil[2]
        xin = self.nchw(x)
        padding = attr(node, "padding")
        if padding == "SAME":
            pt, pb, oh = same_pads(h, kh, sh, dh)
            pl, pr, ow = same_pads(w, kw, sw, dw)
        elif padding == "VALID":
            pt = pb = pl = pr = 0
            oh, ow = valid_out(h, kh, sh, dh), valid_out(w, kw, sw, dw)
        elif padding == "EXPLICIT":
            ep = attr(node, "explicit_paddings")
            pt, pb, pl, pr = ep[2], ep[3], ep[4], ep[5]
            oh = (h + pt + pb - ((kh - 1) * dh + 1)) // sh + 1
            ow = (w + pl + pr - ((kw - 1) * dw + 1)) // sw + 1
        else:
            raise ConversionError("padding %s" % padding)
        pads = [pt, pl, pb, pr]
        if pt != pb or pl != pr:
            # Asymmetric (TF SAME with an odd total): a separate zero Pad.
            xin = self.b.node("Pad", [xin], node["name"] + "/pad", mode="constant",
                              pads=[0, 0, pt, pl, 0, 0, pb, pr], value=0.0)
            pads = [0, 0, 0, 0]
        inputs = [xin, w_onnx]
        if bias is not None:
            inputs.append(self.b.const(np.asarray(bias, np.float32).reshape([cout]), "b"))
        has_act = any(f != "BiasAdd" for f in fused)
        y = self.b.node("Conv", inputs, node["name"] + ("/conv" if has_act else ""),
                        kernel_shape=[kh, kw], strides=[sh, sw], dilations=[dh, dw], pads=pads, group=group)
        out = V([n, oh, ow, cout], y, "nchw")
        return self._activation(node, out, fused, extra)

    def _activation(self, node, v: V, fused, extra):
        """Applies fused_ops after BiasAdd: Relu, Relu6, Prelu, LeakyRelu, Elu, Sigmoid."""
        acts = [f for f in fused if f not in ("BiasAdd",)]
        if not acts:
            return v
        if len(acts) != 1:
            raise ConversionError("fused ops %s" % fused)
        act = acts[0]
        src = v.onnx
        name = node["name"]
        if act == "Relu":
            y = self.b.node("Relu", [src], name)
        elif act == "Relu6":
            y = self.b.node("Clip", [src], name, min=0.0, max=6.0)
        elif act == "Prelu":
            alpha = extra[0].const
            if alpha is None:
                raise ConversionError("dynamic PReLU slope")
            y = self.b.node("PRelu", [src, self.channel_const(alpha, v)], name)
        elif act == "LeakyRelu":
            y = self.b.node("LeakyRelu", [src], name, alpha=attr(node, "leakyrelu_alpha", 0.2))
        elif act == "Elu":
            y = self.b.node("Elu", [src], name, alpha=1.0)
        elif act == "Sigmoid":
            y = self.b.node("Sigmoid", [src], name)
        else:
            raise ConversionError("fused activation %s" % act)
        return V(v.shape, y, v.layout)

    def _fused_args(self, node, ins, first_extra):
        fused = attr(node, "fused_ops", [])
        num_args = attr(node, "num_args", 0)
        args = ins[first_extra:first_extra + num_args]
        bias = None
        rest = args
        if "BiasAdd" in fused:
            bias = args[0].const
            rest = args[1:]
        return fused, bias, rest

    def op_Conv2D(self, node, ins):
        x, wv = ins[0], ins[1]
        return self._conv2d(node, x, wv, [], None, [])

    def op_FusedConv2D(self, node, ins):
        fused, bias, rest = self._fused_args(node, ins, 2)
        return self._conv2d(node, ins[0], ins[1], fused, bias, rest)

    def _conv2d(self, node, x, wv, fused, bias, rest):
        if wv.const is None:
            raise ConversionError("dynamic filter in %s" % node["name"])
        wk = wv.const.astype(np.float32)  # HWIO
        kh, kw, cin, cout = wk.shape
        if cin != x.shape[3]:
            raise ConversionError("grouped Conv2D not supported (%s)" % node["name"])
        w_onnx = self.b.const(np.ascontiguousarray(wk.transpose(3, 2, 0, 1)), node["name"] + "/W")
        return self._conv(node, x, w_onnx, kh, kw, cout, 1, bias, fused, rest)

    def op_DepthwiseConv2dNative(self, node, ins):
        return self._depthwise(node, ins[0], ins[1], [], None, [])

    def op_FusedDepthwiseConv2dNative(self, node, ins):
        fused, bias, rest = self._fused_args(node, ins, 2)
        return self._depthwise(node, ins[0], ins[1], fused, bias, rest)

    def _depthwise(self, node, x, wv, fused, bias, rest):
        wk = wv.const.astype(np.float32)  # H, W, C, M
        kh, kw, c, mult = wk.shape
        # TF output channel c*M + m <- ONNX group c, output m.
        w = wk.reshape(kh, kw, c * mult).transpose(2, 0, 1).reshape(c * mult, 1, kh, kw)
        w_onnx = self.b.const(np.ascontiguousarray(w), node["name"] + "/W")
        return self._conv(node, x, w_onnx, kh, kw, c * mult, c, bias, fused, rest)

    # -- pooling -----------------------------------------------------------------
    def _pool(self, node, ins, onnx_op, pad_value):
        x = ins[0]
        k = attr(node, "ksize")
        s = attr(node, "strides")
        if attr(node, "data_format", "NHWC") != "NHWC":
            raise ConversionError("only NHWC pooling is supported")
        n, h, w, c = x.shape
        kh, kw, sh, sw = k[1], k[2], s[1], s[2]
        xin = self.nchw(x)
        if attr(node, "padding") == "SAME":
            pt, pb, oh = same_pads(h, kh, sh)
            pl, pr, ow = same_pads(w, kw, sw)
        else:
            pt = pb = pl = pr = 0
            oh, ow = valid_out(h, kh, sh), valid_out(w, kw, sw)
        attrs = dict(kernel_shape=[kh, kw], strides=[sh, sw], pads=[pt, pl, pb, pr])
        if (pt, pb, pl, pr) != (0, 0, 0, 0):
            if onnx_op == "AveragePool":
                # TF's SAME average ignores padded cells; OpenCV's importer does not
                # promise that for asymmetric pads, so refuse instead of being wrong.
                raise ConversionError("padded AvgPool not supported (%s)" % node["name"])
            xin = self.b.node("Pad", [xin], node["name"] + "/pad", mode="constant",
                              pads=[0, 0, pt, pl, 0, 0, pb, pr], value=pad_value)
            attrs["pads"] = [0, 0, 0, 0]
        y = self.b.node(onnx_op, [xin], node["name"], **attrs)
        return V([n, oh, ow, c], y, "nchw")

    def op_MaxPool(self, node, ins):
        return self._pool(node, ins, "MaxPool", -FLT_MAX)

    def op_AvgPool(self, node, ins):
        return self._pool(node, ins, "AveragePool", 0.0)

    # -- element-wise --------------------------------------------------------------
    def _unary(self, node, ins, op, **attrs):
        x = ins[0]
        if x.const is not None:
            raise ConversionError("constant-only %s" % node["op"])
        src = x.onnx
        y = self.b.node(op, [src], node["name"], **attrs)
        return V(x.shape, y, x.layout)

    def op_Relu(self, node, ins):
        return self._unary(node, ins, "Relu")

    def op_Relu6(self, node, ins):
        return self._unary(node, ins, "Clip", min=0.0, max=6.0)

    def op_Sigmoid(self, node, ins):
        return self._unary(node, ins, "Sigmoid")

    def op_Tanh(self, node, ins):
        return self._unary(node, ins, "Tanh")

    def op_Elu(self, node, ins):
        return self._unary(node, ins, "Elu", alpha=1.0)

    def op_LeakyRelu(self, node, ins):
        return self._unary(node, ins, "LeakyRelu", alpha=attr(node, "alpha", 0.2))

    def op_Prelu(self, node, ins):
        x, a = ins
        if a.const is None:
            raise ConversionError("dynamic PReLU slope")
        y = self.b.node("PRelu", [x.onnx, self.channel_const(a.const, x)], node["name"])
        return V(x.shape, y, x.layout)

    def op_Softmax(self, node, ins):
        x = ins[0]
        if x.rank != 2:
            raise ConversionError("Softmax on rank %d" % x.rank)
        return self._unary(node, ins, "Softmax", axis=1)

    def _binary(self, node, ins, op):
        a, b = ins
        if a.const is not None and b.const is not None:
            fn = {"Add": np.add, "Sub": np.subtract, "Mul": np.multiply, "Div": np.divide,
                  "Min": np.minimum, "Max": np.maximum}[op]
            c = fn(a.const, b.const)
            return V(c.shape, const=c)
        if a.const is not None or b.const is not None:
            dyn, c, c_first = (b, a.const, True) if a.const is not None else (a, b.const, False)
            c = np.asarray(c, np.float32)
            if op in ("Min", "Max"):
                if c.size != 1:
                    raise ConversionError("%s against a non-scalar constant" % op)
                lim = float(c.reshape(-1)[0])
                kw = {"max": lim} if op == "Min" else {"min": lim}
                y = self.b.node("Clip", [dyn.onnx], node["name"], **kw)
                return V(dyn.shape, y, dyn.layout)
            if op == "Sub" and not c_first:
                op, c = "Add", -c
            elif op == "Div" and not c_first:
                op, c = "Mul", 1.0 / c
            elif op in ("Sub", "Div"):
                raise ConversionError("constant %s dynamic" % op)
            if len(c.shape) > 1 and int(np.prod(c.shape[:-1])) != 1:
                raise ConversionError("%s: constant of shape %s" % (node["name"], c.shape))
            y = self.b.node(op, [dyn.onnx, self.channel_const(c, dyn)], node["name"])
            return V(dyn.shape, y, dyn.layout)
        if a.shape != b.shape:
            raise ConversionError("%s: broadcasting %s with %s" % (node["name"], a.shape, b.shape))
        if a.rank == 4:
            y = self.b.node(op, [self.nchw(a), self.nchw(b)], node["name"])
            return V(a.shape, y, "nchw")
        y = self.b.node(op, [self.plain(a), self.plain(b)], node["name"])
        return V(a.shape, y, "same")

    def op_Add(self, node, ins):
        return self._binary(node, ins, "Add")

    op_AddV2 = op_Add
    op_BiasAdd = op_Add

    def op_Sub(self, node, ins):
        return self._binary(node, ins, "Sub")

    def op_Mul(self, node, ins):
        return self._binary(node, ins, "Mul")

    def op_RealDiv(self, node, ins):
        return self._binary(node, ins, "Div")

    def op_Minimum(self, node, ins):
        return self._binary(node, ins, "Min")

    def op_Maximum(self, node, ins):
        return self._binary(node, ins, "Max")

    # -- shape ops -----------------------------------------------------------------
    def op_Reshape(self, node, ins):
        x, s = ins
        target = [int(d) for d in s.const.reshape(-1)]
        total = int(np.prod(x.shape))
        if -1 in target:
            known = int(np.prod([d for d in target if d != -1]))
            target = [total // known if d == -1 else d for d in target]
        if int(np.prod(target)) != total:
            raise ConversionError("reshape %s -> %s" % (x.shape, target))
        y = self.b.node("Reshape", [self.plain(x), self.b.const(np.array(target, np.int64), "shape")], node["name"])
        return V(target, y, "same")

    def op_Pad(self, node, ins):
        x, p = ins[0], ins[1]
        value = 0.0
        if len(ins) > 2:
            value = float(ins[2].const.reshape(-1)[0])
        pads = p.const.astype(np.int64)
        shape = [d + int(pads[i, 0]) + int(pads[i, 1]) for i, d in enumerate(x.shape)]
        if x.rank == 4:
            order = NHWC_TO_NCHW
            onnx_pads = [int(pads[i, 0]) for i in order] + [int(pads[i, 1]) for i in order]
            y = self.b.node("Pad", [self.nchw(x)], node["name"], mode="constant", pads=onnx_pads, value=value)
            return V(shape, y, "nchw")
        onnx_pads = [int(v) for v in pads[:, 0]] + [int(v) for v in pads[:, 1]]
        y = self.b.node("Pad", [self.plain(x)], node["name"], mode="constant", pads=onnx_pads, value=value)
        return V(shape, y, "same")

    op_PadV2 = op_Pad

    def op_ConcatV2(self, node, ins):
        axis = int(ins[-1].const.reshape(-1)[0])
        parts = ins[:-1]
        rank = parts[0].rank
        axis = axis % rank
        shape = list(parts[0].shape)
        shape[axis] = sum(p.shape[axis] for p in parts)
        if rank == 4:
            onnx_axis = NHWC_TO_NCHW.index(axis)
            y = self.b.node("Concat", [self.nchw(p) for p in parts], node["name"], axis=onnx_axis)
            return V(shape, y, "nchw")
        y = self.b.node("Concat", [self.plain(p) for p in parts], node["name"], axis=axis)
        return V(shape, y, "same")

    def op_Mean(self, node, ins):
        x, ax = ins
        axes = sorted(int(a) % x.rank for a in ax.const.reshape(-1))
        keep = attr(node, "keep_dims", False)
        if x.rank == 4 and axes == [1, 2]:
            y = self.b.node("GlobalAveragePool", [self.nchw(x)], node["name"] + ("/gap" if not keep else ""))
            n, _, _, c = x.shape
            if keep:
                return V([n, 1, 1, c], y, "nchw")
            y = self.b.node("Flatten", [y], node["name"], axis=1)
            return V([n, c], y, "same")
        raise ConversionError("Mean over axes %s" % axes)

    # -- dense ---------------------------------------------------------------------
    def _matmul(self, node, ins, fused, bias, rest):
        a, wv = ins[0], ins[1]
        if attr(node, "transpose_a", False) or a.rank != 2:
            raise ConversionError("MatMul with transposed/non-2D input")
        if wv.const is None:
            raise ConversionError("MatMul with dynamic weights")
        w = wv.const.astype(np.float32)
        if not attr(node, "transpose_b", False):
            w = w.T  # OpenCV's Gemm wants B as [N, K] with transB=1
        n_out = w.shape[0]
        if bias is None:
            bias = np.zeros([n_out], np.float32)
        y = self.b.node("Gemm", [self.plain(a), self.b.const(np.ascontiguousarray(w), node["name"] + "/W"),
                                 self.b.const(np.asarray(bias, np.float32).reshape([n_out]), "b")],
                        node["name"] + ("/gemm" if [f for f in fused if f != "BiasAdd"] else ""),
                        transB=1, alpha=1.0, beta=1.0)
        out = V([a.shape[0], n_out], y, "same")
        return self._activation(node, out, fused, rest)

    def op_MatMul(self, node, ins):
        return self._matmul(node, ins, [], None, [])

    def op_FusedMatMul(self, node, ins):
        fused, bias, rest = self._fused_args(node, ins, 2)
        return self._matmul(node, ins, fused, bias, rest)


def convert_graph_model(json_path, name, input_shape=None):
    """Returns (onnx ModelProto, info dict with input/output names and shapes)."""
    gm = GraphModel(json_path)
    conv = Converter(gm, name, input_shape)
    outs = conv.convert()
    inputs = gm.input_names()
    in_v = conv.vals[inputs[0]]
    info = {
        "input": {"name": inputs[0], "onnx_shape": [in_v.shape[0], in_v.shape[3], in_v.shape[1], in_v.shape[2]],
                  "tf_shape": in_v.shape},
        "outputs": [{"name": n, "shape": s, "signature_key": gm.signature_keys().get(n, n)} for n, s in outs],
    }
    model = conv.b.model("Converted from TF.js graph model %s by tools/convert" % name)
    return model, info
