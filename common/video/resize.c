/* cv::resize INTER_LINEAR on 8-bit images, re-derived from OpenCV's
 * modules/imgproc/src/resize.cpp (see resize.h); every rounding step below is
 * one of OpenCV's, and resize_test.c checks the result byte for byte against
 * Debian's python3-opencv. */
#include "video/resize.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

enum { COEF_BITS = 11, COEF_ONE = 1 << COEF_BITS };

/* saturate_cast<short>(float): round half to even (cvRound), then clamp. */
static int16_t coef(float v) {
    float r = rintf(v * (float)COEF_ONE);
    if (r > 32767.f) r = 32767.f;
    if (r < -32768.f) r = -32768.f;
    return (int16_t)r;
}

/* One axis: source index and two coefficients per destination index, from
 * the pixel-centre mapping (d + 0.5) * scale - 0.5 computed in double and
 * rounded to float, as OpenCV does; `lim` is the first index whose right
 * neighbour would fall outside the source (OpenCV's xmax), used only for x. */
static void axis(int s, int d, int *ofs, int16_t *c, int *lim, int clamp_low) {
    double inv = (double)d / s, scale = 1. / inv;
    *lim = d;
    for (int i = 0; i < d; i++) {
        float f = (float)((i + 0.5) * scale - 0.5);
        int k = (int)floorf(f);
        f -= (float)k;
        if (clamp_low && k < 0) f = 0.f, k = 0;
        if (k + 1 >= s) {
            if (i < *lim) *lim = i;
            if (clamp_low && k >= s - 1) f = 0.f, k = s - 1;
        }
        ofs[i] = k;
        c[2 * i] = coef(1.f - f);
        c[2 * i + 1] = coef(f);
    }
}

static int clampi(int v, int lo, int hi) { return v < lo ? lo : v >= hi ? hi - 1 : v; }

static void area2x(const uint8_t *src, int sw, uint8_t *dst, int dw, int dh, int cn) {
    size_t sstep = (size_t)sw * cn;
    for (int y = 0; y < dh; y++) {
        const uint8_t *s0 = src + (size_t)(2 * y) * sstep, *s1 = s0 + sstep;
        uint8_t *d = dst + (size_t)y * dw * cn;
        for (int x = 0; x < dw; x++)
            for (int k = 0; k < cn; k++) {
                size_t i = (size_t)(2 * x) * cn + k;
                d[x * cn + k] = (uint8_t)((s0[i] + s0[i + cn] + s1[i] + s1[i + cn] + 2) >> 2);
            }
    }
}

/* Horizontal pass of one source row into `out` (dw*cn ints, scaled by 2^11). */
static void hrow(const uint8_t *s, int cn, int dw, const int *xofs, const int16_t *a, int xmax,
                 int *out) {
    for (int x = 0; x < dw; x++) {
        const uint8_t *p = s + (size_t)xofs[x] * cn;
        if (x < xmax)
            for (int k = 0; k < cn; k++)
                out[x * cn + k] = p[k] * a[2 * x] + p[k + cn] * a[2 * x + 1];
        else
            for (int k = 0; k < cn; k++) out[x * cn + k] = p[k] * COEF_ONE;
    }
}

void wsd_resize_linear_u8(const uint8_t *src, int sw, int sh, uint8_t *dst, int dw, int dh,
                          int cn) {
    if (sw == dw && sh == dh) {
        memcpy(dst, src, (size_t)sw * sh * cn);
        return;
    }
    /* OpenCV turns an exact halving of both axes into its fast area path */
    double sx = 1. / ((double)dw / sw), sy = 1. / ((double)dh / sh);
    if (fabs(sx - 2.) < 2.220446049250313e-16 && fabs(sy - 2.) < 2.220446049250313e-16) {
        area2x(src, sw, dst, dw, dh, cn);
        return;
    }
    int *xofs = wsd_malloc(sizeof(int) * (size_t)(dw + dh));
    int *yofs = xofs + dw;
    int16_t *alpha = wsd_malloc(sizeof(int16_t) * 2 * (size_t)(dw + dh));
    int16_t *beta = alpha + 2 * (size_t)dw;
    int xmax, ymax;
    axis(sw, dw, xofs, alpha, &xmax, 1);
    axis(sh, dh, yofs, beta, &ymax, 0); /* rows: raw offsets, clipped below, betas kept */
    size_t w = (size_t)dw * cn;
    int *rows = wsd_malloc(sizeof(int) * 2 * w);
    int have[2] = {-1, -1};
    for (int y = 0; y < dh; y++) {
        int r[2] = {clampi(yofs[y], 0, sh), clampi(yofs[y] + 1, 0, sh)};
        int *buf[2];
        for (int k = 0; k < 2; k++) {
            buf[k] = rows + k * w;
            if (have[k] == r[k]) continue;
            if (k == 0 && have[1] == r[0]) { /* slide the window down one row */
                memcpy(buf[0], buf[1], sizeof(int) * w);
                have[0] = r[0];
                have[1] = -1;
                continue;
            }
            hrow(src + (size_t)r[k] * sw * cn, cn, dw, xofs, alpha, xmax, buf[k]);
            have[k] = r[k];
        }
        int b0 = beta[2 * y], b1 = beta[2 * y + 1];
        uint8_t *d = dst + (size_t)y * w;
        for (size_t x = 0; x < w; x++) {
            /* the SSE2 path: rows >> 4 into 16 bits, high half of the 16x16
             * products, saturating add, (v + 2) >> 2, unsigned saturation */
            int v = ((b0 * (buf[0][x] >> 4)) >> 16) + ((b1 * (buf[1][x] >> 4)) >> 16);
            v = (v + 2) >> 2;
            d[x] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
        }
    }
    free(rows);
    free(alpha);
    free(xofs);
}
