#!/usr/bin/python3
"""PyTorch reference of the wsdec nn engine's layers (testdata/goldens/*.txt).

Run with Debian's python3-torch:  /usr/bin/python3 testdata/torch/make_goldens.py
`make test` never needs Python: the C unit tests read the committed goldens.

Inputs are drawn in float32 (so C and PyTorch see identical numbers), the
reference is computed in float64, and every tensor is written as one line
"name ndim d0 .. dn v0 v1 ..." with %.9g values. Parameter names are the
PyTorch state-dict keys the C code registers; gradients are "grad.<key>".
"""
import math
import os
import sys

import torch

torch.manual_seed(233)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "goldens")
DELTA = 1e-4


def rand(*shape, scale=1.0):
    return ((torch.rand(*shape, dtype=torch.float32) * 2 - 1) * scale).double()


WRITTEN = []


class Writer:
    def __init__(self, name):
        self.path = os.path.join(OUT, name)
        self.lines = []
        WRITTEN.append(self.path)

    def tensor(self, name, t):
        t = torch.as_tensor(t).detach().double()
        dims = list(t.shape)
        vals = " ".join("%.9g" % v for v in t.reshape(-1).tolist())
        self.lines.append("%s %d %s %s" % (name, len(dims), " ".join(map(str, dims)), vals))

    def close(self):
        with open(self.path, "w") as f:
            f.write("\n".join(self.lines) + "\n")


def gru():
    B, T, IN, H, L = 3, 5, 4, 6, 2
    w = Writer("gru.txt")
    w.tensor("dims", torch.tensor([B, T, IN, H, L]))
    rnn = torch.nn.GRU(IN, H, L, batch_first=True).double()
    with torch.no_grad():
        for name, p in rnn.named_parameters():
            p.copy_(rand(*p.shape, scale=0.4))
    for name, p in rnn.named_parameters():
        w.tensor("rnn." + name, p)
    x = rand(B, T, IN).requires_grad_()
    h0 = rand(L, B, H, scale=0.5).requires_grad_()
    dout = rand(B, T, H)
    out, hn = rnn(x, h0)
    (out * dout).sum().backward()
    for k, v in (("x", x), ("h0", h0), ("dout", dout), ("out", out), ("hn", hn), ("dx", x.grad),
                 ("dh0", h0.grad)):
        w.tensor(k, v)
    for name, p in rnn.named_parameters():
        w.tensor("grad.rnn." + name, p.grad)
    w.close()


def lstm():
    B, T, IN, H, L = 3, 4, 4, 5, 2
    w = Writer("lstm.txt")
    w.tensor("dims", torch.tensor([B, T, IN, H, L]))
    rnn = torch.nn.LSTM(IN, H, L, batch_first=True).double()
    with torch.no_grad():
        for name, p in rnn.named_parameters():
            p.copy_(rand(*p.shape, scale=0.4))
    for name, p in rnn.named_parameters():
        w.tensor("rnn." + name, p)
    x = rand(B, T, IN).requires_grad_()
    h0 = rand(L, B, H, scale=0.5).requires_grad_()
    c0 = rand(L, B, H, scale=0.5).requires_grad_()
    dout = rand(B, T, H)
    out, (hn, cn) = rnn(x, (h0, c0))
    (out * dout).sum().backward()
    for k, v in (("x", x), ("h0", h0), ("c0", c0), ("dout", dout), ("out", out), ("hn", hn),
                 ("cn", cn), ("dx", x.grad), ("dh0", h0.grad), ("dc0", c0.grad)):
        w.tensor(k, v)
    for name, p in rnn.named_parameters():
        w.tensor("grad.rnn." + name, p.grad)
    w.close()


def linear_embedding():
    w = Writer("linear.txt")
    N, IN, OUT = 4, 5, 3
    lin = torch.nn.Linear(IN, OUT).double()
    with torch.no_grad():
        lin.weight.copy_(rand(OUT, IN))
        lin.bias.copy_(rand(OUT))
    x = rand(N, IN).requires_grad_()
    dy = rand(N, OUT)
    y = lin(x)
    (y * dy).sum().backward()
    for k, v in (("fc.weight", lin.weight), ("fc.bias", lin.bias), ("x", x), ("dy", dy), ("y", y),
                 ("dx", x.grad), ("grad.fc.weight", lin.weight.grad),
                 ("grad.fc.bias", lin.bias.grad)):
        w.tensor(k, v)
    emb = torch.nn.Embedding(7, 3).double()
    with torch.no_grad():
        emb.weight.copy_(rand(7, 3))
    ids = torch.tensor([1, 4, 4, 0, 6])
    dy = rand(5, 3)
    y = emb(ids)
    (y * dy).sum().backward()
    for k, v in (("emb.weight", emb.weight), ("ids", ids), ("emb.dy", dy), ("emb.y", y),
                 ("grad.emb.weight", emb.weight.grad)):
        w.tensor(k, v)
    w.close()


def soft_masks(seg, K, T, valid):
    i = torch.arange(T, dtype=torch.float64)[None, :]
    c, wd = seg[:, 0:1], seg[:, 1:2]
    a = torch.sigmoid(K * (i - c + wd / 2))
    b = torch.sigmoid(K * (i - c - wd / 2))
    m_c = (a - b) * valid
    m_l = torch.sigmoid(-K * (i - c + wd / 2)) * valid
    m_r = b * valid
    return m_l, m_c, m_r


def att_mean(f, m):
    return (f * m[:, :, None]).sum(1) / (m.sum(1, keepdim=True) + DELTA)


def att_dot(f, m, q, W, scale, pe=None):
    if pe is not None:
        P = pe.shape[0]
        T = f.shape[1]
        i = torch.arange(T, dtype=torch.float64)[None, :]
        r = torch.clamp(i / (m.sum(1, keepdim=True) + DELTA), max=1 - DELTA)
        idx = torch.floor(r * P).long()
        f = f + pe[idx]
    wf = f @ W.t()                      # (N, T, Q)
    a = (wf * q[:, None, :]).sum(2)
    if scale:
        a = a / math.sqrt(q.shape[1])
    a = a.masked_fill(m == 0, float("-inf"))
    alpha = torch.softmax(a, 1)
    return (alpha[:, :, None] * f).sum(1)


def attention():
    w = Writer("attention.txt")
    B, T, D, Q, N, P = 2, 7, 4, 6, 3, 5
    gather = torch.tensor([1, 0, 1])
    w.tensor("dims", torch.tensor([B, T, D, Q, N, P]))
    w.tensor("gather", gather)
    feats = rand(B, T, D).requires_grad_()
    valid = torch.ones(N, T, dtype=torch.float64)
    valid[0, 5:] = 0
    valid[2, 3:] = 0
    w.tensor("feats", feats)
    w.tensor("valid", valid)
    # mean over a continuous mask (differentiable in the mask)
    mask = (torch.rand(N, T).double() * valid).requires_grad_()
    dctx = rand(N, D)
    w.tensor("mask", mask)
    w.tensor("dctx", dctx)
    ctx = att_mean(feats[gather], mask)
    (ctx * dctx).sum().backward()
    w.tensor("mean.ctx", ctx)
    w.tensor("mean.dfeats", feats.grad)
    w.tensor("mean.dmask", mask.grad)
    q = rand(N, Q)
    W = rand(Q, D, scale=0.5)
    pe = rand(P, D, scale=0.5)
    w.tensor("query", q)
    w.tensor("att.weight", W)
    w.tensor("pe.weight", pe)
    for kind, scale, use_pe in (("type0", True, False), ("type1", False, False),
                                ("type2", True, True)):
        f = feats.detach().clone().requires_grad_()
        qq = q.clone().requires_grad_()
        WW = W.clone().requires_grad_()
        pp = pe.clone().requires_grad_()
        ctx = att_dot(f[gather], valid, qq, WW, scale, pp if use_pe else None)
        (ctx * dctx).sum().backward()
        w.tensor(kind + ".ctx", ctx)
        w.tensor(kind + ".dfeats", f.grad)
        w.tensor(kind + ".dquery", qq.grad)
        w.tensor(kind + ".dweight", WW.grad)
        if use_pe:
            w.tensor(kind + ".dpe", pp.grad)
    # soft masks and the clr mean context of the caption generator
    K = 0.1
    T2 = 30
    feats2 = rand(B, T2, D).requires_grad_()
    valid2 = torch.ones(N, T2, dtype=torch.float64)
    valid2[1, 20:] = 0
    seg = torch.tensor([[12.0, 10.0], [5.0, 30.0], [25.0, 4.0]], dtype=torch.float64)
    seg = (seg + rand(N, 2)).requires_grad_()
    dm = rand(3, N, T2)
    w.tensor("sm.feats", feats2)
    w.tensor("sm.valid", valid2)
    w.tensor("sm.seg", seg)
    w.tensor("sm.dmask", dm)
    masks = soft_masks(seg, K, T2, valid2)
    for name, m in zip("lcr", masks):
        w.tensor("sm.mask_" + name, m)
    sum(((m * dm[k]).sum() for k, m in enumerate(masks))).backward()
    w.tensor("sm.dseg", seg.grad)
    seg.grad = None
    dctx3 = rand(N, 3 * D)
    w.tensor("clr.dctx", dctx3)
    masks = soft_masks(seg, K, T2, valid2)
    ctx = torch.cat([att_mean(feats2[gather], m) for m in masks], 1)
    (ctx * dctx3).sum().backward()
    w.tensor("clr.ctx", ctx)
    w.tensor("clr.dseg", seg.grad)
    w.tensor("clr.dfeats", feats2.grad)
    w.close()


def batchnorm():
    w = Writer("batchnorm.txt")
    N, C = 5, 4
    bn = torch.nn.BatchNorm1d(C).double()
    with torch.no_grad():
        bn.weight.copy_(torch.rand(C).double())
        bn.bias.copy_(rand(C))
        bn.running_mean.copy_(rand(C))
        bn.running_var.copy_(torch.rand(C).double() + 0.5)
    for k, v in bn.state_dict().items():
        if k != "num_batches_tracked":
            w.tensor("bn." + k, v)
    x = (rand(N, C) * 2 + 0.3).requires_grad_()
    dy = rand(N, C)
    w.tensor("x", x)
    w.tensor("dy", dy)
    y = bn(x)
    (y * dy).sum().backward()
    w.tensor("train.y", y)
    w.tensor("train.dx", x.grad)
    w.tensor("train.dweight", bn.weight.grad)
    w.tensor("train.dbias", bn.bias.grad)
    w.tensor("train.running_mean", bn.running_mean)
    w.tensor("train.running_var", bn.running_var)
    bn.eval()
    x.grad = None
    bn.weight.grad = None
    bn.bias.grad = None
    y = bn(x)
    (y * dy).sum().backward()
    w.tensor("eval.y", y)
    w.tensor("eval.dx", x.grad)
    w.tensor("eval.dweight", bn.weight.grad)
    w.close()


def losses():
    w = Writer("loss.txt")
    N, V = 6, 5
    logits = (rand(N, V) * 3).requires_grad_()
    target = torch.tensor([0, 3, 1, 4, 4, 2])
    weight = torch.tensor([1, 1, 0, 1, 0.5, 1], dtype=torch.float64)
    w.tensor("logits", logits)
    w.tensor("target", target)
    w.tensor("weight", weight)
    logp = torch.log_softmax(logits, 1)
    scale = 1.0 / 3
    nll = -(weight * logp.gather(1, target[:, None])[:, 0]).sum() * scale
    nll.backward()
    w.tensor("logp", logp)
    w.tensor("nll", nll)
    w.tensor("nll.dlogits", logits.grad)
    logits.grad = None
    ce = torch.nn.functional.cross_entropy(logits, target)
    ce.backward()
    w.tensor("ce", ce)
    w.tensor("ce.dlogits", logits.grad)
    a = rand(4, 2).requires_grad_()
    b = rand(4, 2)
    b[1, 1] = a[1, 1].detach()
    w.tensor("a", a)
    w.tensor("b", b)
    mse = torch.nn.functional.mse_loss(a, b) / 100
    mse.backward()
    w.tensor("mse", mse)
    w.tensor("mse.da", a.grad)
    a.grad = None
    l1 = torch.nn.functional.l1_loss(a, b) * 0.1
    l1.backward()
    w.tensor("l1", l1)
    w.tensor("l1.da", a.grad)
    w.close()


def optimisers():
    w = Writer("optim.txt")
    p0 = rand(3, 2)
    p1 = rand(4)
    p2 = rand(2)
    grads = [[rand(3, 2), rand(4), None], [rand(3, 2), torch.zeros(4, dtype=torch.float64), None],
             [rand(3, 2), rand(4), rand(2)]]
    w.tensor("p0", p0)
    w.tensor("p1", p1)
    w.tensor("p2", p2)
    for s, gs in enumerate(grads):
        for k, g in enumerate(gs):
            if g is not None:
                w.tensor("g%d.%d" % (s, k), g)
    for kind in ("sgd", "adam"):
        ps = [p0.clone().requires_grad_(), p1.clone().requires_grad_(), p2.clone().requires_grad_()]
        if kind == "sgd":
            opt = torch.optim.SGD([{"params": [ps[0]], "lr": 0.01},
                                   {"params": [ps[1], ps[2]], "lr": 0.001}],
                                  lr=0.01, momentum=0.8, weight_decay=1e-4)
        else:
            opt = torch.optim.Adam([{"params": [ps[0]], "lr": 0.01},
                                    {"params": [ps[1], ps[2]], "lr": 0.001}],
                                   lr=0.01, weight_decay=1e-4)
        for s, gs in enumerate(grads):
            for p, g in zip(ps, gs):
                if g is not None:
                    p.grad = g.clone()
            opt.step()
            for k, p in enumerate(ps):
                w.tensor("%s.step%d.p%d" % (kind, s, k), p)
    # gradient clipping over the three step-2 gradients
    ps = [p0.clone().requires_grad_(), p1.clone().requires_grad_(), p2.clone().requires_grad_()]
    for p, g in zip(ps, grads[2]):
        p.grad = g.clone()
    norm = torch.nn.utils.clip_grad_norm_(ps, 0.5)
    w.tensor("clip.norm", norm)
    for k, p in enumerate(ps):
        w.tensor("clip.g%d" % k, p.grad)
    w.close()


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.set_default_dtype(torch.float64)
    gru()
    lstm()
    linear_embedding()
    attention()
    batchnorm()
    losses()
    optimisers()
    total = sum(os.path.getsize(p) for p in WRITTEN)
    print("goldens written to %s (%d bytes)" % (os.path.normpath(OUT), total), file=sys.stderr)


if __name__ == "__main__":
    main()
