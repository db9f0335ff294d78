#!/usr/bin/python3
"""Writes a synthetic C3D model and mean in the protobuf wire format of C3D's
Caffe fork (hand-encoded: no protobuf package), for common/video/caffe_test.c
and the feat-extract CLI tests:

  make_caffe.py OUTDIR [WIDTH_DIV [SEED [other]]]

OUTDIR/model.caffemodel  NetParameter: a data layer, conv1a..conv5b, relu and
                         pool layers without blobs, fc6-1, fc7-1, fc8-1
                         (487 outputs), widths divided by WIDTH_DIV (default 16)
OUTDIR/mean.binaryproto  BlobProto 1x3x16x128x171
OUTDIR/blobs.txt         per blob: "layer index n c l h w" then the floats
                         (%.9g), for the reader's test
With "other", the layers are named conv1, conv2, ... (another network).
Odd blobs store their data unpacked (one 32-bit field per float), even ones
packed, so both encodings are exercised."""
import os
import random
import struct
import sys


def varint(v):
    if v < 0:
        v += 1 << 64
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        out.append(b | (0x80 if v else 0))
        if not v:
            return bytes(out)


def key(field, wire):
    return varint(field << 3 | wire)


def ld(field, payload):
    return key(field, 2) + varint(len(payload)) + payload


def i32(field, v):
    return key(field, 0) + varint(v)


def blob(shape, data, packed):
    out = b"".join(i32(i + 1, d) for i, d in enumerate(shape))
    if packed:
        out += ld(6, struct.pack("<%df" % len(data), *data))
    else:
        out += b"".join(key(6, 5) + struct.pack("<f", x) for x in data)
    out += ld(7, struct.pack("<2f", 0.0, 0.0)) if packed else b""  # a diff field to skip
    return out


def layer(name, ltype, blobs=()):
    out = ld(2, b"bottom") + ld(3, name.encode()) + ld(4, name.encode()) + i32(5, ltype)
    for b in blobs:
        out += ld(6, b)
    out += key(7, 5) + struct.pack("<f", 1.0)  # blobs_lr
    return out


def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


def main():
    outdir = sys.argv[1]
    div = int(sys.argv[2]) if len(sys.argv) > 2 else 16
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 7)
    widths = [("conv1a", 3, 64), ("conv2a", 64, 128), ("conv3a", 128, 256), ("conv3b", 256, 256),
              ("conv4a", 256, 512), ("conv4b", 512, 512), ("conv5a", 512, 512), ("conv5b", 512, 512)]
    net = ld(1, b"DeepConv3DNet_Sport1M_synthetic") + ld(2, layer("data", 33))
    dump = []
    nblob = 0

    def add(name, ltype, shapes):
        nonlocal net, nblob
        bl = []
        for i, shape in enumerate(shapes):
            n = 1
            for d in shape:
                n *= d
            fan = n // shape[0] if i == 0 and shape[0] > 1 else max(n, 1)
            a = (3.0 / max(fan, 1)) ** 0.5 if i == 0 else 0.1
            data = [f32(rng.uniform(-a, a)) for _ in range(n)]
            bl.append(blob(shape, data, nblob % 2 == 0))
            dump.append((name, i, shape, data))
            nblob += 1
        net += ld(2, layer(name, ltype, bl))

    other = len(sys.argv) > 4 and sys.argv[4] == "other"
    for name, cin, cout in widths:
        cin = cin if name == "conv1a" else cin // div
        name = name[:-1] if other else name
        add(name, 30, [(cout // div, cin, 3, 3, 3), (1, 1, 1, 1, cout // div)])
        net += ld(2, layer("relu" + name[4:], 18))
        if name[-1] != "a" or name in ("conv1a", "conv2a"):
            net += ld(2, layer("pool" + name[4], 31))
    fc = 4096 // div
    add("fc6-1", 14, [(1, 1, 1, fc, 512 // div * 16), (1, 1, 1, 1, fc)])
    add("fc7-1", 14, [(1, 1, 1, fc, fc), (1, 1, 1, 1, fc)])
    add("fc8-1", 14, [(1, 1, 1, 487, fc), (1, 1, 1, 1, 487)])
    net += ld(2, layer("prob", 20))
    with open(os.path.join(outdir, "model.caffemodel"), "wb") as fp:
        fp.write(net)
    mean = [f32(100.0 + 20.0 * rng.random()) for _ in range(3 * 16 * 128 * 171)]
    with open(os.path.join(outdir, "mean.binaryproto"), "wb") as fp:
        fp.write(blob((1, 3, 16, 128, 171), mean, True))
    with open(os.path.join(outdir, "blobs.txt"), "w") as fp:
        for name, i, shape, data in dump:
            fp.write("%s %d %d %d %d %d %d %d\n" % ((name, i, len(data)) + tuple(shape)))
            fp.write(" ".join("%.9g" % x for x in data) + "\n")
        fp.write("mean 0 %d 1 3 16 128 171\n" % len(mean))
        fp.write(" ".join("%.9g" % x for x in mean) + "\n")


if __name__ == "__main__":
    main()
