/* BatchNorm1d over (N, C) as the sentence localizer uses it (WSDEC
 * model/sentence_localizer.py, FeatureMixerType0.__init__):
 * training normalises with the batch mean and biased variance and updates
 * running_mean / running_var (unbiased) with momentum 0.1; evaluation uses the
 * running statistics. PyTorch 0.3 init: weight U(0,1), bias 0, running mean 0,
 * running var 1, eps 1e-5. */
#ifndef WSD_NN_BATCHNORM_H
#define WSD_NN_BATCHNORM_H

#include "nn/nn_param.h"

typedef struct {
    int channels;
    float momentum, eps;
    nn_param *weight, *bias;              /* "<prefix>.weight", "<prefix>.bias" */
    nn_param *running_mean, *running_var; /* buffers "<prefix>.running_mean/var" */
} nn_batchnorm;

typedef struct {
    nn_tensor xhat;    /* (N, C) normalised input */
    nn_tensor inv_std; /* (C) */
    int training;
} nn_batchnorm_cache;

void nn_batchnorm_cache_free(nn_batchnorm_cache *c);

int nn_batchnorm_init(nn_batchnorm *bn, nn_params *ps, const char *prefix, int channels,
                      wsd_rng *rng, nn_device dev);
/* x (N, C) → y (N, C). Training needs N > 1 (as PyTorch). */
int nn_batchnorm_forward(nn_batchnorm *bn, const nn_tensor *x, nn_tensor *y, int training,
                         nn_batchnorm_cache *cache);
/* Accumulates weight/bias gradients; dx += when not NULL. */
int nn_batchnorm_backward(const nn_batchnorm *bn, const nn_batchnorm_cache *cache,
                          const nn_tensor *dy, nn_tensor *dx);

#endif
