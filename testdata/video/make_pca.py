#!/usr/bin/python3
"""Writes a PCA file in the layout of the official PCA_activitynet_v1-3.hdf5
(group data: U [D, D] with the principal directions as columns, S in
decreasing order, x_mean [D]) for the feat-extract CLI tests:

  make_pca.py OUT.hdf5 D [SEED [LAYOUT]]

LAYOUT: "ok" (default), "increasing" (S ascending), "short-mean" (x_mean of
D - 1 values), "no-U" (dataset U missing). Needs numpy and h5py."""
import sys

import h5py
import numpy as np


def main():
    out, d = sys.argv[1], int(sys.argv[2])
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    layout = sys.argv[4] if len(sys.argv) > 4 else "ok"
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    s = np.sort(rng.random(d) * 10)[::-1]
    if layout == "increasing":
        s = s[::-1]
    mean = rng.random(d - 1 if layout == "short-mean" else d) * 0.5
    with h5py.File(out, "w") as f:
        g = f.create_group("data")
        if layout != "no-U":
            g["U"] = q.astype(np.float32)
        g["S"] = s.astype(np.float32)
        g["x_mean"] = mean.astype(np.float32)


if __name__ == "__main__":
    main()
