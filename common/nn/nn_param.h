/* Learnable parameters and buffers, named by the reference's PyTorch
 * state-dict keys, collected in a registry that optimisers, gradient clipping
 * and checkpoints iterate over.
 *
 * Gradients follow PyTorch 0.3 exactly (the reference's
 * torch.optim.SGD and zero_grad): a gradient is *absent*
 * (None) until some backward writes it; nn_params_zero_grad() zeroes present
 * gradients but keeps them present, so SGD still applies weight decay and
 * momentum to them; absent ones are skipped. Layer backward functions obtain
 * the gradient through nn_param_grad(), which marks it present. */
#ifndef WSD_NN_PARAM_H
#define WSD_NN_PARAM_H

#include "base/rng.h"
#include "nn/nn_tensor.h"

typedef struct {
    char *name; /* state-dict key, e.g. "video_encoder.rnn.weight_ih_l0" */
    nn_tensor value;
    nn_tensor grad;      /* same shape, allocated with the parameter */
    int has_grad;        /* 0: None in PyTorch terms */
    int is_buffer;       /* running statistics: checkpointed, never optimised */
    const char *section; /* the owning set's section (checkpoint group) */
} nn_param;

typedef struct {
    char *section; /* checkpoint group, e.g. "model_cg"; may be NULL */
    nn_param **items;
    int n, cap;
    int owner; /* 1: frees the parameters; 0: a selection of another set */
} nn_params;

/* section: the HDF5 group the set is saved under (NULL → "model"). */
void nn_params_init(nn_params *ps, const char *section);
/* A non-owning set (for optimiser groups and clipping selections). */
void nn_params_init_view(nn_params *ps);
void nn_params_free(nn_params *ps);

/* Registers a zero-initialised parameter (or buffer) named `name`; an existing
 * name is an error (NULL). */
nn_param *nn_params_new(nn_params *ps, nn_device dev, const char *name, int is_buffer, int ndim,
                        const int *shape);
/* Adds an existing parameter to a (view) set. */
void nn_params_append(nn_params *ps, nn_param *p);
/* Appends every parameter of `src` whose name starts with `prefix` ("" = all)
 * to `dst` (a view); buffers are left out. Returns the number added. */
int nn_params_select(nn_params *dst, const nn_params *src, const char *prefix);
nn_param *nn_params_find(const nn_params *ps, const char *name);

/* Marks p's gradient present (zero-filling it if it was absent) and returns it. */
nn_tensor *nn_param_grad(nn_param *p);

void nn_params_zero_grad(nn_params *ps); /* PyTorch 0.3 optimizer.zero_grad() */
void nn_params_drop_grad(nn_params *ps); /* every gradient absent again */
/* Number of learnable scalars (buffers counted only when asked). */
size_t nn_params_count(const nn_params *ps, int with_buffers);

/* PyTorch 0.3 default initialisers. */
void nn_init_uniform(nn_tensor *t, wsd_rng *rng, float lo, float hi);
void nn_init_normal(nn_tensor *t, wsd_rng *rng, float mean, float std);
void nn_init_const(nn_tensor *t, float value);

#endif
