#include "base/rng.h"

#include <string.h>

#include "testing/test.h"

/* The streams are pinned: these values come from the generator, the counter
 * hash and the name hash as every earlier release computed them (the batcher's
 * wsd_batch_hash and synth.c's generator), so a change of numbers fails here
 * before it changes a training run. */
static void streams_are_pinned(void) {
    wsd_rng r;
    wsd_rng_seed(&r, 233);
    CHECK(wsd_rng_u64(&r) == 0x8edbd85ad92a1450ull);
    CHECK(wsd_rng_u64(&r) == 0x59ee4120961749f4ull);
    CHECK(wsd_rng_u64(&r) == 0x0b93c0faae79b33aull);
    CHECK(wsd_rng_hash(233, 1000003u + 2, 5) == 0xbc9964b5dfba89a5ull);
    CHECK(wsd_rng_stream(233, WSD_STREAM_CG_DROPOUT, 2, 5) == 0xbc9964b5dfba89a5ull);
    /* the pinned numbers of every stream: a change here changes every result */
    CHECK(WSD_STREAM_BATCH_ORDER == 1 && WSD_STREAM_SENTENCE_PICK == 2);
    CHECK(WSD_STREAM_CYCLE == 2000003 && WSD_STREAM_CYCLE_CG_DROPOUT == 3000017);
    CHECK(WSD_STREAM_CG_FIRST_DROPOUT == 0x5eedd20f0c57ULL);
    CHECK(wsd_rng_named(233 * 4 + 2, "v_demo") == 0xdf2d7ec62b08a7a7ull);
}

static void named_and_counter_streams_are_independent(void) {
    CHECK(wsd_rng_named(1, "batch") == wsd_rng_named(1, "batch"));
    CHECK(wsd_rng_named(1, "batch") != wsd_rng_named(1, "batches"));
    CHECK(wsd_rng_named(1, "batch") != wsd_rng_named(2, "batch"));
    CHECK(wsd_rng_hash(7, 1, 2) == wsd_rng_hash(7, 1, 2));
    CHECK(wsd_rng_hash(7, 1, 2) != wsd_rng_hash(7, 2, 1));
    CHECK(wsd_rng_hash(7, 1, 2) != wsd_rng_hash(8, 1, 2));
}

static void draws_have_the_right_distribution(void) {
    wsd_rng a, b;
    wsd_rng_seed(&a, 233);
    wsd_rng_seed(&b, 233);
    for (int i = 0; i < 100; i++) CHECK(wsd_rng_u64(&a) == wsd_rng_u64(&b));
    double s = 0, s2 = 0;
    int n = 20000, hist[5] = {0};
    for (int i = 0; i < n; i++) {
        float u = wsd_rng_uniformf(&a);
        CHECK(u >= 0 && u < 1);
        float v = wsd_rng_range(&a, -2, 3);
        CHECK(v >= -2 && v < 3);
        hist[wsd_rng_below(&a, 5)]++;
        float z = wsd_rng_normal(&a);
        s += z;
        s2 += (double)z * z;
    }
    CHECK_NEAR(s / n, 0, 0.05);
    CHECK_NEAR(s2 / n, 1, 0.05);
    for (int k = 0; k < 5; k++) CHECK_NEAR(hist[k] / (double)n, 0.2, 0.02);
}

/* the batch draw is n single draws: same numbers, same state after */
static void batch_draws_are_single_draws(void) {
    wsd_rng a, b;
    wsd_rng_seed(&a, 5);
    wsd_rng_seed(&b, 5);
    float got[1001];
    wsd_rng_uniformf_n(&a, 1001, got);
    for (int i = 0; i < 1001; i++) CHECK(got[i] == wsd_rng_uniformf(&b));
    CHECK(wsd_rng_u64(&a) == wsd_rng_u64(&b));
}

int main(void) {
    TEST_RUN(batch_draws_are_single_draws);
    TEST_RUN(streams_are_pinned);
    TEST_RUN(named_and_counter_streams_are_independent);
    TEST_RUN(draws_have_the_right_distribution);
    return test_finish();
}
