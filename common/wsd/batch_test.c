#include "wsd/batch.h"
#include "testing/test.h"
#include "io/tsr.h"
#include "base/util.h"

#include <unistd.h>

static const char *CAPS =
    "{\"v_a\": {\"duration\": 10.0, \"timestamps\": [[0, 5], [2.5, 10]],"
    "           \"sentences\": [\"a man runs.\", \"he jumps , then runs\"]},"
    " \"v_b\": {\"duration\": 4.0, \"timestamps\": [[1, 3]], \"sentences\": [\"a dog\"]},"
    " \"v_c\": {\"duration\": 8.0, \"timestamps\": [], \"sentences\": []},"
    " \"v_d\": {\"duration\": 6.0, \"timestamps\": [[0, 6]], \"sentences\": [\"a man jumps\"]}}";

typedef struct {
    char path[64];
    wsd_featset *fs;
    wsd_captions *caps;
    wsd_vocab *vocab;
} fixture;

static void add(FILE *fp, const char *key, int rows) {
    int64_t shape[2] = {rows, 2};
    wsd_tsr t;
    wsd_tsr_init(&t, key, WSD_F32, 2, shape);
    float *x = t.data;
    for (int i = 0; i < rows * 2; i++) x[i] = (float)(i + 1);
    wsd_tsr_write(fp, &t, 0);
    wsd_tsr_free(&t);
}

static void setup(fixture *f) {
    strcpy(f->path, "/tmp/wsd_batch_testXXXXXX");
    FILE *fp = fdopen(mkstemp(f->path), "wb");
    add(fp, "v_a", 5);
    add(fp, "v_b", 3);
    add(fp, "v_c", 2);
    add(fp, "v_d", 4);
    fclose(fp);
    f->fs = wsd_featset_load(f->path, 1, NULL, 0);
    f->caps = wsd_captions_parse(CAPS, strlen(CAPS), "caps.json");
    f->vocab = f->caps ? wsd_vocab_build(f->caps, 1, 6000, NULL) : NULL;
}

static void teardown(fixture *f) {
    unlink(f->path);
    wsd_featset_free(f->fs);
    wsd_captions_free(f->caps);
    wsd_vocab_free(f->vocab);
}

static void full_batch_pads_and_groups_sentences(void) {
    fixture f;
    setup(&f);
    CHECK(f.fs && f.caps && f.vocab);
    wsd_batcher_opts o = {.batch_size = 2, .mode = WSD_BATCH_FULL, .shuffle = 0, .drop_last = 1};
    wsd_batcher *bt = wsd_batcher_new(f.fs, f.caps, f.vocab, &o);
    CHECK(bt && wsd_batcher_videos(bt) == 3); /* v_c has no sentence */
    CHECK(wsd_batcher_count(bt) == 1);        /* 3 videos, batch 2, drop_last */
    wsd_batch b;
    wsd_batch_init(&b);
    CHECK(wsd_batcher_get(bt, 0, &b) == 0);
    CHECK(b.B == 2 && b.T == 5 && b.F == 2 && b.N == 3);
    CHECK(!strcmp(b.keys[0], "v_a") && !strcmp(b.keys[1], "v_b"));
    CHECK(b.video_len[0] == 5 && b.video_len[1] == 10 && b.video_len[2] == 3 &&
          b.video_len[3] == 4);
    CHECK(b.video_mask[5 + 2] == 1 && b.video_mask[5 + 3] == 0);
    CHECK(b.video[(5 + 3) * 2] == 0 && b.video[5 * 2] == 1);
    CHECK(b.gather[0] == 0 && b.gather[1] == 0 && b.gather[2] == 1);
    /* "he jumps , then runs" = bos he jumps , then runs eos = 7 tokens */
    CHECK(b.L == 7 && b.caption_len[1] == 7 && b.caption_len[0] == 6 && b.caption_len[2] == 4);
    CHECK(b.caption[0] == WSD_BOS && b.caption[5] == WSD_EOS && b.caption[6] == WSD_EOS);
    CHECK(b.caption_mask[5] == 1 && b.caption_mask[6] == 0);
    CHECK(b.caption[2 * 7 + 4] == WSD_EOS && b.caption_mask[2 * 7 + 4] == 0);
    /* featidx: floor(5·2.5/10) = 1, end floor(5·10/10) = 5 → clamped to 4 */
    CHECK(b.ts_featidx[2] == 1 && b.ts_featidx[3] == 4);
    CHECK(b.ts_seconds[2] == 2.5f && b.ts_seconds[3] == 10.0f);
    float c, w;
    wsd_batch_featidx_cw(&b, 1, &c, &w);
    CHECK_NEAR(c, 2.5 / 5, 1e-6);
    CHECK_NEAR(w, 3.0 / 5, 1e-6);
    CHECK(b.event_pos[1] == 1 && b.video_pos[1] == 1);
    o.drop_last = 0;
    wsd_batcher_free(bt);
    bt = wsd_batcher_new(f.fs, f.caps, f.vocab, &o);
    CHECK(wsd_batcher_count(bt) == 2);
    CHECK(wsd_batcher_get(bt, 1, &b) == 0 && b.B == 1 && !strcmp(b.keys[0], "v_d") && b.T == 4);
    wsd_batch_free(&b);
    wsd_batcher_free(bt);
    teardown(&f);
}

static void sample_draws_are_seeded_and_uniform(void) {
    fixture f;
    setup(&f);
    wsd_batcher_opts o = {
        .batch_size = 3, .mode = WSD_BATCH_SAMPLE, .shuffle = 1, .drop_last = 1, .seed = 7};
    wsd_batcher *b1 = wsd_batcher_new(f.fs, f.caps, f.vocab, &o);
    wsd_batcher *b2 = wsd_batcher_new(f.fs, f.caps, f.vocab, &o);
    wsd_batch x, y;
    wsd_batch_init(&x);
    wsd_batch_init(&y);
    int picked[2] = {0, 0}, orders = 0;
    const char *first = NULL;
    for (int e = 0; e < 200; e++) {
        wsd_batcher_epoch(b1, e);
        wsd_batcher_epoch(b2, e);
        CHECK(wsd_batcher_get(b1, 0, &x) == 0 && wsd_batcher_get(b2, 0, &y) == 0);
        CHECK(x.N == 3 && x.B == 3);
        for (int n = 0; n < 3; n++) {
            CHECK(!strcmp(x.keys[n], y.keys[n]) && x.event_pos[n] == y.event_pos[n]);
            if (!strcmp(x.keys[x.gather[n]], "v_a")) picked[x.event_pos[n]]++;
        }
        if (e == 0)
            first = x.keys[0];
        else if (x.keys[0] != first)
            orders++;
    }
    CHECK_MSG(picked[0] > 70 && picked[1] > 70, "%d %d", picked[0], picked[1]);
    CHECK(orders > 50);
    wsd_batch_free(&x);
    wsd_batch_free(&y);
    wsd_batcher_free(b1);
    wsd_batcher_free(b2);
    teardown(&f);
}

static void missing_features_are_an_error(void) {
    fixture f;
    setup(&f);
    const char *ids[] = {"v_a"};
    wsd_featset *only_a = wsd_featset_load(f.path, 1, ids, 1);
    wsd_batcher_opts o = {.batch_size = 2, .mode = WSD_BATCH_FULL};
    CHECK(wsd_batcher_new(only_a, f.caps, f.vocab, &o) == NULL && strstr(wsd_error(), "v_b"));
    wsd_featset_free(only_a);
    teardown(&f);
}

int main(void) {
    TEST_RUN(full_batch_pads_and_groups_sentences);
    TEST_RUN(sample_draws_are_seeded_and_uniform);
    TEST_RUN(missing_features_are_an_error);
    return test_finish();
}
