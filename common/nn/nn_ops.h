/* Device-independent tensor operations for layer and model code.
 *
 * Every function dispatches on the device of its tensors (all operands must
 * share one device) to a backend (nn_backend.h: CPU over OpenBLAS here, CUDA
 * over cuBLAS in gpu/). Functions return 0, or -1 with wsd_fail() on shape or
 * device mismatch. Index arrays (`const int *`) are always host memory.
 *
 * Gradient convention used across nn_*: functions named *_backward and the
 * `acc` variants ADD into their outputs (dx += …), so gradients from several
 * consumers sum without extra buffers; forward functions overwrite. */
#ifndef WSD_NN_OPS_H
#define WSD_NN_OPS_H

#include "nn/nn_tensor.h"

/* Threads for the CPU engine's products and large loops (the pool of
 * nn_threadpool.h; OpenBLAS runs single-threaded inside it, nn_sgemm.h);
 * 0 = all cores. */
void nn_set_threads(int n);

/* C = alpha·op(A)·op(B) + beta·C for 2-d tensors; op = transpose when trans_*. */
int nn_gemm(int trans_a, int trans_b, float alpha, const nn_tensor *a, const nn_tensor *b,
            float beta, nn_tensor *c);

/* y += alpha·x (same size). */
int nn_axpy(float alpha, const nn_tensor *x, nn_tensor *y);
/* x *= alpha. */
int nn_scale(nn_tensor *x, float alpha);
/* y = a ⊙ b ; nn_mul_acc: y += a ⊙ b. */
int nn_mul(const nn_tensor *a, const nn_tensor *b, nn_tensor *y);
int nn_mul_acc(const nn_tensor *a, const nn_tensor *b, nn_tensor *y);
/* y = a + b. */
int nn_add(const nn_tensor *a, const nn_tensor *b, nn_tensor *y);
/* y[r,:] += bias for every row r of a 2-d y (bias has y's column count). */
int nn_add_row_bias(nn_tensor *y, const nn_tensor *bias);
/* db += Σ_r dy[r,:]. */
int nn_sum_rows_acc(const nn_tensor *dy, nn_tensor *db);

/* Activations: y = f(x); backward: dx += dy ⊙ f'(x) written with the output y. */
int nn_sigmoid(const nn_tensor *x, nn_tensor *y);
int nn_sigmoid_backward(const nn_tensor *y, const nn_tensor *dy, nn_tensor *dx);
int nn_tanh(const nn_tensor *x, nn_tensor *y);
int nn_tanh_backward(const nn_tensor *y, const nn_tensor *dy, nn_tensor *dx);
int nn_relu(const nn_tensor *x, nn_tensor *y);
int nn_relu_backward(const nn_tensor *y, const nn_tensor *dy, nn_tensor *dx);

/* Column concatenation of 2-d tensors with equal row counts: dst = [s0 s1 …];
 * nn_split_cols_acc is its backward (ds_i += the matching column block). */
int nn_concat_cols(nn_tensor *dst, const nn_tensor *const *srcs, int n);
int nn_split_cols_acc(const nn_tensor *ddst, nn_tensor *const *dsrcs, int n);

/* Row gather over the first dimension: dst[i] = src[idx[i]] (rows = all trailing
 * dims); backward scatters: dsrc[idx[i]] += ddst[i]. */
int nn_gather_rows(nn_tensor *dst, const nn_tensor *src, const int *idx, int n);
int nn_scatter_rows_acc(nn_tensor *dsrc, const nn_tensor *ddst, const int *idx, int n);

/* Hidden states of one time step per item from a (layers, B, T, H) stack:
 * item i reads batch row bidx[i] at step tidx[i].
 *  NN_HID_LNH → dst (layers, n, H): a decoder initial state;
 *  NN_HID_NLH → dst (n, layers·H): the reference's hidden_transpose
 *               (layer 0 then layer 1 concatenated), the 1024-d query.
 * nn_hidden_scatter_acc is the backward into dhs (layers, B, T, H). */
typedef enum { NN_HID_LNH = 0, NN_HID_NLH = 1 } nn_hidden_layout;
int nn_hidden_gather(nn_tensor *dst, const nn_tensor *hs, const int *bidx, const int *tidx, int n,
                     nn_hidden_layout layout);
int nn_hidden_scatter_acc(nn_tensor *dhs, const nn_tensor *ddst, const int *bidx, const int *tidx,
                          int n, nn_hidden_layout layout);

/* Reductions, results on the host (synchronising). */
double nn_sum(const nn_tensor *x);
double nn_sumsq(const nn_tensor *x);
double nn_dot(const nn_tensor *a, const nn_tensor *b);
/* out[r] = argmax of row r of a 2-d tensor (first maximum). */
int nn_argmax_rows(const nn_tensor *x, int *out);

#endif
