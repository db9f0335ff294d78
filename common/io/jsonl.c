#include "io/jsonl.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

long wsd_read_line(FILE *fp, char **buf, size_t *cap) {
    size_t len = 0;
    int c;
    if (!*buf || *cap == 0) {
        *cap = 256;
        *buf = wsd_realloc(*buf, *cap);
    }
    while ((c = getc(fp)) != EOF) {
        if (c == '\n') break;
        if (len + 1 >= *cap) *buf = wsd_realloc(*buf, *cap *= 2);
        (*buf)[len++] = (char)c;
    }
    if (c == EOF && len == 0) return -1;
    (*buf)[len] = '\0';
    return (long)len;
}

struct wsd_jsonl_reader {
    FILE *fp;
    char *path;
    char *buf;
    size_t cap;
    long line;
};

wsd_jsonl_reader *wsd_jsonl_open(const char *path) {
    FILE *fp = wsd_open_read(path);
    if (!fp) return NULL;
    wsd_jsonl_reader *r = wsd_calloc(1, sizeof *r);
    r->fp = fp;
    r->path = wsd_strdup(strcmp(path, "-") == 0 ? "<stdin>" : path);
    return r;
}

static int blank(const char *s, size_t len) {
    for (size_t i = 0; i < len; i++)
        if (!strchr(" \t\r\f\v", s[i])) return 0;
    return 1;
}

long wsd_json_nul_escape_at(const char *text, size_t len) {
    int in_string = 0;
    for (size_t i = 0; i < len; i++) {
        if (!in_string) {
            in_string = text[i] == '"';
        } else if (text[i] == '"') {
            in_string = 0;
        } else if (text[i] == '\\' && i + 1 < len) {
            if (text[i + 1] == 'u' && i + 5 < len && !memcmp(text + i + 2, "0000", 4))
                return (long)i;
            i++; /* the escaped character */
        }
    }
    return -1;
}

cJSON *wsd_jsonl_parse(const char *line, size_t len, const char *where) {
    long nul = wsd_json_nul_escape_at(line, len);
    if (nul >= 0) {
        wsd_fail("%s: column %ld: a string contains \\u0000 (NUL), which JSON Lines text must not",
                 where, nul + 1);
        return NULL;
    }
    const char *end = NULL;
    cJSON *obj = cJSON_ParseWithLengthOpts(line, len, &end, 0);
    if (!obj) {
        const char *e = cJSON_GetErrorPtr();
        long col = e && e >= line && e <= line + len ? (long)(e - line) + 1 : 1;
        wsd_fail("%s: column %ld: not valid JSON (expected one object per line)", where, col);
        return NULL;
    }
    if (!blank(end, len - (size_t)(end - line))) {
        cJSON_Delete(obj);
        wsd_fail("%s: text after the JSON object (expected one object per line)", where);
        return NULL;
    }
    if (!cJSON_IsObject(obj)) {
        cJSON_Delete(obj);
        wsd_fail("%s: expected a JSON object, got another JSON value", where);
        return NULL;
    }
    return obj;
}

int wsd_jsonl_next(wsd_jsonl_reader *r, cJSON **out) {
    long len;
    *out = NULL;
    while ((len = wsd_read_line(r->fp, &r->buf, &r->cap)) >= 0) {
        r->line++;
        if (blank(r->buf, (size_t)len)) continue;
        char where[512];
        snprintf(where, sizeof where, "%s:%ld", r->path, r->line);
        if (memchr(r->buf, '\0', (size_t)len)) return wsd_fail("%s: NUL byte in line", where);
        *out = wsd_jsonl_parse(r->buf, (size_t)len, where);
        return *out ? 1 : -1;
    }
    if (ferror(r->fp)) return wsd_fail("%s: read error: %s", r->path, strerror(errno));
    return 0;
}

long wsd_jsonl_line(const wsd_jsonl_reader *r) { return r->line; }
const char *wsd_jsonl_path(const wsd_jsonl_reader *r) { return r->path; }

void wsd_jsonl_close(wsd_jsonl_reader *r) {
    if (!r) return;
    if (r->fp != stdin) fclose(r->fp);
    free(r->path);
    free(r->buf);
    free(r);
}

int wsd_jsonl_write(FILE *fp, const cJSON *obj) {
    char *text = cJSON_PrintUnformatted(obj);
    if (!text) return wsd_fail("cannot format JSON line");
    int bad = fputs(text, fp) < 0 || putc('\n', fp) == EOF;
    free(text);
    return bad ? wsd_fail("write error: %s", strerror(errno)) : 0;
}

void wsd_jsonl_set(cJSON *obj, const char *key, cJSON *value) {
    if (cJSON_GetObjectItemCaseSensitive(obj, key))
        cJSON_ReplaceItemInObjectCaseSensitive(obj, key, value);
    else
        cJSON_AddItemToObject(obj, key, value);
}

static double round6(double x) { return round(x * 1e6) / 1e6; }

cJSON *wsd_jsonl_pair6(double a, double b) {
    cJSON *arr = cJSON_CreateArray();
    cJSON_AddItemToArray(arr, cJSON_CreateNumber(round6(a)));
    cJSON_AddItemToArray(arr, cJSON_CreateNumber(round6(b)));
    return arr;
}

int wsd_json_int(const cJSON *o, const char *name, int lo, int hi, int *out) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!v) return 0;
    if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) || v->valuedouble < lo ||
        v->valuedouble > hi)
        return wsd_fail("config: \"%s\" must be an integer in [%d, %d]", name, lo, hi);
    *out = (int)v->valuedouble;
    return 0;
}

int wsd_json_float(const cJSON *o, const char *name, double lo, double hi, float *out) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!v) return 0;
    if (!cJSON_IsNumber(v) || !(v->valuedouble >= lo && v->valuedouble <= hi))
        return wsd_fail("config: \"%s\" must be a number in [%g, %g]", name, lo, hi);
    *out = (float)v->valuedouble;
    return 0;
}
