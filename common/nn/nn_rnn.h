/* The parameter set-up GRU and LSTM share: PyTorch's names and layout
 * "<prefix>.weight_ih_l{k}" (G·H, in_k), "weight_hh_l{k}" (G·H, H),
 * "bias_ih_l{k}", "bias_hh_l{k}" (G·H) for G gates (GRU 3, LSTM 4), created
 * layer by layer and each drawn from U(−1/√H, 1/√H) in that order. */
#ifndef WSD_NN_RNN_H
#define WSD_NN_RNN_H

#include "nn/nn_param.h"

#define NN_RNN_MAX_LAYERS 4

/* Fills w_ih, w_hh, b_ih, b_hh [0, layers); `what` ("GRU", "LSTM") names the
 * layer in the error when layers is outside 1..NN_RNN_MAX_LAYERS. */
int nn_rnn_params_init(const char *what, int gates, nn_params *ps, const char *prefix, int in,
                       int hidden, int layers, wsd_rng *rng, nn_device dev, nn_param **w_ih,
                       nn_param **w_hh, nn_param **b_ih, nn_param **b_hh);

struct nn_backend;

/* The input of layer l + 1 in one stacked step: layer l's output h_l (B, H),
 * through PyTorch's inter-layer dropout when `dropping`. With a cache (drop
 * and upper_in not NULL) the mask is kept in drop at l·B·H and the result in
 * upper_in at l·B·H for backward; without, the result goes to scratch (B, H).
 * Returns the next layer's input. */
const float *nn_rnn_next_input(const struct nn_backend *be, nn_device dev, float p, int dropping,
                               wsd_rng *rng, nn_tensor *drop, nn_tensor *upper_in, float *scratch,
                               const float *h_l, int l, int B, int H);

#endif
