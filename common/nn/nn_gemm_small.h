/* Register-blocked sgemm for products with few rows (the recurrent steps of
 * the GRUs: 32-180 rows × 512-2048 × 1536), engine-internal, CPU only.
 *
 * OpenBLAS packs both operands on every call; at these shapes that packing
 * and its thread hand-off cost as much as the arithmetic. This kernel reads a
 * copy of B packed once (W_hh for dh·W_hh, W_hhᵀ for h·W_hhᵀ, reused by all
 * the steps of a sequence) and keeps a 6 × 32 (AVX-512) or 6 × 16 (AVX2)
 * block of C in registers.
 *
 * Every element of C is one chain of fused multiply-adds over k = 0 … K−1 in
 * order, so its value does not depend on M, N, the blocking or the thread
 * count (products of ≥ 4 MFLOP are split by columns over the threads of
 * nn_threadpool.h); it differs from OpenBLAS's (which splits
 * k into blocks) by rounding only: |ours − exact| ≤ K·u·Σ_k |a_ik b_kj| with u = 2⁻²⁴, the
 * classical bound of a recursive dot product (nn_gemm_small_test checks against a double product
 * with this bound). */
#ifndef WSD_NN_GEMM_SMALL_H
#define WSD_NN_GEMM_SMALL_H

#include <stddef.h>

/* Instruction set the kernel runs with on this machine: 2 AVX-512F, 1 AVX2 +
 * FMA, 0 none (no packed size: the caller uses BLAS).
 * WSD_GEMM_ISA=0|1|2 in the environment caps it (tests, comparisons). */
int nn_gemm_small_isa(void);

/* B is used packed: panels of 32 columns, each K × 32 contiguous (the last
 * zero padded), prepared once per weight and reused by every product of a
 * sequence. nn_gemm_small_packed_size is the floats the packed copy needs, or
 * 0 when no kernel runs on this machine (the caller then uses BLAS). trans 0
 * packs B (K × N, row-major, ldb); trans 1 packs Bᵀ from W (N × K, ldb). */
size_t nn_gemm_small_packed_size(int K, int N);
void nn_gemm_small_pack(int K, int N, const float *B, int ldb, int trans, float *P);

/* C (M × N, ldc) = A (M × K, lda) · B + beta · C, B packed as above, all
 * row-major. beta 0 ignores C's previous contents (NaN included). Returns 0,
 * or −1 without touching C when no kernel is available. */
int nn_sgemm_small_packed(int M, int N, int K, const float *A, int lda, const float *P, float beta,
                          float *C, int ldc);
/* The same, then bias (N floats, NULL: none) added to every row of C: the
 * bits of the product followed by a row-bias pass, in the same threads. */
int nn_sgemm_small_packed_bias(int M, int N, int K, const float *A, int lda, const float *P,
                               float beta, const float *bias, float *C, int ldc);

#endif
