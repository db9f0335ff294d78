#include "nn_lstm.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "nn_backend.h"
#include "nn_linear.h"
#include "nn_ops.h"
#include "util.h"

int nn_lstm_init(nn_lstm *g, nn_params *ps, const char *prefix, int in, int hidden, int layers,
                 float dropout, nn_rng *rng, nn_device dev) {
    if (layers < 1 || layers > NN_RNN_MAX_LAYERS)
        return wsd_fail("LSTM: %d layers (1..%d supported)", layers, NN_RNN_MAX_LAYERS);
    memset(g, 0, sizeof *g);
    g->in = in;
    g->hidden = hidden;
    g->layers = layers;
    g->dropout = dropout;
    float bound = 1.0f / sqrtf((float)hidden);
    for (int l = 0; l < layers; l++) {
        char name[512];
        int wi[2] = {4 * hidden, l ? hidden : in}, wh[2] = {4 * hidden, hidden}, b = 4 * hidden;
        snprintf(name, sizeof name, "%s.weight_ih_l%d", prefix, l);
        if (!(g->w_ih[l] = nn_params_new(ps, dev, name, 0, 2, wi))) return -1;
        snprintf(name, sizeof name, "%s.weight_hh_l%d", prefix, l);
        if (!(g->w_hh[l] = nn_params_new(ps, dev, name, 0, 2, wh))) return -1;
        snprintf(name, sizeof name, "%s.bias_ih_l%d", prefix, l);
        if (!(g->b_ih[l] = nn_params_new(ps, dev, name, 0, 1, &b))) return -1;
        snprintf(name, sizeof name, "%s.bias_hh_l%d", prefix, l);
        if (!(g->b_hh[l] = nn_params_new(ps, dev, name, 0, 1, &b))) return -1;
        nn_init_uniform(&g->w_ih[l]->value, rng, -bound, bound);
        nn_init_uniform(&g->w_hh[l]->value, rng, -bound, bound);
        nn_init_uniform(&g->b_ih[l]->value, rng, -bound, bound);
        nn_init_uniform(&g->b_hh[l]->value, rng, -bound, bound);
    }
    return 0;
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
                         int training, nn_rng *rng, nn_lstm_step_cache *cache) {
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
        if (dropping) {
            nn_tensor m = cache ? nn_view2(&cache->drop, l * BH, B, H) : nn_zeros2(dev, B, H);
            float *dst = cache ? cache->upper_in.data + l * BH : upper.data;
            nn_dropout_mask(g->dropout, rng, &m);
            be->mul(BH, h_next->data + l * BH, m.data, dst, 0);
            if (!cache) nn_tensor_free(&m);
            input = dst;
        } else {
            if (cache) be->copy(cache->upper_in.data + l * BH, h_next->data + l * BH, BH);
            input = h_next->data + l * BH;
        }
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
