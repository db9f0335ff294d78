/* Mutation fuzzing of the protobuf wire reader and the Caffe model/mean
 * readers: thousands of deterministic mutants of a small V1 model and of a
 * mean blob must be read or refused cleanly (run under `make test SAN=1`). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "testing/mutate.h"
#include "testing/test.h"
#include "video/caffe.h"

enum { ROUNDS = 20000 };

typedef struct {
    unsigned char b[4096];
    size_t n;
} buf;

static void put(buf *o, const void *p, size_t n) {
    memcpy(o->b + o->n, p, n);
    o->n += n;
}
static void varint(buf *o, uint64_t v) {
    do {
        unsigned char c = (unsigned char)(v & 0x7f);
        v >>= 7;
        if (v) c |= 0x80;
        put(o, &c, 1);
    } while (v);
}
static void ld(buf *o, int field, const buf *payload) {
    varint(o, (uint64_t)field << 3 | 2);
    varint(o, payload->n);
    put(o, payload->b, payload->n);
}

static void blob(buf *o, int k, int c, int packed) {
    int shape[5] = {k, c, 1, 1, 1};
    for (int i = 0; i < 5; i++) varint(o, (uint64_t)(i + 1) << 3), varint(o, (uint64_t)shape[i]);
    buf d = {.n = 0};
    for (int i = 0; i < k * c; i++) {
        float v = (float)i * 0.5f - 1.f;
        if (!packed)
            varint(o, 6 << 3 | 5), put(o, &v, 4);
        else
            put(&d, &v, 4);
    }
    if (packed) ld(o, 6, &d);
}

static size_t model_seed(unsigned char *out) {
    buf net = {.n = 0}, l = {.n = 0}, b = {.n = 0};
    static const char *names[] = {"conv1a", "relu1a", "fc6-1"};
    for (int i = 0; i < 3; i++) {
        l.n = 0;
        buf s = {.n = 0};
        put(&s, names[i], strlen(names[i]));
        ld(&l, 4, &s);
        varint(&l, 5 << 3), varint(&l, 30);
        if (i != 1) {
            b.n = 0, blob(&b, 3, 2, i == 0), ld(&l, 6, &b);
            b.n = 0, blob(&b, 3, 1, i != 0), ld(&l, 6, &b);
        }
        ld(&net, 2, &l);
    }
    memcpy(out, net.b, net.n);
    return net.n;
}

static int check_blob(void *ctx, const char *layer, int index, const wsd_caffe_blob *b,
                      const char *name) {
    (void)layer, (void)index, (void)name;
    size_t n = 1;
    for (int i = 0; i < 5; i++) n *= (size_t)b->shape[i];
    CHECK(n == b->count);
    volatile float sum = 0;
    for (size_t i = 0; i < b->count; i++) sum += b->data[i]; /* touches every float (ASan) */
    ++*(long *)ctx;
    return 0;
}

static void model_mutants_never_crash(void) {
    unsigned char seed[4096];
    size_t len = model_seed(seed);
    long blobs = 0, errors = 0;
    CHECK(wsd_caffe_net_each(seed, len, "seed", check_blob, &blobs) == 0 && blobs == 4);
    fuzz_rng r = {0x5DEECE66Dull};
    for (int i = 0; i < ROUNDS; i++) {
        size_t n;
        unsigned char *m = fuzz_mutate(&r, seed, len, seed, len, &n);
        if (wsd_caffe_net_each(m, n, "fuzz.caffemodel", check_blob, &blobs) != 0) {
            errors++;
            CHECK_MSG(strstr(wsd_error(), "fuzz.caffemodel") != NULL, "%s", wsd_error());
        }
        free(m);
    }
    fprintf(stderr, "  caffe model: %d mutants, %ld blobs read, %ld rejected\n", ROUNDS, blobs,
            errors);
    CHECK(errors > ROUNDS / 10 && blobs > ROUNDS);
}

static void blob_mutants_never_crash(void) {
    buf b = {.n = 0};
    blob(&b, 4, 3, 1);
    long ok = 0;
    fuzz_rng r = {42};
    for (int i = 0; i < ROUNDS; i++) {
        size_t n;
        unsigned char *m = fuzz_mutate(&r, b.b, b.n, b.b, b.n, &n);
        wsd_caffe_blob out;
        if (wsd_caffe_blob_parse(m, n, "fuzz.binaryproto", 0, &out) == 0) {
            ok++;
            long dummy = 0;
            check_blob(&dummy, "", 0, &out, "");
            wsd_caffe_blob_free(&out);
        } else {
            CHECK(strstr(wsd_error(), "fuzz.binaryproto") != NULL);
        }
        free(m);
    }
    fprintf(stderr, "  blob: %d mutants, %ld accepted\n", ROUNDS, ok);
    CHECK(ok > 0 && ok < ROUNDS);
}

int main(void) {
    TEST_RUN(model_mutants_never_crash);
    TEST_RUN(blob_mutants_never_crash);
    return test_finish();
}
