#include "nn/nn_linear.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "nn/nn_ops.h"
#include "base/util.h"

/* Any tensor whose trailing dimension is `cols` seen as (size/cols, cols). */
static int as_rows(const nn_tensor *t, int cols, const char *what, nn_tensor *out) {
    if (!t->data || cols <= 0 || t->size % (size_t)cols ||
        (t->ndim > 0 && t->shape[t->ndim - 1] != cols))
        return wsd_fail("%s: expected rows of %d, got %s", what, cols, nn_tensor_shape_str(t));
    *out = nn_view2(t, 0, (int)(t->size / (size_t)cols), cols);
    return 0;
}

static nn_param *new_param(nn_params *ps, nn_device dev, const char *prefix, const char *leaf,
                           int ndim, const int *shape) {
    char name[512];
    snprintf(name, sizeof name, "%s.%s", prefix, leaf);
    return nn_params_new(ps, dev, name, 0, ndim, shape);
}

int nn_linear_init(nn_linear *l, nn_params *ps, const char *prefix, int in, int out, int with_bias,
                   wsd_rng *rng, nn_device dev) {
    int ws[2] = {out, in};
    float bound = 1.0f / sqrtf((float)in);
    l->in = in;
    l->out = out;
    l->bias = NULL;
    if (!(l->weight = new_param(ps, dev, prefix, "weight", 2, ws))) return -1;
    nn_init_uniform(&l->weight->value, rng, -bound, bound);
    if (with_bias) {
        if (!(l->bias = new_param(ps, dev, prefix, "bias", 1, &out))) return -1;
        nn_init_uniform(&l->bias->value, rng, -bound, bound);
    }
    return 0;
}

int nn_linear_forward(const nn_linear *l, const nn_tensor *x, nn_tensor *y) {
    nn_tensor x2, y2;
    if (as_rows(x, l->in, "linear input", &x2) || as_rows(y, l->out, "linear output", &y2))
        return -1;
    if (x2.shape[0] != y2.shape[0])
        return wsd_fail("linear: %d input rows, %d output rows", x2.shape[0], y2.shape[0]);
    TRY(nn_gemm(0, 1, 1.0f, &x2, &l->weight->value, 0.0f, &y2));
    return l->bias ? nn_add_row_bias(&y2, &l->bias->value) : 0;
}

int nn_linear_backward(const nn_linear *l, const nn_tensor *x, const nn_tensor *dy, nn_tensor *dx) {
    nn_tensor x2, dy2, dx2;
    if (as_rows(x, l->in, "linear input", &x2) || as_rows(dy, l->out, "linear grad", &dy2))
        return -1;
    TRY(nn_gemm(1, 0, 1.0f, &dy2, &x2, 1.0f, nn_param_grad(l->weight)));
    if (l->bias && nn_sum_rows_acc(&dy2, nn_param_grad(l->bias))) return -1;
    if (dx) {
        TRY(as_rows(dx, l->in, "linear input grad", &dx2));
        TRY(nn_gemm(0, 0, 1.0f, &dy2, &l->weight->value, 1.0f, &dx2));
    }
    return 0;
}

/* sequence b's first len[b] rows of t (B·T, cols) as a view */
static int seq_rows(const nn_tensor *t, int cols, int B, int T, const int *len, int b,
                    const char *what, nn_tensor *out) {
    nn_tensor all;
    TRY(as_rows(t, cols, what, &all));
    if (all.shape[0] != B * T)
        return wsd_fail("%s: %d rows, expected %d sequences of %d", what, all.shape[0], B, T);
    if (len[b] < 1 || len[b] > T)
        return wsd_fail("%s: sequence %d has length %d, expected 1 … %d", what, b, len[b], T);
    *out = nn_view2(&all, (size_t)b * T * cols, len[b], cols);
    return 0;
}

int nn_linear_forward_seq(const nn_linear *l, const nn_tensor *x, int B, int T, const int *len,
                          nn_tensor *y) {
    for (int b = 0; b < B; b++) {
        nn_tensor xb, yb;
        TRY(seq_rows(x, l->in, B, T, len, b, "linear input", &xb));
        TRY(seq_rows(y, l->out, B, T, len, b, "linear output", &yb));
        TRY(nn_linear_forward(l, &xb, &yb));
        if (len[b] < T) { /* the padding's rows */
            nn_tensor pad = nn_view2(y, ((size_t)b * T + len[b]) * l->out, T - len[b], l->out);
            nn_tensor_zero(&pad);
        }
    }
    return 0;
}

int nn_linear_backward_seq(const nn_linear *l, const nn_tensor *x, const nn_tensor *dy, int B,
                           int T, const int *len, nn_tensor *dx) {
    for (int b = 0; b < B; b++) {
        nn_tensor xb, dyb, dxb;
        TRY(seq_rows(x, l->in, B, T, len, b, "linear input", &xb));
        TRY(seq_rows(dy, l->out, B, T, len, b, "linear grad", &dyb));
        if (dx) TRY(seq_rows(dx, l->in, B, T, len, b, "linear input grad", &dxb));
        TRY(nn_linear_backward(l, &xb, &dyb, dx ? &dxb : NULL));
    }
    return 0;
}

int nn_embedding_init(nn_embedding *e, nn_params *ps, const char *prefix, int num, int dim,
                      wsd_rng *rng, nn_device dev) {
    int ws[2] = {num, dim};
    e->num = num;
    e->dim = dim;
    if (!(e->weight = new_param(ps, dev, prefix, "weight", 2, ws))) return -1;
    nn_init_normal(&e->weight->value, rng, 0.0f, 1.0f);
    return 0;
}

int nn_embedding_forward(const nn_embedding *e, const int *ids, int n, nn_tensor *out) {
    nn_tensor o2;
    TRY(as_rows(out, e->dim, "embedding output", &o2));
    return nn_gather_rows(&o2, &e->weight->value, ids, n);
}

int nn_embedding_backward(const nn_embedding *e, const int *ids, int n, const nn_tensor *dout) {
    nn_tensor d2;
    TRY(as_rows(dout, e->dim, "embedding grad", &d2));
    return nn_scatter_rows_acc(nn_param_grad(e->weight), &d2, ids, n);
}

int nn_dropout_forward(float p, int training, wsd_rng *rng, const nn_tensor *x, nn_tensor *y,
                       nn_tensor *mask) {
    if (x->size != y->size) return wsd_fail("dropout: input and output sizes differ");
    if (p < 0 || p >= 1) return wsd_fail("dropout: probability %g outside [0, 1)", p);
    nn_tensor_ensure(mask, x->device, x->ndim, x->shape);
    if (!training || p == 0) {
        nn_tensor_fill(mask, 1.0f);
        return nn_tensor_copy(y, x);
    }
    nn_dropout_mask(p, rng, mask);
    return nn_mul(x, mask, y);
}

/* Masks are drawn on the host so a seed gives the same mask on every device. */
void nn_dropout_draw(float p, wsd_rng *rng, size_t n, float *host) {
    float keep = 1.0f / (1.0f - p);
    wsd_rng_uniformf_n(rng, n, host);
    for (size_t i = 0; i < n; i++) host[i] = host[i] < p ? 0.0f : keep;
}

void nn_dropout_mask(float p, wsd_rng *rng, nn_tensor *mask) {
    float *h = wsd_malloc((mask->size ? mask->size : 1) * sizeof(float));
    nn_dropout_draw(p, rng, mask->size, h);
    nn_tensor_from_host(mask, h, mask->size);
    free(h);
}

int nn_dropout_backward(const nn_tensor *mask, const nn_tensor *dy, nn_tensor *dx) {
    return nn_mul_acc(dy, mask, dx);
}
