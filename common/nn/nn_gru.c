#include "nn/nn_gru.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn/nn_backend.h"
#include "nn/nn_linear.h"
#include "nn/nn_ops.h"
#include "nn/nn_rnn.h"
#include "base/util.h"

int nn_gru_init(nn_gru *g, nn_params *ps, const char *prefix, int in, int hidden, int layers,
                float dropout, wsd_rng *rng, nn_device dev) {
    memset(g, 0, sizeof *g);
    g->in = in;
    g->hidden = hidden;
    g->layers = layers;
    g->dropout = dropout;
    return nn_rnn_params_init("GRU", 3, ps, prefix, in, hidden, layers, rng, dev, g->w_ih, g->w_hh,
                              g->b_ih, g->b_hh);
}

/* rows × W_ihᵀ + b (or W_hh), rows (n, k) → out (n, 3H), ld 3H. */
static void project(const nn_backend *be, int n, int k, int H3, const float *rows,
                    const nn_param *w, const nn_param *b, float *out) {
    be->gemm(0, 1, n, H3, k, 1.0f, rows, k, w->value.data, k, 0.0f, out, H3);
    be->add_row_bias(n, H3, out, b->value.data);
}

/* W_hh (trans 0: as B = W_hh, for dh·W_hh) or W_hhᵀ (trans 1: for h·W_hhᵀ)
 * packed into buf for the per-step products, or NULL when the backend has
 * no packed product (then plain gemm). */
static const float *pack_hh(const nn_backend *be, nn_tensor *buf, nn_device dev, const nn_param *w,
                            int H, int trans) {
    size_t n = be->pack_size ? be->pack_size(trans ? H : 3 * H, trans ? 3 * H : H) : 0;
    if (!n) return NULL;
    nn_tensor_room(buf, dev, n);
    be->pack_b(trans ? H : 3 * H, trans ? 3 * H : H, w->value.data, H, trans, buf->data);
    return buf->data;
}

/* h (n, H) · W_hhᵀ + b_hh → out (n, 3H), through the packed copy when there is one */
static void project_hh(const nn_backend *be, int n, int H, const float *h, const float *packed,
                       const nn_param *w, const nn_param *b, float *out) {
    if (packed) {
        be->gemm_packed(n, 3 * H, H, h, H, packed, 0.0f, b->value.data, out, 3 * H);
    } else {
        project(be, n, H, 3 * H, h, w, b, out);
    }
}

/* dh (n, H) += dg (n, 3H) · W_hh */
static void back_hh(const nn_backend *be, int n, int H, const float *dg, const float *packed,
                    const nn_param *w, float *dh) {
    if (packed)
        be->gemm_packed(n, H, 3 * H, dg, 3 * H, packed, 1.0f, NULL, dh, H);
    else
        be->gemm(0, 0, n, H, 3 * H, 1.0f, dg, 3 * H, w->value.data, H, 1.0f, dh, H);
}

/* Parameter gradients of one layer: dW_ih += dgiᵀ in, dW_hh += dghᵀ hp, biases. */
static void layer_param_grads(const nn_backend *be, const nn_gru *g, int l, int n, int in_l,
                              const float *dgi, const float *input, const float *dgh,
                              const float *hp) {
    int H3 = 3 * g->hidden, H = g->hidden;
    be->gemm(1, 0, H3, in_l, n, 1.0f, dgi, H3, input, in_l, 1.0f, nn_param_grad(g->w_ih[l])->data,
             in_l);
    be->sum_rows(n, H3, dgi, nn_param_grad(g->b_ih[l])->data);
    be->gemm(1, 0, H3, H, n, 1.0f, dgh, H3, hp, H, 1.0f, nn_param_grad(g->w_hh[l])->data, H);
    be->sum_rows(n, H3, dgh, nn_param_grad(g->b_hh[l])->data);
}

/* ---- one step ---- */

void nn_gru_step_cache_free(nn_gru_step_cache *c) {
    nn_tensor_free(&c->x);
    nn_tensor_free(&c->h_prev);
    nn_tensor_free(&c->gates);
    nn_tensor_free(&c->drop);
    nn_tensor_free(&c->upper_in);
    memset(c, 0, sizeof *c);
}

int nn_gru_step_forward(const nn_gru *g, const nn_tensor *x, const nn_tensor *h_prev,
                        nn_tensor *h_next, int training, wsd_rng *rng, nn_gru_step_cache *cache) {
    int L = g->layers, H = g->hidden;
    if (x->ndim != 2 || x->shape[1] != g->in)
        return wsd_fail("GRU step: input %s, expected (B, %d)", nn_tensor_shape_str(x), g->in);
    int B = x->shape[0];
    if (nn_check_shape(h_prev, "GRU step h_prev", 3, L, B, H) ||
        nn_check_shape(h_next, "GRU step h_next", 3, L, B, H))
        return -1;
    nn_device dev = x->device;
    const nn_backend *be = nn_backend_for(dev);
    int dropping = training && g->dropout > 0 && L > 1;
    if (cache) {
        int s3[3] = {L, B, 4 * H}, su[3] = {L > 1 ? L - 1 : 1, B, H};
        cache->batch = B;
        nn_tensor_ensure(&cache->x, dev, 2, x->shape);
        nn_tensor_ensure(&cache->h_prev, dev, 3, h_prev->shape);
        nn_tensor_ensure(&cache->gates, dev, 3, s3);
        nn_tensor_ensure(&cache->drop, dev, 3, su);
        nn_tensor_ensure(&cache->upper_in, dev, 3, su);
        nn_tensor_copy(&cache->x, x);
        nn_tensor_copy(&cache->h_prev, h_prev);
        cache->dropped = dropping;
    }
    nn_tensor gi = nn_zeros2(dev, B, 3 * H), gh = nn_zeros2(dev, B, 3 * H);
    nn_tensor upper = nn_zeros2(dev, B, H), mask = {0};
    const float *input = x->data;
    int in_l = g->in;
    size_t BH = (size_t)B * H;
    for (int l = 0; l < L; l++) {
        project(be, B, in_l, 3 * H, input, g->w_ih[l], g->b_ih[l], gi.data);
        project(be, B, H, 3 * H, h_prev->data + l * BH, g->w_hh[l], g->b_hh[l], gh.data);
        float *gates = cache ? cache->gates.data + (size_t)l * B * 4 * H : NULL;
        be->gru_cell_forward(B, H, gi.data, 3 * H, gh.data, h_prev->data + l * BH,
                             h_next->data + l * BH, gates);
        if (l == L - 1) break;
        input = nn_rnn_next_input(be, dev, g->dropout, dropping, rng, cache ? &cache->drop : NULL,
                                  cache ? &cache->upper_in : NULL, upper.data,
                                  h_next->data + l * BH, l, B, H);
        in_l = H;
    }
    nn_tensor_free(&gi);
    nn_tensor_free(&gh);
    nn_tensor_free(&upper);
    nn_tensor_free(&mask);
    return 0;
}

int nn_gru_step_backward(const nn_gru *g, const nn_gru_step_cache *cache, nn_tensor *dh,
                         nn_tensor *dx) {
    int L = g->layers, H = g->hidden, B = cache->batch;
    if (!cache->gates.data) return wsd_fail("GRU step backward: empty cache");
    TRY(nn_check_shape(dh, "GRU step dh", 3, L, B, H));
    if (dx && nn_check_shape(dx, "GRU step dx", 2, B, g->in)) return -1;
    nn_device dev = dh->device;
    const nn_backend *be = nn_backend_for(dev);
    size_t BH = (size_t)B * H;
    nn_tensor dgi = nn_zeros2(dev, B, 3 * H), dgh = nn_zeros2(dev, B, 3 * H);
    nn_tensor dhp = nn_zeros2(dev, B, H), dup = nn_zeros2(dev, B, H);
    for (int l = L - 1; l >= 0; l--) {
        const float *hp = cache->h_prev.data + l * BH;
        const float *input = l ? cache->upper_in.data + (l - 1) * BH : cache->x.data;
        int in_l = l ? H : g->in;
        be->gru_cell_backward(B, H, cache->gates.data + (size_t)l * B * 4 * H, hp,
                              dh->data + l * BH, dgi.data, 3 * H, dgh.data, dhp.data);
        layer_param_grads(be, g, l, B, in_l, dgi.data, input, dgh.data, hp);
        be->gemm(0, 0, B, H, 3 * H, 1.0f, dgh.data, 3 * H, g->w_hh[l]->value.data, H, 1.0f,
                 dhp.data, H);
        if (l > 0) {
            be->gemm(0, 0, B, H, 3 * H, 1.0f, dgi.data, 3 * H, g->w_ih[l]->value.data, H, 0.0f,
                     dup.data, H);
            if (cache->dropped)
                be->mul(BH, dup.data, cache->drop.data + (l - 1) * BH, dh->data + (l - 1) * BH, 1);
            else
                be->axpy(BH, 1.0f, dup.data, dh->data + (l - 1) * BH);
        } else if (dx) {
            be->gemm(0, 0, B, g->in, 3 * H, 1.0f, dgi.data, 3 * H, g->w_ih[0]->value.data, g->in,
                     1.0f, dx->data, g->in);
        }
        be->copy(dh->data + l * BH, dhp.data, BH);
    }
    nn_tensor_free(&dgi);
    nn_tensor_free(&dgh);
    nn_tensor_free(&dhp);
    nn_tensor_free(&dup);
    return 0;
}

/* ---- inference steps with a constant input part ---- */

void nn_gru_infer_free(nn_gru_infer *s) {
    nn_tensor_free(&s->pc);
    nn_tensor_free(&s->gi);
    nn_tensor_free(&s->gh);
    for (int l = 0; l < NN_RNN_MAX_LAYERS; l++) {
        nn_tensor_free(&s->pack_ih[l]);
        nn_tensor_free(&s->pack_hh[l]);
    }
    memset(s, 0, sizeof *s);
}

/* Packs Wᵀ (W: n × ld, its first k columns) into t; 0 when the backend has no
 * packed product. */
static int pack_t(const nn_backend *be, nn_tensor *t, nn_device dev, const float *w, int k, int n,
                  int ld) {
    size_t sz = be->pack_size ? be->pack_size(k, n) : 0;
    if (!sz) return 0;
    int s1[1] = {(int)sz};
    nn_tensor_ensure(t, dev, 1, s1);
    be->pack_b(k, n, w, ld, 1, t->data);
    return 1;
}

int nn_gru_infer_begin(const nn_gru *g, const nn_tensor *xc, nn_gru_infer *s) {
    int H = g->hidden, L = g->layers, in = g->in;
    if (xc->ndim != 2 || xc->shape[1] <= 0 || xc->shape[1] >= in)
        return wsd_fail("GRU: constant input %s, expected (B, < %d)", nn_tensor_shape_str(xc), in);
    int B = xc->shape[0], cw = xc->shape[1];
    nn_device dev = xc->device;
    const nn_backend *be = nn_backend_for(dev);
    s->B = B;
    s->in_var = in - cw;
    nn_tensor_ensure2(&s->pc, dev, B, 3 * H);
    nn_tensor_ensure2(&s->gi, dev, B, 3 * H);
    nn_tensor_ensure2(&s->gh, dev, B, 3 * H);
    const float *w0 = g->w_ih[0]->value.data;
    be->gemm(0, 1, B, 3 * H, cw, 1.0f, xc->data, cw, w0 + s->in_var, in, 0.0f, s->pc.data, 3 * H);
    be->add_row_bias(B, 3 * H, s->pc.data, g->b_ih[0]->value.data);
    s->packed = 1;
    for (int l = 0; l < L && s->packed; l++)
        s->packed = pack_t(be, &s->pack_ih[l], dev, g->w_ih[l]->value.data, l ? H : s->in_var,
                           3 * H, l ? H : in) &&
                    pack_t(be, &s->pack_hh[l], dev, g->w_hh[l]->value.data, H, 3 * H, H);
    return 0;
}

int nn_gru_infer_step(const nn_gru *g, nn_gru_infer *s, const nn_tensor *x, const nn_tensor *h_prev,
                      nn_tensor *h_next) {
    int L = g->layers, H = g->hidden, B = s->B, in = g->in;
    if (nn_check_shape(x, "GRU step input", 2, B, s->in_var) ||
        nn_check_shape(h_prev, "GRU step h_prev", 3, L, B, H) ||
        nn_check_shape(h_next, "GRU step h_next", 3, L, B, H))
        return -1;
    const nn_backend *be = nn_backend_for(x->device);
    size_t BH = (size_t)B * H;
    const float *input = x->data;
    for (int l = 0; l < L; l++) {
        int k = l ? H : s->in_var;
        const float *hp = h_prev->data + l * BH;
        const float *b_ih = l ? g->b_ih[l]->value.data : NULL, *b_hh = g->b_hh[l]->value.data;
        if (s->packed) {
            be->gemm_packed(B, 3 * H, k, input, k, s->pack_ih[l].data, 0.0f, b_ih, s->gi.data,
                            3 * H);
            be->gemm_packed(B, 3 * H, H, hp, H, s->pack_hh[l].data, 0.0f, b_hh, s->gh.data, 3 * H);
        } else {
            be->gemm(0, 1, B, 3 * H, k, 1.0f, input, k, g->w_ih[l]->value.data, l ? H : in, 0.0f,
                     s->gi.data, 3 * H);
            be->gemm(0, 1, B, 3 * H, H, 1.0f, hp, H, g->w_hh[l]->value.data, H, 0.0f, s->gh.data,
                     3 * H);
            if (b_ih) be->add_row_bias(B, 3 * H, s->gi.data, b_ih);
            be->add_row_bias(B, 3 * H, s->gh.data, b_hh);
        }
        if (l == 0) be->axpy((size_t)B * 3 * H, 1.0f, s->pc.data, s->gi.data);
        be->gru_cell_forward(B, H, s->gi.data, 3 * H, s->gh.data, hp, h_next->data + l * BH, NULL);
        input = h_next->data + l * BH;
    }
    return 0;
}

/* ---- whole sequence ---- */

void nn_gru_seq_cache_free(nn_gru_seq_cache *c) {
    nn_tensor_free(&c->x);
    for (int l = 0; l < NN_RNN_MAX_LAYERS; l++) {
        nn_tensor_free(&c->h[l]);
        nn_tensor_free(&c->gates[l]);
        nn_tensor_free(&c->drop[l]);
        nn_tensor_free(&c->upper_in[l]);
    }
    nn_tensor_free(&c->work);
    nn_tensor_free(&c->work2);
    nn_tensor_free(&c->work3);
    nn_tensor_free(&c->wpack);
    nn_tensor_free(&c->xc);
    nn_tensor_free(&c->dh);
    nn_tensor_free(&c->dlow);
    nn_tensor_free(&c->grads);
    nn_tensor_free(&c->hprev);
    free(c->len);
    free(c->order);
    free(c->inv);
    free(c->count);
    free(c->off);
    free(c->src_row);
    free(c->tb_row);
    free(c->prev_row);
    memset(c, 0, sizeof *c);
}

/* ---- the row layout ----
 * (Its buffers keep their room across batches of other lengths:
 * nn_tensor_room.)
 * Every per-row buffer of the cache holds step t's rows at off[t] …
 * off[t] + count[t] − 1: the count[t] sequences still running at step t,
 * longest first (order[i] is the batch index of the i-th longest, ties in
 * batch order). The sequences running at t+1 are thus the first rows of
 * those running at t, and a step's products take a prefix of the previous
 * step's states. Without lengths (or all of length T) order is the
 * identity, count[t] = B and off[t] = t·B: the plain time-major layout, and
 * nothing below changes a bit. */

/* (length, batch index) pairs: longest first, ties in batch order */
static int by_len_desc(const void *a, const void *b) {
    const int *x = a, *y = b;
    if (x[0] != y[0]) return x[0] > y[0] ? -1 : 1;
    return (x[1] > y[1]) - (x[1] < y[1]);
}

static int set_layout(nn_gru_seq_cache *c, int T, int B, const int *len) {
    c->packed = 0;
    if (T < 1 || B < 1) return wsd_fail("GRU: %d sequences of %d steps, expected at least 1", B, T);
    if (len)
        for (int b = 0; b < B; b++) {
            if (len[b] < 1 || len[b] > T)
                return wsd_fail("GRU: sequence %d has length %d, expected 1 … %d", b, len[b], T);
            if (len[b] < T) c->packed = 1;
        }
    c->len = wsd_realloc(c->len, sizeof(int) * (size_t)B);
    c->order = wsd_realloc(c->order, sizeof(int) * (size_t)B);
    c->inv = wsd_realloc(c->inv, sizeof(int) * (size_t)B);
    c->count = wsd_realloc(c->count, sizeof(int) * (size_t)T);
    c->off = wsd_realloc(c->off, sizeof(int) * (size_t)(T + 1));
    for (int b = 0; b < B; b++) {
        c->len[b] = c->packed ? len[b] : T;
        c->order[b] = b;
    }
    if (c->packed) {
        int *pairs = wsd_malloc(sizeof(int) * 2 * (size_t)B);
        for (int b = 0; b < B; b++) pairs[2 * b] = c->len[b], pairs[2 * b + 1] = b;
        qsort(pairs, (size_t)B, 2 * sizeof(int), by_len_desc);
        for (int i = 0; i < B; i++) c->order[i] = pairs[2 * i + 1];
        free(pairs);
    }
    for (int i = 0; i < B; i++) c->inv[c->order[i]] = i;
    c->off[0] = 0;
    for (int t = 0, n = B; t < T; t++) {
        while (n > 0 && c->len[c->order[n - 1]] <= t) n--;
        c->count[t] = n;
        c->off[t + 1] = c->off[t] + n;
    }
    c->rows = c->off[T];
    c->T = T;
    c->B = B;
    if (!c->packed) return 0;
    size_t R = (size_t)c->rows;
    c->src_row = wsd_realloc(c->src_row, sizeof(int) * R);
    c->tb_row = wsd_realloc(c->tb_row, sizeof(int) * R);
    c->prev_row = wsd_realloc(c->prev_row, sizeof(int) * R);
    for (int t = 0; t < T; t++)
        for (int i = 0; i < c->count[t]; i++) {
            int r = c->off[t] + i, b = c->order[i];
            c->src_row[r] = b * T + t;
            c->tb_row[r] = t * B + b;
            c->prev_row[r] = t ? B + c->off[t - 1] + i : i;
        }
    return 0;
}

/* h_{t−1} of step t's rows (layer l's states hold h_{-1} in rows 0 … B−1,
 * then step t's outputs at B + off[t]) */
static float *prev_state(const nn_gru_seq_cache *c, int l, int t, int H) {
    return c->h[l].data + (size_t)(t ? c->B + c->off[t - 1] : 0) * H;
}

/* Dropout masks of every step and sequence (T, B, H) drawn in time-major
 * order, those of the running rows kept: the same masks whether or not
 * padding is skipped. Drawn a step at a time, straight into the mask on the
 * CPU (no buffer of the whole stream to fault in). */
static void draw_dropout(float p, wsd_rng *rng, const nn_gru_seq_cache *c, int H, nn_tensor *dst) {
    size_t BH = (size_t)c->B * H, R = (size_t)c->rows;
    int direct = dst->device == NN_CPU;
    float *out = direct ? dst->data : wsd_malloc(sizeof(float) * (R ? R * H : 1));
    float *step = c->packed ? wsd_malloc(sizeof(float) * (BH ? BH : 1)) : NULL;
    for (int t = 0; t < c->T; t++) {
        if (!c->packed) {
            /* every sequence runs every step: row t·B + b is (t, b) */
            nn_dropout_draw(p, rng, BH, out + (size_t)t * BH);
            continue;
        }
        nn_dropout_draw(p, rng, BH, step);
        for (int i = 0; i < c->count[t]; i++) {
            size_t r = (size_t)c->off[t] + i;
            memcpy(out + r * H, step + (c->tb_row[r] - (size_t)t * c->B) * H, sizeof(float) * H);
        }
    }
    free(step);
    if (!direct) {
        nn_backend_for(dst->device)->upload(dst->data, out, R * H);
        free(out);
    }
}

/* The forward over c->x (rows of the layout, in_var wide), plus xc (B, in −
 * in_var) in batch order, the same at every step (NULL when in_var == in;
 * the time-major and by-rows callers only): layer 0's input projection is
 * one product over all rows for the varying part and one over B rows for
 * the constant part, put in the layout's order and added to every step. */
static int seq_forward_core(const nn_gru *g, int in_var, const nn_tensor *h0, int training,
                            wsd_rng *rng, nn_gru_seq_cache *c, const nn_gru_seq_cache *same0) {
    int L = g->layers, H = g->hidden, in = g->in, T = c->T, B = c->B;
    nn_device dev = c->x.device;
    const nn_backend *be = nn_backend_for(dev);
    int dropping = training && g->dropout > 0 && L > 1;
    size_t BH = (size_t)B * H, B3H = (size_t)B * 3 * H, R = (size_t)c->rows;
    c->in_var = in_var;
    c->dropped = dropping;
    nn_tensor_room(&c->work, dev, R * 3 * H);
    nn_tensor_room(&c->work2, dev, B3H);
    const float *input = c->x.data;
    int in_l = in;
    for (int l = 0; l < L; l++) {
        nn_tensor_room(&c->h[l], dev, (B + R) * H);
        nn_tensor_room(&c->gates[l], dev, R * 4 * H);
        if (l == 0 && same0) {
            /* layer 0 of an identical forward: its states and gates as they are */
            be->copy(c->h[0].data, same0->h[0].data, (B + R) * H);
            be->copy(c->gates[0].data, same0->gates[0].data, R * 4 * H);
        } else {
            if (h0 && c->packed)
                be->gather_rows(B, H, h0->data + l * BH, c->order, c->h[l].data);
            else if (h0)
                be->copy(c->h[l].data, h0->data + l * BH, BH);
            else
                be->fill(c->h[l].data, BH, 0.0f);
            /* all input projections of the layer in one product */
            if (l == 0 && in_var < in) {
                const float *w = g->w_ih[0]->value.data;
                be->gemm(0, 1, (int)R, 3 * H, in_var, 1.0f, input, in_var, w, in, 0.0f,
                         c->work.data, 3 * H);
                be->gemm(0, 1, B, 3 * H, in - in_var, 1.0f, c->xc.data, in - in_var, w + in_var, in,
                         0.0f, c->work2.data, 3 * H);
                be->add_row_bias(B, 3 * H, c->work2.data, g->b_ih[0]->value.data);
                const float *pc = c->work2.data;
                if (c->packed) {
                    /* in the layout's order (work3 is free until the backward) */
                    nn_tensor_room(&c->work3, dev, B3H);
                    be->gather_rows(B, 3 * H, c->work2.data, c->order, c->work3.data);
                    pc = c->work3.data;
                }
                for (int t = 0; t < T; t++)
                    be->axpy((size_t)c->count[t] * 3 * H, 1.0f, pc,
                             c->work.data + (size_t)c->off[t] * 3 * H);
            } else {
                project(be, (int)R, in_l, 3 * H, input, g->w_ih[l], g->b_ih[l], c->work.data);
            }
            const float *packed = pack_hh(be, &c->wpack, dev, g->w_hh[l], H, 1);
            for (int t = 0; t < T; t++) {
                const float *hp = prev_state(c, l, t, H);
                size_t o = (size_t)c->off[t];
                project_hh(be, c->count[t], H, hp, packed, g->w_hh[l], g->b_hh[l], c->work2.data);
                be->gru_cell_forward(c->count[t], H, c->work.data + o * 3 * H, 3 * H, c->work2.data,
                                     hp, c->h[l].data + (B + o) * H, c->gates[l].data + o * 4 * H);
            }
        }
        if (l == L - 1) break;
        if (dropping) {
            nn_tensor_room(&c->drop[l], dev, R * H);
            nn_tensor_room(&c->upper_in[l], dev, R * H);
            draw_dropout(g->dropout, rng, c, H, &c->drop[l]);
            be->mul(R * H, c->h[l].data + BH, c->drop[l].data, c->upper_in[l].data, 0);
            input = c->upper_in[l].data;
        } else {
            input = c->h[l].data + BH;
        }
        in_l = H;
    }
    return 0;
}

static int seq_forward_bm(const nn_gru *g, const nn_tensor *x, const int *len, const nn_tensor *h0,
                          nn_tensor *out, nn_tensor *hs, int training, wsd_rng *rng,
                          nn_gru_seq_cache *cache, const nn_gru_seq_cache *same0) {
    int L = g->layers, H = g->hidden, in = g->in;
    if (x->ndim != 3 || x->shape[2] != in)
        return wsd_fail("GRU: input %s, expected (B, T, %d)", nn_tensor_shape_str(x), in);
    int B = x->shape[0], T = x->shape[1];
    if (h0 && nn_check_shape(h0, "GRU h0", 3, L, B, H)) return -1;
    if (out && nn_check_shape(out, "GRU output", 3, B, T, H)) return -1;
    if (hs && nn_check_shape(hs, "GRU hidden states", 4, L, B, T, H)) return -1;
    nn_gru_seq_cache local;
    memset(&local, 0, sizeof local);
    nn_gru_seq_cache *c = cache ? cache : &local;
    nn_device dev = x->device;
    const nn_backend *be = nn_backend_for(dev);
    size_t BH = (size_t)B * H, R;
    int rc = set_layout(c, T, B, len);
    if (rc) goto done;
    R = (size_t)c->rows;
    nn_tensor_room(&c->x, dev, R * in);
    if (c->packed)
        be->gather_rows((int)R, in, x->data, c->src_row, c->x.data);
    else
        for (int b = 0; b < B; b++)
            be->copy2d(T, in, x->data + (size_t)b * T * in, in, c->x.data + (size_t)b * in, B * in,
                       0);
    rc = seq_forward_core(g, in, h0, training, rng, c, same0);
    if (rc) goto done;
    for (int l = 0; l < L; l++) {
        float *dst = l == L - 1 && out ? out->data : NULL,
              *dst2 = hs ? hs->data + l * BH * T : NULL;
        const float *src = c->h[l].data + BH;
        for (int k = 0; k < 2; k++) {
            float *d = k ? dst2 : dst;
            if (!d) continue;
            if (c->packed) {
                /* the padding reads as zeros */
                be->fill(d, BH * T, 0.0f);
                be->scatter_rows_acc((int)R, H, src, c->src_row, d);
            } else {
                for (int b = 0; b < B; b++)
                    be->copy2d(T, H, src + (size_t)b * H, (int)BH, d + (size_t)b * T * H, H, 0);
            }
        }
    }
done:
    if (!cache) nn_gru_seq_cache_free(&local);
    return rc;
}

int nn_gru_seq_forward(const nn_gru *g, const nn_tensor *x, const nn_tensor *h0, nn_tensor *out,
                       nn_tensor *hs, int training, wsd_rng *rng, nn_gru_seq_cache *cache) {
    return seq_forward_bm(g, x, NULL, h0, out, hs, training, rng, cache, NULL);
}

int nn_gru_seq_forward_len(const nn_gru *g, const nn_tensor *x, const int *len, const nn_tensor *h0,
                           nn_tensor *out, nn_tensor *hs, int training, wsd_rng *rng,
                           nn_gru_seq_cache *cache) {
    return seq_forward_bm(g, x, len, h0, out, hs, training, rng, cache, NULL);
}

int nn_gru_seq_forward_same0(const nn_gru *g, const nn_tensor *x, const nn_gru_seq_cache *same,
                             nn_tensor *out, nn_tensor *hs, int training, wsd_rng *rng,
                             nn_gru_seq_cache *cache) {
    if (x->ndim != 3 || !same || !same->h[0].data || same->in_var != g->in ||
        same->B != x->shape[0] || same->T != x->shape[1] || same->h[0].device != x->device)
        return wsd_fail("GRU: layer 0 to reuse is not from a forward of this shape (%s)",
                        nn_tensor_shape_str(x));
    if (!cache || cache == same) return wsd_fail("GRU: reusing layer 0 needs a cache of its own");
    return seq_forward_bm(g, x, same->packed ? same->len : NULL, NULL, out, hs, training, rng,
                          cache, same);
}

int nn_gru_seq_layout(nn_gru_seq_cache *c, int T, int B, const int *len) {
    return set_layout(c, T, B, len);
}

/* the time-major forward on x (rows, in_var) in c's layout */
static int forward_rows(const nn_gru *g, const nn_tensor *x, const nn_tensor *xc,
                        const nn_tensor *h0, int training, wsd_rng *rng, nn_gru_seq_cache *c) {
    int L = g->layers, H = g->hidden, B = c->B;
    int cw = xc ? xc->shape[xc->ndim - 1] : 0, in_var = g->in - cw;
    if (xc && nn_check_shape(xc, "GRU constant input", 2, B, cw)) return -1;
    if (h0 && nn_check_shape(h0, "GRU h0", 3, L, B, H)) return -1;
    nn_device dev = x->device;
    nn_tensor_room(&c->x, dev, x->size);
    nn_backend_for(dev)->copy(c->x.data, x->data, x->size);
    if (xc) {
        nn_tensor_ensure2(&c->xc, dev, B, cw);
        TRY(nn_tensor_copy(&c->xc, xc));
    }
    return seq_forward_core(g, in_var, h0, training, rng, c, NULL);
}

int nn_gru_seq_forward_tm(const nn_gru *g, const nn_tensor *x, const nn_tensor *xc,
                          const nn_tensor *h0, int training, wsd_rng *rng, nn_gru_seq_cache *c) {
    int in_var = g->in - (xc ? xc->shape[xc->ndim - 1] : 0);
    if (x->ndim != 3 || x->shape[2] != in_var || x->shape[0] < 1 || x->shape[1] < 1)
        return wsd_fail("GRU: time-major input %s, expected (T, B, %d)", nn_tensor_shape_str(x),
                        in_var);
    TRY(set_layout(c, x->shape[0], x->shape[1], NULL));
    return forward_rows(g, x, xc, h0, training, rng, c);
}

int nn_gru_seq_forward_rows(const nn_gru *g, const nn_tensor *x, const nn_tensor *xc,
                            const nn_tensor *h0, int training, wsd_rng *rng, nn_gru_seq_cache *c) {
    int in_var = g->in - (xc ? xc->shape[xc->ndim - 1] : 0);
    if (!c->off || x->ndim != 2 || x->shape[0] != c->rows || x->shape[1] != in_var)
        return wsd_fail("GRU: input %s, expected (%d, %d): the rows of the layout",
                        nn_tensor_shape_str(x), c->off ? c->rows : 0, in_var);
    return forward_rows(g, x, xc, h0, training, rng, c);
}

nn_tensor nn_gru_seq_top_rows(const nn_gru *g, const nn_gru_seq_cache *c) {
    return nn_view2(&c->h[g->layers - 1], (size_t)c->B * g->hidden, c->rows, g->hidden);
}

nn_tensor nn_gru_seq_top_tm(const nn_gru *g, const nn_gru_seq_cache *c) {
    return nn_view3(&c->h[g->layers - 1], (size_t)c->B * g->hidden, c->T, c->B, g->hidden);
}

/* The gradients from outside the recurrence: unpacked, the top layer's at
 * dout + t·ts + b·bs and dhs (layers, B, T, H); packed, both in the layout
 * (gout (rows, H), ghs (layers, rows, H)). */
typedef struct {
    const float *dout;
    size_t ts, bs;
    const nn_tensor *dhs;
    const float *gout, *ghs;
} outside;

/* dst (count[t], H) += the gradient reaching layer l's output at step t
 * from outside the recurrence, and the layer above's input gradient
 * (c->work3) through its dropout. */
static void add_output_grad(const nn_backend *be, const nn_gru_seq_cache *c, int L, int H, int l,
                            int t, const outside *o_, float *dst) {
    int B = c->B, T = c->T, n = c->count[t];
    size_t o = (size_t)c->off[t] * H, nH = (size_t)n * H, RH = (size_t)c->rows * H;
    const float *dout = o_->dout;
    const nn_tensor *dhs = o_->dhs;
    size_t ts = o_->ts, bs = o_->bs;
    if (c->packed) {
        if (l == L - 1 && o_->gout) be->axpy(nH, 1.0f, o_->gout + o, dst);
        if (o_->ghs) be->axpy(nH, 1.0f, o_->ghs + (size_t)l * RH + o, dst);
    } else {
        if (l == L - 1 && dout) be->copy2d(B, H, dout + t * ts, (int)bs, dst, H, 1);
        if (dhs)
            be->copy2d(B, H, dhs->data + (size_t)l * B * T * H + (size_t)t * H, T * H, dst, H, 1);
    }
    if (l < L - 1) {
        const float *du = c->work3.data + o;
        if (c->dropped)
            be->mul(nH, du, c->drop[l].data + o, dst, 1);
        else
            be->axpy(nH, 1.0f, du, dst);
    }
}

static int seq_backward_core(const nn_gru *g, nn_gru_seq_cache *c, const float *dout, size_t ts,
                             size_t bs, const nn_tensor *dhs, nn_tensor *dx, int tm, nn_tensor *dxc,
                             nn_tensor *dh0, float *low_out, const float *low_in) {
    int L = g->layers, H = g->hidden, B = c->B, T = c->T, in = g->in, in_var = c->in_var;
    nn_device dev = c->x.device;
    const nn_backend *be = nn_backend_for(dev);
    size_t BH = (size_t)B * H, B3H = (size_t)B * 3 * H, R = (size_t)c->rows;
    nn_tensor_room(&c->work, dev, R * 3 * H);  /* dgi */
    nn_tensor_room(&c->work2, dev, R * 3 * H); /* dgh */
    nn_tensor_room(&c->work3, dev, R * H);     /* grad w.r.t. the input of the layer above */
    nn_tensor_room(&c->dh, dev, 2 * BH);
    outside og = {dout, ts, bs, dhs, NULL, NULL};
    if (c->packed && tm) {
        og.gout = dout; /* in the layout already */
    } else if (c->packed) {
        /* the gradients from outside, in the layout (padding's are dropped) */
        nn_tensor_room(&c->grads, dev, (1 + L) * R * H);
        if (dout) be->gather_rows((int)R, H, dout, c->src_row, c->grads.data);
        for (int l = 0; dhs && l < L; l++)
            be->gather_rows((int)R, H, dhs->data + (size_t)l * B * T * H, c->src_row,
                            c->grads.data + (1 + l) * R * H);
        og.gout = dout ? c->grads.data : NULL;
        og.ghs = dhs ? c->grads.data + R * H : NULL;
    }
    float *dh = c->dh.data, *dhp = c->dh.data + BH;
    for (int l = L - 1; l >= 0; l--) {
        if (l == 0 && low_out) {
            /* the gradient reaching layer 0's outputs, for the caller to add
             * to another pass's (nn_gru_seq_backward_pair) */
            for (int t = 0; t < T; t++) {
                float *g0 = low_out + (size_t)c->off[t] * H;
                be->fill(g0, (size_t)c->count[t] * H, 0.0f);
                add_output_grad(be, c, L, H, 0, t, &og, g0);
            }
            break;
        }
        /* both halves zero: the rows past n, sequences whose last step is
         * before t, must read as zeros in whichever half holds dh */
        be->fill(c->dh.data, 2 * BH, 0.0f);
        dh = c->dh.data, dhp = c->dh.data + BH;
        const float *packed = pack_hh(be, &c->wpack, dev, g->w_hh[l], H, 0);
        for (int t = T - 1; t >= 0; t--) {
            int n = c->count[t];
            size_t o = (size_t)c->off[t];
            add_output_grad(be, c, L, H, l, t, &og, dh);
            if (l == 0 && low_in) be->axpy((size_t)n * H, 1.0f, low_in + o * H, dh);
            float *dgh = c->work2.data + o * 3 * H;
            be->gru_cell_backward(n, H, c->gates[l].data + o * 4 * H, prev_state(c, l, t, H), dh,
                                  c->work.data + o * 3 * H, 3 * H, dgh, dhp);
            back_hh(be, n, H, dgh, packed, g->w_hh[l], dhp);
            /* h_{t−1}'s gradient is dh from here: the halves swap. Only rows
             * below count[t] were ever written, and counts grow towards
             * t = 0, so the rows past n are still the layer start's zeros */
            float *tmp = dh;
            dh = dhp, dhp = tmp;
        }
        if (dh0 && c->packed)
            be->scatter_rows_acc(B, H, dh, c->order, dh0->data + l * BH);
        else if (dh0)
            be->axpy(BH, 1.0f, dh, dh0->data + l * BH);
        const float *input = l == 0       ? c->x.data
                             : c->dropped ? c->upper_in[l - 1].data
                                          : c->h[l - 1].data + BH;
        /* W_hh's gradient pairs each row with its h_{t−1}: in the plain
         * layout the states one step (B rows) earlier, packed gathered */
        const float *hp = c->h[l].data;
        if (c->packed) {
            nn_tensor_room(&c->hprev, dev, R * H);
            be->gather_rows((int)R, H, c->h[l].data, c->prev_row, c->hprev.data);
            hp = c->hprev.data;
        }
        if (l == 0 && in_var < in) {
            /* the varying part over all rows; the constant part through the
             * gradient summed over the steps (work2 is free again) */
            const float *w = g->w_ih[0]->value.data;
            float *wg = nn_param_grad(g->w_ih[0])->data, *sum = c->work2.data;
            be->gemm(1, 0, 3 * H, H, (int)R, 1.0f, c->work2.data, 3 * H, hp, H, 1.0f,
                     nn_param_grad(g->w_hh[0])->data, H);
            be->sum_rows((int)R, 3 * H, c->work2.data, nn_param_grad(g->b_hh[0])->data);
            be->gemm(1, 0, 3 * H, in_var, (int)R, 1.0f, c->work.data, 3 * H, input, in_var, 1.0f,
                     wg, in);
            be->sum_rows((int)R, 3 * H, c->work.data, nn_param_grad(g->b_ih[0])->data);
            be->copy(sum, c->work.data, B3H); /* every sequence runs step 0 */
            for (int t = 1; t < T; t++)
                be->axpy((size_t)c->count[t] * 3 * H, 1.0f,
                         c->work.data + (size_t)c->off[t] * 3 * H, sum);
            if (c->packed) {
                /* back in batch order (work3 is free again) */
                nn_tensor_room(&c->work3, dev, B3H);
                be->gather_rows(B, 3 * H, sum, c->inv, c->work3.data);
                sum = c->work3.data;
            }
            be->gemm(1, 0, 3 * H, in - in_var, B, 1.0f, sum, 3 * H, c->xc.data, in - in_var, 1.0f,
                     wg + in_var, in);
            if (dxc)
                be->gemm(0, 0, B, in - in_var, 3 * H, 1.0f, sum, 3 * H, w + in_var, in, 1.0f,
                         dxc->data, in - in_var);
            if (dx)
                be->gemm(0, 0, (int)R, in_var, 3 * H, 1.0f, c->work.data, 3 * H, w, in, 1.0f,
                         dx->data, in_var);
            continue;
        }
        int in_l = l ? H : in;
        layer_param_grads(be, g, l, (int)R, in_l, c->work.data, input, c->work2.data, hp);
        if (l > 0) {
            be->gemm(0, 0, (int)R, H, 3 * H, 1.0f, c->work.data, 3 * H, g->w_ih[l]->value.data, H,
                     0.0f, c->work3.data, H);
        } else if (dx && tm) {
            be->gemm(0, 0, (int)R, in, 3 * H, 1.0f, c->work.data, 3 * H, g->w_ih[0]->value.data, in,
                     1.0f, dx->data, in);
        } else if (dx) {
            /* in the layout, then batch-major */
            nn_tensor dxt = nn_zeros2(dev, (int)R, in);
            be->gemm(0, 0, (int)R, in, 3 * H, 1.0f, c->work.data, 3 * H, g->w_ih[0]->value.data, in,
                     0.0f, dxt.data, in);
            if (c->packed)
                be->scatter_rows_acc((int)R, in, dxt.data, c->src_row, dx->data);
            else
                for (int b = 0; b < B; b++)
                    be->copy2d(T, in, dxt.data + (size_t)b * in, B * in,
                               dx->data + (size_t)b * T * in, in, 1);
            nn_tensor_free(&dxt);
        }
    }
    return 0;
}

int nn_gru_seq_backward(const nn_gru *g, nn_gru_seq_cache *c, const nn_tensor *dout,
                        const nn_tensor *dhs, nn_tensor *dx, nn_tensor *dh0) {
    int L = g->layers, H = g->hidden, B = c->B, T = c->T;
    if (!c->gates[0].data) return wsd_fail("GRU backward: empty cache (forward without cache?)");
    if (c->in_var != g->in) return wsd_fail("GRU backward: the forward was time-major");
    if (dout && nn_check_shape(dout, "GRU output grad", 3, B, T, H)) return -1;
    if (dhs && nn_check_shape(dhs, "GRU hidden-state grad", 4, L, B, T, H)) return -1;
    if (dx && nn_check_shape(dx, "GRU input grad", 3, B, T, g->in)) return -1;
    if (dh0 && nn_check_shape(dh0, "GRU h0 grad", 3, L, B, H)) return -1;
    return seq_backward_core(g, c, dout ? dout->data : NULL, (size_t)H, (size_t)T * H, dhs, dx, 0,
                             NULL, dh0, NULL, NULL);
}

int nn_gru_seq_backward_pair(const nn_gru *g, nn_gru_seq_cache *first, const nn_tensor *dout1,
                             const nn_tensor *dhs1, nn_gru_seq_cache *second,
                             const nn_tensor *dout2, const nn_tensor *dhs2) {
    int L = g->layers, H = g->hidden, B = first->B, T = first->T;
    if (!first->gates[0].data || !second->gates[0].data || second == first)
        return wsd_fail("GRU backward: two cached forwards expected");
    if (first->in_var != g->in || second->in_var != g->in || second->B != B || second->T != T ||
        second->rows != first->rows || second->packed != first->packed)
        return wsd_fail("GRU backward: the two forwards differ in shape");
    const nn_tensor *d[4] = {dout1, dout2, dhs1, dhs2};
    for (int i = 0; i < 4; i++)
        if (d[i] && (i < 2 ? nn_check_shape(d[i], "GRU output grad", 3, B, T, H)
                           : nn_check_shape(d[i], "GRU hidden-state grad", 4, L, B, T, H)))
            return -1;
    /* the second pass down to layer 0's outputs, its gradient there kept in
     * the first's scratch (free until the first's own backward) */
    nn_tensor_room(&first->dlow, first->x.device, (size_t)first->rows * H);
    TRY(seq_backward_core(g, second, dout2 ? dout2->data : NULL, (size_t)H, (size_t)T * H, dhs2,
                          NULL, 0, NULL, NULL, first->dlow.data, NULL));
    return seq_backward_core(g, first, dout1 ? dout1->data : NULL, (size_t)H, (size_t)T * H, dhs1,
                             NULL, 0, NULL, NULL, NULL, first->dlow.data);
}

/* The checks both time-major backwards share (dout and dx are the callers'):
 * a cache, dxc only with a constant input, dh0 (layers, B, H). */
static int check_tm_backward(const nn_gru *g, const nn_gru_seq_cache *c, const nn_tensor *dxc,
                             const nn_tensor *dh0) {
    int cw = g->in - c->in_var;
    if (!c->gates[0].data) return wsd_fail("GRU backward: empty cache (forward without cache?)");
    if (dxc && (cw == 0 || nn_check_shape(dxc, "GRU constant-input grad", 2, c->B, cw)))
        return cw ? -1 : wsd_fail("GRU backward: no constant input in the forward");
    if (dh0 && nn_check_shape(dh0, "GRU h0 grad", 3, g->layers, c->B, g->hidden)) return -1;
    return 0;
}

int nn_gru_seq_backward_tm(const nn_gru *g, nn_gru_seq_cache *c, const nn_tensor *dout,
                           nn_tensor *dx, nn_tensor *dxc, nn_tensor *dh0) {
    int H = g->hidden, B = c->B, T = c->T;
    TRY(check_tm_backward(g, c, dxc, dh0));
    if (c->packed) return wsd_fail("GRU backward: the forward was by rows");
    if (dout && nn_check_shape(dout, "GRU output grad", 3, T, B, H)) return -1;
    if (dx && nn_check_shape(dx, "GRU input grad", 3, T, B, c->in_var)) return -1;
    return seq_backward_core(g, c, dout ? dout->data : NULL, (size_t)B * H, (size_t)H, NULL, dx, 1,
                             dxc, dh0, NULL, NULL);
}

int nn_gru_seq_backward_rows(const nn_gru *g, nn_gru_seq_cache *c, const nn_tensor *dout,
                             nn_tensor *dx, nn_tensor *dxc, nn_tensor *dh0) {
    int H = g->hidden;
    TRY(check_tm_backward(g, c, dxc, dh0));
    if (dout && nn_check_shape(dout, "GRU output grad", 2, c->rows, H)) return -1;
    if (dx && nn_check_shape(dx, "GRU input grad", 2, c->rows, c->in_var)) return -1;
    return seq_backward_core(g, c, dout ? dout->data : NULL, (size_t)c->B * H, (size_t)H, NULL, dx,
                             1, dxc, dh0, NULL, NULL);
}
