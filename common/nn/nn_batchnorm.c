#include "nn/nn_batchnorm.h"

#include <stdio.h>
#include <string.h>

#include "nn/nn_backend.h"
#include "base/util.h"

void nn_batchnorm_cache_free(nn_batchnorm_cache *c) {
    nn_tensor_free(&c->xhat);
    nn_tensor_free(&c->inv_std);
}

int nn_batchnorm_init(nn_batchnorm *bn, nn_params *ps, const char *prefix, int channels,
                      wsd_rng *rng, nn_device dev) {
    char name[512];
    memset(bn, 0, sizeof *bn);
    bn->channels = channels;
    bn->momentum = 0.1f;
    bn->eps = 1e-5f;
    snprintf(name, sizeof name, "%s.weight", prefix);
    if (!(bn->weight = nn_params_new(ps, dev, name, 0, 1, &channels))) return -1;
    snprintf(name, sizeof name, "%s.bias", prefix);
    if (!(bn->bias = nn_params_new(ps, dev, name, 0, 1, &channels))) return -1;
    snprintf(name, sizeof name, "%s.running_mean", prefix);
    if (!(bn->running_mean = nn_params_new(ps, dev, name, 1, 1, &channels))) return -1;
    snprintf(name, sizeof name, "%s.running_var", prefix);
    if (!(bn->running_var = nn_params_new(ps, dev, name, 1, 1, &channels))) return -1;
    nn_init_uniform(&bn->weight->value, rng, 0.0f, 1.0f); /* PyTorch 0.3 default */
    nn_init_const(&bn->running_var->value, 1.0f);
    return 0;
}

int nn_batchnorm_forward(nn_batchnorm *bn, const nn_tensor *x, nn_tensor *y, int training,
                         nn_batchnorm_cache *cache) {
    int C = bn->channels;
    if (x->ndim != 2 || x->shape[1] != C)
        return wsd_fail("batchnorm: input %s, expected (N, %d)", nn_tensor_shape_str(x), C);
    int N = x->shape[0];
    if (!nn_tensor_same_shape(x, y))
        return wsd_fail("batchnorm: output %s", nn_tensor_shape_str(y));
    if (training && N < 2)
        return wsd_fail("batchnorm: training needs more than one value per channel (N = %d)", N);
    nn_device dev = x->device;
    if (cache) {
        nn_tensor_ensure2(&cache->xhat, dev, N, C);
        nn_tensor_ensure(&cache->inv_std, dev, 1, &C);
        cache->training = training;
    }
    nn_backend_for(dev)->batchnorm_forward(
        N, C, x->data, y->data, bn->weight->value.data, bn->bias->value.data,
        bn->running_mean->value.data, bn->running_var->value.data, bn->momentum, bn->eps, training,
        cache ? cache->xhat.data : NULL, cache ? cache->inv_std.data : NULL);
    return 0;
}

int nn_batchnorm_backward(const nn_batchnorm *bn, const nn_batchnorm_cache *cache,
                          const nn_tensor *dy, nn_tensor *dx) {
    if (!cache->xhat.data || !nn_tensor_same_shape(dy, &cache->xhat))
        return wsd_fail("batchnorm backward: gradient %s does not match the cache",
                        nn_tensor_shape_str(dy));
    if (dx && !nn_tensor_same_shape(dx, dy))
        return wsd_fail("batchnorm backward: input grad %s", nn_tensor_shape_str(dx));
    nn_backend_for(dy->device)
        ->batchnorm_backward(dy->shape[0], dy->shape[1], cache->xhat.data, cache->inv_std.data,
                             bn->weight->value.data, dy->data, cache->training,
                             dx ? dx->data : NULL, nn_param_grad(bn->weight)->data,
                             nn_param_grad(bn->bias)->data);
    return 0;
}
