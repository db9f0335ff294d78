#include "testing/test.h"
#include "io/tsr.h"
#include "base/util.h"

#include <unistd.h>

/* Writes tensors into a memory buffer (open_memstream) for the reader. */
static char *write_stream(const wsd_tsr *ts, int n, int level, size_t *len) {
    char *buf = NULL;
    FILE *fp = open_memstream(&buf, len);
    for (int i = 0; i < n; i++) CHECK(wsd_tsr_write(fp, &ts[i], level) == 0);
    fclose(fp);
    return buf;
}

static void make(wsd_tsr *t, const char *key, int64_t rows, int64_t cols) {
    int64_t shape[2] = {rows, cols};
    wsd_tsr_init(t, key, WSD_F32, 2, shape);
    float *x = t->data;
    for (int64_t i = 0; i < rows * cols; i++) x[i] = (float)i * 0.5f;
    cJSON_AddNumberToObject(t->meta, "duration", 12.5);
}

static void roundtrip_raw_and_zlib(void) {
    for (int level = 0; level <= 6; level += 6) {
        wsd_tsr in[2];
        make(&in[0], "v_a", 3, 4);
        make(&in[1], "v_b", 0, 500);
        size_t len;
        char *buf = write_stream(in, 2, level, &len);
        wsd_tsr_reader *r = wsd_tsr_open_mem(buf, len, "mem");
        wsd_tsr out;
        CHECK(wsd_tsr_read(r, &out) == 1);
        CHECK(strcmp(out.key, "v_a") == 0 && out.ndim == 2 && out.shape[0] == 3 &&
              out.shape[1] == 4);
        CHECK(out.nbytes == 48 && memcmp(out.data, in[0].data, 48) == 0);
        CHECK_NEAR(wsd_tsr_meta_number(&out, "duration", 0), 12.5, 0);
        wsd_tsr_free(&out);
        CHECK(wsd_tsr_read(r, &out) == 1);
        CHECK(strcmp(out.key, "v_b") == 0 && out.shape[0] == 0 && out.nbytes == 0);
        wsd_tsr_free(&out);
        CHECK(wsd_tsr_read(r, &out) == 0);
        wsd_tsr_close(r);
        free(buf);
        wsd_tsr_free(&in[0]);
        wsd_tsr_free(&in[1]);
    }
}

static void concatenated_shards_read_as_one(void) {
    wsd_tsr a, b;
    make(&a, "v_a", 2, 2);
    make(&b, "v_b", 1, 2);
    size_t la, lb;
    char *sa = write_stream(&a, 1, 0, &la), *sb = write_stream(&b, 1, 1, &lb);
    char *cat = malloc(la + lb);
    memcpy(cat, sa, la);
    memcpy(cat + la, sb, lb);
    wsd_tsr_reader *r = wsd_tsr_open_mem(cat, la + lb, "cat");
    wsd_tsr t;
    int n = 0;
    while (wsd_tsr_read(r, &t) == 1) {
        n++;
        wsd_tsr_free(&t);
    }
    CHECK(n == 2);
    wsd_tsr_close(r);
    free(sa), free(sb), free(cat), wsd_tsr_free(&a), wsd_tsr_free(&b);
}

/* Reads all records of buf; returns the last wsd_tsr_read() result. */
static int read_all(const char *buf, size_t len) {
    wsd_tsr_reader *r = wsd_tsr_open_mem(buf, len, "bad.tsr");
    wsd_tsr t;
    int rc;
    while ((rc = wsd_tsr_read(r, &t)) == 1) wsd_tsr_free(&t);
    wsd_tsr_close(r);
    return rc;
}

static void corrupt_records_name_file_record_and_key(void) {
    wsd_tsr a, b;
    make(&a, "v_a", 2, 3);
    make(&b, "v_b", 2, 3);
    wsd_tsr two[2] = {a, b};
    size_t len;
    char *buf = write_stream(two, 2, 0, &len);
    size_t first = len / 2;
    /* truncated payload of the second record */
    CHECK(read_all(buf, len - 1) == -1);
    CHECK(strstr(wsd_error(), "bad.tsr") && strstr(wsd_error(), "record 1") &&
          strstr(wsd_error(), "v_b") && strstr(wsd_error(), "truncated payload"));
    /* wrong magic */
    char *bad = malloc(len);
    memcpy(bad, buf, len);
    bad[first] = 'X';
    CHECK(read_all(bad, len) == -1);
    CHECK(strstr(wsd_error(), "record 1") && strstr(wsd_error(), "magic"));
    /* truncated prefix and header */
    CHECK(read_all(buf, 5) == -1 && strstr(wsd_error(), "prefix"));
    CHECK(read_all(buf, 20) == -1 && strstr(wsd_error(), "truncated header"));
    free(bad);
    free(buf);
    /* shape x dtype != bytes */
    const char hdr[] = "{\"key\":\"v_s\",\"dtype\":\"float32\",\"shape\":[2,3],\"encoding\":"
                       "\"raw\",\"bytes\":20,\"meta\":{}}";
    char rec[256];
    size_t hl = strlen(hdr);
    memcpy(rec, "WSDT", 4);
    rec[4] = (char)hl, rec[5] = rec[6] = rec[7] = 0;
    memcpy(rec + 8, hdr, hl);
    memset(rec + 8 + hl, 0, 20);
    CHECK(read_all(rec, 8 + hl + 20) == -1);
    CHECK(strstr(wsd_error(), "v_s") && strstr(wsd_error(), "needs 24 bytes"));
    /* header not JSON */
    memcpy(rec + 8, "{not json", 9);
    CHECK(read_all(rec, 8 + hl + 20) == -1 && strstr(wsd_error(), "not a JSON object"));
    wsd_tsr_free(&a);
    wsd_tsr_free(&b);
}

static void corrupt_zlib_is_an_error(void) {
    wsd_tsr a;
    make(&a, "v_z", 50, 10);
    size_t len;
    char *buf = write_stream(&a, 1, 6, &len);
    buf[len - 3] ^= 0x55; /* inside the adler32 trailer or the last block */
    CHECK(read_all(buf, len) == -1);
    CHECK(strstr(wsd_error(), "v_z") && strstr(wsd_error(), "zlib"));
    free(buf);
    wsd_tsr_free(&a);
}

static void dtypes_parse_and_size(void) {
    wsd_dtype d;
    CHECK(wsd_dtype_parse("int64", &d) == 0 && d == WSD_I64 && wsd_dtype_size(d) == 8);
    CHECK(wsd_dtype_parse("uint8", &d) == 0 && wsd_dtype_size(d) == 1);
    CHECK(wsd_dtype_parse("float16", &d) == -1);
}

static void file_reader_reads_what_writer_wrote(void) {
    char path[] = "/tmp/wsd_tsr_testXXXXXX";
    int fd = mkstemp(path);
    FILE *fp = fdopen(fd, "wb");
    wsd_tsr a;
    make(&a, "v_f", 4, 2);
    CHECK(wsd_tsr_write(fp, &a, 0) == 0);
    fclose(fp);
    wsd_tsr_reader *r = wsd_tsr_open(path);
    wsd_tsr t;
    CHECK(r && wsd_tsr_read(r, &t) == 1 && memcmp(t.data, a.data, a.nbytes) == 0);
    wsd_tsr_free(&t);
    CHECK(wsd_tsr_read(r, &t) == 0);
    wsd_tsr_close(r);
    unlink(path);
    wsd_tsr_free(&a);
}

int main(void) {
    TEST_RUN(roundtrip_raw_and_zlib);
    TEST_RUN(concatenated_shards_read_as_one);
    TEST_RUN(corrupt_records_name_file_record_and_key);
    TEST_RUN(corrupt_zlib_is_an_error);
    TEST_RUN(dtypes_parse_and_size);
    TEST_RUN(file_reader_reads_what_writer_wrote);
    return test_finish();
}
