#!/usr/bin/python3
"""Checks for testdata/cli/feat-extract-video.sh:
  tsr_vs_h5.py same A.tsr B.hdf5      every record of A equals group KEY/c3d_features of B
  tsr_vs_h5.py pca RAW.tsr PCA.tsr P.hdf5 K
                                      PCA rows = (RAW - x_mean) . U[:, :K] to 1e-4 (relative to the row norm)
  tsr_vs_h5.py rows A.tsr KEY=T ...   record KEY has T rows"""
import json
import struct
import sys
import zlib

import numpy as np


def records(path):
    data = open(path, "rb").read()
    at = 0
    while at < len(data):
        assert data[at:at + 4] == b"WSDT", "bad magic"
        (n,) = struct.unpack("<I", data[at + 4:at + 8])
        h = json.loads(data[at + 8:at + 8 + n])
        at += 8 + n
        raw = data[at:at + h["bytes"]]
        at += h["bytes"]
        if h["encoding"] == "zlib":
            raw = zlib.decompress(raw)
        yield h["key"], np.frombuffer(raw, dtype="<f4").reshape(h["shape"]), h["meta"]


def main():
    mode = sys.argv[1]
    if mode == "same":
        import h5py
        with h5py.File(sys.argv[3], "r") as f:
            keys = []
            for key, x, _ in records(sys.argv[2]):
                keys.append(key)
                y = f[key]["c3d_features"][()]
                assert y.dtype == np.float32 and np.array_equal(x, y), key
            assert sorted(keys) == sorted(f.keys()), (keys, list(f.keys()))
    elif mode == "pca":
        import h5py
        with h5py.File(sys.argv[4], "r") as f:
            u, m = f["data/U"][()].astype(np.float64), f["data/x_mean"][()].astype(np.float64).ravel()
        k = int(sys.argv[5])
        for (ka, a, _), (kb, b, _) in zip(records(sys.argv[2]), records(sys.argv[3])):
            assert ka == kb and b.shape == (a.shape[0], k), (ka, kb, a.shape, b.shape)
            want = (a.astype(np.float64) - m) @ u[:, :k]
            err = np.abs(want - b).max() / max(np.abs(want).max(), 1e-6)
            assert err < 1e-4, (ka, err)
    elif mode == "rows":
        got = {key: x.shape[0] for key, x, _ in records(sys.argv[2])}
        want = dict((kv.split("=")[0], int(kv.split("=")[1])) for kv in sys.argv[3:])
        assert got == want, (got, want)
    print("ok")


if __name__ == "__main__":
    main()
