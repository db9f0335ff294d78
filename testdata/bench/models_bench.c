/* `make bench` model figures (pipelines/bench-models.sh): the WSDEC models at
 * the paper's configuration (F 500, H = E 512, 2-layer GRUs, V 6000, T 120
 * feature rows, captions of L tokens), timed step by step as the trainers and
 * programs run them. testdata/bench/models_bench.py is the PyTorch
 * counterpart on the same shapes.
 *
 *   cg        caption-generator training step: batch 36 (one sentence per
 *             video), forward + backward + SGD step (cg-pretrain)
 *   cycle     weakly supervised cycle step: batch 32, wsd_cycle_grad + SGD
 *             steps of both models (wsdec-train)
 *   caption   beam 3, max 20 words, 15 proposals per video, 4 videos a run
 *   localize  sentence localizer, eval, 8 videos of 4 sentences a run
 *   sgemm     (36·120) × 512 × 1536 products through OpenBLAS alone, with its
 *             own threads: the machine's sgemm rate
 *   gemm:M:N:K  four M × N × K products (C = A·Bᵀ) through the device's
 *             backend gemm: on CUDA that is cublasSgemm alone, the physical
 *             limit to hold the step's achieved GFLOP/s against
 *
 * Usage: models_bench WHAT THREADS REPS [DEVICE]. Prints "wall_ms cpu_ms
 * units syncs": the median wall time of a run, the median process CPU time
 * (all threads; on a shared machine the better measure of our own work), the
 * work of one run (videos for caption/localize, GFLOP of sgemm for
 * cg/sgemm/gemm, 0 for cycle) and the host<->device synchronisations of one
 * run (nn_device_counters). DEVICE (cpu, cuda; default cpu) is where the
 * models run; a run on CUDA ends with a device sync (not counted) before the
 * clock stops. */
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/util.h"
#include "nn/nn.h"
#include "nn/nn_backend.h"
#include "wsd/model_cg.h"
#include "wsd/model_sl.h"
#include "wsd/train_wsd.h"

enum { F = 500, H = 512, V = 6000, LCAP = 20, LAYERS = 2 };

/* Feature rows of the batch's videos: 120 each, or with WSD_BENCH_LENGTHS
 * (comma-separated, at least as many as the batch has videos) video v has
 * the v-th length, the batch T the longest, the rest of each video padding
 * (zero rows, masked), as real batches of videos of different lengths. */
static int T = 120;

/* the i-th of the comma-separated lengths in env var `name` (lens, n: its
 * parsed list, n < 0 before), `dflt` when the variable is unset */
static int env_length(const char *name, int *lens, int *n, int i, int dflt, int min) {
    if (*n < 0) {
        const char *s = getenv(name);
        *n = 0;
        while (s && *s && *n < 4096) {
            char *end;
            long l = strtol(s, &end, 10);
            if (end == s || l < min || l > 100000)
                wsd_die("%s: a length of at least %d expected at '%s'", name, min, s);
            lens[(*n)++] = (int)l;
            s = *end == ',' ? end + 1 : end;
            if (*end && *end != ',') wsd_die("%s: ',' expected at '%s'", name, end);
        }
    }
    if (*n == 0) return dflt;
    if (i >= *n) wsd_die("%s: %d lengths, a batch of more", name, *n);
    return lens[i];
}
static int video_rows(int v) {
    static int n = -1, lens[4096];
    return env_length("WSD_BENCH_LENGTHS", lens, &n, v, 120, 1);
}
/* Tokens of sentence n (<bos> and <eos> included): LCAP - n % 5, or with
 * WSD_BENCH_CAPTION_LENGTHS the n-th length (at least 3), the batch L the
 * longest. */
static int caption_tokens(int n) {
    static int cnt = -1, lens[4096];
    return env_length("WSD_BENCH_CAPTION_LENGTHS", lens, &cnt, n, LCAP - n % 5, 3);
}

/* B videos of T rows, N = B·per sentences of caption_tokens(n); all host memory
 * owned here (never passed to wsd_batch_free). */
static void make_batch(wsd_batch *b, int B, int per, wsd_rng *rng) {
    memset(b, 0, sizeof *b);
    int N = B * per, L = 2;
    T = 1;
    for (int v = 0; v < B; v++) T = video_rows(v) > T ? video_rows(v) : T;
    for (int n = 0; n < N; n++) L = caption_tokens(n) > L ? caption_tokens(n) : L;
    b->B = B, b->T = T, b->F = F, b->N = N, b->L = L;
    b->video = wsd_malloc(sizeof(float) * (size_t)B * T * F);
    b->video_len = wsd_malloc(sizeof(float) * 2 * B);
    b->video_mask = wsd_malloc(sizeof(float) * (size_t)B * T);
    b->caption = wsd_malloc(sizeof(int) * (size_t)N * L);
    b->caption_len = wsd_malloc(sizeof(int) * N);
    b->caption_mask = wsd_malloc(sizeof(float) * (size_t)N * L);
    b->gather = wsd_malloc(sizeof(int) * N);
    b->ts_seconds = wsd_malloc(sizeof(float) * 2 * N);
    b->ts_featidx = wsd_malloc(sizeof(float) * 2 * N);
    b->event_pos = wsd_malloc(sizeof(int) * N);
    b->video_pos = wsd_malloc(sizeof(int) * B);
    for (int v = 0; v < B; v++) {
        int len = video_rows(v);
        for (size_t i = 0; i < (size_t)T * F; i++)
            b->video[(size_t)v * T * F + i] =
                i < (size_t)len * F ? wsd_rng_uniform(rng) * 2 - 1 : 0;
        b->video_len[2 * v] = (float)len;
        b->video_len[2 * v + 1] = len * (2 / 3.75f); /* seconds at C3D's rate, sampled by 2 */
        b->video_pos[v] = v;
        for (int t = 0; t < T; t++) b->video_mask[v * T + t] = t < len;
    }
    for (int n = 0; n < N; n++) {
        int len = caption_tokens(n);
        b->gather[n] = n / per;
        b->event_pos[n] = n % per;
        b->caption_len[n] = len;
        for (int t = 0; t < L; t++) {
            int id = t == 0         ? WSD_BOS
                     : t >= len - 1 ? WSD_EOS
                                    : 2 + (int)(wsd_rng_uniform(rng) * (V - 3));
            b->caption[n * L + t] = id;
            b->caption_mask[n * L + t] = t < len;
        }
        float s = 10.0f + 5.0f * (n % 7), e = s + 30.0f;
        b->ts_seconds[2 * n] = s, b->ts_seconds[2 * n + 1] = e;
        b->ts_featidx[2 * n] = s, b->ts_featidx[2 * n + 1] = e;
    }
}

static void free_batch(wsd_batch *b) {
    void *ps[] = {b->video,       b->video_len,    b->video_mask, b->caption,
                  b->caption_len, b->caption_mask, b->gather,     b->ts_seconds,
                  b->ts_featidx,  b->event_pos,    b->video_pos};
    for (size_t i = 0; i < sizeof ps / sizeof *ps; i++) free(ps[i]);
}

/* sgemm FLOP of one GRU layer over TB rows: forward, and backward with or
 * without the input gradient. */
static double gru_layer_flop(double TB, int in, int fwd, int bwd, int dx) {
    double f = 0;
    if (fwd) f += 2 * TB * 3 * H * (in + H);
    if (bwd) f += 2 * TB * 3 * H * (in + 2.0 * H) + (dx ? 2 * TB * 3 * H * in : 0);
    return f;
}

/* Caption generator training step (batch B, N = B sentences of
 * caption_tokens(n)) as we compute it: the video encoder and its residual
 * over the videos' own rows, the decoder over each sentence's steps (the
 * padding is not computed). */
static double cg_step_flop(int B, int N) {
    double TB = 0, SN = 0, D = H + 3.0 * H;
    for (int n = 0; n < N; n++) SN += caption_tokens(n) - 1; /* decoder steps */
    for (int v = 0; v < B; v++) TB += video_rows(v);
    double f = gru_layer_flop(TB, F, 1, 1, 0) + gru_layer_flop(TB, H, 1, 1, 1);
    f += 2 * 2 * TB * F * H; /* residual fwd, dW */
    f += gru_layer_flop(SN, (int)D, 1, 1, 1) + gru_layer_flop(SN, H, 1, 1, 1); /* decoder */
    f += 3 * 2 * SN * H * V;                                                   /* output layer */
    return f;
}

static double cpu_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return t.tv_sec * 1e3 + t.tv_nsec * 1e-6;
}

/* wall and CPU time of the runs; every `if (r >= 0) ms[r] = now_ms() - t0`
 * below also records the CPU time since the matching now_ms() */
static double cpu0, *cpu_times;
static nn_device dev = NN_CPU;
static unsigned long syncs0, syncs_run;
static double now_ms(void) {
    syncs0 = nn_device_counters().syncs;
    cpu0 = cpu_ms();
    return wsd_now() * 1e3;
}
static double lap(double t0, int r) {
    syncs_run = nn_device_counters().syncs - syncs0;
    nn_device_sync(dev); /* queued device work belongs to the run */
    cpu_times[r] = cpu_ms() - cpu0;
    return wsd_now() * 1e3 - t0;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void die_if(int rc) {
    if (rc) wsd_die_internal("models_bench: %s", wsd_error());
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: models_bench cg|cycle|caption|localize|sgemm|gemm:M:N:K THREADS "
                        "REPS [DEVICE]\n");
        return 1;
    }
    const char *what = argv[1];
    int threads = atoi(argv[2]), reps = atoi(argv[3]);
    if (reps < 1) reps = 1;
    if (argc > 4 && nn_device_parse(argv[4], &dev)) wsd_die("%s", wsd_error());
    nn_set_threads(threads);
    wsd_rng rng;
    wsd_rng_seed(&rng, 233);
    double *ms = wsd_calloc((size_t)reps, sizeof(double)), units = 0;
    cpu_times = wsd_calloc((size_t)reps, sizeof(double));
    wsd_cg_config cc;
    wsd_cg_config_default(&cc);
    cc.feat_dim = F, cc.hidden = H, cc.embed = H, cc.vocab = V, cc.layers = LAYERS;
    wsd_sl_config sc;
    wsd_sl_config_default(&sc);
    sc.feat_dim = F, sc.hidden = H, sc.embed = H, sc.vocab = V, sc.layers = LAYERS;
    if (!strcmp(what, "sgemm")) {
        /* OpenBLAS alone with its own threads: the reference rate */
        openblas_set_num_threads(threads);
        int M = 36 * 120, K = 512, Nn = 1536;
        nn_tensor a = nn_zeros2(NN_CPU, M, K), w = nn_zeros2(NN_CPU, Nn, K),
                  c = nn_zeros2(NN_CPU, M, Nn);
        nn_init_uniform(&a, &rng, -1, 1);
        nn_init_uniform(&w, &rng, -1, 1);
        for (int r = -1; r < reps; r++) {
            double t0 = now_ms();
            for (int i = 0; i < 4; i++)
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, M, Nn, K, 1.0f, a.data, K,
                            w.data, K, 0.0f, c.data, Nn);
            if (r >= 0) ms[r] = lap(t0, r);
        }
        units = 4 * 2.0 * M * K * Nn / 1e9;
        nn_tensor_free(&a), nn_tensor_free(&w), nn_tensor_free(&c);
    } else if (!strncmp(what, "gemm:", 5)) {
        int M, Nn, K;
        if (sscanf(what + 5, "%d:%d:%d", &M, &Nn, &K) != 3 || M < 1 || Nn < 1 || K < 1)
            wsd_die("gemm:M:N:K expected, got '%s'", what);
        nn_tensor a = nn_zeros2(dev, M, K), w = nn_zeros2(dev, Nn, K), c = nn_zeros2(dev, M, Nn);
        nn_init_uniform(&a, &rng, -1, 1);
        nn_init_uniform(&w, &rng, -1, 1);
        const nn_backend *be = nn_backend_for(dev);
        for (int r = -1; r < reps; r++) {
            double t0 = now_ms();
            for (int i = 0; i < 4; i++)
                be->gemm(0, 1, M, Nn, K, 1.0f, a.data, K, w.data, K, 0.0f, c.data, Nn);
            if (r >= 0) ms[r] = lap(t0, r);
        }
        units = 4 * 2.0 * M * K * Nn / 1e9;
        nn_tensor_free(&a), nn_tensor_free(&w), nn_tensor_free(&c);
    } else if (!strcmp(what, "cg")) {
        int B = 36;
        wsd_batch b;
        make_batch(&b, B, 1, &rng);
        wsd_cg cg;
        wsd_cg_run run = {0};
        die_if(wsd_cg_init(&cg, &cc, 233, dev));
        cg.training = 1;
        nn_optim opt;
        nn_sgd_init(&opt, 0.8, 1e-4);
        nn_optim_add_group(&opt, &cg.params, 1e-2);
        nn_tensor seg = nn_zeros2(dev, B, 2);
        float *sh = wsd_malloc(sizeof(float) * 2 * B);
        for (int n = 0; n < B; n++) wsd_batch_featidx_cw(&b, n, &sh[2 * n], &sh[2 * n + 1]);
        die_if(nn_tensor_from_host(&seg, sh, (size_t)2 * B));
        for (int r = -1; r < reps; r++) {
            double t0 = now_ms(), loss;
            nn_params_zero_grad(&cg.params);
            die_if(wsd_cg_forward(&cg, &run, &b, &seg, 1, &loss, NULL) ||
                   wsd_cg_backward(&cg, &run, 1.0f, NULL) || nn_optim_step(&opt));
            if (r >= 0) ms[r] = lap(t0, r);
        }
        units = cg_step_flop(B, B) / 1e9;
        free(sh);
        nn_tensor_free(&seg);
        nn_optim_free(&opt);
        wsd_cg_run_free(&run);
        wsd_cg_free(&cg);
        free_batch(&b);
    } else if (!strcmp(what, "cycle")) {
        int B = 32;
        wsd_batch b;
        make_batch(&b, B, 1, &rng);
        wsd_cg cg;
        wsd_sl sl;
        die_if(wsd_cg_init(&cg, &cc, 233, dev) || wsd_sl_init(&sl, &sc, 234, dev));
        cg.training = 1;
        nn_optim opt;
        nn_sgd_init(&opt, 0.8, 1e-4);
        nn_optim_add_group(&opt, &sl.refiner_group, 1e-2);
        nn_optim_add_group(&opt, &sl.other_group, 1e-3);
        nn_optim_add_group(&opt, &cg.params, 1e-2);
        wsd_train_ws ws;
        memset(&ws, 0, sizeof ws);
        float noise[2 * 32];
        for (int i = 0; i < 2 * B; i++) noise[i] = (wsd_rng_uniform(&rng) * 2 - 1) * 0.01f;
        for (int r = -1; r < reps; r++) {
            double t0 = now_ms(), lc, lr;
            nn_params_zero_grad(&sl.params);
            nn_params_zero_grad(&cg.params);
            die_if(wsd_cycle_grad(&sl, &cg, &ws, &b, noise, &rng, &lc, &lr));
            nn_clip_grad_norm(&sl.params, 5.0);
            die_if(nn_optim_step(&opt));
            if (r >= 0) ms[r] = lap(t0, r);
        }
        units = 0;
        wsd_train_ws_free(&ws);
        nn_optim_free(&opt);
        wsd_sl_free(&sl);
        wsd_cg_free(&cg);
        free_batch(&b);
    } else if (!strcmp(what, "caption")) {
        int B = 4, P = 15, n = B * P, W = 22;
        wsd_batch b;
        make_batch(&b, B, 1, &rng);
        wsd_cg cg;
        wsd_cg_run run = {0};
        die_if(wsd_cg_init(&cg, &cc, 233, dev));
        float *seg = wsd_malloc(sizeof(float) * 2 * n);
        int *gather = wsd_malloc(sizeof(int) * n), *ids = wsd_malloc(sizeof(int) * n * W),
            *len = wsd_malloc(sizeof(int) * n);
        for (int i = 0; i < n; i++) {
            gather[i] = i / P;
            seg[2 * i] = wsd_rng_uniform(&rng), seg[2 * i + 1] = wsd_rng_uniform(&rng);
        }
        for (int r = -1; r < reps; r++) {
            double t0 = now_ms();
            die_if(wsd_cg_decode(&cg, &run, &b, seg, gather, n, 3, 20, 0, ids, len));
            if (r >= 0) ms[r] = lap(t0, r);
        }
        units = B;
        free(seg), free(gather), free(ids), free(len);
        wsd_cg_run_free(&run);
        wsd_cg_free(&cg);
        free_batch(&b);
    } else if (!strcmp(what, "localize")) {
        int B = 8, per = 4;
        wsd_batch b;
        make_batch(&b, B, per, &rng);
        wsd_sl sl;
        if (wsd_sl_init(&sl, &sc, 234, dev)) die_if(-1);
        wsd_sl_run run;
        memset(&run, 0, sizeof run);
        float *se = wsd_malloc(sizeof(float) * 2 * b.N);
        for (int r = -1; r < reps; r++) {
            double t0 = now_ms();
            die_if(wsd_sl_forward(&sl, &run, &b, NULL, 0, NULL));
            wsd_sl_test_seconds(&sl, &run, &b, se);
            if (r >= 0) ms[r] = lap(t0, r);
        }
        units = B;
        free(se);
        wsd_sl_run_free(&run);
        wsd_sl_free(&sl);
        free_batch(&b);
    } else {
        fprintf(stderr, "models_bench: unknown '%s'\n", what);
        return 1;
    }
    qsort(ms, (size_t)reps, sizeof *ms, cmp_double);
    qsort(cpu_times, (size_t)reps, sizeof *cpu_times, cmp_double);
    printf("%.2f %.2f %.4f %lu\n", ms[reps / 2], cpu_times[reps / 2], units, syncs_run);
    free(ms);
    free(cpu_times);
    return 0;
}
