#!/usr/bin/python3
"""Score-level fusion of two embedders on lfw-dev, from facepass-eval's feature caches.

  /usr/bin/python3 tools/eval/fuse_scores.py .cache/eval/lfw-q2--<model A>.bin .cache/eval/lfw-q2--<model B>.bin \
      [--weights 0.5 0.6 0.7 0.8 0.9] [--by-identity 0.4]

Both caches must list the same photos (facepass-eval writes them in one order).
Pairs are those facepass-eval's 1:1 table uses (every pair of photos with a face;
genuine = same identity), restricted to photos where both embedders have a
feature. Fused score = w * cos_A + (1 - w) * cos_B. TAR at FAR f as in
tools/eval/metrics.cc: the threshold is the floor(f * impostors)-th highest
impostor score, genuine pairs strictly above it are accepted. Prints each
embedder alone (to compare with facepass-eval's table) and each weight.
--by-identity W: for the fusion at weight W, where the misses at FAR 1e-4 come
from: the pair FRR (as facepass-eval's), the mean of the per-identity FRRs (a few
people with many photos dominate the pair figure: lfw-dev's Colin_Powell holds 46 %
of the genuine pairs) and the identities with the most misses.
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
    ap.add_argument("--by-identity", type=float, metavar="W", help="misses by identity at FAR 1e-4 for weight W")
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
    if args.by_identity is not None:
        by_identity(args.by_identity, ca, cb, same, ids[np.triu_indices(n, 1)[0]])


def by_identity(w, ca, cb, same, first):
    """first: the identity of each pair's first photo (that of both, for a genuine pair)."""
    s = (w * ca + (1 - w) * cb).astype(np.float32)
    imp = np.sort(s[~same])
    thr = imp[imp.size - int(np.floor(1e-4 * imp.size))]
    miss = same & (s <= thr)
    names, pairs = np.unique(first[same], return_counts=True)
    _, misses = np.unique(np.concatenate([first[miss], names]), return_counts=True)
    misses = misses - 1  # each name added once so that every identity is counted
    print("\n%.2f A + %.2f B at FAR 1e-4 (cosine > %.4f): pair FRR %.3f %% (%d of %d), "
          "mean per-identity FRR %.3f %% over %d identities" % (
              w, 1 - w, thr, 100 * miss.sum() / same.sum(), int(miss.sum()), int(same.sum()),
              100 * np.mean(misses / pairs), names.size))
    print("\n| identity | genuine pairs | misses | FRR |\n|---|---|---|---|")
    for k in np.argsort(-misses)[:12]:
        print("| %s | %d | %d | %.2f %% |" % (names[k], pairs[k], misses[k], 100 * misses[k] / pairs[k]))


if __name__ == "__main__":
    main()
