#include "nn/nn_threadpool.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_THREADS 8
#define SPIN_NS     200000 /* a worker's wait for the next job before it sleeps */

static int g_threads = 0; /* 0: not set yet (online processors) */

void nn_threadpool_set_threads(int n) {
    if (n <= 0) {
        long p = sysconf(_SC_NPROCESSORS_ONLN);
        n = p > 0 ? (int)p : 1;
    }
    g_threads = n > MAX_THREADS ? MAX_THREADS : n;
}

int nn_threadpool_threads(void) {
    if (!g_threads) nn_threadpool_set_threads(0);
    return g_threads;
}

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* The job of the moment: written by the caller before it posts to the
 * workers' slots, read by them after; the next job is only written once
 * every posted worker has counted itself done. */
static void (*job_fn)(void *, size_t, size_t);
static void *job_arg;

/* One slot per worker: the caller posts a job by raising `gen` (release) after
 * writing the range; only the workers of a job are posted. */
typedef struct {
    _Atomic unsigned gen;
    size_t lo, hi;
    char pad[64];
} slot;
static slot slots[MAX_THREADS];
static atomic_int pending; /* posted workers not yet done */
static int started;        /* workers created */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER, busy = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t go = PTHREAD_COND_INITIALIZER, done = PTHREAD_COND_INITIALIZER;
static int sleepers, caller_sleeps; /* under mu */

/* One round of waiting, `spent` ns into it: a pause at first; after
 * YIELD_NS the core is yielded each round, so that with more threads than
 * cores a waiting thread does not hold a core another thread of the job (or
 * another program) needs. */
#define YIELD_NS 20000
static void wait_round(long long spent) {
    if (spent > YIELD_NS)
        sched_yield();
    else
        cpu_relax();
}

/* waits until *v differs from `old` or SPIN_NS pass; returns the value seen */
static unsigned spin_while_u(_Atomic unsigned *v, unsigned old) {
    long long start = now_ns(), spent = 0;
    for (unsigned i = 1;; i++) {
        unsigned x = atomic_load_explicit(v, memory_order_acquire);
        if (x != old || spent > SPIN_NS) return x;
        if ((i & 63) == 0) spent = now_ns() - start;
        wait_round(spent);
    }
}

static void *worker(void *arg) {
    slot *s = arg;
    unsigned seen = 0;
    for (;;) {
        unsigned g = spin_while_u(&s->gen, seen);
        if (g == seen) {
            pthread_mutex_lock(&mu);
            sleepers++;
            while ((g = atomic_load_explicit(&s->gen, memory_order_acquire)) == seen)
                pthread_cond_wait(&go, &mu);
            sleepers--;
            pthread_mutex_unlock(&mu);
        }
        seen = g;
        if (s->hi > s->lo) job_fn(job_arg, s->lo, s->hi);
        if (atomic_fetch_sub_explicit(&pending, 1, memory_order_acq_rel) == 1) {
            pthread_mutex_lock(&mu);
            if (caller_sleeps) pthread_cond_signal(&done);
            pthread_mutex_unlock(&mu);
        }
    }
    return NULL;
}

void nn_threadpool_run(int t, size_t n, size_t unit, void (*fn)(void *arg, size_t lo, size_t hi),
                       void *arg) {
    if (n == 0) return;
    if (t > nn_threadpool_threads()) t = g_threads;
    /* one caller at a time uses the pool; a concurrent one computes alone */
    if (t < 2 || pthread_mutex_trylock(&busy) != 0) return fn(arg, 0, n);
    while (started < t - 1) {
        pthread_t th;
        if (pthread_create(&th, NULL, worker, &slots[started]) != 0) break;
        pthread_detach(th);
        started++;
    }
    if (t > started + 1) t = started + 1;
    size_t units = (n + unit - 1) / unit, bound[MAX_THREADS + 1];
    for (int i = 0; i <= t; i++) {
        size_t c = units * (size_t)i / (size_t)t * unit;
        bound[i] = c < n ? c : n;
    }
    job_fn = fn;
    job_arg = arg;
    atomic_store_explicit(&pending, t - 1, memory_order_relaxed);
    for (int i = 0; i < t - 1; i++) {
        slots[i].lo = bound[i + 1];
        slots[i].hi = bound[i + 2];
        atomic_fetch_add_explicit(&slots[i].gen, 1, memory_order_release);
    }
    pthread_mutex_lock(&mu); /* a worker that went to sleep before the post */
    if (sleepers) pthread_cond_broadcast(&go);
    pthread_mutex_unlock(&mu);
    if (bound[1] > bound[0]) fn(arg, bound[0], bound[1]);
    /* the workers' ends: wait as they do, then sleep */
    long long start = now_ns(), spent = 0;
    for (unsigned i = 1; atomic_load_explicit(&pending, memory_order_acquire) > 0; i++) {
        if ((i & 63) == 0) spent = now_ns() - start;
        if (spent <= SPIN_NS) {
            wait_round(spent);
            continue;
        }
        pthread_mutex_lock(&mu);
        caller_sleeps = 1;
        while (atomic_load_explicit(&pending, memory_order_acquire) > 0)
            pthread_cond_wait(&done, &mu);
        caller_sleeps = 0;
        pthread_mutex_unlock(&mu);
    }
    pthread_mutex_unlock(&busy);
}

void nn_parallel_ranges(size_t n, size_t grain, void (*fn)(void *arg, size_t lo, size_t hi),
                        void *arg) {
    if (n == 0) return;
    if (grain < 1) grain = 1;
    size_t t = n / grain;
    if (t > (size_t)nn_threadpool_threads()) t = (size_t)g_threads;
    if (t < 2) return fn(arg, 0, n);
    /* floats: boundaries on 64-byte lines; items (rows, frames, channels): even */
    nn_threadpool_run((int)t, n, grain >= 16 ? 16 : 1, fn, arg);
}
