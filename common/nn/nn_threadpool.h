/* The CPU engine's one pool of threads: products (nn_sgemm, the recurrent-step
 * kernel), large element-wise loops and reductions run their ranges on it.
 *
 * A worker that has finished a job waits up to 0.2 ms for the next before it
 * sleeps, and the caller waits the same way for the workers' ends: a
 * training step hands the pool a job every few tens of microseconds (the
 * per-step products of a GRU), and a sleeping worker takes longer than that
 * to wake. The wait spins for its first 20 µs and then yields the core each
 * round, so that more threads than cores (or a busy machine) cost little. */
#ifndef WSD_NN_THREADPOOL_H
#define WSD_NN_THREADPOOL_H

#include <stddef.h>

/* Threads a job may use, the caller's included; n ≤ 0: the online processors
 * (the default). Results of the engine do not depend on it. */
void nn_threadpool_set_threads(int n);
int nn_threadpool_threads(void); /* the count set (or the default) */

/* Runs fn(arg, lo, hi) over t contiguous ranges covering [0, n), boundaries
 * multiples of `unit` (the caller takes the first range), and returns when
 * all are done. t is capped by the pool's threads; a second caller while a
 * job runs computes its whole range alone. */
void nn_threadpool_run(int t, size_t n, size_t unit, void (*fn)(void *arg, size_t lo, size_t hi),
                       void *arg);

/* Runs fn(arg, lo, hi) over contiguous ranges covering [0, n) once each, on
 * the pool (boundaries are multiples of 16 when grain >= 16, else as even as
 * the count allows), with at most n / grain threads: one call fn(arg, 0, n)
 * for n < 2·grain or one thread. For the CPU backend's large element-wise
 * loops and row/column reductions, whose results do not depend on the split
 * when each index is computed the same way in any range. */
void nn_parallel_ranges(size_t n, size_t grain, void (*fn)(void *arg, size_t lo, size_t hi),
                        void *arg);

#endif
