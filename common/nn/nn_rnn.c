#include "nn/nn_rnn.h"

#include <math.h>
#include <stdio.h>

#include "base/util.h"
#include "nn/nn_backend.h"
#include "nn/nn_linear.h"

static nn_param *new_uniform(nn_params *ps, nn_device dev, const char *prefix, const char *kind,
                             int l, int ndim, const int *shape) {
    char name[512];
    snprintf(name, sizeof name, "%s.%s_l%d", prefix, kind, l);
    return nn_params_new(ps, dev, name, 0, ndim, shape);
}

int nn_rnn_params_init(const char *what, int gates, nn_params *ps, const char *prefix, int in,
                       int hidden, int layers, wsd_rng *rng, nn_device dev, nn_param **w_ih,
                       nn_param **w_hh, nn_param **b_ih, nn_param **b_hh) {
    if (layers < 1 || layers > NN_RNN_MAX_LAYERS)
        return wsd_fail("%s: %d layers (1..%d supported)", what, layers, NN_RNN_MAX_LAYERS);
    float bound = 1.0f / sqrtf((float)hidden);
    for (int l = 0; l < layers; l++) {
        int gh = gates * hidden, wi[2] = {gh, l ? hidden : in}, wh[2] = {gh, hidden};
        if (!(w_ih[l] = new_uniform(ps, dev, prefix, "weight_ih", l, 2, wi))) return -1;
        if (!(w_hh[l] = new_uniform(ps, dev, prefix, "weight_hh", l, 2, wh))) return -1;
        if (!(b_ih[l] = new_uniform(ps, dev, prefix, "bias_ih", l, 1, &gh))) return -1;
        if (!(b_hh[l] = new_uniform(ps, dev, prefix, "bias_hh", l, 1, &gh))) return -1;
        nn_init_uniform(&w_ih[l]->value, rng, -bound, bound);
        nn_init_uniform(&w_hh[l]->value, rng, -bound, bound);
        nn_init_uniform(&b_ih[l]->value, rng, -bound, bound);
        nn_init_uniform(&b_hh[l]->value, rng, -bound, bound);
    }
    return 0;
}

const float *nn_rnn_next_input(const nn_backend *be, nn_device dev, float p, int dropping,
                               wsd_rng *rng, nn_tensor *drop, nn_tensor *upper_in, float *scratch,
                               const float *h_l, int l, int B, int H) {
    size_t BH = (size_t)B * H;
    if (!dropping) {
        if (upper_in) be->copy(upper_in->data + l * BH, h_l, BH);
        return h_l;
    }
    nn_tensor m = drop ? nn_view2(drop, l * BH, B, H) : nn_zeros2(dev, B, H);
    float *dst = upper_in ? upper_in->data + l * BH : scratch;
    nn_dropout_mask(p, rng, &m);
    be->mul(BH, h_l, m.data, dst, 0);
    if (!drop) nn_tensor_free(&m);
    return dst;
}
