/* Video layers for C3D-style networks: 3×3×3 convolution (stride 1, zero
 * padding 1) and 3-d max pooling with Caffe's ceil output size.
 *
 * FORWARD ONLY: there is no backward for either (they serve feature
 * extraction with pretrained weights). Volumes are (N, C, T, H, W) row-major;
 * nn_tensor has at most 4 dimensions, so the caller passes the 5-d sizes as
 * an nn_vol and the tensors only need the right number of elements (any
 * shape, e.g. a flat view of a larger buffer). Both run on the tensors'
 * device through the backend table (nn_backend.h). */
#ifndef WSD_NN_CONV3D_H
#define WSD_NN_CONV3D_H

#include <stddef.h>

#include "nn/nn_tensor.h"

typedef struct {
    int n, c, t, h, w;
} nn_vol;

size_t nn_vol_size(nn_vol v);

/* Pooled length along one axis as Caffe (and PyTorch's ceil_mode) computes
 * it: ceil((in + 2p − k) / s) + 1, one less when the last window would start
 * in the right padding. 0 when the window does not fit (in + 2p < k). */
int nn_pool_out(int in, int k, int s, int p);

/* y (x.n, K, T, H, W) = [relu](conv3d(x) + b) with w (K, x.c, 3, 3, 3) and
 * b (K), K = b's size. Sizes and devices are checked (-1 + wsd_fail). */
int nn_conv3d_forward(const nn_tensor *x, nn_vol xs, const nn_tensor *w, const nn_tensor *b,
                      int relu, nn_tensor *y);

/* Max pooling with window k, stride s, padding p (t, h, w each; 2p ≤ k);
 * *ys receives the output sizes (nn_pool_out per axis) and y must hold
 * exactly that many elements. */
int nn_maxpool3d_forward(const nn_tensor *x, nn_vol xs, const int k[3], const int s[3],
                         const int p[3], nn_tensor *y, nn_vol *ys);
/* The output sizes alone (for allocating y): -1 + wsd_fail when a window
 * does not fit or the parameters are invalid. */
int nn_maxpool3d_shape(nn_vol xs, const int k[3], const int s[3], const int p[3], nn_vol *ys);

#endif
