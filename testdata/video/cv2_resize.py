#!/usr/bin/python3
"""Writes cv2.resize(INTER_LINEAR) goldens for common/video/resize_test.c to
stdout: for each case "sw sh dw dh cn\n", then the source and the resized
bytes (random uint8 images, fixed seed). Needs Debian's python3-opencv."""
import sys

import cv2
import numpy as np

CASES = [  # (sw, sh, dw, dh, cn): C3D's 171x128 from common video sizes, up/down, odd sizes, 2x area path
    (320, 240, 171, 128, 3), (640, 360, 171, 128, 3), (1280, 720, 171, 128, 3), (342, 256, 171, 128, 3),
    (176, 144, 171, 128, 3), (100, 60, 171, 128, 3), (17, 13, 171, 128, 3), (171, 128, 171, 128, 3),
    (171, 100, 171, 128, 3), (1, 1, 171, 128, 3), (2, 3, 7, 5, 3), (480, 270, 171, 128, 3),
    (31, 29, 40, 41, 1), (63, 45, 20, 11, 4), (200, 200, 171, 128, 3),
]


def main():
    rng = np.random.default_rng(20240611)
    out = sys.stdout.buffer
    for sw, sh, dw, dh, cn in CASES:
        src = rng.integers(0, 256, size=(sh, sw, cn), dtype=np.uint8)
        if len(CASES) and sw == 320:  # smooth content too: rounding ties are likelier
            src[: sh // 2] = (np.arange(sw)[None, :, None] * 255 // max(sw - 1, 1)).astype(np.uint8)
        dst = cv2.resize(src if cn > 1 else src[:, :, 0], (dw, dh), interpolation=cv2.INTER_LINEAR)
        out.write(b"%d %d %d %d %d\n" % (sw, sh, dw, dh, cn))
        out.write(np.ascontiguousarray(src).tobytes())
        out.write(np.ascontiguousarray(dst).tobytes())


if __name__ == "__main__":
    main()
