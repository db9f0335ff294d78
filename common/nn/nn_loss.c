#include "nn/nn_loss.h"

#include "nn/nn_backend.h"
#include "base/util.h"

#define BE(t) nn_backend_for((t)->device)

static int check_2d(const nn_tensor *t, const char *what) {
    if (t->ndim != 2) return wsd_fail("%s: expected (N, V), got %s", what, nn_tensor_shape_str(t));
    return 0;
}

int nn_log_softmax_forward(const nn_tensor *x, nn_tensor *y) {
    if (check_2d(x, "log_softmax") || !nn_tensor_same_shape(x, y))
        return wsd_fail("log_softmax: input %s, output %s", nn_tensor_shape_str(x),
                        nn_tensor_shape_str(y));
    BE(x)->log_softmax(x->shape[0], x->shape[1], x->data, y->data);
    return 0;
}

int nn_log_softmax_topk(const nn_tensor *logits, const float *score, int K, float *best, int *idx) {
    TRY(check_2d(logits, "log_softmax_topk"));
    if (K < 1 || K > logits->shape[1])
        return wsd_fail("log_softmax_topk: K %d, expected 1 to %d", K, logits->shape[1]);
    BE(logits)->log_softmax_topk(logits->shape[0], logits->shape[1], logits->data, score, K, best,
                                 idx);
    return 0;
}

int nn_log_softmax_backward(const nn_tensor *y, const nn_tensor *dy, nn_tensor *dx) {
    if (check_2d(y, "log_softmax backward") || !nn_tensor_same_shape(y, dy) ||
        !nn_tensor_same_shape(y, dx))
        return wsd_fail("log_softmax backward: shapes differ");
    BE(y)->log_softmax_backward(y->shape[0], y->shape[1], y->data, dy->data, dx->data);
    return 0;
}

static int check_targets(const nn_tensor *logp, const int *target, const float *weight) {
    TRY(check_2d(logp, "nll"));
    for (int n = 0; n < logp->shape[0]; n++)
        if ((!weight || weight[n] != 0) && (target[n] < 0 || target[n] >= logp->shape[1]))
            return wsd_fail("nll: target %d of row %d outside [0, %d)", target[n], n,
                            logp->shape[1]);
    return 0;
}

int nn_nll_forward(const nn_tensor *logp, const int *target, const float *weight, double scale,
                   double *loss) {
    TRY(check_targets(logp, target, weight));
    *loss = -scale * BE(logp)->nll_sum(logp->shape[0], logp->shape[1], logp->data, target, weight);
    return 0;
}

int nn_nll_backward(const nn_tensor *logp, const int *target, const float *weight, double scale,
                    nn_tensor *dlogp) {
    if (check_targets(logp, target, weight) || !nn_tensor_same_shape(logp, dlogp))
        return wsd_fail("nll backward: bad shapes or targets");
    BE(logp)->nll_backward(logp->shape[0], logp->shape[1], target, weight, (float)-scale,
                           dlogp->data);
    return 0;
}

int nn_softmax_nll(const nn_tensor *logits, const int *target, const float *weight, double scale,
                   nn_tensor *logp, double *loss, nn_tensor *dlogits) {
    if (nn_log_softmax_forward(logits, logp) || nn_nll_forward(logp, target, weight, scale, loss))
        return -1;
    if (dlogits) {
        if (!nn_tensor_same_shape(logits, dlogits))
            return wsd_fail("softmax_nll: gradient %s", nn_tensor_shape_str(dlogits));
        BE(logp)->softmax_nll_backward(logp->shape[0], logp->shape[1], logp->data, target, weight,
                                       (float)scale, dlogits->data);
    }
    return 0;
}

int nn_cross_entropy(const nn_tensor *logits, const int *target, double *loss, nn_tensor *dlogits) {
    TRY(check_2d(logits, "cross_entropy"));
    nn_tensor logp = nn_tensor_zeros(logits->device, 2, logits->shape);
    int rc = nn_softmax_nll(logits, target, NULL, 1.0 / logits->shape[0], &logp, loss, dlogits);
    nn_tensor_free(&logp);
    return rc;
}

static int diff_loss(int l1, const nn_tensor *a, const nn_tensor *b, double scale, double *loss,
                     nn_tensor *da) {
    if (a->size != b->size || (da && da->size != a->size) || !a->size)
        return wsd_fail("%s: operands of %zu and %zu elements", l1 ? "l1" : "mse", a->size,
                        b->size);
    double n = (double)a->size;
    *loss =
        BE(a)->diff_loss(l1, a->size, a->data, b->data, (float)(scale / n), da ? da->data : NULL) /
        n * scale;
    return 0;
}

int nn_mse(const nn_tensor *a, const nn_tensor *b, double scale, double *loss, nn_tensor *da) {
    return diff_loss(0, a, b, scale, loss, da);
}

int nn_l1(const nn_tensor *a, const nn_tensor *b, double scale, double *loss, nn_tensor *da) {
    return diff_loss(1, a, b, scale, loss, da);
}
