#!/usr/bin/python3
"""Replays cg-pretrain's batches (cg_pretrain_batches.c) with the PyTorch
reference caption generator of cg_ref.py in float32: the same videos, sentences
and order, the paper's model (H = E 512, 2-layer GRUs, dropout 0.3) with
PyTorch's default initialisation, SGD lr 0.01, momentum 0.8, weight decay 1e-4,
no clipping, whole-video segments (cw = 0.5, 1), loss Σ mask·NLL / N.
Prints the loss of every batch, like `cg-pretrain --log-every 1`.

Usage: /usr/bin/python3 cg_pretrain_ref.py FEATS.tsr VOCAB.json BATCHES.jsonl [SEED [SAMPLE_RATE]]
(SAMPLE_RATE: feature rows kept, x[::k], as cg-pretrain --sample-rate; 2)
Environment: INIT=ckpt.h5 starts from the /model_cg/ parameters of a
checkpoint (e.g. cg-pretrain --lr 0 … one batch: our initial weights);
DROPOUT=p (0.3); THREADS=n (1).
(used for the loss-climb question of issue 14; see cg-pretrain(1) NOTES)."""
import json
import os
import struct
import sys
import time
import zlib

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cg_ref  # noqa: E402


def read_tsr(path, keys):
    out = {}
    with open(path, "rb") as fp:
        while True:
            magic = fp.read(4)
            if not magic:
                break
            (hl,) = struct.unpack("<I", fp.read(4))
            head = json.loads(fp.read(hl))
            payload = fp.read(head["bytes"])
            if head["key"] not in keys:
                continue
            if head["encoding"] == "zlib":
                payload = zlib.decompress(payload)
            out[head["key"]] = np.frombuffer(payload, dtype="<f4").reshape(head["shape"])
    return out


def main():
    feats, vocab, batches = sys.argv[1], sys.argv[2], sys.argv[3]
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else 233
    rate = int(sys.argv[5]) if len(sys.argv) > 5 else 2
    torch.set_num_threads(int(os.environ.get("THREADS", "1")))
    torch.manual_seed(seed)
    V = len(json.load(open(vocab))["id_to_word"])
    lines = [json.loads(x) for x in open(batches)]
    keys = {k for b in lines for k in b["keys"]}
    fs = {k: v[::rate] for k, v in read_tsr(feats, keys).items()}
    F_ = next(iter(fs.values())).shape[1]
    model = cg_ref.CaptionGenerator(F_, 512, 512, V)
    p = float(os.environ.get("DROPOUT", "0.3"))
    model.video_encoder.rnn_cell.dropout = p
    model.decoder.rnn_cell.dropout = p
    if os.environ.get("INIT"):
        import h5py
        with h5py.File(os.environ["INIT"], "r") as f, torch.no_grad():
            for k, v in model.state_dict().items():
                v.copy_(torch.from_numpy(f["model_cg/" + k][()]))
    model.train()
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.8, weight_decay=1e-4)
    t0 = time.time()
    for i, b in enumerate(lines):
        B = len(b["keys"])
        T = max(fs[k].shape[0] for k in b["keys"])
        video = torch.zeros(B, T, F_)
        vmask = torch.zeros(B, T, 1)
        vlen = torch.zeros(B, 2)
        for v, k in enumerate(b["keys"]):
            x = torch.from_numpy(fs[k].copy())
            video[v, :x.shape[0]] = x
            vmask[v, :x.shape[0]] = 1
            vlen[v, 0] = x.shape[0]
        cap = torch.tensor(b["caption"], dtype=torch.long)
        cmask = (torch.arange(cap.shape[1]).unsqueeze(0) < torch.tensor(b["caption_len"]).unsqueeze(1)).float()
        seg = torch.tensor([[0.5, 1.0]] * cap.shape[0])
        opt.zero_grad()
        _, _, loss = model.teacher_forced(video, vlen, vmask, seg, torch.tensor(b["gather"]), cap, cmask)
        loss.backward()
        opt.step()
        print("epoch 0 batch %d/%d loss %.4f %.1fs" % (i + 1, len(lines), float(loss), time.time() - t0),
              flush=True)


if __name__ == "__main__":
    main()
