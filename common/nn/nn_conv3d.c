/* Checks and dispatch for the video layers (kernels: nn_vol_cpu.c, gpu/). */
#include "nn/nn_conv3d.h"

#include "nn/nn_backend.h"
#include "base/util.h"

size_t nn_vol_size(nn_vol v) {
    return (size_t)v.n * (size_t)v.c * (size_t)v.t * (size_t)v.h * (size_t)v.w;
}

int nn_pool_out(int in, int k, int s, int p) {
    if (in + 2 * p < k || s < 1) return 0;
    int out = (in + 2 * p - k + s - 1) / s + 1;
    if (p > 0 && (out - 1) * s >= in + p) out--;
    return out;
}

static int vol_ok(nn_vol v, const char *what) {
    if (v.n < 1 || v.c < 1 || v.t < 1 || v.h < 1 || v.w < 1)
        return wsd_fail("%s: volume (%d, %d, %d, %d, %d) has an empty dimension", what, v.n, v.c,
                        v.t, v.h, v.w);
    return 0;
}

int nn_conv3d_forward(const nn_tensor *x, nn_vol xs, const nn_tensor *w, const nn_tensor *b,
                      int relu, nn_tensor *y) {
    TRY(vol_ok(xs, "conv3d input"));
    int K = (int)b->size;
    nn_vol ys = xs;
    ys.c = K;
    if (x->size != nn_vol_size(xs))
        return wsd_fail("conv3d: input has %zu elements, expected %zu for (%d, %d, %d, %d, %d)",
                        x->size, nn_vol_size(xs), xs.n, xs.c, xs.t, xs.h, xs.w);
    if (w->size != (size_t)K * xs.c * 27)
        return wsd_fail("conv3d: weight has %zu elements, expected %d×%d×3×3×3", w->size, K, xs.c);
    if (y->size != nn_vol_size(ys))
        return wsd_fail("conv3d: output has %zu elements, expected %zu", y->size, nn_vol_size(ys));
    if (x->device != w->device || x->device != b->device || x->device != y->device)
        return wsd_fail("conv3d: tensors on different devices");
    nn_backend_for(x->device)->conv3d_forward(xs.n, xs.c, xs.t, xs.h, xs.w, K, x->data, w->data,
                                              b->data, relu, y->data);
    return 0;
}

int nn_maxpool3d_shape(nn_vol xs, const int k[3], const int s[3], const int p[3], nn_vol *ys) {
    TRY(vol_ok(xs, "maxpool3d input"));
    int in[3] = {xs.t, xs.h, xs.w}, out[3];
    for (int i = 0; i < 3; i++) {
        if (k[i] < 1 || s[i] < 1 || p[i] < 0 || 2 * p[i] > k[i])
            return wsd_fail("maxpool3d: window %d, stride %d, padding %d (axis %d) are invalid",
                            k[i], s[i], p[i], i);
        out[i] = nn_pool_out(in[i], k[i], s[i], p[i]);
        if (out[i] < 1)
            return wsd_fail("maxpool3d: window %d does not fit input length %d (axis %d)", k[i],
                            in[i], i);
    }
    *ys = (nn_vol){xs.n, xs.c, out[0], out[1], out[2]};
    return 0;
}

int nn_maxpool3d_forward(const nn_tensor *x, nn_vol xs, const int k[3], const int s[3],
                         const int p[3], nn_tensor *y, nn_vol *ys) {
    nn_vol o;
    TRY(nn_maxpool3d_shape(xs, k, s, p, &o));
    if (x->size != nn_vol_size(xs))
        return wsd_fail("maxpool3d: input has %zu elements, expected %zu", x->size,
                        nn_vol_size(xs));
    if (y->size != nn_vol_size(o))
        return wsd_fail("maxpool3d: output has %zu elements, expected %zu", y->size,
                        nn_vol_size(o));
    if (x->device != y->device) return wsd_fail("maxpool3d: tensors on different devices");
    nn_backend_for(x->device)->maxpool3d_forward(xs.n, xs.c, xs.t, xs.h, xs.w, k, s, p, o.t, o.h,
                                                 o.w, x->data, y->data);
    if (ys) *ys = o;
    return 0;
}
