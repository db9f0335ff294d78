/* Bilinear resize of 8-bit interleaved images with the exact integer
 * semantics of OpenCV's cv::resize(..., INTER_LINEAR) (OpenCV 4.6 as in
 * Debian 12, x86-64): per-axis coefficients rounded to 11 fractional bits
 * (INTER_RESIZE_COEF_BITS), a horizontal pass into int rows, a vertical pass
 * that shifts the rows right by 4 and keeps the high 16 bits of each product
 * before rounding by (x + 2) >> 2; an exact 2x downscale on both axes takes
 * OpenCV's INTER_AREA shortcut ((a + b + c + d + 2) >> 2), an equal size is a
 * copy. The C3D recipe uses it to bring every frame to 171x128 BGR. */
#ifndef WSD_VIDEO_RESIZE_H
#define WSD_VIDEO_RESIZE_H

#include <stdint.h>

/* src: sh rows of sw*cn bytes; dst: dh rows of dw*cn bytes (no padding).
 * Sizes must be positive and cn in 1..4. Never fails. */
void wsd_resize_linear_u8(const uint8_t *src, int sw, int sh, uint8_t *dst, int dw, int dh, int cn);

#endif
