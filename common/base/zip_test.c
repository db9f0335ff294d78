#include "base/zip.h"

#include "base/util.h"
#include "testing/test.h"

#include <stdint.h>
#include <zlib.h>

static char dir[] = "/tmp/wsd_zip_testXXXXXX";

static void put16(FILE *f, unsigned v) { fputc((int)(v & 255), f), fputc((int)(v >> 8 & 255), f); }
static void put32(FILE *f, uint32_t v) { put16(f, v & 0xFFFF), put16(f, v >> 16); }

typedef struct {
    const char *name, *text;
    int deflate;
} member;

/* Writes a zip of the members; corrupt = flip one byte of the first member's data. */
static void write_zip(const char *path, const member *ms, int n, int corrupt) {
    FILE *f = fopen(path, "wb");
    uint32_t off[8], csz[8], crc[8];
    unsigned char *data[8];
    for (int i = 0; i < n; i++) {
        size_t len = strlen(ms[i].text);
        crc[i] = (uint32_t)crc32(0L, (const unsigned char *)ms[i].text, (uInt)len);
        data[i] = malloc(len * 2 + 64);
        if (ms[i].deflate) {
            z_stream s;
            memset(&s, 0, sizeof s);
            deflateInit2(&s, 9, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
            s.next_in = (unsigned char *)ms[i].text;
            s.avail_in = (uInt)len;
            s.next_out = data[i];
            s.avail_out = (uInt)(len * 2 + 64);
            deflate(&s, Z_FINISH);
            csz[i] = (uint32_t)s.total_out;
            deflateEnd(&s);
        } else {
            memcpy(data[i], ms[i].text, len);
            csz[i] = (uint32_t)len;
        }
        if (corrupt && i == 0) data[i][csz[i] / 2] ^= 0x20;
        off[i] = (uint32_t)ftell(f);
        put32(f, 0x04034b50u), put16(f, 20), put16(f, 0), put16(f, ms[i].deflate ? 8 : 0),
            put32(f, 0);
        put32(f, crc[i]), put32(f, csz[i]), put32(f, (uint32_t)len);
        put16(f, (unsigned)strlen(ms[i].name)), put16(f, 0);
        fputs(ms[i].name, f);
        fwrite(data[i], 1, csz[i], f);
    }
    uint32_t cd = (uint32_t)ftell(f);
    for (int i = 0; i < n; i++) {
        put32(f, 0x02014b50u), put16(f, 20), put16(f, 20), put16(f, 0),
            put16(f, ms[i].deflate ? 8 : 0);
        put32(f, 0), put32(f, crc[i]), put32(f, csz[i]), put32(f, (uint32_t)strlen(ms[i].text));
        put16(f, (unsigned)strlen(ms[i].name)), put16(f, 0), put16(f, 0), put16(f, 0), put16(f, 0),
            put32(f, 0);
        put32(f, off[i]);
        fputs(ms[i].name, f);
        free(data[i]);
    }
    uint32_t end = (uint32_t)ftell(f);
    put32(f, 0x06054b50u), put16(f, 0), put16(f, 0), put16(f, (unsigned)n), put16(f, (unsigned)n);
    put32(f, end - cd), put32(f, cd), put16(f, 7);
    fputs("comment", f);
    fclose(f);
}

static void test_stored_and_deflated(void) {
    char path[256];
    snprintf(path, sizeof path, "%s/a.jar", dir);
    member ms[] = {{"function/english.words", "a\nthe\nof\n", 0},
                   {"synonym/english.synsets", "dog\n1 2 3\ncat\n4\ncat\n4\ncat\n4\ncat\n4\n", 1}};
    write_zip(path, ms, 2, 0);
    wsd_zip *z = wsd_zip_open(path);
    CHECK(z != NULL);
    if (!z) return;
    CHECK(wsd_zip_has(z, "function/english.words"));
    CHECK(!wsd_zip_has(z, "function/english"));
    for (int i = 0; i < 2; i++) {
        size_t len = 0;
        char *t = wsd_zip_read(z, ms[i].name, &len);
        CHECK(t && len == strlen(ms[i].text) && strcmp(t, ms[i].text) == 0);
        free(t);
    }
    CHECK(wsd_zip_read(z, "nope", NULL) == NULL && strstr(wsd_error(), "no member nope"));
    wsd_zip_close(z);
}

static void test_corrupt_and_not_zip(void) {
    char path[256];
    snprintf(path, sizeof path, "%s/b.jar", dir);
    member ms[] = {{"x", "hello hello hello hello", 1}};
    write_zip(path, ms, 1, 1);
    wsd_zip *z = wsd_zip_open(path);
    CHECK(z != NULL);
    if (z) {
        CHECK(wsd_zip_read(z, "x", NULL) == NULL && strstr(wsd_error(), "corrupt"));
        wsd_zip_close(z);
    }
    snprintf(path, sizeof path, "%s/c.txt", dir);
    FILE *f = fopen(path, "w");
    fputs("this is not a zip archive at all, just some text", f);
    fclose(f);
    CHECK(wsd_zip_open(path) == NULL && strstr(wsd_error(), "not a readable zip"));
    CHECK(wsd_zip_open("/nonexistent/x.jar") == NULL && strstr(wsd_error(), "/nonexistent/x.jar"));
}

/* The official evaluator's meteor-1.5.jar holds Meteor's resources. */
static void test_meteor_jar(void) {
    const char *sh = getenv("WSD_SHARED");
    char jar[512], words[512];
    snprintf(jar, sizeof jar, "%s/official-eval/coco-caption/pycocoevalcap/meteor/meteor-1.5.jar",
             sh ? sh : "../shared");
    snprintf(words, sizeof words, "%s/meteor/data/english.synsets", sh ? sh : "../shared");
    FILE *f = fopen(jar, "rb");
    if (!f) TEST_SKIP("%s absent", jar);
    fclose(f);
    wsd_zip *z = wsd_zip_open(jar);
    CHECK(z != NULL);
    if (!z) return;
    size_t n1 = 0, n2 = 0;
    char *a = wsd_zip_read(z, "synonym/english.synsets", &n1);
    char *b = wsd_read_file(words, &n2);
    CHECK(a && b && n1 == n2 && memcmp(a, b, n1) == 0);
    free(a);
    free(b);
    wsd_zip_close(z);
}

int main(void) {
    if (!mkdtemp(dir)) return 2;
    TEST_RUN(test_stored_and_deflated);
    TEST_RUN(test_corrupt_and_not_zip);
    TEST_RUN(test_meteor_jar);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", dir);
    return test_finish();
}
