/* The CPU engine's general matrix product: OpenBLAS's single-threaded sgemm,
 * large products split over the product pool (nn_parallel_ranges) in row or
 * column slices.
 *
 * Why not OpenBLAS's own threads: after each threaded product its workers
 * spin (sched_yield) for ~0.1 s, and a training step runs the pool's
 * element-wise loops and small recurrent products in between, so on two cores
 * three threads fought for the CPU (18% of a caption-generator step's samples
 * were sched_yield). With OpenBLAS at one thread its workers sleep.
 *
 * The bits are those of one single-threaded OpenBLAS call whatever the
 * thread count: every element of C comes from the same micro-kernel with the
 * same k blocking (single-threaded OpenBLAS blocks k by constants independent
 * of m and n). Slices start on multiples of 16 rows or columns so each element
 * sits in the same size of register tile, and each slice stays above
 * OpenBLAS's small-matrix path (m·n·k ≤ 10⁶, which rounds differently).
 * OpenBLAS's own threaded path does not keep those bits: with 2 threads,
 * products with k = 450, 500 or 684 (the models' feature and sentence
 * sizes) came out differently than with 1 (its threaded driver blocks such k
 * in other pieces), so a result depended on the thread count; now it does
 * not. nn_ops_cpu_test checks the bits at the models' shapes. */
#ifndef WSD_NN_SGEMM_H
#define WSD_NN_SGEMM_H

/* C (m × n, ldc) = alpha · op(A) · op(B) + beta · C, row-major; ta/tb: A, B
 * stored transposed. k == 0 scales C by beta. */
void nn_sgemm(int ta, int tb, int m, int n, int k, float alpha, const float *a, int lda,
              const float *b, int ldb, float beta, float *c, int ldc);

#endif
