#include "wsd/trainset.h"

#include <unistd.h>

#include "base/util.h"
#include "io/tsr.h"
#include "testing/test.h"

/* --max-videos keeps the first N videos: only their features are loaded and
 * the batcher sees only them, while the captions stay whole. */
static void max_videos_limits_features_and_batches(void) {
    char caps[] = "/tmp/wsd_trainset_capsXXXXXX", feats[] = "/tmp/wsd_trainset_featsXXXXXX";
    FILE *fp = fdopen(mkstemp(caps), "w");
    fputs("{\"v_a\": {\"duration\": 10, \"timestamps\": [[1, 2]], \"sentences\": [\"a man\"]},"
          " \"v_b\": {\"duration\": 10, \"timestamps\": [[1, 2]], \"sentences\": [\"a dog\"]},"
          " \"v_c\": {\"duration\": 10, \"timestamps\": [[1, 2]], \"sentences\": [\"a cat\"]}}",
          fp);
    fclose(fp);
    fp = fdopen(mkstemp(feats), "wb");
    const char *ids[] = {"v_a", "v_b", "v_c"};
    for (int i = 0; i < 3; i++) {
        wsd_tsr t;
        int64_t shape[2] = {4, 3};
        wsd_tsr_init(&t, ids[i], WSD_F32, 2, shape);
        memset(t.data, 0, sizeof(float) * 12);
        wsd_tsr_write(fp, &t, 0);
        wsd_tsr_free(&t);
    }
    fclose(fp);
    wsd_trainset ts;
    CHECK(wsd_trainset_load(&ts, caps, feats, 1, 2) == 0);
    wsd_vocab *v = wsd_vocab_build(ts.caps, 1, 100, NULL);
    CHECK(ts.n_videos == 2 && ts.caps->n == 3 && wsd_featset_size(ts.fs) == 2);
    wsd_batcher_opts bo = {.batch_size = 1, .mode = WSD_BATCH_FULL};
    wsd_batcher *bt = wsd_trainset_batcher(&ts, v, bo);
    CHECK(bt && wsd_batcher_videos(bt) == 2);
    wsd_batcher_free(bt);
    wsd_trainset_free(&ts);
    CHECK(wsd_trainset_load(&ts, caps, feats, 1, 0) == 0 && ts.n_videos == 3);
    wsd_trainset_free(&ts);
    wsd_vocab_free(v);
    unlink(caps);
    unlink(feats);
}

int main(void) {
    TEST_RUN(max_videos_limits_features_and_batches);
    return test_finish();
}
