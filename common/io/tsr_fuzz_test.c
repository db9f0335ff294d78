/* Mutation fuzzing of the binary parsers (tensor streams, .npy headers):
 * thousands of deterministic mutants of valid inputs must be rejected or
 * accepted cleanly, never crash (run under `make test SAN=1` for ASan). */
#include "testing/mutate.h"
#include "io/npy.h"
#include "testing/test.h"
#include "io/tsr.h"
#include "base/util.h"

enum { ROUNDS = 30000 };

static unsigned char *stream_seed(size_t *len) {
    char *buf = NULL;
    FILE *fp = open_memstream(&buf, len);
    int64_t shape[2] = {3, 4};
    for (int i = 0; i < 3; i++) {
        wsd_tsr t;
        wsd_tsr_init(&t, i == 1 ? "v_b" : "v_a", i == 2 ? WSD_I64 : WSD_F32, i == 2 ? 1 : 2, shape);
        cJSON_AddNumberToObject(t.meta, "duration", 3.5);
        wsd_tsr_write(fp, &t, i == 1 ? 6 : 0);
        wsd_tsr_free(&t);
    }
    fclose(fp);
    return (unsigned char *)buf;
}

static void tensor_stream_mutants_never_crash(void) {
    size_t len;
    unsigned char *seed = stream_seed(&len);
    fuzz_rng r = {0x9E3779B97F4A7C15ull};
    long records = 0, errors = 0;
    for (int i = 0; i < ROUNDS; i++) {
        size_t n;
        unsigned char *m = fuzz_mutate(&r, seed, len, seed, len, &n);
        wsd_tsr_reader *rd = wsd_tsr_open_mem(m, n, "fuzz.tsr");
        wsd_tsr t;
        int rc;
        while ((rc = wsd_tsr_read(rd, &t)) == 1) {
            CHECK(t.nbytes == wsd_tsr_numel(&t) * wsd_dtype_size(t.dtype) && t.key && t.meta);
            wsd_tsr_free(&t);
            records++;
        }
        if (rc < 0) {
            errors++;
            CHECK(strstr(wsd_error(), "fuzz.tsr: record ") != NULL);
        }
        wsd_tsr_close(rd);
        free(m);
    }
    fprintf(stderr, "  tensor stream: %d mutants, %ld records read, %ld rejected\n", ROUNDS,
            records, errors);
    CHECK(errors > ROUNDS / 4 && records > 0);
    free(seed);
}

static void npy_mutants_never_crash(void) {
    static const char hdr[] = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
    unsigned char seed[256];
    size_t hl = sizeof hdr - 1 + 1; /* with the trailing newline */
    memcpy(seed, "\x93NUMPY\x01\x00", 8);
    seed[8] = (unsigned char)hl, seed[9] = 0;
    memcpy(seed + 10, hdr, hl - 1);
    seed[10 + hl - 1] = '\n';
    memset(seed + 10 + hl, 0, 24);
    size_t len = 10 + hl + 24;
    wsd_npy_info info;
    CHECK(wsd_npy_parse(seed, len, "seed.npy", &info) == 0 && info.rows == 2 && info.cols == 3);
    fuzz_rng r = {12345};
    long ok = 0;
    for (int i = 0; i < ROUNDS; i++) {
        size_t n;
        unsigned char *m = fuzz_mutate(&r, seed, len, seed, len, &n);
        if (wsd_npy_parse(m, n, "fuzz.npy", &info) == 0) {
            ok++;
            CHECK(info.data_offset + (size_t)(info.rows * info.cols) * wsd_dtype_size(info.dtype) ==
                  n);
        } else {
            CHECK(strstr(wsd_error(), "fuzz.npy") != NULL);
        }
        free(m);
    }
    fprintf(stderr, "  npy: %d mutants, %ld accepted\n", ROUNDS, ok);
    CHECK(ok > 0);
}

int main(void) {
    TEST_RUN(tensor_stream_mutants_never_crash);
    TEST_RUN(npy_mutants_never_crash);
    return test_finish();
}
