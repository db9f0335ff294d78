/* The Caffe readers on files written by testdata/video/make_caffe.py (hand-
 * encoded protobuf, packed and unpacked floats, layers without blobs, skipped
 * fields): every blob and the mean read back to the same tensors; truncated
 * and foreign files are refused with the file name in the message. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "testing/test.h"
#include "video/caffe.h"
#include "video/pbwire.h"

static char dir[] = "/tmp/wsd-caffe-test-XXXXXX";
static int have_files;
static FILE *expect;

typedef struct {
    int blobs, bad;
} walk;

static int compare(void *ctx, const char *layer, int index, const wsd_caffe_blob *b,
                   const char *name) {
    walk *w = ctx;
    char want_layer[64];
    int want_index, sh[5];
    size_t n;
    (void)name;
    if (fscanf(expect, "%63s %d %zu %d %d %d %d %d", want_layer, &want_index, &n, sh, sh + 1,
               sh + 2, sh + 3, sh + 4) != 8)
        return w->bad = 1, -1;
    int same = strcmp(layer, want_layer) == 0 && index == want_index && n == b->count &&
               memcmp(sh, b->shape, sizeof sh) == 0;
    for (size_t i = 0; i < n; i++) {
        float v;
        if (fscanf(expect, "%f", &v) != 1) return w->bad = 1, -1;
        if (same && v != b->data[i]) same = 0;
    }
    if (!same) {
        fprintf(stderr, "  blob %s/%d differs from %s/%d\n", layer, index, want_layer, want_index);
        w->bad = 1;
    }
    w->blobs++;
    return 0;
}

static void files_read_back_the_same(void) {
    if (!have_files) TEST_SKIP("/usr/bin/python3 could not run testdata/video/make_caffe.py");
    char path[128];
    snprintf(path, sizeof path, "%s/blobs.txt", dir);
    CHECK((expect = fopen(path, "r")) != NULL);
    size_t len;
    snprintf(path, sizeof path, "%s/model.caffemodel", dir);
    char *buf = wsd_read_file(path, &len);
    CHECK(buf != NULL);
    walk w = {0, 0};
    CHECK(wsd_caffe_net_each(buf, len, path, compare, &w) == 0);
    CHECK(w.blobs == 22 && !w.bad);
    /* the mean */
    char tag[16];
    int i0, sh[5];
    size_t n;
    CHECK(fscanf(expect, "%15s %d %zu %d %d %d %d %d", tag, &i0, &n, sh, sh + 1, sh + 2, sh + 3,
                 sh + 4) == 8);
    float *mean;
    static const int want[5] = {1, 3, 16, 128, 171};
    snprintf(path, sizeof path, "%s/mean.binaryproto", dir);
    CHECK(wsd_caffe_mean_load(path, want, &mean) == 0);
    int same = n == 3u * 16 * 128 * 171;
    for (size_t i = 0; i < n && same; i++) {
        float v;
        same = fscanf(expect, "%f", &v) == 1 && v == mean[i];
    }
    CHECK(same);
    free(mean);
    static const int other[5] = {1, 3, 16, 112, 112};
    CHECK(wsd_caffe_mean_load(path, other, &mean) == -1 &&
          strstr(wsd_error(), "mean.binaryproto") &&
          strstr(wsd_error(), "expected 1x3x16x112x112"));
    fclose(expect);
    free(buf);
}

static int count_blobs(void *ctx, const char *layer, int index, const wsd_caffe_blob *b,
                       const char *name) {
    (void)layer, (void)index, (void)b, (void)name;
    ++*(int *)ctx;
    return 0;
}

static void truncated_model_is_refused(void) {
    if (!have_files) TEST_SKIP("/usr/bin/python3 could not run testdata/video/make_caffe.py");
    char path[128];
    snprintf(path, sizeof path, "%s/model.caffemodel", dir);
    size_t len;
    char *buf = wsd_read_file(path, &len);
    int refused = 0, tries = 0;
    for (size_t cut = 1; cut < len; cut += len / 97 + 1, tries++) {
        int blobs = 0;
        if (wsd_caffe_net_each(buf, cut, "cut.caffemodel", count_blobs, &blobs) != 0) {
            refused++;
            CHECK_MSG(strstr(wsd_error(), "cut.caffemodel: byte ") != NULL, "%s", wsd_error());
        }
    }
    CHECK(refused >= tries - 2); /* cuts at layer boundaries parse as a shorter model */
    free(buf);
}

static void foreign_files_are_refused(void) {
    int blobs = 0;
    CHECK(wsd_caffe_net_each("", 0, "empty", count_blobs, &blobs) == -1 &&
          strstr(wsd_error(), "empty: no layers"));
    /* new-style Caffe: NetParameter.layer = 100 */
    static const unsigned char newstyle[] = {0x0a, 0x01, 'x', 0xa2, 0x06, 0x00};
    CHECK(wsd_caffe_net_each(newstyle, sizeof newstyle, "new.caffemodel", count_blobs, &blobs) ==
              -1 &&
          strstr(wsd_error(), "newer format"));
    /* a JPEG header is not protobuf */
    static const unsigned char jpeg[] = {0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 'J', 'F', 'I', 'F'};
    CHECK(wsd_caffe_net_each(jpeg, sizeof jpeg, "x.jpg", count_blobs, &blobs) == -1 &&
          strstr(wsd_error(), "x.jpg"));
    /* a blob whose data disagrees with its shape */
    static const unsigned char blob[] = {0x08, 0x01, 0x10, 0x02, 0x18, 0x01, 0x20, 0x01,
                                         0x28, 0x01, 0x32, 0x04, 0,    0,    0x80, 0x3f};
    wsd_caffe_blob b;
    CHECK(wsd_caffe_blob_parse(blob, sizeof blob, "b.binaryproto", 0, &b) == -1 &&
          strstr(wsd_error(), "expected 2"));
    CHECK(wsd_caffe_blob_parse(blob, sizeof blob - 2, "b.binaryproto", 0, &b) == -1 &&
          strstr(wsd_error(), "only 2 remain"));
}

static void wire_reader_basics(void) {
    /* field 1 varint 300, field 2 fixed64, field 3 "hi", field 4 fixed32, field 5 int32 -2 */
    static const unsigned char m[] = {0x08, 0xac, 0x02, 0x11, 1,    2,    3,    4,
                                      5,    6,    7,    8,    0x1a, 0x02, 'h',  'i',
                                      0x25, 9,    0,    0,    0,    0x28, 0xfe, 0xff,
                                      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
    wsd_pb r;
    wsd_pb_field f;
    wsd_pb_init(&r, m, sizeof m, "m", 0);
    CHECK(wsd_pb_next(&r, &f) == 1 && f.field == 1 && f.v == 300);
    CHECK(wsd_pb_next(&r, &f) == 1 && f.field == 2 && f.wire == WSD_PB_I64 &&
          f.v == 0x0807060504030201ull);
    CHECK(wsd_pb_next(&r, &f) == 1 && f.field == 3 && f.len == 2 && memcmp(f.data, "hi", 2) == 0);
    CHECK(wsd_pb_next(&r, &f) == 1 && f.field == 4 && f.v == 9);
    int32_t v;
    CHECK(wsd_pb_next(&r, &f) == 1 && f.field == 5 && wsd_pb_int32(&r, &f, "x", &v) == 0 &&
          v == -2);
    CHECK(wsd_pb_next(&r, &f) == 0);
    static const unsigned char group[] = {0x0b};
    wsd_pb_init(&r, group, 1, "g", 0);
    CHECK(wsd_pb_next(&r, &f) == -1 && strstr(wsd_error(), "wire type 3"));
    static const unsigned char longv[] = {0x08, 0xff, 0xff, 0xff, 0xff, 0xff,
                                          0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
    wsd_pb_init(&r, longv, sizeof longv, "l", 0);
    CHECK(wsd_pb_next(&r, &f) == -1);
}

int main(void) {
    if (mkdtemp(dir)) {
        char cmd[256];
        snprintf(cmd, sizeof cmd, "/usr/bin/python3 testdata/video/make_caffe.py %s 16 2>&1", dir);
        have_files = system(cmd) == 0;
    }
    TEST_RUN(wire_reader_basics);
    TEST_RUN(files_read_back_the_same);
    TEST_RUN(truncated_model_is_refused);
    TEST_RUN(foreign_files_are_refused);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    return test_finish();
}
