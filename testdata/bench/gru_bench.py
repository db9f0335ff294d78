"""PyTorch CPU counterpart of gru_bench.c: nn.GRU(500, 512, 2, dropout=0.3,
batch_first=True) in training mode, forward + backward of out·dout, batch 32,
100 steps. Prints the median of `reps` timed runs in milliseconds.
Usage: /usr/bin/python3 gru_bench.py THREADS [REPS]"""
import sys
import time

import torch

threads = int(sys.argv[1])
reps = int(sys.argv[2]) if len(sys.argv) > 2 else 10
torch.set_num_threads(threads)
torch.manual_seed(233)
B, T, IN, H, L = 32, 100, 500, 512, 2
gru = torch.nn.GRU(IN, H, L, dropout=0.3, batch_first=True)
gru.train()
x = (torch.rand(B, T, IN) * 2 - 1).requires_grad_()
dout = torch.rand(B, T, H) * 2 - 1
times = []
for r in range(reps + 1):
    t0 = time.perf_counter()
    gru.zero_grad()
    x.grad = None
    out, _ = gru(x)
    out.backward(dout)
    if r >= 1:
        times.append((time.perf_counter() - t0) * 1e3)
times.sort()
print("%.2f" % times[len(times) // 2])
