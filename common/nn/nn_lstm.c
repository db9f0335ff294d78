#include "nn/nn_lstm.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn/nn_backend.h"
#include "nn/nn_linear.h"
#include "nn/nn_ops.h"
#include "nn/nn_rnn.h"
#include "base/util.h"

int nn_lstm_init(nn_lstm *g, nn_params *ps, const char *prefix, int in, int hidden, int layers,
                 float dropout, wsd_rng *rng, nn_device dev) {
    memset(g, 0, sizeof *g);
    g->in = in;
    g->hidden = hidden;
    g->layers = layers;
    g->dropout = dropout;
    return nn_rnn_params_init("LSTM", 4, ps, prefix, in, hidden, layers, rng, dev, g->w_ih, g->w_hh,
                              g->b_ih, g->b_hh);
}

void nn_lstm_step_cache_free(nn_lstm_step_cache *c) {
    nn_tensor_free(&c->x);
    nn_tensor_free(&c->h_prev);
    nn_tensor_free(&c->c_prev);
    nn_tensor_free(&c->gates);
    nn_tensor_free(&c->drop);
    nn_tensor_free(&c->upper_in);
    memset(c, 0, sizeof *c);
}

int nn_lstm_step_forward(const nn_lstm *g, const nn_tensor *x, const nn_tensor *h_prev,
                         const nn_tensor *c_prev, nn_tensor *h_next, nn_tensor *c_next,
                         int training, wsd_rng *rng, nn_lstm_step_cache *cache) {
    int L = g->layers, H = g->hidden;
    if (x->ndim != 2 || x->shape[1] != g->in)
        return wsd_fail("LSTM step: input %s, expected (B, %d)", nn_tensor_shape_str(x), g->in);
    int B = x->shape[0];
    if (nn_check_shape(h_prev, "LSTM h_prev", 3, L, B, H) ||
        nn_check_shape(c_prev, "LSTM c_prev", 3, L, B, H) ||
        nn_check_shape(h_next, "LSTM h_next", 3, L, B, H) ||
        nn_check_shape(c_next, "LSTM c_next", 3, L, B, H))
        return -1;
    nn_device dev = x->device;
    const nn_backend *be = nn_backend_for(dev);
    int dropping = training && g->dropout > 0 && L > 1;
    if (cache) {
        int s5[3] = {L, B, 5 * H}, su[3] = {L > 1 ? L - 1 : 1, B, H};
        cache->batch = B;
        nn_tensor_ensure(&cache->x, dev, 2, x->shape);
        nn_tensor_ensure(&cache->h_prev, dev, 3, h_prev->shape);
        nn_tensor_ensure(&cache->c_prev, dev, 3, c_prev->shape);
        nn_tensor_ensure(&cache->gates, dev, 3, s5);
        nn_tensor_ensure(&cache->drop, dev, 3, su);
        nn_tensor_ensure(&cache->upper_in, dev, 3, su);
        nn_tensor_copy(&cache->x, x);
        nn_tensor_copy(&cache->h_prev, h_prev);
        nn_tensor_copy(&cache->c_prev, c_prev);
        cache->dropped = dropping;
    }
    nn_tensor pre = nn_zeros2(dev, B, 4 * H), upper = nn_zeros2(dev, B, H);
    const float *input = x->data;
    int in_l = g->in;
    size_t BH = (size_t)B * H;
    for (int l = 0; l < L; l++) {
        be->gemm(0, 1, B, 4 * H, in_l, 1.0f, input, in_l, g->w_ih[l]->value.data, in_l, 0.0f,
                 pre.data, 4 * H);
        be->gemm(0, 1, B, 4 * H, H, 1.0f, h_prev->data + l * BH, H, g->w_hh[l]->value.data, H, 1.0f,
                 pre.data, 4 * H);
        be->add_row_bias(B, 4 * H, pre.data, g->b_ih[l]->value.data);
        be->add_row_bias(B, 4 * H, pre.data, g->b_hh[l]->value.data);
        be->lstm_cell_forward(B, H, pre.data, c_prev->data + l * BH, h_next->data + l * BH,
                              c_next->data + l * BH,
                              cache ? cache->gates.data + (size_t)l * B * 5 * H : NULL);
        if (l == L - 1) break;
        input = nn_rnn_next_input(be, dev, g->dropout, dropping, rng, cache ? &cache->drop : NULL,
                                  cache ? &cache->upper_in : NULL, upper.data,
                                  h_next->data + l * BH, l, B, H);
        in_l = H;
    }
    nn_tensor_free(&pre);
    nn_tensor_free(&upper);
    return 0;
}

int nn_lstm_step_backward(const nn_lstm *g, const nn_lstm_step_cache *cache, nn_tensor *dh,
                          nn_tensor *dc, nn_tensor *dx) {
    int L = g->layers, H = g->hidden, B = cache->batch;
    if (!cache->gates.data) return wsd_fail("LSTM step backward: empty cache");
    if (nn_check_shape(dh, "LSTM dh", 3, L, B, H) || nn_check_shape(dc, "LSTM dc", 3, L, B, H))
        return -1;
    if (dx && nn_check_shape(dx, "LSTM dx", 2, B, g->in)) return -1;
    nn_device dev = dh->device;
    const nn_backend *be = nn_backend_for(dev);
    size_t BH = (size_t)B * H;
    nn_tensor dpre = nn_zeros2(dev, B, 4 * H), dcp = nn_zeros2(dev, B, H);
    nn_tensor dup = nn_zeros2(dev, B, H);
    for (int l = L - 1; l >= 0; l--) {
        const float *hp = cache->h_prev.data + l * BH;
        const float *input = l ? cache->upper_in.data + (l - 1) * BH : cache->x.data;
        int in_l = l ? H : g->in;
        be->lstm_cell_backward(B, H, cache->gates.data + (size_t)l * B * 5 * H,
                               cache->c_prev.data + l * BH, dh->data + l * BH, dc->data + l * BH,
                               dpre.data, dcp.data);
        be->gemm(1, 0, 4 * H, in_l, B, 1.0f, dpre.data, 4 * H, input, in_l, 1.0f,
                 nn_param_grad(g->w_ih[l])->data, in_l);
        be->sum_rows(B, 4 * H, dpre.data, nn_param_grad(g->b_ih[l])->data);
        be->gemm(1, 0, 4 * H, H, B, 1.0f, dpre.data, 4 * H, hp, H, 1.0f,
                 nn_param_grad(g->w_hh[l])->data, H);
        be->sum_rows(B, 4 * H, dpre.data, nn_param_grad(g->b_hh[l])->data);
        if (l > 0) {
            be->gemm(0, 0, B, H, 4 * H, 1.0f, dpre.data, 4 * H, g->w_ih[l]->value.data, H, 0.0f,
                     dup.data, H);
            if (cache->dropped)
                be->mul(BH, dup.data, cache->drop.data + (l - 1) * BH, dh->data + (l - 1) * BH, 1);
            else
                be->axpy(BH, 1.0f, dup.data, dh->data + (l - 1) * BH);
        } else if (dx) {
            be->gemm(0, 0, B, g->in, 4 * H, 1.0f, dpre.data, 4 * H, g->w_ih[0]->value.data, g->in,
                     1.0f, dx->data, g->in);
        }
        /* dh_prev = dpre · W_hh */
        be->gemm(0, 0, B, H, 4 * H, 1.0f, dpre.data, 4 * H, g->w_hh[l]->value.data, H, 0.0f,
                 dh->data + l * BH, H);
        be->copy(dc->data + l * BH, dcp.data, BH);
    }
    nn_tensor_free(&dpre);
    nn_tensor_free(&dcp);
    nn_tensor_free(&dup);
    return 0;
}

/* ---- whole sequence (step by step; the LSTM is not on WSDEC's hot path) ---- */

void nn_lstm_seq_cache_free(nn_lstm_seq_cache *c) {
    for (int t = 0; c->steps && t < c->cap; t++) nn_lstm_step_cache_free(&c->steps[t]);
    free(c->steps);
    nn_tensor_free(&c->h);
    nn_tensor_free(&c->c);
    nn_tensor_free(&c->xt);
    memset(c, 0, sizeof *c);
}

int nn_lstm_seq_forward(const nn_lstm *g, const nn_tensor *x, const nn_tensor *h0,
                        const nn_tensor *c0, nn_tensor *out, nn_tensor *hs, int training,
                        wsd_rng *rng, nn_lstm_seq_cache *cache) {
    int L = g->layers, H = g->hidden;
    if (x->ndim != 3 || x->shape[2] != g->in)
        return wsd_fail("LSTM: input %s, expected (B, T, %d)", nn_tensor_shape_str(x), g->in);
    int B = x->shape[0], T = x->shape[1];
    if ((h0 && nn_check_shape(h0, "LSTM h0", 3, L, B, H)) ||
        (c0 && nn_check_shape(c0, "LSTM c0", 3, L, B, H)) ||
        (out && nn_check_shape(out, "LSTM output", 3, B, T, H)) ||
        (hs && nn_check_shape(hs, "LSTM hidden states", 4, L, B, T, H)))
        return -1;
    nn_lstm_seq_cache local;
    memset(&local, 0, sizeof local);
    nn_lstm_seq_cache *c = cache ? cache : &local;
    if (cache && c->cap < T) {
        c->steps = wsd_realloc(c->steps, (size_t)T * sizeof *c->steps);
        memset(c->steps + c->cap, 0, (size_t)(T - c->cap) * sizeof *c->steps);
        c->cap = T;
    }
    c->T = T;
    c->B = B;
    nn_device dev = x->device;
    const nn_backend *be = nn_backend_for(dev);
    int s4[4] = {T + 1, L, B, H};
    nn_tensor_ensure(&c->h, dev, 4, s4);
    nn_tensor_ensure(&c->c, dev, 4, s4);
    nn_tensor_ensure2(&c->xt, dev, B, g->in);
    size_t LBH = (size_t)L * B * H, BH = (size_t)B * H;
    if (h0) be->copy(c->h.data, h0->data, LBH);
    if (c0) be->copy(c->c.data, c0->data, LBH);
    int rc = 0;
    for (int t = 0; t < T && !rc; t++) {
        be->copy2d(B, g->in, x->data + (size_t)t * g->in, T * g->in, c->xt.data, g->in, 0);
        nn_tensor hp = nn_view3(&c->h, t * LBH, L, B, H), cp = nn_view3(&c->c, t * LBH, L, B, H);
        nn_tensor hn = nn_view3(&c->h, (t + 1) * LBH, L, B, H);
        nn_tensor cn = nn_view3(&c->c, (t + 1) * LBH, L, B, H);
        rc = nn_lstm_step_forward(g, &c->xt, &hp, &cp, &hn, &cn, training, rng,
                                  cache ? &c->steps[t] : NULL);
        if (rc) break;
        if (out)
            be->copy2d(B, H, hn.data + (size_t)(L - 1) * BH, H, out->data + (size_t)t * H, T * H,
                       0);
        if (hs)
            for (int l = 0; l < L; l++)
                be->copy2d(B, H, hn.data + (size_t)l * BH, H,
                           hs->data + (size_t)l * B * T * H + (size_t)t * H, T * H, 0);
    }
    if (!cache) nn_lstm_seq_cache_free(&local);
    return rc ? -1 : 0;
}

int nn_lstm_seq_backward(const nn_lstm *g, nn_lstm_seq_cache *c, const nn_tensor *dout,
                         const nn_tensor *dhs, nn_tensor *dx, nn_tensor *dh0, nn_tensor *dc0) {
    int L = g->layers, H = g->hidden, B = c->B, T = c->T;
    if (!c->steps) return wsd_fail("LSTM backward: empty cache (forward without cache?)");
    if ((dout && nn_check_shape(dout, "LSTM output grad", 3, B, T, H)) ||
        (dhs && nn_check_shape(dhs, "LSTM hidden-state grad", 4, L, B, T, H)) ||
        (dx && nn_check_shape(dx, "LSTM input grad", 3, B, T, g->in)) ||
        (dh0 && nn_check_shape(dh0, "LSTM h0 grad", 3, L, B, H)) ||
        (dc0 && nn_check_shape(dc0, "LSTM c0 grad", 3, L, B, H)))
        return -1;
    nn_device dev = c->h.device;
    const nn_backend *be = nn_backend_for(dev);
    size_t BH = (size_t)B * H;
    nn_tensor dh = nn_zeros3(dev, L, B, H), dc = nn_zeros3(dev, L, B, H);
    nn_tensor dxt = nn_zeros2(dev, B, g->in);
    int rc = 0;
    for (int t = T - 1; t >= 0 && !rc; t--) {
        if (dout)
            be->copy2d(B, H, dout->data + (size_t)t * H, T * H, dh.data + (size_t)(L - 1) * BH, H,
                       1);
        if (dhs)
            for (int l = 0; l < L; l++)
                be->copy2d(B, H, dhs->data + (size_t)l * B * T * H + (size_t)t * H, T * H,
                           dh.data + (size_t)l * BH, H, 1);
        be->fill(dxt.data, dxt.size, 0.0f);
        rc = nn_lstm_step_backward(g, &c->steps[t], &dh, &dc, dx ? &dxt : NULL);
        if (!rc && dx)
            be->copy2d(B, g->in, dxt.data, g->in, dx->data + (size_t)t * g->in, T * g->in, 1);
    }
    if (!rc && dh0) be->axpy(dh.size, 1.0f, dh.data, dh0->data);
    if (!rc && dc0) be->axpy(dc.size, 1.0f, dc.data, dc0->data);
    nn_tensor_free(&dh);
    nn_tensor_free(&dc);
    nn_tensor_free(&dxt);
    return rc ? -1 : 0;
}
