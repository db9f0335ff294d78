/* C3D v1.0 forward to fc7 over the engine's video layers (nn/nn_conv3d.h). */
#include "video/c3d.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn/nn_conv3d.h"
#include "nn/nn_ops.h"
#include "base/rng.h"
#include "base/util.h"

#define N_CONV 8
#define FC6    8
#define FC7    9

const char *const wsd_c3d_layer_names[WSD_C3D_LAYERS] = {
    "conv1a", "conv2a", "conv3a", "conv3b", "conv4a", "conv4b", "conv5a", "conv5b", "fc6", "fc7"};
static const int full_width[WSD_C3D_LAYERS] = {64, 128, 256, 256, 512, 512, 512, 512, 4096, 4096};
/* pooling after conv layer i: pool1 1×2×2, pool2..pool5 2×2×2, none elsewhere */
static const int pool_after[N_CONV] = {1, 2, 0, 2, 0, 2, 0, 2};

static void pool_params(int kind, int k[3], int s[3], int p[3]) {
    k[0] = s[0] = kind == 1 ? 1 : 2;
    k[1] = k[2] = s[1] = s[2] = 2;
    p[0] = p[1] = p[2] = 0;
}

/* Volume sizes through the network for n clips; *largest: the biggest
 * activation (elements) of any layer; returns the pool5 volume. */
static nn_vol walk(const wsd_c3d *net, int n, size_t *largest) {
    nn_vol v = {n, 3, WSD_C3D_LEN, WSD_C3D_SIZE, WSD_C3D_SIZE};
    size_t big = 0;
    for (int i = 0; i < N_CONV; i++) {
        v.c = net->out[i];
        if (nn_vol_size(v) > big) big = nn_vol_size(v);
        if (pool_after[i]) {
            int k[3], s[3], p[3];
            pool_params(pool_after[i], k, s, p);
            nn_maxpool3d_shape(v, k, s, p, &v);
        }
    }
    if (largest) *largest = big;
    return v;
}

int wsd_c3d_init(wsd_c3d *net, int width_div) {
    memset(net, 0, sizeof *net);
    if (width_div < 1 || 64 % width_div)
        return wsd_fail("C3D: width divisor %d does not divide 64", width_div);
    net->width_div = width_div;
    net->device = NN_CPU;
    net->batch = 2;
    for (int i = 0; i < WSD_C3D_LAYERS; i++) net->out[i] = full_width[i] / width_div;
    net->in[0] = 3;
    for (int i = 1; i < N_CONV; i++) net->in[i] = net->out[i - 1];
    nn_vol p5 = walk(net, 1, NULL);
    net->in[FC6] = (int)nn_vol_size(p5); /* 512·1·4·4 = 8192 at full width */
    net->in[FC7] = net->out[FC6];
    for (int i = 0; i < WSD_C3D_LAYERS; i++) {
        int k = net->out[i], kin = i < N_CONV ? net->in[i] * 27 : net->in[i];
        net->weight[i] = nn_zeros2(NN_CPU, k, kin);
        net->bias[i] = nn_zeros1(NN_CPU, k);
    }
    return 0;
}

void wsd_c3d_free(wsd_c3d *net) {
    for (int i = 0; i < WSD_C3D_LAYERS; i++) {
        nn_tensor_free(&net->weight[i]);
        nn_tensor_free(&net->bias[i]);
    }
    nn_tensor_free(&net->act[0]);
    nn_tensor_free(&net->act[1]);
    nn_tensor_free(&net->io);
    memset(net, 0, sizeof *net);
}

int wsd_c3d_layer_index(const char *name) {
    for (int i = 0; i < WSD_C3D_LAYERS; i++)
        if (!strcmp(name, wsd_c3d_layer_names[i])) return i;
    if (!strcmp(name, "fc6-1")) return FC6;
    if (!strcmp(name, "fc7-1")) return FC7;
    return -1;
}

static const char *shape_str(const int *shape, int ndim, char *buf, size_t cap) {
    size_t len = 0;
    buf[0] = 0;
    len += (size_t)snprintf(buf, cap, "(");
    for (int i = 0; i < ndim && len < cap; i++)
        len += (size_t)snprintf(buf + len, cap - len, "%s%d", i ? ", " : "", shape[i]);
    if (len < cap) snprintf(buf + len, cap - len, ")");
    return buf;
}

int wsd_c3d_set_blob(wsd_c3d *net, const char *layer, int blob, const int *shape, int ndim,
                     const float *data, const char *src) {
    int li = wsd_c3d_layer_index(layer);
    if (li < 0)
        return wsd_fail("%s: layer '%s' is not part of C3D v1.0 (conv1a..conv5b, fc6, fc7)", src,
                        layer);
    if (blob != 0 && blob != 1)
        return wsd_fail("%s: layer %s has a blob %d; C3D layers have a weight (0) and a bias (1)",
                        src, layer, blob);
    int want[5], nw = 0;
    want[nw++] = net->out[li];
    if (blob == 0) {
        if (li < N_CONV) {
            want[nw++] = net->in[li];
            want[nw++] = 3;
            want[nw++] = 3;
            want[nw++] = 3;
        } else {
            want[nw++] = net->in[li];
        }
    }
    /* leading 1s are padding of Caffe's 4-/5-d blobs */
    int g0 = 0, w0 = 0;
    while (g0 < ndim - 1 && shape[g0] == 1) g0++;
    while (w0 < nw - 1 && want[w0] == 1) w0++;
    int ok = ndim - g0 == nw - w0;
    for (int i = 0; ok && i < nw - w0; i++) ok = shape[g0 + i] == want[w0 + i];
    if (!ok) {
        char got[128], exp[128];
        return wsd_fail(
            "%s: layer %s %s has shape %s, expected %s (C3D v1.0%s)", src, wsd_c3d_layer_names[li],
            blob ? "bias" : "weight", shape_str(shape, ndim, got, sizeof got),
            shape_str(want, nw, exp, sizeof exp), net->width_div > 1 ? ", narrowed" : "");
    }
    nn_tensor *t = blob ? &net->bias[li] : &net->weight[li];
    nn_tensor_from_host(t, data, t->size);
    net->have[li][blob] = 1;
    return 0;
}

int wsd_c3d_check_complete(const wsd_c3d *net, const char *src) {
    for (int i = 0; i < WSD_C3D_LAYERS; i++)
        for (int b = 0; b < 2; b++)
            if (!net->have[i][b])
                return wsd_fail("%s: no %s for layer %s (not a C3D v1.0 model?)", src,
                                b ? "bias" : "weight", wsd_c3d_layer_names[i]);
    return 0;
}

void wsd_c3d_init_random(wsd_c3d *net, uint64_t seed) {
    wsd_rng rng;
    wsd_rng_seed(&rng, seed);
    for (int i = 0; i < WSD_C3D_LAYERS; i++)
        for (int b = 0; b < 2; b++) {
            nn_tensor *t = b ? &net->bias[i] : &net->weight[i];
            int fan_in = i < N_CONV ? net->in[i] * 27 : net->in[i];
            float a = b ? 1.0f / 64 : ldexpf(1.0f, (int)floor(log2(sqrt(6.0 / fan_in)) + 0.5));
            float *h = wsd_malloc(t->size * sizeof(float));
            for (size_t j = 0; j < t->size; j++) h[j] = (2 * wsd_rng_uniformf(&rng) - 1) * a;
            nn_tensor_from_host(t, h, t->size);
            free(h);
            net->have[i][b] = 1;
        }
}

static int move(nn_tensor *t, nn_device dev) {
    if (t->device == dev) return 0;
    nn_tensor m = nn_tensor_zeros(dev, t->ndim, t->shape);
    nn_tensor_copy(&m, t);
    nn_tensor_free(t);
    *t = m;
    return 0;
}

int wsd_c3d_to_device(wsd_c3d *net, nn_device dev) {
    if (!nn_device_available(dev)) return -1;
    for (int i = 0; i < WSD_C3D_LAYERS; i++) {
        move(&net->weight[i], dev);
        move(&net->bias[i], dev);
    }
    nn_tensor_free(&net->act[0]);
    nn_tensor_free(&net->act[1]);
    nn_tensor_free(&net->io);
    net->device = dev;
    return 0;
}

static void room(nn_tensor *t, nn_device dev, size_t n) {
    if (t->data && t->device == dev && t->size == n) return;
    nn_tensor_free(t);
    *t = nn_zeros1(dev, (int)n);
}

/* One batch of b clips (already in x on the device) → fc7 host rows. */
static int forward_batch(wsd_c3d *net, nn_tensor *x, int b, float *fc7) {
    nn_vol v = {b, 3, WSD_C3D_LEN, WSD_C3D_SIZE, WSD_C3D_SIZE};
    nn_tensor src = *x, dst;
    int d = 0;
    for (int i = 0; i < N_CONV; i++) {
        nn_vol o = v;
        o.c = net->out[i];
        dst = nn_view1(&net->act[d], 0, (int)nn_vol_size(o));
        TRY(nn_conv3d_forward(&src, v, &net->weight[i], &net->bias[i], 1, &dst));
        src = dst;
        d ^= 1;
        v = o;
        if (pool_after[i]) {
            int k[3], s[3], p[3];
            pool_params(pool_after[i], k, s, p);
            TRY(nn_maxpool3d_shape(v, k, s, p, &o));
            dst = nn_view1(&net->act[d], 0, (int)nn_vol_size(o));
            TRY(nn_maxpool3d_forward(&src, v, k, s, p, &dst, &v));
            src = dst;
            d ^= 1;
        }
    }
    for (int i = FC6; i <= FC7; i++) {
        nn_tensor xin = nn_view2(&src, 0, b, net->in[i]);
        dst = nn_view2(&net->act[d], 0, b, net->out[i]);
        if (nn_gemm(0, 1, 1.0f, &xin, &net->weight[i], 0.0f, &dst) ||
            nn_add_row_bias(&dst, &net->bias[i]) || nn_relu(&dst, &dst))
            return -1;
        src = dst;
        d ^= 1;
    }
    return nn_tensor_to_host(&src, fc7, (size_t)b * net->out[FC7]);
}

int wsd_c3d_forward(wsd_c3d *net, const float *clips, int n, float *fc7) {
    TRY(wsd_c3d_check_complete(net, "C3D"));
    if (n <= 0) return 0;
    int bmax = net->batch > 0 ? net->batch : 1;
    if (bmax > n) bmax = n;
    size_t largest;
    walk(net, bmax, &largest);
    room(&net->act[0], net->device, largest);
    room(&net->act[1], net->device, largest);
    size_t clip = (size_t)3 * WSD_C3D_LEN * WSD_C3D_SIZE * WSD_C3D_SIZE;
    for (int n0 = 0; n0 < n; n0 += bmax) {
        int b = n - n0 < bmax ? n - n0 : bmax;
        const float *xin = clips + (size_t)n0 * clip;
        nn_tensor x;
        if (net->device == NN_CPU) {
            memset(&x, 0, sizeof x);
            x.data = (float *)xin; /* read only: a non-owning view of the caller's clips */
            x.ndim = 1;
            x.shape[0] = (int)(b * clip);
            x.size = b * clip;
            x.device = NN_CPU;
        } else {
            room(&net->io, net->device, bmax * clip);
            x = nn_view1(&net->io, 0, (int)(b * clip));
            nn_tensor_from_host(&x, xin, x.size);
        }
        TRY(forward_batch(net, &x, b, fc7 + (size_t)n0 * net->out[FC7]));
    }
    return 0;
}

double wsd_c3d_flops(const wsd_c3d *net) {
    double f = 0;
    nn_vol v = {1, 3, WSD_C3D_LEN, WSD_C3D_SIZE, WSD_C3D_SIZE};
    for (int i = 0; i < N_CONV; i++) {
        f += 2.0 * net->out[i] * net->in[i] * 27 * v.t * v.h * v.w;
        v.c = net->out[i];
        if (pool_after[i]) {
            int k[3], s[3], p[3];
            pool_params(pool_after[i], k, s, p);
            nn_maxpool3d_shape(v, k, s, p, &v);
        }
    }
    f += 2.0 * net->in[FC6] * net->out[FC6] + 2.0 * net->in[FC7] * net->out[FC7];
    return f;
}
