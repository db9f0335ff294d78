#!/usr/bin/python3
"""PyTorch reference of the video layers and of C3D v1.0 (testdata/goldens/
conv3d.txt and c3d.txt; read by common/nn/nn_conv3d_test.c and
common/video/c3d_test.c).

Run with Debian's python3-torch:  /usr/bin/python3 testdata/torch/c3d_ref.py
`make test` never needs Python: the C tests read the committed goldens.

conv3d.txt: random float32 inputs (written with the outputs), reference in
float64; 5-d tensors are written flat with their sizes in a "dims" line.
c3d.txt: the narrow network (widths / 16) with the weights of
wsd_c3d_init_random(seed 9) and input clips drawn the same way from seed 7,
replayed here with the project's generator (wsd_rng: splitmix64-seeded
xoshiro256**); every value is (2u - 1) * 2^e, exact in float32, so C and
PyTorch start from identical numbers. Output: fc7 (post-ReLU), float64.
"""
import math
import os

import torch
import torch.nn.functional as F

torch.manual_seed(99)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "goldens")
M64 = (1 << 64) - 1


class Writer:
    def __init__(self, name):
        self.path = os.path.join(OUT, name)
        self.lines = []

    def tensor(self, name, t, flat=True):
        t = torch.as_tensor(t).detach().double()
        if flat:
            t = t.reshape(-1)
        dims = list(t.shape)
        vals = " ".join("%.9g" % v for v in t.reshape(-1).tolist())
        self.lines.append("%s %d %s %s" % (name, len(dims), " ".join(map(str, dims)), vals))

    def close(self):
        with open(self.path, "w") as f:
            f.write("\n".join(self.lines) + "\n")


def rand(*shape):
    return (torch.rand(*shape, dtype=torch.float32) * 2 - 1).double()


def conv3d_goldens(w):
    # (N, C, T, H, W, K) cases: odd sizes, W = 1 and H = 1 edges, a row long
    # enough for interior Winograd tiles
    cases = [(2, 3, 4, 5, 6, 4), (1, 2, 3, 1, 4, 3), (3, 5, 2, 4, 1, 2), (1, 3, 3, 4, 13, 2)]
    w.tensor("conv.cases", torch.tensor([len(cases)]))
    for i, (N, C, T, H, W, K) in enumerate(cases):
        x, wt, b = rand(N, C, T, H, W), rand(K, C, 3, 3, 3), rand(K)
        y = F.conv3d(x, wt, b, padding=1)
        p = "conv%d." % i
        w.tensor(p + "dims", torch.tensor([N, C, T, H, W, K]))
        w.tensor(p + "x", x)
        w.tensor(p + "w", wt)
        w.tensor(p + "b", b)
        w.tensor(p + "y", y)


def pool_goldens(w):
    # (N, C, T, H, W, kernel, stride, pad)
    cases = [(2, 3, 5, 7, 7, (2, 2, 2), (2, 2, 2), (0, 0, 0)),
             (2, 3, 5, 7, 7, (1, 2, 2), (1, 2, 2), (0, 0, 0)),
             (1, 2, 5, 7, 7, (3, 3, 3), (2, 2, 2), (1, 1, 1)),
             (2, 2, 5, 6, 7, (2, 3, 2), (1, 2, 3), (0, 1, 1)),
             (1, 4, 2, 7, 7, (2, 2, 2), (2, 2, 2), (0, 0, 0))]  # C3D's pool5: 2x7x7 -> 1x4x4
    w.tensor("pool.cases", torch.tensor([len(cases)]))
    for i, (N, C, T, H, W, k, s, pd) in enumerate(cases):
        x = rand(N, C, T, H, W) - 2  # all negative: a padded zero must never win
        y = F.max_pool3d(x, k, s, pd, ceil_mode=True)
        p = "pool%d." % i
        w.tensor(p + "dims", torch.tensor([N, C, T, H, W, *k, *s, *pd]))
        w.tensor(p + "out", torch.tensor(list(y.shape[2:])))
        w.tensor(p + "x", x)
        w.tensor(p + "y", y)


class Rng:
    """wsd_rng (common/nn/wsd_rng.c)."""

    def __init__(self, seed):
        x = seed
        self.s = []
        for _ in range(4):
            x = (x + 0x9E3779B97F4A7C15) & M64
            z = x
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
            self.s.append(z ^ (z >> 31))

    def u64(self):
        s = self.s
        rotl = lambda x, k: ((x << k) | (x >> (64 - k))) & M64
        result = (rotl((s[1] * 5) & M64, 7) * 9) & M64
        t = (s[1] << 17) & M64
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result

    def draws(self, n, a):
        """n values (2 * uniformf - 1) * a as a float64 tensor (exact)."""
        return torch.tensor([(2 * ((self.u64() >> 40) * 2.0 ** -24) - 1) * a for _ in range(n)],
                            dtype=torch.float64)


FULL = [64, 128, 256, 256, 512, 512, 512, 512, 4096, 4096]
POOL = [(1, 2, 2), (2, 2, 2), None, (2, 2, 2), None, (2, 2, 2), None, (2, 2, 2)]


def c3d_random(div, seed):
    """Weights of wsd_c3d_init_random: [(weight, bias)] per layer."""
    out = [f // div for f in FULL]
    ins = [3] + out[:7] + [out[7] * 16, out[8]]
    rng = Rng(seed)
    layers = []
    for i in range(10):
        fan_in = ins[i] * 27 if i < 8 else ins[i]
        a = 2.0 ** math.floor(math.log2(math.sqrt(6.0 / fan_in)) + 0.5)
        shape = (out[i], ins[i], 3, 3, 3) if i < 8 else (out[i], ins[i])
        wt = rng.draws(math.prod(shape), a).reshape(shape)
        b = rng.draws(out[i], 1.0 / 64)
        layers.append((wt, b))
    return layers


def c3d_forward(layers, x):
    for i in range(8):
        x = F.relu(F.conv3d(x, layers[i][0], layers[i][1], padding=1))
        if POOL[i]:
            x = F.max_pool3d(x, POOL[i], POOL[i], ceil_mode=True)
    assert x.shape[2:] == (1, 4, 4), x.shape
    x = x.reshape(x.shape[0], -1)
    x = F.relu(F.linear(x, layers[8][0], layers[8][1]))
    return F.relu(F.linear(x, layers[9][0], layers[9][1]))


def c3d_goldens(w):
    div, n = 16, 2
    layers = c3d_random(div, 9)
    x = Rng(7).draws(n * 3 * 16 * 112 * 112, 1.0).reshape(n, 3, 16, 112, 112)
    fc7 = c3d_forward(layers, x)
    w.tensor("dims", torch.tensor([div, n, 9, 7]))
    w.tensor("fc7", fc7, flat=False)


def main():
    w = Writer("conv3d.txt")
    conv3d_goldens(w)
    pool_goldens(w)
    w.close()
    w = Writer("c3d.txt")
    c3d_goldens(w)
    w.close()


if __name__ == "__main__":
    main()
