#include "io/npy.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

/* The header is a Python dict literal, e.g.
 * {'descr': '<f4', 'fortran_order': False, 'shape': (3, 500), }
 * We accept exactly the pieces numpy writes: quoted strings, True/False, and
 * tuples of integers (with an optional Python 2 'L' suffix). */
typedef struct {
    const char *p, *end;
} cursor;

static void skip_ws(cursor *c) {
    while (c->p < c->end && isspace((unsigned char)*c->p)) c->p++;
}

static int eat(cursor *c, char ch) {
    skip_ws(c);
    if (c->p < c->end && *c->p == ch) {
        c->p++;
        return 1;
    }
    return 0;
}

/* A quoted string into buf (truncated to cap-1). */
static int quoted(cursor *c, char *buf, size_t cap) {
    skip_ws(c);
    if (c->p >= c->end || (*c->p != '\'' && *c->p != '"')) return -1;
    char q = *c->p++;
    size_t n = 0;
    while (c->p < c->end && *c->p != q) {
        if (n + 1 < cap) buf[n++] = *c->p;
        c->p++;
    }
    if (c->p >= c->end) return -1;
    c->p++;
    buf[n] = '\0';
    return 0;
}

static int word(cursor *c, const char *w) {
    skip_ws(c);
    size_t n = strlen(w);
    if ((size_t)(c->end - c->p) >= n && memcmp(c->p, w, n) == 0) {
        c->p += n;
        return 1;
    }
    return 0;
}

static int shape_tuple(cursor *c, int64_t *dims, int *ndim) {
    if (!eat(c, '(')) return -1;
    *ndim = 0;
    for (;;) {
        if (eat(c, ')')) return 0;
        skip_ws(c);
        if (c->p >= c->end || !isdigit((unsigned char)*c->p)) return -1;
        int64_t v = 0;
        while (c->p < c->end && isdigit((unsigned char)*c->p)) {
            if (v > (INT64_C(1) << 40)) return -1;
            v = v * 10 + (*c->p++ - '0');
        }
        if (c->p < c->end && *c->p == 'L') c->p++;
        if (*ndim < 8) dims[*ndim] = v;
        (*ndim)++;
        if (!eat(c, ',')) return eat(c, ')') ? 0 : -1;
    }
}

int wsd_npy_parse(const void *buf, size_t len, const char *name, wsd_npy_info *out) {
    const unsigned char *b = buf;
    if (len < 10 || memcmp(b, WSD_NPY_MAGIC, 6) != 0)
        return wsd_fail("%s: not a .npy file (bad magic)", name);
    int major = b[6];
    size_t hlen, start;
    if (major == 1) {
        hlen = b[8] | (size_t)b[9] << 8;
        start = 10;
    } else if (major == 2 || major == 3) {
        if (len < 12) return wsd_fail("%s: truncated .npy header", name);
        hlen = b[8] | (size_t)b[9] << 8 | (size_t)b[10] << 16 | (size_t)b[11] << 24;
        start = 12;
    } else {
        return wsd_fail("%s: unsupported .npy format version %d", name, major);
    }
    if (hlen > len - start)
        return wsd_fail("%s: truncated .npy header (%zu bytes announced)", name, hlen);
    cursor c = {(const char *)b + start, (const char *)b + start + hlen};
    char key[32], descr[32] = "";
    int have_descr = 0, have_order = 0, have_shape = 0, fortran = 0, ndim = 0;
    int64_t dims[8] = {0};
    if (!eat(&c, '{')) return wsd_fail("%s: .npy header is not a dict", name);
    for (;;) {
        if (eat(&c, '}')) break;
        if (quoted(&c, key, sizeof key) != 0 || !eat(&c, ':'))
            return wsd_fail("%s: malformed .npy header", name);
        if (strcmp(key, "descr") == 0) {
            if (quoted(&c, descr, sizeof descr) != 0)
                return wsd_fail("%s: malformed .npy 'descr'", name);
            have_descr = 1;
        } else if (strcmp(key, "fortran_order") == 0) {
            if (word(&c, "True"))
                fortran = 1;
            else if (!word(&c, "False"))
                return wsd_fail("%s: malformed .npy 'fortran_order'", name);
            have_order = 1;
        } else if (strcmp(key, "shape") == 0) {
            if (shape_tuple(&c, dims, &ndim) != 0)
                return wsd_fail("%s: malformed .npy 'shape'", name);
            have_shape = 1;
        } else {
            return wsd_fail("%s: unexpected key '%s' in .npy header", name, key);
        }
        if (!eat(&c, ',')) {
            if (eat(&c, '}')) break;
            return wsd_fail("%s: malformed .npy header", name);
        }
    }
    if (!have_descr || !have_order || !have_shape)
        return wsd_fail("%s: .npy header lacks descr, fortran_order or shape", name);
    if (strcmp(descr, "<f4") == 0)
        out->dtype = WSD_F32;
    else if (strcmp(descr, "<f8") == 0)
        out->dtype = WSD_F64;
    else
        return wsd_fail("%s: .npy dtype '%s' not supported (expected '<f4' or '<f8')", name, descr);
    if (fortran) return wsd_fail("%s: .npy array is in Fortran order (expected C order)", name);
    if (ndim != 2)
        return wsd_fail("%s: .npy array has %d dimensions (expected 2: [T, D])", name, ndim);
    out->rows = dims[0];
    out->cols = dims[1];
    out->data_offset = start + hlen;
    if (dims[1] && (uint64_t)dims[0] > (UINT64_C(1) << 50) / (uint64_t)dims[1])
        return wsd_fail("%s: .npy shape (%lld, %lld) is impossibly large", name, (long long)dims[0],
                        (long long)dims[1]);
    size_t need = (size_t)dims[0] * (size_t)dims[1] * wsd_dtype_size(out->dtype);
    if (len - out->data_offset != need)
        return wsd_fail("%s: .npy shape (%lld, %lld) needs %zu data bytes, file has %zu", name,
                        (long long)dims[0], (long long)dims[1], need, len - out->data_offset);
    return 0;
}

int wsd_npy_load(const char *path, const char *key, wsd_tsr *out) {
    size_t len;
    char *buf = wsd_read_file(path, &len);
    if (!buf) return -1;
    wsd_npy_info info;
    if (wsd_npy_parse(buf, len, path, &info) != 0) {
        free(buf);
        return -1;
    }
    int64_t shape[2] = {info.rows, info.cols};
    wsd_tsr_init(out, key, WSD_F32, 2, shape);
    size_t n = (size_t)(info.rows * info.cols);
    float *dst = out->data;
    const char *src = buf + info.data_offset;
    if (info.dtype == WSD_F32) {
        memcpy(dst, src, n * sizeof *dst);
    } else {
        for (size_t i = 0; i < n; i++) {
            double d;
            memcpy(&d, src + i * 8, 8); /* unaligned in general */
            dst[i] = (float)d;
        }
    }
    free(buf);
    return 0;
}
