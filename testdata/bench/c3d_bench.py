"""PyTorch CPU counterpart of c3d_bench.c: C3D v1.0 (F.conv3d, max_pool3d with
ceil_mode, linear, ReLU) in float32 under no_grad, with the weights and clips
c3d_bench wrote to DIR; one warm-up clip, then CLIPS clips in batches of 2.
Prints "clips_per_s max_rel_diff cpu_s_per_clip" (fc7 against ours, relative
to its range; process CPU time, all threads).
Usage: /usr/bin/python3 c3d_bench.py THREADS CLIPS DIR"""
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

threads, n, d = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
torch.set_num_threads(threads)
NAMES = ["conv1a", "conv2a", "conv3a", "conv3b", "conv4a", "conv4b", "conv5a", "conv5b", "fc6", "fc7"]
OUT = [64, 128, 256, 256, 512, 512, 512, 512, 4096, 4096]
IN = [3] + OUT[:7] + [8192, 4096]
POOL = [(1, 2, 2), (2, 2, 2), None, (2, 2, 2), None, (2, 2, 2), None, (2, 2, 2)]


def load(name, shape):
    return torch.from_numpy(np.fromfile(os.path.join(d, name), dtype=np.float32).reshape(shape))


layers = []
for i, name in enumerate(NAMES):
    shape = (OUT[i], IN[i], 3, 3, 3) if i < 8 else (OUT[i], IN[i])
    layers.append((load(name + ".w", shape), load(name + ".b", (OUT[i],))))
clips = load("clips", (n, 3, 16, 112, 112))
ours = load("fc7", (n, 4096))


def forward(x):
    for i in range(8):
        x = F.relu(F.conv3d(x, layers[i][0], layers[i][1], padding=1))
        if POOL[i]:
            x = F.max_pool3d(x, POOL[i], POOL[i], ceil_mode=True)
    x = x.reshape(x.shape[0], -1)
    x = F.relu(F.linear(x, layers[8][0], layers[8][1]))
    return F.relu(F.linear(x, layers[9][0], layers[9][1]))


with torch.no_grad():
    forward(clips[:1])
    t0, c0 = time.perf_counter(), time.process_time()
    outs = [forward(clips[i:i + 2]) for i in range(0, n, 2)]
    secs, cpu = time.perf_counter() - t0, time.process_time() - c0
fc7 = torch.cat(outs)
diff = ((fc7 - ours).abs().max() / fc7.abs().max().clamp_min(1e-30)).item()
print("%.4f %.2e %.3f" % (n / secs, diff, cpu / n))
