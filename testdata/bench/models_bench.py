"""PyTorch CPU counterpart of models_bench.c: the same shapes and steps, with
the reference models of testdata/torch/cg_ref.py and sl_ref.py (encoders run
one step per call, as the reference runs them) in float32, dropout 0.3.

  cg        caption-generator training step, batch 36: forward, backward, SGD
  cycle     weakly supervised cycle step, batch 32 (both models, SL clipped)
  caption   beam 3, max 20 words, 15 proposals per video, 4 videos a run;
            all beams of all proposals in one decoder step (batched)
  localize  sentence localizer, eval, 8 videos of 4 sentences a run

Usage: /usr/bin/python3 models_bench.py WHAT THREADS REPS
Prints "wall_ms cpu_ms units" like models_bench.c (medians; cpu: process
CPU time of all threads; units: videos, or 0)."""
import math
import os
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "torch"))
import cg_ref  # noqa: E402
import sl_ref  # noqa: E402

F, H, V, LCAP = 500, 512, 6000, 20
BOS, EOS = 0, 1


def env_lengths(name, n, default, least):
    """n lengths from the comma-separated env var `name` (as models_bench.c), default if unset."""
    env = os.environ.get(name, "")
    if not env:
        return default
    lens = [int(x) for x in env.split(",")]
    if len(lens) < n or min(lens) < least:
        sys.exit("%s: %d lengths of at least %d, a batch of %d" % (name, len(lens), least, n))
    return lens[:n]


def batch(B, per, gen):
    N = B * per
    rows = env_lengths("WSD_BENCH_LENGTHS", B, [120] * B, 1)
    toks = env_lengths("WSD_BENCH_CAPTION_LENGTHS", N, [LCAP - n % 5 for n in range(N)], 3)
    L = max(toks)
    T = max(rows)
    video = torch.rand(B, T, F, generator=gen) * 2 - 1
    video_mask = torch.zeros(B, T, 1)
    for v, n in enumerate(rows):
        video[v, n:] = 0
        video_mask[v, :n] = 1
    video_len = torch.tensor([[float(n), n * 2 / 3.75] for n in rows])
    cap = torch.ones(N, L, dtype=torch.long)
    cmask = torch.zeros(N, L)
    lens = []
    for n in range(N):
        ln = toks[n]
        lens.append(ln)
        cap[n, 0] = BOS
        cap[n, 1:ln - 1] = torch.randint(2, V - 1, (ln - 2,), generator=gen)
        cmask[n, :ln] = 1
    gather = torch.arange(N) // per
    ts = torch.tensor([[10.0 + 5 * (n % 7), 40.0 + 5 * (n % 7)] for n in range(N)])
    return dict(video=video, video_len=video_len, video_mask=video_mask, cap=cap, cmask=cmask,
                lens=torch.tensor(lens), gather=gather, ts=ts)


def cg_model():
    m = cg_ref.CaptionGenerator(F, H, H, V)
    m.video_encoder.rnn_cell.dropout = 0.3
    m.decoder.rnn_cell.dropout = 0.3
    return m


def sl_model():
    m = sl_ref.SL(F, H, H, V, 0.3, dropout=0.3)
    m.anchor = m.anchor.float()     # a float64 buffer in the golden-writing model
    return m


def sl_args(b, sent=None):
    return (b["video"], b["video_len"], b["video_mask"], b["cap"] if sent is None else sent,
            b["lens"], b["cmask"], b["gather"])


def beam_batched(cg, b, seg, gather, K=3, max_len=20):
    """The beam search of cg_ref.beam_search with all items in one step."""
    ctx, h = cg.prepare(b["video"], b["video_len"], b["video_mask"], seg, gather)
    n = seg.size(0)
    ctx = ctx.repeat_interleave(K, 0)
    h = h.repeat_interleave(K, 1)
    score = torch.tensor([0.0] + [-math.inf] * (K - 1)).repeat(n)
    tok = torch.full((n * K,), BOS, dtype=torch.long)
    base = (torch.arange(n) * K).repeat_interleave(K)
    tokens, parents, finished = [], [], {}
    for t in range(1, max_len + 1):
        lp, h = cg.decoder.step(tok, ctx, h)
        cand = (lp + score.unsqueeze(1)).view(n, K * V)
        s, flat = cand.topk(K, 1)
        score, flat = s.reshape(-1), flat.reshape(-1)
        tok, par = flat % V, flat // V
        h = h[:, base + par]
        tokens.append(tok)
        parents.append(par)
        eos = tok == EOS
        if eos.any():
            finished[t] = torch.where(eos, score, torch.full_like(score, -math.inf))
            score = torch.where(eos, torch.full_like(score, -math.inf), score)
    return tokens, parents, finished


def main():
    what, threads, reps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    torch.set_num_threads(threads)
    torch.manual_seed(233)
    gen = torch.Generator().manual_seed(233)
    units = 0
    if what == "cg":
        b = batch(36, 1, gen)
        cg = cg_model()
        cg.train()
        opt = torch.optim.SGD(cg.parameters(), lr=1e-2, momentum=0.8, weight_decay=1e-4)
        seg = torch.rand(36, 2, generator=gen) * 0.5 + 0.25

        def run():
            opt.zero_grad()
            _, _, loss = cg.teacher_forced(b["video"], b["video_len"], b["video_mask"], seg,
                                           b["gather"], b["cap"], b["cmask"])
            loss.backward()
            opt.step()
    elif what == "cycle":
        b = batch(32, 1, gen)
        cg, sl = cg_model(), sl_model()
        cg.train()
        sl.train()
        groups = [{"params": list(sl.refiner.parameters()), "lr": 1e-2},
                  {"params": [p for n, p in sl.named_parameters() if not n.startswith("refiner.")],
                   "lr": 1e-3},
                  {"params": list(cg.parameters()), "lr": 1e-2}]
        opt = torch.optim.SGD(groups, lr=1e-2, momentum=0.8, weight_decay=1e-4)
        noise = (torch.rand(32, 2, generator=gen) * 2 - 1) * 0.01

        def run():
            opt.zero_grad()
            seg = sl.outputs(*sl_args(b))["diff"] + noise
            _, pred, loss_cap = cg.teacher_forced(b["video"], b["video_len"], b["video_mask"], seg,
                                                  b["gather"], b["cap"], b["cmask"])
            seg2 = sl.outputs(*sl_args(b, pred))["diff"]
            loss = loss_cap + ((seg2 - seg.detach()) ** 2).mean() / 100
            loss.backward()
            torch.nn.utils.clip_grad_norm_(sl.parameters(), 5.0)
            opt.step()
    elif what == "caption":
        B, P = 4, 15
        b = batch(B, 1, gen)
        cg = cg_model()
        cg.eval()
        seg = torch.rand(B * P, 2, generator=gen)
        gather = torch.arange(B * P) // P
        units = B

        def run():
            with torch.no_grad():
                beam_batched(cg, b, seg, gather)
    elif what == "localize":
        B = 8
        b = batch(B, 4, gen)
        sl = sl_model()
        sl.eval()
        units = B

        def run():
            with torch.no_grad():
                sl.outputs(*sl_args(b))
    else:
        sys.exit("models_bench.py: unknown " + what)
    times, cpu = [], []
    for r in range(reps + 1):
        t0, c0 = time.perf_counter(), time.process_time()
        run()
        if r >= 1:
            times.append((time.perf_counter() - t0) * 1e3)
            cpu.append((time.process_time() - c0) * 1e3)
    times.sort()
    cpu.sort()
    print("%.2f %.2f %.4f" % (times[len(times) // 2], cpu[len(cpu) // 2], units))


if __name__ == "__main__":
    main()
