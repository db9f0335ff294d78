/* Vectorised exp, sigmoid and tanh for the CPU kernels (engine-internal):
 * AVX-512 when the machine has it, else AVX2 + FMA, else libm, chosen at run
 * time as nn_gemm_small's kernel (WSD_GEMM_ISA=0|1|2 caps it). The AVX2 path
 * performs the AVX-512 path's operations in the same order (the same
 * polynomials and fused multiply-adds, vscalef's power of two as two exact
 * factors, the double sum's 8 lanes as two 4-lane accumulators reduced in the
 * same order), so both give the same bits (nn_vmath_test checks it): results
 * do not depend on which of the two a machine has. Only the libm fallback
 * differs, by the bounds below.
 *
 * Error bounds (checked by nn_vmath_test over dense sweeps of the domain,
 * against a double-precision reference; u = 2⁻²⁴ for float, 2⁻⁵³ for double):
 *   nn_vexpf      |rel. error| ≤ 2u on [−87, 88]; 0 below −103.9, +inf above 88.7
 *   nn_vsigmoidf  |rel. error| ≤ 4u for x ≥ −87 (1/(1 + e^−x)); 0 below −88.7
 *                 (e^−x overflows), as libm gives with this formula
 *   nn_vtanhf     |rel. error| ≤ 4u everywhere (odd polynomial for
 *                 |x| < 0.625, 1 − 2/(e^{2|x|} + 1) above, the Cephes split)
 *   nn_sum_exp_shift  each term e^{x_i − m} to ≤ 2u (double), summed in
 *                 double in 8 lanes; the float log-sum-exp built from it is
 *                 the scalar double-exp one's in practice (the test checks
 *                 equality of log_softmax outputs to 1 float ulp).
 * libm's expf/tanhf are within 1u, so results move by a few float ulps. */
#ifndef WSD_NN_VMATH_H
#define WSD_NN_VMATH_H

#include <stddef.h>

/* y[i] = f(x[i]); y may alias x. */
void nn_vexpf(size_t n, const float *x, float *y);
void nn_vsigmoidf(size_t n, const float *x, float *y);
void nn_vtanhf(size_t n, const float *x, float *y);

/* Σ_i exp((double)x[i] − m) in double, m ≥ max x (terms ≤ 1). */
double nn_sum_exp_shift(size_t n, const float *x, double m);

/* The GRU cell of nn_backend.h (gru_cell_forward) with the vector functions;
 * gates may be NULL. */
void nn_vgru_cell_forward(int B, int H, const float *gi, int ldgi, const float *gh,
                          const float *h_prev, float *h_next, float *gates);

/* Its backward (gru_cell_backward): element-wise products in the scalar
 * formula's order on every path, so the same bits everywhere. */
void nn_vgru_cell_backward(int B, int H, const float *gates, const float *h_prev,
                           const float *dh_next, float *dgi, int lddgi, float *dgh, float *dh_prev);

/* acc[j] += Σ_r x[r·ld + j] for j < n, each column summed in double over the
 * rows in order: the same bits on every path. */
void nn_vacc_rows(int rows, size_t n, const float *x, size_t ld, double *acc);

/* The path that runs: 2 AVX-512, 1 AVX2 + FMA, 0 libm. */
int nn_vmath_vectorised(void);

/* Tests: use at most path isa (2, 1, 0) from now on, never more than the
 * machine has; −1 back to the machine's. Not thread-safe. */
void nn_vmath_force_isa(int isa);

#endif
