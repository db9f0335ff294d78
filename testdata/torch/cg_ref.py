#!/usr/bin/python3
"""Reference caption generator (WSDEC model/caption_generator.py
CaptionGenerator, model/networks/attention.py AttentionMask) in PyTorch, used
only to write the goldens that common/wsd/model_cg_test.c checks. Run with
Debian's python3-torch (1.13):  /usr/bin/python3 testdata/torch/cg_ref.py

Module attribute names follow the reference repository so that parameter
names equal its state-dict keys. Written from the spec, with tiny
dimensions (F=6, H=E=8, V=12, T<=7, L=5, N=3); computed in float64 from
float32-rounded weights and inputs, stored as float32.

Dropout is 0 here (train mode equals eval mode): random masks cannot be
shared with C. The C side checks dropout itself.

Output: testdata/goldens/cg_ref.tsr, a tensor stream
(man/man5/wsdec-tensor.5) with keys
  param/<key>       every state-dict entry
  in/<name>         video, video_len, video_mask, seg (normalised cw),
                    gather, caption, caption_mask, beam_seg, beam_gather
  out/logp          teacher-forced log-probs (N, L, V), position 0 zeros
  out/pred          teacher-forced argmax (N, L)
  out/loss          caption loss (1)
  grad/<key>        d loss / d parameter
  out/dseg          d loss / d seg (N, 2)
  beam/ids, beam/len   beam search (beam 3, max_len 6) of beam_seg
  greedy/ids, greedy/len  greedy decoding (max_len 6)
"""
import json
import math
import os
import struct
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DELTA = 1e-4
BOS, EOS = 0, 1
MAX_LEN = 6
BEAM = 3
OUT_GAIN = float(os.environ.get('OUT_GAIN', 7))
EOS_BIAS = float(os.environ.get('EOS_BIAS', 1.2))


class RNNSeqEncoder(nn.Module):
    """GRU2 run one step per call over the padded length, residual (seq_encoder.py _forward_residual)."""

    def __init__(self, d_in, hidden):
        super().__init__()
        self.rnn_cell = nn.GRU(d_in, hidden, 2, batch_first=True, dropout=0.0)
        self.linear = nn.Linear(d_in, hidden, bias=False)

    def forward(self, x):
        outs, hids, h = [], [], None
        for t in range(x.size(1)):
            xt = x[:, t:t + 1, :]
            o, h = self.rnn_cell(xt, h)
            outs.append(o + self.linear(xt))
            hids.append(h.unsqueeze(2))
        return torch.cat(outs, 1), torch.cat(hids, 2)   # (B,T,H), (2,B,T,H)


def soft_masks(seg_feat, T, K=0.1):
    """(l, c, r) masks (N, T) of attention.py ContextMaskL/C/R for segments in feature units."""
    i = torch.arange(T, dtype=seg_feat.dtype).unsqueeze(0)
    c, w = seg_feat[:, 0:1], seg_feat[:, 1:2]
    left = torch.sigmoid(-K * (i - c + w / 2))
    centre = torch.sigmoid(K * (i - c + w / 2)) - torch.sigmoid(K * (i - c - w / 2))
    right = torch.sigmoid(K * (i - c - w / 2))
    return left, centre, right


def mean_att(f, m):
    return (f * m.unsqueeze(2)).sum(1) / (m.sum(1, keepdim=True) + DELTA)


class Decoder(nn.Module):
    def __init__(self, H, E, V):
        super().__init__()
        self.rnn_cell = nn.GRU(E + 3 * H, H, 2, batch_first=True, dropout=0.0)
        self.embedding = nn.Embedding(V, E)
        self.output_layer = nn.Linear(H, V)

    def step(self, words, ctx, h):
        x = torch.cat([self.embedding(words), ctx], 1).unsqueeze(1)
        o, h = self.rnn_cell(x, h)
        return F.log_softmax(self.output_layer(o.squeeze(1)), dim=1), h


class CaptionGenerator(nn.Module):
    def __init__(self, F_, H, E, V):
        super().__init__()
        self.video_encoder = RNNSeqEncoder(F_, H)
        self.decoder = Decoder(H, E, V)

    def prepare(self, video, video_len, video_mask, seg, gather):
        Y, Hs = self.video_encoder(video)
        Y, Hs = Y[gather], Hs[:, gather]
        Tn = video_len[gather, 0]
        vm = video_mask[gather, :, 0]
        e = torch.clamp(seg[:, 0] + seg[:, 1] / 2, max=1 - DELTA)
        j = (e * Tn).long()          # truncation toward zero, no gradient
        h0 = Hs[:, torch.arange(seg.size(0)), j]       # (2, N, H)
        seg_feat = seg * Tn.unsqueeze(1)
        l, c, r = soft_masks(seg_feat, video.size(1))
        ctx = torch.cat([mean_att(Y, l * vm), mean_att(Y, c * vm), mean_att(Y, r * vm)], 1)
        return ctx, h0.contiguous()

    def teacher_forced(self, video, video_len, video_mask, seg, gather, cap, cap_mask):
        ctx, h = self.prepare(video, video_len, video_mask, seg, gather)
        N, L = cap.shape
        logps = [torch.zeros(N, self.decoder.output_layer.out_features, dtype=ctx.dtype)]
        for t in range(L - 1):
            lp, h = self.decoder.step(cap[:, t], ctx, h)
            logps.append(lp)
        logp = torch.stack(logps, 1)
        pred = logp.argmax(2)
        pred[:, 0] = BOS
        nll = -logp.gather(2, cap.unsqueeze(2)).squeeze(2)
        loss = (nll * cap_mask).sum() / N
        return logp, pred, loss

    def beam_search(self, video, video_len, video_mask, seg, gather):
        """seq_decoder.py RNNSeqDecoder.forward_bmsearch, one item at a time."""
        ctx_all, h_all = self.prepare(video, video_len, video_mask, seg, gather)
        V = self.decoder.output_layer.out_features
        ids, lens = [], []
        for n in range(seg.size(0)):
            ctx = ctx_all[n:n + 1].repeat(BEAM, 1)
            h = h_all[:, n:n + 1].repeat(1, BEAM, 1)
            score = torch.tensor([0.0] + [-math.inf] * (BEAM - 1), dtype=ctx.dtype)
            tok = torch.full((BEAM,), BOS, dtype=torch.long)
            tokens, parents, finished = [tok.clone()], [torch.full((BEAM,), -1)], {}
            for t in range(1, MAX_LEN + 1):
                lp, h = self.decoder.step(tok, ctx, h)
                cand = (lp + score.unsqueeze(1)).view(-1)
                score, flat = cand.topk(BEAM)
                tok, par = flat % V, flat // V
                h = h[:, par]
                tokens.append(tok.clone())
                parents.append(par.clone())
                if (tok == EOS).any():
                    finished[t] = torch.where(tok == EOS, score, torch.full_like(score, -math.inf))
                    score = torch.where(tok == EOS, torch.full_like(score, -math.inf), score)
            best, k = score.max(0)
            length, out = 1, [EOS]
            for t in range(MAX_LEN, 0, -1):
                if t in finished:
                    best, j = torch.cat([finished[t], best.view(1)]).max(0)
                    if j < BEAM:
                        k, length = j, 0
                out.append(int(tokens[t][k]))
                k = parents[t][k]
                length += 1
            out.append(BOS)
            ids.append(out[::-1])
            lens.append(length + 1)
        return np.array(ids), np.array(lens)

    def greedy(self, video, video_len, video_mask, seg, gather):
        ctx, h = self.prepare(video, video_len, video_mask, seg, gather)
        N = seg.size(0)
        ids = np.full((N, MAX_LEN + 2), EOS)
        ids[:, 0] = BOS
        lens = np.full(N, MAX_LEN + 2)
        tok = torch.full((N,), BOS, dtype=torch.long)
        done = np.zeros(N, bool)
        for t in range(1, MAX_LEN + 1):
            lp, h = self.decoder.step(tok, ctx, h)
            tok = lp.argmax(1)
            for n in range(N):
                if not done[n]:
                    ids[n, t] = int(tok[n])
                    if tok[n] == EOS:
                        done[n], lens[n] = True, t + 1
        return ids, lens


class TsrWriter:
    def __init__(self):
        self.records = []

    def add(self, key, arr, dtype=np.float32):
        a = np.ascontiguousarray(np.asarray(arr, dtype=dtype))
        payload = a.astype(a.dtype.newbyteorder("<")).tobytes()
        name = {np.float32: "float32", np.int64: "int64"}[dtype]
        head = json.dumps({"key": key, "dtype": name, "shape": list(a.shape), "encoding": "raw",
                           "bytes": len(payload), "meta": {}}, separators=(",", ":")).encode()
        self.records.append(b"WSDT" + struct.pack("<I", len(head)) + head + payload)

    def save(self, path):
        tmp = path + ".tmp"
        with open(tmp, "wb") as fp:
            fp.write(b"".join(self.records))
        os.replace(tmp, path)


def f32(x):
    return np.asarray(x, dtype=np.float32).astype(np.float64)


def make_inputs(rng, F_, V):
    B, N, T, L = 2, 3, 7, 5
    tlen, dur = [7, 5], [30.0, 12.5]
    video = np.zeros((B, T, F_))
    vmask = np.zeros((B, T, 1))
    for b in range(B):
        video[b, :tlen[b]] = rng.normal(0, 1, (tlen[b], F_))
        vmask[b, :tlen[b]] = 1
    clen = [5, 3, 4]
    cap = np.ones((N, L), dtype=np.int64)             # padded with <eos> = 1
    cmask = np.zeros((N, L))
    for n in range(N):
        cap[n, 0] = BOS
        cap[n, 1:clen[n] - 1] = rng.integers(2, V, clen[n] - 2)
        cmask[n, :clen[n]] = 1
    # segments: a middle one, one reaching past the end (clamped init index),
    # and the full video
    seg = np.array([[0.4, 0.3], [0.8, 0.6], [0.5, 1.0]])
    beam_seg = np.array([[0.5, 1.0], [0.2, 0.3], [0.9, 0.5], [0.6, 0.2]])
    return dict(video=video, video_len=np.array([[tlen[b], dur[b]] for b in range(B)]),
                video_mask=vmask, seg=seg, gather=np.array([0, 1, 1]), caption=cap,
                caption_mask=cmask, beam_seg=beam_seg, beam_gather=np.array([0, 0, 1, 1]))


def randomise(model, rng):
    """PyTorch-0.3-like init, float32-exact; the <eos> bias is raised so that
    beam search ends hypotheses at different steps."""
    with torch.no_grad():
        for name, p in model.state_dict().items():
            if name == "decoder.embedding.weight":
                v = rng.normal(0, 1, p.shape)
            else:
                if "rnn_cell" in name:
                    fan_in = 8
                elif p.dim() == 2:
                    fan_in = p.shape[1]
                else:
                    fan_in = model.state_dict()[name[:-4] + "weight"].shape[1]
                bound = 1 / math.sqrt(fan_in)
                v = rng.uniform(-bound, bound, p.shape)
                if name == "decoder.output_layer.weight":
                    v *= OUT_GAIN       # peaky distributions: varied captions
                if name == "decoder.output_layer.bias":
                    v[EOS] += EOS_BIAS
            p.copy_(torch.from_numpy(f32(v)))


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = os.path.join(root, "goldens", "cg_ref.tsr")
    rng = np.random.default_rng(20181204)
    torch.manual_seed(233)
    F_, H, E, V = 6, 8, 8, 12
    inp = make_inputs(rng, F_, V)
    model = CaptionGenerator(F_, H, E, V).double()
    randomise(model, rng)
    w = TsrWriter()
    for k, v in model.state_dict().items():
        w.add("param/" + k, v.numpy())
    for k, v in inp.items():
        w.add("in/" + k, v, np.int64 if v.dtype == np.int64 else np.float32)
    t = {k: torch.from_numpy(f32(v) if v.dtype != np.int64 else v) for k, v in inp.items()}
    seg = t["seg"].clone().requires_grad_(True)
    model.train()
    logp, pred, loss = model.teacher_forced(t["video"], t["video_len"], t["video_mask"], seg,
                                            t["gather"], t["caption"], t["caption_mask"])
    loss.backward()
    w.add("out/logp", logp.detach().numpy())
    w.add("out/pred", pred.numpy(), np.int64)
    w.add("out/loss", loss.detach().numpy().reshape(1))
    w.add("out/dseg", seg.grad.numpy())
    for k, p in model.named_parameters():
        w.add("grad/" + k, p.grad.numpy())
    model.eval()
    with torch.no_grad():
        args = (t["video"], t["video_len"], t["video_mask"], t["beam_seg"], t["beam_gather"])
        ids, lens = model.beam_search(*args)
        print("beam", ids.tolist(), lens.tolist(), file=sys.stderr)
        w.add("beam/ids", ids, np.int64)
        w.add("beam/len", lens, np.int64)
        ids, lens = model.greedy(*args)
        print("greedy", ids.tolist(), lens.tolist(), file=sys.stderr)
        w.add("greedy/ids", ids, np.int64)
        w.add("greedy/len", lens, np.int64)
    w.save(out)
    print("wrote", out, "loss", float(loss), file=sys.stderr)


if __name__ == "__main__":
    main()
