/* Optimisers, gradient clipping and learning-rate schedules, as the
 * reference's train_script/train_final.py main builds them (torch.optim.SGD,
 * MultiStepLR, clip_grad_norm in train_cg).
 *
 * SGD is PyTorch 0.3's: d = g + wd·p; b = μ·b + d (b = d on the first step,
 * no dampening, no Nesterov); p −= lr·b. Parameters whose gradient is absent
 * are skipped entirely; present-but-zero gradients still get weight decay and
 * momentum (PyTorch 0.3 zeroes gradients in
 * optimizer.zero_grad() instead of freeing them). Adam is PyTorch's (L2 weight decay
 * added to the gradient, bias-corrected moments, per-parameter step count).
 * Each optimiser holds parameter groups with their own base lr and lr. */
#ifndef WSD_NN_OPTIM_H
#define WSD_NN_OPTIM_H

#include "nn/nn_param.h"

typedef enum { NN_OPT_SGD = 0, NN_OPT_ADAM = 1 } nn_optim_kind;

typedef struct {
    nn_params params; /* a view */
    double base_lr, lr;
    nn_tensor *state1; /* per parameter: SGD momentum buffer / Adam exp_avg */
    nn_tensor *state2; /* Adam exp_avg_sq */
    long *steps;       /* per parameter: updates applied (0 = no state yet) */
} nn_param_group;

typedef struct {
    nn_optim_kind kind;
    double momentum, weight_decay; /* SGD; weight_decay also for Adam */
    double beta1, beta2, eps;      /* Adam */
    nn_param_group *groups;
    int n_groups;
} nn_optim;

void nn_sgd_init(nn_optim *o, double momentum, double weight_decay);
void nn_adam_init(nn_optim *o, double beta1, double beta2, double eps, double weight_decay);
/* Adds a group over the (non-buffer) parameters of `params` with base lr; the
 * optimiser keeps its own view. Returns the group index. */
int nn_optim_add_group(nn_optim *o, const nn_params *params, double base_lr);
int nn_optim_step(nn_optim *o);
void nn_optim_free(nn_optim *o);
/* Sets every group's lr = base_lr · scale (e.g. the value of a schedule). */
void nn_optim_set_lr_scale(nn_optim *o, double scale);

/* MultiStepLR as the trainers use it (stepped once at the start of each epoch
 * before training): γ^{#(milestones ≤ epoch)}. */
double nn_lr_multistep(int epoch, const int *milestones, int n_milestones, double gamma);
/* StepLR: γ^{floor(epoch / step)}. */
double nn_lr_step(int epoch, int step, double gamma);

/* Global L2 norm over the present gradients of ps; when max_norm/(norm+1e-6)
 * < 1 every gradient is multiplied by it. Returns the norm (before clipping). */
double nn_clip_grad_norm(nn_params *ps, double max_norm);

#endif
