"""A small ONNX graph builder aimed at what OpenCV 4.6's ONNX importer loads.

Everything is emitted at opset 10 (OpenCV 4.6 reads ``Clip`` only in its
attribute form, i.e. opset < 11). Helpers take and return value names.
"""

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 10
FLT_MAX = float(np.finfo(np.float32).max)


class Builder:
    def __init__(self, name):
        self.name = name
        self.nodes = []
        self.inits = []
        self.inputs = []
        self.outputs = []
        self._used = set()
        self._const_cache = {}

    # -- names -------------------------------------------------------------
    def unique(self, base):
        base = base or "v"
        name = base
        i = 1
        while name in self._used:
            name = "%s__%d" % (base, i)
            i += 1
        self._used.add(name)
        return name

    # -- graph pieces --------------------------------------------------------
    def add_input(self, name, shape):
        self._used.add(name)
        self.inputs.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, list(shape)))
        return name

    def const(self, array, base="const"):
        array = np.asarray(array)
        if array.dtype == np.float64:
            array = array.astype(np.float32)
        key = (array.dtype.str, array.shape, array.tobytes())
        if key in self._const_cache:
            return self._const_cache[key]
        name = self.unique(base)
        self.inits.append(numpy_helper.from_array(array, name))
        self._const_cache[key] = name
        return name

    def node(self, op, inputs, base, n_out=1, **attrs):
        outs = [self.unique(base if n_out == 1 else "%s:%d" % (base, i)) for i in range(n_out)]
        self.nodes.append(helper.make_node(op, list(inputs), outs, name=outs[0], **attrs))
        return outs[0] if n_out == 1 else outs

    def add_output(self, value, name, shape):
        """Makes ``value`` a graph output called ``name`` (renaming its producer)."""
        producer = None
        for n in self.nodes:
            if value in n.output:
                producer = n
        is_output_already = any(o.name == value for o in self.outputs)
        if value == name and producer is not None and not is_output_already:
            pass
        elif producer is not None and not is_output_already and name not in self._used:
            self._rename(value, name)
        else:
            name = self.unique(name)
            self.nodes.append(helper.make_node("Identity", [value], [name], name=name))
        self._used.add(name)
        self.outputs.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, list(shape)))
        return name

    def _rename(self, old, new):
        for n in self.nodes:
            for i, v in enumerate(n.input):
                if v == old:
                    n.input[i] = new
            for i, v in enumerate(n.output):
                if v == old:
                    n.output[i] = new
                    if i == 0:
                        n.name = new
        self._used.add(new)

    # -- passes --------------------------------------------------------------
    def fuse_clamps(self):
        """Merges chains of Relu/Clip (e.g. Keras ReLU6 = Relu, Minimum, Maximum)
        into one Clip; a Clip of [0, inf) becomes Relu again."""
        def bounds(n):
            if n.op_type == "Relu":
                return 0.0, FLT_MAX
            lo, hi = -FLT_MAX, FLT_MAX
            for a in n.attribute:
                if a.name == "min":
                    lo = a.f
                if a.name == "max":
                    hi = a.f
            return lo, hi

        outputs = {o.name for o in self.outputs}
        changed = True
        while changed:
            changed = False
            producers = {o: n for n in self.nodes for o in n.output}
            consumers = {}
            for n in self.nodes:
                for i in n.input:
                    consumers.setdefault(i, []).append(n)
            for n in self.nodes:
                if n.op_type not in ("Relu", "Clip"):
                    continue
                p = producers.get(n.input[0])
                if p is None or p.op_type not in ("Relu", "Clip"):
                    continue
                if len(consumers.get(p.output[0], [])) != 1 or p.output[0] in outputs:
                    continue
                lo1, hi1 = bounds(p)
                lo2, hi2 = bounds(n)
                lo, hi = max(lo1, lo2), min(hi1, hi2)
                if lo == 0.0 and hi == FLT_MAX:
                    merged = helper.make_node("Relu", [p.input[0]], [n.output[0]], name=n.name)
                else:
                    merged = helper.make_node("Clip", [p.input[0]], [n.output[0]], name=n.name, min=lo, max=hi)
                idx = self.nodes.index(p)
                self.nodes[idx] = merged
                self.nodes.remove(n)
                changed = True
                break

    def prune(self):
        """Drops nodes and initializers that no output depends on."""
        needed = {o.name for o in self.outputs}
        keep = []
        for n in reversed(self.nodes):
            if any(o in needed for o in n.output):
                keep.append(n)
                needed.update(n.input)
        self.nodes = list(reversed(keep))
        self.inits = [t for t in self.inits if t.name in needed]

    def model(self, doc=""):
        self.fuse_clamps()
        self.prune()
        graph = helper.make_graph(self.nodes, self.name, self.inputs, self.outputs, self.inits)
        model = helper.make_model(graph, producer_name="facepass-tfjs2onnx",
                                  opset_imports=[helper.make_opsetid("", OPSET)])
        model.ir_version = 6  # what opset 10 tooling expects; OpenCV 4.6 reads it
        model.doc_string = doc
        onnx.checker.check_model(model)
        return model
