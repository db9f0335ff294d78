/* Tensor-level operations: shape and device checks, then the backend kernel. */
#include "nn/nn_ops.h"

#include "nn/nn.h"
#include "nn/nn_backend.h"
#include "nn/nn_threadpool.h"
#include "base/util.h"

#define BE(t) nn_backend_for((t)->device)

static int same_device(const nn_tensor *a, const nn_tensor *b, const char *op) {
    if (a->device != b->device)
        return wsd_fail("%s: operands on different devices (%s, %s)", op, nn_device_name(a->device),
                        nn_device_name(b->device));
    return 0;
}

static int same_size(const nn_tensor *a, const nn_tensor *b, const char *op) {
    TRY(same_device(a, b, op));
    if (a->size != b->size) return wsd_fail("%s: %zu vs %zu elements", op, a->size, b->size);
    return 0;
}

static int rows_of(const nn_tensor *t) { return t->ndim == 2 ? t->shape[0] : -1; }
static int cols_of(const nn_tensor *t) { return t->ndim == 2 ? t->shape[1] : -1; }

int nn_gemm(int ta, int tb, float alpha, const nn_tensor *a, const nn_tensor *b, float beta,
            nn_tensor *c) {
    if (a->ndim != 2 || b->ndim != 2 || c->ndim != 2) return wsd_fail("gemm: operands must be 2-d");
    if (same_device(a, b, "gemm") || same_device(a, c, "gemm")) return -1;
    int m = ta ? a->shape[1] : a->shape[0], k = ta ? a->shape[0] : a->shape[1];
    int kb = tb ? b->shape[1] : b->shape[0], n = tb ? b->shape[0] : b->shape[1];
    if (k != kb || c->shape[0] != m || c->shape[1] != n)
        return wsd_fail("gemm: shapes %s%s × %s%s → (%d, %d)", nn_tensor_shape_str(a),
                        ta ? "ᵀ" : "", nn_tensor_shape_str(b), tb ? "ᵀ" : "", c->shape[0],
                        c->shape[1]);
    BE(c)->gemm(ta, tb, m, n, k, alpha, a->data, a->shape[1], b->data, b->shape[1], beta, c->data,
                c->shape[1]);
    return 0;
}

int nn_axpy(float alpha, const nn_tensor *x, nn_tensor *y) {
    TRY(same_size(x, y, "axpy"));
    BE(y)->axpy(y->size, alpha, x->data, y->data);
    return 0;
}

int nn_scale(nn_tensor *x, float alpha) {
    BE(x)->scale(x->size, alpha, x->data);
    return 0;
}

int nn_mul(const nn_tensor *a, const nn_tensor *b, nn_tensor *y) {
    if (same_size(a, b, "mul") || same_size(a, y, "mul")) return -1;
    BE(y)->mul(y->size, a->data, b->data, y->data, 0);
    return 0;
}

int nn_mul_acc(const nn_tensor *a, const nn_tensor *b, nn_tensor *y) {
    if (same_size(a, b, "mul_acc") || same_size(a, y, "mul_acc")) return -1;
    BE(y)->mul(y->size, a->data, b->data, y->data, 1);
    return 0;
}

int nn_add(const nn_tensor *a, const nn_tensor *b, nn_tensor *y) {
    if (same_size(a, b, "add") || same_size(a, y, "add")) return -1;
    BE(y)->add(y->size, a->data, b->data, y->data);
    return 0;
}

int nn_add_row_bias(nn_tensor *y, const nn_tensor *bias) {
    TRY(same_device(y, bias, "add_row_bias"));
    if (y->ndim != 2 || bias->size != (size_t)y->shape[1])
        return wsd_fail("add_row_bias: %s plus a bias of %zu", nn_tensor_shape_str(y), bias->size);
    BE(y)->add_row_bias(y->shape[0], y->shape[1], y->data, bias->data);
    return 0;
}

int nn_sum_rows_acc(const nn_tensor *dy, nn_tensor *db) {
    TRY(same_device(dy, db, "sum_rows"));
    if (dy->ndim != 2 || db->size != (size_t)dy->shape[1])
        return wsd_fail("sum_rows: %s into %zu", nn_tensor_shape_str(dy), db->size);
    BE(db)->sum_rows(dy->shape[0], dy->shape[1], dy->data, db->data);
    return 0;
}

static int act(nn_act f, const nn_tensor *x, nn_tensor *y) {
    TRY(same_size(x, y, "activation"));
    BE(y)->act(f, y->size, x->data, y->data);
    return 0;
}
static int act_back(nn_act f, const nn_tensor *y, const nn_tensor *dy, nn_tensor *dx) {
    if (same_size(y, dy, "activation backward") || same_size(y, dx, "activation backward"))
        return -1;
    BE(dx)->act_backward(f, dx->size, y->data, dy->data, dx->data);
    return 0;
}
int nn_sigmoid(const nn_tensor *x, nn_tensor *y) { return act(NN_ACT_SIGMOID, x, y); }
int nn_tanh(const nn_tensor *x, nn_tensor *y) { return act(NN_ACT_TANH, x, y); }
int nn_relu(const nn_tensor *x, nn_tensor *y) { return act(NN_ACT_RELU, x, y); }
int nn_sigmoid_backward(const nn_tensor *y, const nn_tensor *dy, nn_tensor *dx) {
    return act_back(NN_ACT_SIGMOID, y, dy, dx);
}
int nn_tanh_backward(const nn_tensor *y, const nn_tensor *dy, nn_tensor *dx) {
    return act_back(NN_ACT_TANH, y, dy, dx);
}
int nn_relu_backward(const nn_tensor *y, const nn_tensor *dy, nn_tensor *dx) {
    return act_back(NN_ACT_RELU, y, dy, dx);
}

static int concat_check(const nn_tensor *dst, const nn_tensor *const *srcs, int n) {
    if (dst->ndim != 2) return wsd_fail("concat: destination must be 2-d");
    int cols = 0;
    for (int i = 0; i < n; i++) {
        if (rows_of(srcs[i]) != dst->shape[0] || same_device(dst, srcs[i], "concat"))
            return wsd_fail("concat: part %d is %s, destination %s", i,
                            nn_tensor_shape_str(srcs[i]), nn_tensor_shape_str(dst));
        cols += cols_of(srcs[i]);
    }
    if (cols != dst->shape[1])
        return wsd_fail("concat: parts have %d columns, destination %d", cols, dst->shape[1]);
    return 0;
}

int nn_concat_cols(nn_tensor *dst, const nn_tensor *const *srcs, int n) {
    TRY(concat_check(dst, srcs, n));
    int off = 0;
    for (int i = 0; i < n; i++) {
        BE(dst)->copy2d(dst->shape[0], srcs[i]->shape[1], srcs[i]->data, srcs[i]->shape[1],
                        dst->data + off, dst->shape[1], 0);
        off += srcs[i]->shape[1];
    }
    return 0;
}

int nn_split_cols_acc(const nn_tensor *ddst, nn_tensor *const *dsrcs, int n) {
    TRY(concat_check(ddst, (const nn_tensor *const *)dsrcs, n));
    int off = 0;
    for (int i = 0; i < n; i++) {
        BE(ddst)->copy2d(ddst->shape[0], dsrcs[i]->shape[1], ddst->data + off, ddst->shape[1],
                         dsrcs[i]->data, dsrcs[i]->shape[1], 1);
        off += dsrcs[i]->shape[1];
    }
    return 0;
}

static int gather_check(const nn_tensor *dst, const nn_tensor *src, const int *idx, int n,
                        const char *op) {
    TRY(same_device(dst, src, op));
    if (dst->ndim < 1 || src->ndim < 1 || dst->shape[0] != n)
        return wsd_fail("%s: %d indices for a destination %s", op, n, nn_tensor_shape_str(dst));
    size_t w = dst->size / (size_t)(n ? n : 1), ws = src->size / (size_t)src->shape[0];
    if (n && w != ws) return wsd_fail("%s: rows of %zu vs %zu elements", op, w, ws);
    for (int i = 0; i < n; i++)
        if (idx[i] < 0 || idx[i] >= src->shape[0])
            return wsd_fail("%s: index %d out of range [0, %d)", op, idx[i], src->shape[0]);
    return 0;
}

int nn_gather_rows(nn_tensor *dst, const nn_tensor *src, const int *idx, int n) {
    TRY(gather_check(dst, src, idx, n, "gather_rows"));
    if (n) BE(dst)->gather_rows(n, (int)(dst->size / (size_t)n), src->data, idx, dst->data);
    return 0;
}

int nn_scatter_rows_acc(nn_tensor *dsrc, const nn_tensor *ddst, const int *idx, int n) {
    TRY(gather_check(ddst, dsrc, idx, n, "scatter_rows"));
    if (n)
        BE(dsrc)->scatter_rows_acc(n, (int)(ddst->size / (size_t)n), ddst->data, idx, dsrc->data);
    return 0;
}

static int hidden_check(const nn_tensor *dst, const nn_tensor *hs, const int *bidx, const int *tidx,
                        int n, nn_hidden_layout layout) {
    TRY(same_device(dst, hs, "hidden_gather"));
    if (hs->ndim != 4) return wsd_fail("hidden_gather: hidden stack must be (layers, B, T, H)");
    int L = hs->shape[0], B = hs->shape[1], T = hs->shape[2], H = hs->shape[3];
    if (layout == NN_HID_LNH ? nn_check_shape(dst, "hidden_gather", 3, L, n, H)
                             : nn_check_shape(dst, "hidden_gather", 2, n, L * H))
        return -1;
    for (int i = 0; i < n; i++)
        if (bidx[i] < 0 || bidx[i] >= B || tidx[i] < 0 || tidx[i] >= T)
            return wsd_fail("hidden_gather: item %d asks for video %d step %d of (%d, %d)", i,
                            bidx[i], tidx[i], B, T);
    return 0;
}

int nn_hidden_gather(nn_tensor *dst, const nn_tensor *hs, const int *bidx, const int *tidx, int n,
                     nn_hidden_layout layout) {
    TRY(hidden_check(dst, hs, bidx, tidx, n, layout));
    BE(dst)->hidden_gather(hs->shape[0], hs->shape[1], hs->shape[2], hs->shape[3], n, bidx, tidx,
                           (int)layout, hs->data, dst->data, 0);
    return 0;
}

int nn_hidden_scatter_acc(nn_tensor *dhs, const nn_tensor *ddst, const int *bidx, const int *tidx,
                          int n, nn_hidden_layout layout) {
    TRY(hidden_check(ddst, dhs, bidx, tidx, n, layout));
    BE(dhs)->hidden_gather(dhs->shape[0], dhs->shape[1], dhs->shape[2], dhs->shape[3], n, bidx,
                           tidx, (int)layout, dhs->data, ddst->data, 1);
    return 0;
}

double nn_sum(const nn_tensor *x) { return BE(x)->sum(x->size, x->data); }
double nn_sumsq(const nn_tensor *x) { return BE(x)->dot(x->size, x->data, x->data); }
double nn_dot(const nn_tensor *a, const nn_tensor *b) {
    if (same_size(a, b, "dot")) return 0;
    return BE(a)->dot(a->size, a->data, b->data);
}

int nn_argmax_rows(const nn_tensor *x, int *out) {
    if (x->ndim != 2) return wsd_fail("argmax_rows: expected a 2-d tensor");
    BE(x)->argmax_rows(x->shape[0], x->shape[1], x->data, out);
    return 0;
}

/* OpenBLAS itself stays at one thread (nn_sgemm.h says why) */
void nn_set_threads(int n) { nn_threadpool_set_threads(n); }
