#!/usr/bin/python3
"""Score-level fusion of two embedders on lfw-dev, from facepass-eval's feature caches.

  /usr/bin/python3 tools/eval/fuse_scores.py .cache/eval/lfw-q2--<model A>.bin .cache/eval/lfw-q2--<model B>.bin \
      [--weights 0.5 0.6 0.7 0.8 0.9]

Both caches must list the same photos (facepass-eval writes them in one order).
Pairs are those facepass-eval's 1:1 table uses (every pair of photos with a face;
genuine = same identity), restricted to photos where both embedders have a
feature. Fused score = w * cos_A + (1 - w) * cos_B. TAR at FAR f as in
tools/eval/metrics.cc: the threshold is the floor(f * impostors)-th highest
impostor score, genuine pairs strictly above it are accepted. Prints each
embedder alone (to compare with facepass-eval's table) and each weight.
Needs python3-numpy (run with /usr/bin/python3); about 1 GB of memory.
"""

import argparse
import struct
import sys

import numpy as np

MAGIC = b"facepass-eval-cache-v2"
FARS = (1e-3, 1e-4, 1e-5)


def read_cache(path):
    """(model, [(path, identity, feature or None)]) from a tools/eval/dataset.cc cache."""
    data = open(path, "rb").read()
    pos = 0

    def take(n):
        nonlocal pos
        out = data[pos:pos + n]
        if len(out) != n:
            raise ValueError("%s: truncated" % path)
        pos += n
        return out

    def string():
        return take(struct.unpack("<I", take(4))[0])

    if string() != MAGIC:
        raise ValueError("%s: not a facepass-eval cache (v2)" % path)
    model = string().decode()
    count = struct.unpack("<Q", take(8))[0]
    photos = []
    for _ in range(count):
        name = string().decode()
        found = take(1)[0] != 0
        string()  # refusal
        take(4 + 4 + 16)  # liveness, faces, rect
        dim = struct.unpack("<I", take(4))[0]
        feature = np.frombuffer(take(4 * dim), "<f4")
        photos.append((name, name.split("/")[0], feature if found and dim else None))
    return model, photos


def tar_at_far(genuine, impostor_sorted, far):
    above = int(np.floor(far * impostor_sorted.size))
    if above == 0:
        return float("nan")
    thr = impostor_sorted[impostor_sorted.size - above]
    return float(np.count_nonzero(genuine > thr)) / genuine.size


def auc(genuine, impostor_sorted):
    lo = np.searchsorted(impostor_sorted, genuine, side="left")
    hi = np.searchsorted(impostor_sorted, genuine, side="right")
    return float(np.sum(lo + 0.5 * (hi - lo))) / (genuine.size * impostor_sorted.size)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("cache_a")
    ap.add_argument("cache_b")
    ap.add_argument("--weights", type=float, nargs="*", default=[0.5, 0.6, 0.7, 0.8, 0.9])
    args = ap.parse_args()
    model_a, pa = read_cache(args.cache_a)
    model_b, pb = read_cache(args.cache_b)
    if [p[0] for p in pa] != [p[0] for p in pb]:
        sys.exit("the two caches list different photos")
    keep = [i for i in range(len(pa)) if pa[i][2] is not None and pb[i][2] is not None]
    only = sum(1 for i in range(len(pa)) if (pa[i][2] is None) != (pb[i][2] is None))
    fa = np.stack([pa[i][2] for i in keep]).astype(np.float32)
    fb = np.stack([pb[i][2] for i in keep]).astype(np.float32)
    ids = np.array([pa[i][1] for i in keep])
    n = len(keep)
    iu = np.triu_indices(n, 1)
    same = (ids[:, None] == ids[None, :])[iu]
    ca = (fa @ fa.T)[iu]
    cb = (fb @ fb.T)[iu]
    del iu
    print("A = %s\nB = %s" % (model_a, model_b))
    print("photos with a feature in both: %d (in one only: %d); genuine pairs %d, impostor pairs %d" % (
        n, only, int(same.sum()), int((~same).sum())))
    print("\n| scores | ROC AUC | TAR@1e-3 | TAR@1e-4 | TAR@1e-5 |\n|---|---|---|---|---|")
    rows = [("A alone", 1.0), ("B alone", 0.0)] + [("%.2f A + %.2f B" % (w, 1 - w), w) for w in args.weights]
    for label, w in rows:
        s = (w * ca + (1 - w) * cb).astype(np.float32) if 0 < w < 1 else (ca if w == 1 else cb)
        gen = s[same]
        imp = np.sort(s[~same])
        tars = " | ".join("%.3f %%" % (100 * tar_at_far(gen, imp, f)) for f in FARS)
        print("| %s | %.5f | %s |" % (label, auc(gen, imp), tars))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
