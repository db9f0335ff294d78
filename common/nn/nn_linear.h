/* Linear (y = x·Wᵀ + b; W is (out, in) as in PyTorch), Embedding and Dropout. */
#ifndef WSD_NN_LINEAR_H
#define WSD_NN_LINEAR_H

#include "nn/nn_param.h"

typedef struct {
    int in, out;
    nn_param *weight; /* (out, in)  "<prefix>.weight" */
    nn_param *bias;   /* (out) "<prefix>.bias", NULL when bias-free */
} nn_linear;

/* Init U(−1/√in, 1/√in) for weight and bias (PyTorch 0.3). */
int nn_linear_init(nn_linear *l, nn_params *ps, const char *prefix, int in, int out, int with_bias,
                   wsd_rng *rng, nn_device dev);
/* x (N, in) → y (N, out). Any leading shape works if viewed as 2-d. */
int nn_linear_forward(const nn_linear *l, const nn_tensor *x, nn_tensor *y);
/* Accumulates dW, db; dx += dy·W when dx is not NULL. */
int nn_linear_backward(const nn_linear *l, const nn_tensor *x, const nn_tensor *dy, nn_tensor *dx);
/* x (B·T, in) holding B sequences padded to T rows, sequence b len[b] (1 …
 * T) long: nn_linear_forward on each sequence's own rows; the padding's
 * outputs are zeros, not computed (a bias-free layer on the zero padding
 * of a batch gives the same). */
int nn_linear_forward_seq(const nn_linear *l, const nn_tensor *x, int B, int T, const int *len,
                          nn_tensor *y);
/* Its backward: dW, db from each sequence's own rows (one product per
 * sequence); dx += there when not NULL. */
int nn_linear_backward_seq(const nn_linear *l, const nn_tensor *x, const nn_tensor *dy, int B,
                           int T, const int *len, nn_tensor *dx);

typedef struct {
    int num, dim;
    nn_param *weight; /* (num, dim) "<prefix>.weight", init N(0,1) */
} nn_embedding;

int nn_embedding_init(nn_embedding *e, nn_params *ps, const char *prefix, int num, int dim,
                      wsd_rng *rng, nn_device dev);
/* out (n, dim) = weight[ids]; ids outside [0,num) are an error. */
int nn_embedding_forward(const nn_embedding *e, const int *ids, int n, nn_tensor *out);
/* dW[ids[i]] += dout[i] (dense gradient, as PyTorch's default). */
int nn_embedding_backward(const nn_embedding *e, const int *ids, int n, const nn_tensor *dout);

/* Inverted dropout: y = x ⊙ mask, mask ∈ {0, 1/(1−p)} drawn from rng (a fresh
 * mask per call). Outside training or with p == 0, y = x and the mask is all
 * ones. `mask` is (re)allocated to x's shape; keep it for the backward. */
int nn_dropout_forward(float p, int training, wsd_rng *rng, const nn_tensor *x, nn_tensor *y,
                       nn_tensor *mask);
/* Fills an existing tensor (or view) with a fresh mask of {0, 1/(1−p)}. */
void nn_dropout_mask(float p, wsd_rng *rng, nn_tensor *mask);
/* The n values nn_dropout_mask would draw, into host memory. */
void nn_dropout_draw(float p, wsd_rng *rng, size_t n, float *host);
/* dx += dy ⊙ mask. */
int nn_dropout_backward(const nn_tensor *mask, const nn_tensor *dy, nn_tensor *dx);

#endif
