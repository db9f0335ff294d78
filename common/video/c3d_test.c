/* C3D v1.0: the narrow network (widths / 16, seeded random weights) against
 * PyTorch (testdata/goldens/c3d.txt from testdata/torch/c3d_ref.py), batches,
 * the GPU against the CPU where a GPU answers, blob shape checks and their
 * messages. */
#include "video/c3d.h"

#include "base/rng.h"
#include "testing/nn_testutil.h"

#define CLIP ((size_t)3 * 16 * 112 * 112)

static float *random_clips(int n, uint64_t seed) {
    wsd_rng rng;
    wsd_rng_seed(&rng, seed);
    float *x = wsd_malloc((size_t)n * CLIP * sizeof(float));
    for (size_t i = 0; i < (size_t)n * CLIP; i++) x[i] = 2 * wsd_rng_uniformf(&rng) - 1;
    return x;
}

static void test_golden(void) {
    tu_goldens gs;
    if (tu_goldens_load(&gs, "c3d.txt")) {
        CHECK_MSG(0, "testdata/goldens/c3d.txt missing");
        return;
    }
    const tu_golden *d = tu_golden_get(&gs, "dims"), *g = tu_golden_get(&gs, "fc7");
    CHECK(d && g);
    if (!d || !g) return;
    int div = (int)d->data[0], n = (int)d->data[1];
    wsd_c3d net;
    CHECK(wsd_c3d_init(&net, div) == 0);
    wsd_c3d_init_random(&net, (uint64_t)d->data[2]);
    CHECK(net.in[8] == 512 / div * 16);
    float *x = random_clips(n, (uint64_t)d->data[3]);
    int width = net.out[9];
    CHECK(g->size == (size_t)n * width);
    float *y = wsd_malloc((size_t)n * width * sizeof(float)),
          *y1 = wsd_malloc((size_t)n * width * sizeof(float));
    for (int batch = 1; batch <= 2; batch++) {
        net.batch = batch;
        CHECK(wsd_c3d_forward(&net, x, n, batch == 1 ? y1 : y) == 0);
    }
    double scale = 0, worst = 0, worst1 = 0;
    int positive = 0;
    for (size_t i = 0; i < g->size; i++) scale = fmax(scale, fabs(g->data[i]));
    for (size_t i = 0; i < g->size; i++) {
        worst = fmax(worst, fabs(y[i] - g->data[i]) / scale);
        worst1 = fmax(worst1, fabs(y1[i] - g->data[i]) / scale);
        positive += g->data[i] > 0;
        CHECK(y[i] >= 0); /* fc7 is post-ReLU */
    }
    CHECK_MSG(scale > 1e-3 && positive > (int)g->size / 8, "golden too degenerate (%g, %d)", scale,
              positive);
    CHECK_MSG(worst <= 1e-4, "fc7 differs from PyTorch by %g of its range (batch 2)", worst);
    CHECK_MSG(worst1 <= 1e-4, "fc7 differs from PyTorch by %g of its range (batch 1)", worst1);
    /* same seed, same bytes */
    float *y2 = wsd_malloc((size_t)n * width * sizeof(float));
    CHECK(wsd_c3d_forward(&net, x, n, y2) == 0);
    CHECK(memcmp(y, y2, (size_t)n * width * sizeof(float)) == 0);
    free(x);
    free(y);
    free(y1);
    free(y2);
    wsd_c3d_free(&net);
    tu_goldens_free(&gs);
}

static void test_blobs(void) {
    wsd_c3d net;
    CHECK(wsd_c3d_init(&net, 3) == -1);
    CHECK(wsd_c3d_init(&net, 128) == -1);
    CHECK(wsd_c3d_init(&net, 16) == 0);
    CHECK(wsd_c3d_check_complete(&net, "m.caffemodel") == -1);
    CHECK(strstr(wsd_error(), "m.caffemodel") && strstr(wsd_error(), "conv1a"));
    float clip[1];
    CHECK(wsd_c3d_forward(&net, clip, 1, clip) == -1);
    /* conv1a: 4 outputs, 3 inputs; the C3D fork writes 5-d blobs */
    float *w = wsd_calloc(4 * 3 * 27, sizeof(float));
    int ok5[5] = {4, 3, 3, 3, 3}, bad5[5] = {4, 3, 1, 3, 3}, bias[5] = {1, 1, 1, 1, 4};
    CHECK(wsd_c3d_set_blob(&net, "conv1a", 0, ok5, 5, w, "m.caffemodel") == 0);
    CHECK(wsd_c3d_set_blob(&net, "conv1a", 0, bad5, 5, w, "m.caffemodel") == -1);
    CHECK(strstr(wsd_error(), "m.caffemodel") && strstr(wsd_error(), "conv1a weight") &&
          strstr(wsd_error(), "(4, 3, 1, 3, 3)") &&
          strstr(wsd_error(), "expected (4, 3, 3, 3, 3)"));
    CHECK(wsd_c3d_set_blob(&net, "conv1a", 1, bias, 5, w, "m.caffemodel") == 0);
    CHECK(wsd_c3d_set_blob(&net, "conv1a", 1, bias + 4, 1, w, "m.caffemodel") == 0);
    int b3[1] = {3};
    CHECK(wsd_c3d_set_blob(&net, "conv1a", 1, b3, 1, w, "m.caffemodel") == -1);
    CHECK(wsd_c3d_set_blob(&net, "conv1a", 2, bias, 5, w, "m.caffemodel") == -1);
    CHECK(wsd_c3d_layer_index("conv5b") == 7 && wsd_c3d_layer_index("fc7-1") == 9);
    CHECK(wsd_c3d_layer_index("fc8-1") == -1 && wsd_c3d_layer_index("pool5") == -1);
    CHECK(wsd_c3d_set_blob(&net, "fc8", 0, bias, 5, w, "m.caffemodel") == -1);
    CHECK(strstr(wsd_error(), "fc8") != NULL);
    /* fc6: (256, 512) at width / 16; Caffe calls it fc6-1 */
    float *f = wsd_calloc(256 * 512, sizeof(float));
    int fc6[4] = {1, 1, 256, 512}, fc6t[2] = {512, 256};
    CHECK(wsd_c3d_set_blob(&net, "fc6-1", 0, fc6, 4, f, "m.caffemodel") == 0);
    CHECK(wsd_c3d_set_blob(&net, "fc6", 0, fc6t, 2, f, "m.caffemodel") == -1);
    CHECK(wsd_c3d_check_complete(&net, "m.caffemodel") == -1);
    CHECK(strstr(wsd_error(), "conv2a") != NULL);
    free(w);
    free(f);
    wsd_c3d_free(&net);
}

/* The same narrow network on the GPU agrees with the CPU (skipped without one). */
static void test_cuda(void) {
    if (!nn_device_available(NN_CUDA)) TEST_SKIP("no CUDA device: %s", wsd_error());
    wsd_c3d cpu, gpu;
    CHECK(wsd_c3d_init(&cpu, 16) == 0 && wsd_c3d_init(&gpu, 16) == 0);
    wsd_c3d_init_random(&cpu, 9);
    wsd_c3d_init_random(&gpu, 9);
    CHECK(wsd_c3d_to_device(&gpu, NN_CUDA) == 0);
    gpu.batch = 3;
    int n = 3, width = cpu.out[9];
    float *x = random_clips(n, 5), *a = wsd_malloc((size_t)n * width * sizeof(float)),
          *b = wsd_malloc((size_t)n * width * sizeof(float));
    CHECK(wsd_c3d_forward(&cpu, x, n, a) == 0);
    CHECK(wsd_c3d_forward(&gpu, x, n, b) == 0);
    double scale = 0, worst = 0;
    for (int i = 0; i < n * width; i++) scale = fmax(scale, fabs(a[i]));
    for (int i = 0; i < n * width; i++) worst = fmax(worst, fabs(a[i] - b[i]) / scale);
    CHECK_MSG(worst <= 1e-4, "CUDA fc7 differs from the CPU by %g of its range", worst);
    free(x);
    free(a);
    free(b);
    wsd_c3d_free(&cpu);
    wsd_c3d_free(&gpu);
}

static void test_full_width(void) {
    wsd_c3d net;
    CHECK(wsd_c3d_init(&net, 1) == 0);
    CHECK(net.in[8] == 8192); /* pool5 (512, 1, 4, 4) */
    CHECK(net.out[9] == 4096);
    double f = wsd_c3d_flops(&net);
    /* 38.5 G multiply-adds (the figure C3D is known by), two flops each */
    CHECK_MSG(f > 77.0e9 && f < 77.2e9, "%g flops per clip", f);
    wsd_c3d_free(&net);
}

int main(void) {
    TEST_RUN(test_blobs);
    TEST_RUN(test_full_width);
    TEST_RUN(test_golden);
    TEST_RUN(test_cuda);
    return test_finish();
}
