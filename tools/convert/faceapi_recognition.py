"""face-api's face_recognition_model (a dlib ResNet-34-like metric net) as ONNX.

face-api ships only weights (face_recognition_model-weights_manifest.json);
the network is JavaScript (src/faceRecognitionNet/*.ts in the package).
This module rebuilds that forward pass:

  x: [1,150,150,3] RGB 0..255
  x = (x - [122.782, 117.001, 104.298]) / 255
  conv32_down:   conv 7x7/2 valid + bias, scale (x*w+b), relu
  maxpool 3x3/2 valid
  residual x3 (32), residualDown + residual x3 (64), residualDown + residual x2 (128),
  residualDown + residual x2 (256), residualDown (conv256_down_out)
  mean over H,W -> [1,256];  matMul fc [256,128] -> descriptor [1,128]

  residual(x):     relu(convNoRelu(conv(x)) + x)          (3x3/1 same convs)
  residualDown(x): a = convNoRelu(convDown(x)) (3x3/2 valid, then 3x3/1 same)
                   p = avgPool(x, 2, 2, valid), zero-padded on channels when
                   a has more; a is zero-padded bottom/right when smaller
                   relu(a + p)

Each conv+bias+scale triple is folded into one Conv (W*s, bias*s+b).
"""

import numpy as np

from onnx_builder import Builder
from tfjs_model import load_weights_manifest

MEAN_RGB = np.array([122.782, 117.001, 104.298], np.float32)
INPUT_SIZE = 150

BLOCKS = [
    ("conv32_1", "res"), ("conv32_2", "res"), ("conv32_3", "res"),
    ("conv64_down", "down"), ("conv64_1", "res"), ("conv64_2", "res"), ("conv64_3", "res"),
    ("conv128_down", "down"), ("conv128_1", "res"), ("conv128_2", "res"),
    ("conv256_down", "down"), ("conv256_1", "res"), ("conv256_2", "res"),
    ("conv256_down_out", "down"),
]


class _Net:
    def __init__(self, weights):
        self.w = weights
        self.b = Builder("faceapi_recognition")
        self.used = set()

    def take(self, name):
        self.used.add(name)
        return self.w[name]

    def conv(self, x, shape, prefix, stride, padding, relu):
        """x is NCHW with spatial ``shape`` [H, W, C]; returns (value, new shape)."""
        h, w, c = shape
        f = self.take(prefix + "/conv/filters")  # HWIO
        bias = self.take(prefix + "/conv/bias")
        s_w = self.take(prefix + "/scale/weights")
        s_b = self.take(prefix + "/scale/biases")
        kh, kw, cin, cout = f.shape
        assert cin == c, (prefix, f.shape, shape)
        wk = (f.astype(np.float64) * s_w.astype(np.float64)).astype(np.float32).transpose(3, 2, 0, 1)
        bk = (bias.astype(np.float64) * s_w + s_b).astype(np.float32)
        if padding == "same":
            assert stride == 1 and kh % 2 == 1 and kw % 2 == 1
            pads = [kh // 2, kw // 2, kh // 2, kw // 2]
            oh, ow = h, w
        else:
            pads = [0, 0, 0, 0]
            oh, ow = (h - kh) // stride + 1, (w - kw) // stride + 1
        y = self.b.node("Conv", [x, self.b.const(np.ascontiguousarray(wk), prefix + "/W"), self.b.const(bk, prefix + "/B")],
                        prefix, kernel_shape=[kh, kw], strides=[stride, stride], pads=pads, group=1)
        if relu:
            y = self.b.node("Relu", [y], prefix + "/relu")
        return y, [oh, ow, cout]

    def residual(self, x, shape, prefix):
        y, s = self.conv(x, shape, prefix + "/conv1", 1, "same", True)
        y, s = self.conv(y, s, prefix + "/conv2", 1, "same", False)
        y = self.b.node("Add", [y, x], prefix + "/add")
        return self.b.node("Relu", [y], prefix + "/out"), s

    def residual_down(self, x, shape, prefix):
        y, s = self.conv(x, shape, prefix + "/conv1", 2, "valid", True)
        y, s = self.conv(y, s, prefix + "/conv2", 1, "same", False)
        h, w, c = shape
        p = self.b.node("AveragePool", [x], prefix + "/pool", kernel_shape=[2, 2], strides=[2, 2], pads=[0, 0, 0, 0])
        ph, pw = h // 2, w // 2
        if (ph, pw) != (s[0], s[1]):
            dh, dw = ph - s[0], pw - s[1]
            assert dh >= 0 and dw >= 0
            y = self.b.node("Pad", [y], prefix + "/pad_hw", mode="constant", pads=[0, 0, 0, 0, 0, 0, dh, dw], value=0.0)
            s = [ph, pw, s[2]]
        if c != s[2]:
            p = self.b.node("Pad", [p], prefix + "/pad_c", mode="constant", pads=[0, 0, 0, 0, 0, s[2] - c, 0, 0], value=0.0)
        y = self.b.node("Add", [y, p], prefix + "/add")
        return self.b.node("Relu", [y], prefix + "/out"), s

    def build(self):
        b = self.b
        x = b.add_input("input", [1, 3, INPUT_SIZE, INPUT_SIZE])
        x = b.node("Add", [x, b.const((-MEAN_RGB).reshape(3, 1, 1), "neg_mean")], "sub_mean")
        x = b.node("Mul", [x, b.const(np.full([1], 1.0 / 255.0, np.float32), "inv255")], "normalized")
        y, s = self.conv(x, [INPUT_SIZE, INPUT_SIZE, 3], "conv32_down", 2, "valid", True)
        y = b.node("MaxPool", [y], "maxpool", kernel_shape=[3, 3], strides=[2, 2], pads=[0, 0, 0, 0])
        s = [(s[0] - 3) // 2 + 1, (s[1] - 3) // 2 + 1, s[2]]
        for prefix, kind in BLOCKS:
            y, s = (self.residual if kind == "res" else self.residual_down)(y, s, prefix)
        y = b.node("GlobalAveragePool", [y], "global_avg")
        y = b.node("Flatten", [y], "global_avg/flat", axis=1)
        fc = self.take("fc")  # [256, 128]
        y = b.node("Gemm", [y, b.const(np.ascontiguousarray(fc.T.astype(np.float32)), "fc/W"),
                            b.const(np.zeros([fc.shape[1]], np.float32), "fc/B")],
                   "fc", transB=1, alpha=1.0, beta=1.0)
        b.add_output(y, "descriptor", [1, fc.shape[1]])
        unused = set(self.w) - self.used
        if unused:
            raise ValueError("weights not used by the rebuilt network: %s" % sorted(unused))
        return b.model("face-api face_recognition_model rebuilt from src/faceRecognitionNet by tools/convert")


def convert_faceapi_recognition(manifest_path):
    model = _Net(load_weights_manifest(manifest_path)).build()
    info = {
        "input": {"name": "input", "onnx_shape": [1, 3, INPUT_SIZE, INPUT_SIZE],
                  "tf_shape": [1, INPUT_SIZE, INPUT_SIZE, 3]},
        "outputs": [{"name": "descriptor", "shape": [1, 128], "signature_key": "descriptor"}],
    }
    return model, info
