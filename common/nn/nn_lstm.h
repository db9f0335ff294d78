/* Multi-layer unidirectional LSTM with PyTorch's layout: weight_ih_l{k}
 * (4H, in_k), weight_hh_l{k} (4H, H), bias_ih_l{k}, bias_hh_l{k} (4H), gate
 * order i, f, g, o; c' = f⊙c + i⊙g, h' = o⊙tanh(c'). Inter-layer dropout as
 * nn_gru.h. Not used by the default WSDEC configuration (rnn_cell = gru); kept
 * for the reference's lstm option. States h and c are (layers, B, H). */
#ifndef WSD_NN_LSTM_H
#define WSD_NN_LSTM_H

#include "nn/nn_gru.h"

typedef struct {
    int in, hidden, layers;
    float dropout;
    nn_param *w_ih[NN_RNN_MAX_LAYERS], *w_hh[NN_RNN_MAX_LAYERS];
    nn_param *b_ih[NN_RNN_MAX_LAYERS], *b_hh[NN_RNN_MAX_LAYERS];
} nn_lstm;

int nn_lstm_init(nn_lstm *l, nn_params *ps, const char *prefix, int in, int hidden, int layers,
                 float dropout, wsd_rng *rng, nn_device dev);

typedef struct {
    int batch;
    nn_tensor x;        /* (B, in) */
    nn_tensor h_prev;   /* (layers, B, H) */
    nn_tensor c_prev;   /* (layers, B, H) */
    nn_tensor gates;    /* (layers, B, 5H): i, f, g, o (activated), tanh(c') */
    nn_tensor drop;     /* (layers-1, B, H) */
    nn_tensor upper_in; /* (layers-1, B, H) */
    int dropped;
} nn_lstm_step_cache;

void nn_lstm_step_cache_free(nn_lstm_step_cache *c);

int nn_lstm_step_forward(const nn_lstm *l, const nn_tensor *x, const nn_tensor *h_prev,
                         const nn_tensor *c_prev, nn_tensor *h_next, nn_tensor *c_next,
                         int training, wsd_rng *rng, nn_lstm_step_cache *cache);
/* dh, dc: in = gradients w.r.t. h_next, c_next; out = w.r.t. h_prev, c_prev. */
int nn_lstm_step_backward(const nn_lstm *l, const nn_lstm_step_cache *cache, nn_tensor *dh,
                          nn_tensor *dc, nn_tensor *dx);

/* A whole (B, T, in) sequence through the step cell (encoders that use the
 * lstm option). h0/c0 (layers, B, H) or NULL for zeros; out (B, T, H) and hs
 * (layers, B, T, H) hidden states (either may be NULL). The backward takes
 * dout and/or dhs and adds into dx (B, T, in), dh0, dc0 when not NULL. */
typedef struct {
    int T, B, cap;
    nn_lstm_step_cache *steps; /* cap ≥ T caches */
    nn_tensor h, c;            /* (T+1, layers, B, H) */
    nn_tensor xt;              /* (B, in) scratch */
} nn_lstm_seq_cache;

void nn_lstm_seq_cache_free(nn_lstm_seq_cache *c);
int nn_lstm_seq_forward(const nn_lstm *l, const nn_tensor *x, const nn_tensor *h0,
                        const nn_tensor *c0, nn_tensor *out, nn_tensor *hs, int training,
                        wsd_rng *rng, nn_lstm_seq_cache *cache);
int nn_lstm_seq_backward(const nn_lstm *l, nn_lstm_seq_cache *cache, const nn_tensor *dout,
                         const nn_tensor *dhs, nn_tensor *dx, nn_tensor *dh0, nn_tensor *dc0);

#endif
