/* `make bench` C3D figure: C3D v1.0 at full width (random weights, seed 9)
 * on `clips` random clips in batches of 2, after one warm-up clip; and the
 * OpenBLAS SGEMM rate on 2048³ (best of 3) as the machine's peak.
 * Usage: c3d_bench THREADS CLIPS [cpu|cuda] [DUMP_DIR]
 * Prints "clips_per_s gflops_per_s sgemm_gflops cpu_s_per_clip" (process CPU
 * time, all threads: steadier than wall time on a shared machine). With DUMP_DIR the weights
 * (layer order, weight then bias, raw float32), the clips and our fc7 are
 * written there for c3d_bench.py (same weights and input for PyTorch). */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "nn/nn.h"
#include "nn/nn_threadpool.h"
#include "video/c3d.h"
#include "base/util.h"

#define CLIP ((size_t)3 * 16 * 112 * 112)

static void dump(const char *dir, const char *name, const float *p, size_t n) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *fp = fopen(path, "wb");
    if (!fp || fwrite(p, sizeof(float), n, fp) != n || fclose(fp))
        wsd_die("c3d_bench: cannot write %s", path);
}

/* OpenBLAS alone with its own threads (the engine keeps it at one and
 * splits products itself, nn_sgemm.h): the machine's sgemm rate */
static double sgemm_peak(int threads) {
    int n = 2048;
    openblas_set_num_threads(threads > 0 ? threads : nn_threadpool_threads());
    float *a = wsd_malloc((size_t)n * n * sizeof(float)),
          *b = wsd_malloc((size_t)n * n * sizeof(float)),
          *c = wsd_malloc((size_t)n * n * sizeof(float));
    for (size_t i = 0; i < (size_t)n * n; i++) a[i] = b[i] = (float)(i % 7) * 0.1f;
    double best = 0;
    for (int r = 0; r < 4; r++) {
        double t0 = wsd_now();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, a, n, b, n, 0, c, n);
        double g = 2.0 * n * n * n / (wsd_now() - t0) / 1e9;
        if (r > 0 && g > best) best = g; /* the first run warms the threads up */
    }
    free(a);
    free(b);
    free(c);
    return best;
}

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 0, n = argc > 2 ? atoi(argv[2]) : 4;
    nn_device dev = NN_CPU;
    if (argc > 3 && nn_device_parse(argv[3], &dev)) wsd_die("%s", wsd_error());
    const char *dir = argc > 4 ? argv[4] : NULL;
    if (n < 1) wsd_die("c3d_bench: need at least one clip");
    nn_set_threads(threads);
    wsd_c3d net;
    if (wsd_c3d_init(&net, 1)) wsd_die("%s", wsd_error());
    wsd_c3d_init_random(&net, 9);
    wsd_rng rng;
    wsd_rng_seed(&rng, 7);
    float *x = wsd_malloc((size_t)n * CLIP * sizeof(float));
    for (size_t i = 0; i < (size_t)n * CLIP; i++) x[i] = 2 * wsd_rng_uniformf(&rng) - 1;
    float *fc7 = wsd_malloc((size_t)n * 4096 * sizeof(float));
    if (dir)
        for (int i = 0; i < WSD_C3D_LAYERS; i++) {
            char name[64];
            snprintf(name, sizeof name, "%s.w", wsd_c3d_layer_names[i]);
            dump(dir, name, net.weight[i].data, net.weight[i].size);
            snprintf(name, sizeof name, "%s.b", wsd_c3d_layer_names[i]);
            dump(dir, name, net.bias[i].data, net.bias[i].size);
        }
    if (dev != NN_CPU && wsd_c3d_to_device(&net, dev)) wsd_die("%s", wsd_error());
    net.batch = dev == NN_CPU ? 2 : 16;
    if (wsd_c3d_forward(&net, x, 1, fc7)) wsd_die("%s", wsd_error()); /* warm-up */
    double t0 = wsd_now();
    clock_t c0 = clock();
    if (wsd_c3d_forward(&net, x, n, fc7)) wsd_die("%s", wsd_error());
    double secs = wsd_now() - t0, cpu = (double)(clock() - c0) / CLOCKS_PER_SEC;
    double peak = dev == NN_CPU ? sgemm_peak(threads) : 0;
    if (dir) {
        dump(dir, "clips", x, (size_t)n * CLIP);
        dump(dir, "fc7", fc7, (size_t)n * 4096);
    }
    printf("%.4f %.1f %.1f %.3f\n", n / secs, n * wsd_c3d_flops(&net) / secs / 1e9, peak, cpu / n);
    free(x);
    free(fc7);
    wsd_c3d_free(&net);
    return 0;
}
