#include "nn/nn_optim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nn/nn_backend.h"
#include "nn/nn_ops.h"
#include "base/util.h"

void nn_sgd_init(nn_optim *o, double momentum, double weight_decay) {
    memset(o, 0, sizeof *o);
    o->kind = NN_OPT_SGD;
    o->momentum = momentum;
    o->weight_decay = weight_decay;
}

void nn_adam_init(nn_optim *o, double beta1, double beta2, double eps, double weight_decay) {
    memset(o, 0, sizeof *o);
    o->kind = NN_OPT_ADAM;
    o->beta1 = beta1;
    o->beta2 = beta2;
    o->eps = eps;
    o->weight_decay = weight_decay;
}

int nn_optim_add_group(nn_optim *o, const nn_params *params, double base_lr) {
    o->groups = wsd_realloc(o->groups, (size_t)(o->n_groups + 1) * sizeof *o->groups);
    nn_param_group *g = &o->groups[o->n_groups];
    memset(g, 0, sizeof *g);
    nn_params_init_view(&g->params);
    for (int i = 0; i < params->n; i++)
        if (!params->items[i]->is_buffer) nn_params_append(&g->params, params->items[i]);
    int n = g->params.n ? g->params.n : 1;
    g->state1 = wsd_calloc((size_t)n, sizeof *g->state1);
    g->state2 = wsd_calloc((size_t)n, sizeof *g->state2);
    g->steps = wsd_calloc((size_t)n, sizeof *g->steps);
    g->base_lr = g->lr = base_lr;
    return o->n_groups++;
}

void nn_optim_free(nn_optim *o) {
    for (int k = 0; k < o->n_groups; k++) {
        nn_param_group *g = &o->groups[k];
        for (int i = 0; i < g->params.n; i++) {
            nn_tensor_free(&g->state1[i]);
            nn_tensor_free(&g->state2[i]);
        }
        free(g->state1);
        free(g->state2);
        free(g->steps);
        nn_params_free(&g->params);
    }
    free(o->groups);
    memset(o, 0, sizeof *o);
}

void nn_optim_set_lr_scale(nn_optim *o, double scale) {
    for (int k = 0; k < o->n_groups; k++) o->groups[k].lr = o->groups[k].base_lr * scale;
}

int nn_optim_step(nn_optim *o) {
    for (int k = 0; k < o->n_groups; k++) {
        nn_param_group *g = &o->groups[k];
        for (int i = 0; i < g->params.n; i++) {
            nn_param *p = g->params.items[i];
            if (!p->has_grad) continue; /* None in PyTorch: skipped entirely */
            const nn_backend *be = nn_backend_for(p->value.device);
            int first = g->steps[i] == 0;
            if (first) {
                nn_tensor_ensure(&g->state1[i], p->value.device, p->value.ndim, p->value.shape);
                if (o->kind == NN_OPT_ADAM)
                    nn_tensor_ensure(&g->state2[i], p->value.device, p->value.ndim, p->value.shape);
            }
            g->steps[i]++;
            if (o->kind == NN_OPT_SGD)
                be->sgd_update(p->value.size, p->value.data, p->grad.data, g->state1[i].data, first,
                               (float)g->lr, (float)o->momentum, (float)o->weight_decay);
            else
                be->adam_update(p->value.size, p->value.data, p->grad.data, g->state1[i].data,
                                g->state2[i].data, g->steps[i], (float)g->lr, (float)o->beta1,
                                (float)o->beta2, (float)o->eps, (float)o->weight_decay);
        }
    }
    return 0;
}

double nn_lr_multistep(int epoch, const int *milestones, int n_milestones, double gamma) {
    double f = 1.0;
    for (int i = 0; i < n_milestones; i++)
        if (milestones[i] <= epoch) f *= gamma;
    return f;
}

double nn_lr_step(int epoch, int step, double gamma) {
    return step > 0 ? pow(gamma, epoch / step) : 1.0;
}

double nn_clip_grad_norm(nn_params *ps, double max_norm) {
    /* one reduction over every gradient: one synchronisation on a GPU, not one
     * per parameter (grouped by device, though a model lives on one) */
    double sq = 0;
    const float **x = wsd_malloc(sizeof *x * (size_t)(ps->n ? ps->n : 1));
    size_t *len = wsd_malloc(sizeof *len * (size_t)(ps->n ? ps->n : 1));
    for (int dev = NN_CPU; dev <= NN_CUDA; dev++) {
        int k = 0;
        for (int i = 0; i < ps->n; i++) {
            nn_param *p = ps->items[i];
            if (p->has_grad && !p->is_buffer && (int)p->grad.device == dev) {
                x[k] = p->grad.data;
                len[k++] = p->grad.size;
            }
        }
        if (k) sq += nn_backend_for(dev)->sumsq_many(k, x, len);
    }
    free(x);
    free(len);
    double norm = sqrt(sq);
    double coef = max_norm / (norm + 1e-6);
    if (coef < 1)
        for (int i = 0; i < ps->n; i++)
            if (ps->items[i]->has_grad && !ps->items[i]->is_buffer)
                nn_scale(&ps->items[i]->grad, (float)coef);
    return norm;
}
