#include "io/featset.h"
#include "io/h5feat.h"
#include "testing/test.h"
#include "io/tsr.h"
#include "base/util.h"

#include <math.h>
#include <unistd.h>

static void make(wsd_tsr *t, const char *key, int64_t rows, int64_t cols, double duration) {
    int64_t shape[2] = {rows, cols};
    wsd_tsr_init(t, key, WSD_F32, 2, shape);
    float *x = t->data;
    for (int64_t i = 0; i < rows * cols; i++) x[i] = (float)i;
    cJSON_AddNumberToObject(t->meta, "duration", duration);
}

static void stream_subsamples_every_kth_row_from_zero(void) {
    char path[] = "/tmp/wsd_featset_testXXXXXX";
    FILE *fp = fdopen(mkstemp(path), "wb");
    wsd_tsr a, b;
    make(&a, "v_a", 5, 3, 10);
    make(&b, "v_b", 4, 3, 20);
    wsd_tsr_write(fp, &a, 0);
    wsd_tsr_write(fp, &b, 1);
    fclose(fp);
    wsd_featset *fs = wsd_featset_load(path, 2, NULL, 0);
    CHECK(fs && wsd_featset_size(fs) == 2 && wsd_featset_dim(fs) == 3);
    const wsd_feat *f = wsd_featset_get(fs, "v_a");
    CHECK(f && f->rows == 3 && f->rows_raw == 5 && f->duration == 10); /* ceil(5/2) */
    CHECK(f && f->x[3] == 6 && f->x[6] == 12);                         /* rows 0, 2, 4 */
    f = wsd_featset_get(fs, "v_b");
    CHECK(f && f->rows == 2 && f->x[3] == 6);
    CHECK(wsd_featset_get(fs, "v_nope") == NULL &&
          strstr(wsd_error(), "unknown video id 'v_nope'"));
    wsd_featset_free(fs);
    const char *ids[] = {"v_b"};
    fs = wsd_featset_load(path, 1, ids, 1);
    CHECK(fs && wsd_featset_size(fs) == 1 && wsd_featset_at(fs, 0)->rows == 4);
    wsd_featset_free(fs);
    const char *missing[] = {"v_b", "v_c"};
    CHECK(wsd_featset_load(path, 1, missing, 2) == NULL && strstr(wsd_error(), "'v_c'"));
    unlink(path);
    wsd_tsr_free(&a);
    wsd_tsr_free(&b);
}

static void hdf5_roundtrip(void) {
    char dir[] = "/tmp/wsd_h5_testXXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[256];
    snprintf(path, sizeof path, "%s/c3d.h5", dir);
    wsd_h5feat_writer *w = wsd_h5feat_create(path);
    wsd_tsr a, b;
    make(&a, "v_b", 3, 500, 7);
    make(&b, "v_a", 1, 500, 2);
    CHECK(w && wsd_h5feat_write(w, &a) == 0 && wsd_h5feat_write(w, &b) == 0);
    CHECK(wsd_h5feat_finish(w) == 0);
    wsd_featset *fs = wsd_featset_load(path, 2, NULL, 0);
    CHECK(fs && wsd_featset_size(fs) == 2);
    const wsd_feat *f = fs ? wsd_featset_get(fs, "v_b") : NULL;
    CHECK(f && f->rows == 2 && f->dim == 500 && f->x[500] == 1000 && isnan(f->duration));
    wsd_featset_free(fs);
    wsd_h5feat *h = wsd_h5feat_open(path);
    wsd_tsr t;
    CHECK(h && wsd_h5feat_read(h, "v_zz", &t) == -1 &&
          strstr(wsd_error(), "unknown video id 'v_zz'"));
    wsd_h5feat_close(h);
    unlink(path);
    rmdir(dir);
    wsd_tsr_free(&a);
    wsd_tsr_free(&b);
}

/* NaN/Inf never enter a model: the load fails naming the video, row and column. */
static void non_finite_values_are_refused_on_load(void) {
    const float bad[3] = {NAN, INFINITY, -INFINITY};
    for (int i = 0; i < 3; i++) {
        char path[] = "/tmp/wsd_featset_testXXXXXX";
        FILE *fp = fdopen(mkstemp(path), "wb");
        wsd_tsr a, b;
        make(&a, "v_a", 5, 3, 10);
        make(&b, "v_b", 4, 3, 20);
        ((float *)b.data)[2 * 3 + 1] = bad[i]; /* row 2, column 1 */
        wsd_tsr_write(fp, &a, 0);
        wsd_tsr_write(fp, &b, 1);
        fclose(fp);
        wsd_tsr_free(&a);
        wsd_tsr_free(&b);
        wsd_featset *fs = wsd_featset_load(path, 1, NULL, 0);
        CHECK_MSG(!fs && strstr(wsd_error(), path) && strstr(wsd_error(), "video 'v_b'") &&
                      strstr(wsd_error(), "row 2 (of 4), column 1"),
                  "%s", wsd_error());
        wsd_featset_free(fs);
        /* a row the sample rate skips is never used: no error */
        fs = wsd_featset_load(path, 2, NULL, 0);
        CHECK(!fs); /* row 2 is kept at rate 2 (rows 0, 2) */
        wsd_featset_free(fs);
        fs = wsd_featset_load(path, 3, NULL, 0);
        CHECK(fs != NULL); /* rows 0, 3 */
        wsd_featset_free(fs);
        unlink(path);
    }
}

/* An HDF5 file without video groups is an error, not an empty feature set. */
static void hdf5_without_videos_is_refused(void) {
    char path[] = "/tmp/wsd_featset_h5XXXXXX";
    close(mkstemp(path));
    wsd_h5feat_writer *w = wsd_h5feat_create(path);
    CHECK(w && wsd_h5feat_finish(w) == 0);
    CHECK(wsd_h5feat_open(path) == NULL && strstr(wsd_error(), "no video groups"));
    CHECK(wsd_featset_load(path, 1, NULL, 0) == NULL && strstr(wsd_error(), path));
    unlink(path);
}

int main(void) {
    TEST_RUN(hdf5_without_videos_is_refused);
    TEST_RUN(non_finite_values_are_refused_on_load);
    TEST_RUN(stream_subsamples_every_kth_row_from_zero);
    TEST_RUN(hdf5_roundtrip);
    return test_finish();
}
