#include "io/tsr.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "base/text.h"
#include "base/util.h"
#include "io/jsonl.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error                                                                                             \
    "tensor payloads are little-endian and wsdec reads them in place: big-endian hosts are unsupported"
#endif

static const char *const dtype_names[] = {"float32", "float64", "int64", "int32", "uint8"};
static const size_t dtype_sizes[] = {4, 8, 8, 4, 1};

const char *wsd_dtype_name(wsd_dtype d) { return dtype_names[d]; }
size_t wsd_dtype_size(wsd_dtype d) { return dtype_sizes[d]; }

int wsd_dtype_parse(const char *name, wsd_dtype *out) {
    for (int i = 0; i < 5; i++)
        if (strcmp(name, dtype_names[i]) == 0) {
            *out = (wsd_dtype)i;
            return 0;
        }
    return -1;
}

size_t wsd_tsr_numel(const wsd_tsr *t) {
    size_t n = 1;
    for (int i = 0; i < t->ndim; i++) n *= (size_t)t->shape[i];
    return n;
}

double wsd_tsr_meta_number(const wsd_tsr *t, const char *name, double fallback) {
    const cJSON *v = t->meta ? cJSON_GetObjectItemCaseSensitive(t->meta, name) : NULL;
    return cJSON_IsNumber(v) ? v->valuedouble : fallback;
}

void wsd_tsr_init(wsd_tsr *t, const char *key, wsd_dtype dtype, int ndim, const int64_t *shape) {
    memset(t, 0, sizeof *t);
    t->key = wsd_strdup(key);
    t->dtype = dtype;
    t->ndim = ndim;
    for (int i = 0; i < ndim; i++) t->shape[i] = shape[i];
    t->nbytes = wsd_tsr_numel(t) * wsd_dtype_size(dtype);
    t->data = wsd_calloc(t->nbytes ? t->nbytes : 1, 1);
    t->meta = cJSON_CreateObject();
}

void wsd_tsr_free(wsd_tsr *t) {
    free(t->key);
    free(t->data);
    cJSON_Delete(t->meta);
    memset(t, 0, sizeof *t);
}

/* ---- reading ---- */

struct wsd_tsr_reader {
    FILE *fp; /* NULL for memory sources */
    const unsigned char *mem;
    size_t mem_len, mem_pos;
    char *name;
    long index;
    unsigned char head[16]; /* bytes consumed by sniffing, served first */
    size_t head_len, head_pos;
};

wsd_tsr_reader *wsd_tsr_open(const char *path) {
    FILE *fp = wsd_open_read(path);
    if (!fp) return NULL;
    wsd_tsr_reader *r = wsd_calloc(1, sizeof *r);
    r->fp = fp;
    r->name = wsd_strdup(strcmp(path, "-") == 0 ? "<stdin>" : path);
    return r;
}

wsd_tsr_reader *wsd_tsr_open_mem(const void *buf, size_t len, const char *name) {
    wsd_tsr_reader *r = wsd_calloc(1, sizeof *r);
    r->mem = buf;
    r->mem_len = len;
    r->name = wsd_strdup(name);
    return r;
}

wsd_tsr_reader *wsd_tsr_open_fp(FILE *fp, const char *name, const void *head, size_t n) {
    wsd_tsr_reader *r = wsd_calloc(1, sizeof *r);
    r->fp = fp;
    r->name = wsd_strdup(name);
    if (n > sizeof r->head) n = sizeof r->head;
    memcpy(r->head, head, n);
    r->head_len = n;
    return r;
}

long wsd_tsr_index(const wsd_tsr_reader *r) { return r->index; }

void wsd_tsr_close(wsd_tsr_reader *r) {
    if (!r) return;
    if (r->fp && r->fp != stdin) fclose(r->fp);
    free(r->name);
    free(r);
}

/* Reads up to n bytes; returns how many were read (short only at EOF/error). */
static size_t source_read(wsd_tsr_reader *r, void *dst, size_t n) {
    size_t from_head = 0;
    if (r->head_pos < r->head_len) {
        from_head = r->head_len - r->head_pos < n ? r->head_len - r->head_pos : n;
        memcpy(dst, r->head + r->head_pos, from_head);
        r->head_pos += from_head;
        if (from_head == n) return n;
        dst = (unsigned char *)dst + from_head;
        n -= from_head;
    }
    if (r->fp) return from_head + fread(dst, 1, n, r->fp);
    size_t left = r->mem_len - r->mem_pos, k = n < left ? n : left;
    memcpy(dst, r->mem + r->mem_pos, k);
    r->mem_pos += k;
    return from_head + k;
}

/* Reads exactly n bytes into a buffer grown as data arrives, so that a corrupt
 * byte count on a short stream fails as "truncated" instead of allocating it. */
static unsigned char *read_exact(wsd_tsr_reader *r, size_t n, size_t *got) {
    size_t cap = n < (1u << 20) ? n : (1u << 20), len = 0;
    unsigned char *buf = wsd_malloc(cap ? cap : 1);
    while (len < n) {
        if (len == cap) {
            cap = cap * 2 < n ? cap * 2 : n;
            buf = wsd_realloc(buf, cap);
        }
        size_t k = source_read(r, buf + len, cap - len);
        len += k;
        if (k == 0) break;
    }
    *got = len;
    return buf;
}

/* Integral JSON number in [0, 2^53]. */
static int json_count(const cJSON *v, int64_t *out) {
    if (!cJSON_IsNumber(v)) return -1;
    double d = v->valuedouble;
    if (!(d >= 0 && d <= 9007199254740992.0) || d != floor(d)) return -1;
    *out = (int64_t)d;
    return 0;
}

static int parse_header(wsd_tsr_reader *r, const char *text, size_t len, wsd_tsr *t,
                        int *zlib_encoded, size_t *stored) {
    const char *file = r->name;
    long idx = r->index;
    long nul = wsd_json_nul_escape_at(text, len);
    if (nul >= 0)
        return wsd_fail("%s: record %ld: header has a \\u0000 (NUL) in a string at byte %ld", file,
                        idx, nul);
    cJSON *h = cJSON_ParseWithLength(text, len);
    if (!cJSON_IsObject(h)) {
        cJSON_Delete(h);
        return wsd_fail("%s: record %ld: header is not a JSON object (corrupt stream?)", file, idx);
    }
    const cJSON *key = cJSON_GetObjectItemCaseSensitive(h, "key");
    if (!cJSON_IsString(key) || !key->valuestring[0]) {
        cJSON_Delete(h);
        return wsd_fail("%s: record %ld: header lacks a non-empty string \"key\"", file, idx);
    }
    long bad_at = wsd_utf8_invalid_at(key->valuestring, strlen(key->valuestring));
    if (bad_at >= 0) {
        cJSON_Delete(h);
        return wsd_fail("%s: record %ld: \"key\" is not valid UTF-8 (byte %ld)", file, idx, bad_at);
    }
    t->key = wsd_strdup(key->valuestring);
    const char *k = t->key;
    const cJSON *dt = cJSON_GetObjectItemCaseSensitive(h, "dtype");
    const cJSON *shape = cJSON_GetObjectItemCaseSensitive(h, "shape");
    const cJSON *enc = cJSON_GetObjectItemCaseSensitive(h, "encoding");
    const cJSON *bytes = cJSON_GetObjectItemCaseSensitive(h, "bytes");
    const cJSON *meta = cJSON_GetObjectItemCaseSensitive(h, "meta");
    int rc = -1;
    int64_t nbytes = 0;
    if (!cJSON_IsString(dt) || wsd_dtype_parse(dt->valuestring, &t->dtype) != 0) {
        wsd_fail("%s: record %ld (key '%s'): \"dtype\" must be one of float32, float64, int64, "
                 "int32, uint8",
                 file, idx, k);
        goto done;
    }
    if (!cJSON_IsArray(shape) || cJSON_GetArraySize(shape) > WSD_TSR_MAX_DIMS) {
        wsd_fail("%s: record %ld (key '%s'): \"shape\" must be an array of at most %d sizes", file,
                 idx, k, WSD_TSR_MAX_DIMS);
        goto done;
    }
    t->ndim = 0;
    double numel = 1;
    const cJSON *d;
    cJSON_ArrayForEach(d, shape) {
        if (json_count(d, &t->shape[t->ndim]) != 0) {
            wsd_fail("%s: record %ld (key '%s'): shape entry %d is not a non-negative integer",
                     file, idx, k, t->ndim);
            goto done;
        }
        numel *= (double)t->shape[t->ndim++];
    }
    if (numel * (double)wsd_dtype_size(t->dtype) > 9007199254740992.0) {
        wsd_fail("%s: record %ld (key '%s'): shape is impossibly large", file, idx, k);
        goto done;
    }
    t->nbytes = wsd_tsr_numel(t) * wsd_dtype_size(t->dtype);
    if (!cJSON_IsString(enc) ||
        (strcmp(enc->valuestring, "raw") != 0 && strcmp(enc->valuestring, "zlib") != 0)) {
        wsd_fail("%s: record %ld (key '%s'): \"encoding\" must be \"raw\" or \"zlib\"", file, idx,
                 k);
        goto done;
    }
    *zlib_encoded = strcmp(enc->valuestring, "zlib") == 0;
    if (json_count(bytes, &nbytes) != 0) {
        wsd_fail("%s: record %ld (key '%s'): \"bytes\" must be a non-negative integer", file, idx,
                 k);
        goto done;
    }
    *stored = (size_t)nbytes;
    if (!*zlib_encoded && *stored != t->nbytes) {
        wsd_fail("%s: record %ld (key '%s'): shape x %s needs %zu bytes but the header says %zu",
                 file, idx, k, wsd_dtype_name(t->dtype), t->nbytes, *stored);
        goto done;
    }
    /* deflate cannot compress better than about 1032:1 */
    if (*zlib_encoded && (double)t->nbytes > (double)*stored * 1032.0 + 1024.0) {
        wsd_fail(
            "%s: record %ld (key '%s'): %zu compressed bytes cannot hold shape x %s = %zu bytes",
            file, idx, k, *stored, wsd_dtype_name(t->dtype), t->nbytes);
        goto done;
    }
    if (meta && !cJSON_IsObject(meta)) {
        wsd_fail("%s: record %ld (key '%s'): \"meta\" must be an object", file, idx, k);
        goto done;
    }
    t->meta = meta ? cJSON_Duplicate(meta, 1) : cJSON_CreateObject();
    rc = 0;
done:
    cJSON_Delete(h);
    return rc;
}

static int inflate_payload(wsd_tsr_reader *r, wsd_tsr *t, unsigned char *src, size_t stored) {
    t->data = wsd_malloc(t->nbytes ? t->nbytes : 1);
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit(&zs) != Z_OK)
        return wsd_fail("%s: record %ld (key '%s'): zlib init failed", r->name, r->index, t->key);
    zs.next_in = src;
    zs.next_out = t->data;
    int z = Z_OK;
    size_t in_left = stored, out_left = t->nbytes;
    /* avail_in/avail_out are 32-bit; feed large payloads in chunks */
    while (z == Z_OK) {
        uInt in_chunk = in_left > (1u << 30) ? (1u << 30) : (uInt)in_left;
        uInt out_chunk = out_left > (1u << 30) ? (1u << 30) : (uInt)out_left;
        zs.avail_in = in_chunk;
        zs.avail_out = out_chunk;
        z = inflate(&zs, Z_FINISH);
        in_left -= in_chunk - zs.avail_in;
        out_left -= out_chunk - zs.avail_out;
        if (z == Z_BUF_ERROR && (in_left == 0 || out_left == 0)) break;
        if (z == Z_BUF_ERROR) z = Z_OK;
    }
    inflateEnd(&zs);
    if (z != Z_STREAM_END || out_left != 0 || in_left != 0)
        return wsd_fail(
            "%s: record %ld (key '%s'): zlib payload is corrupt or does not decode to %zu bytes",
            r->name, r->index, t->key, t->nbytes);
    return 0;
}

int wsd_tsr_read(wsd_tsr_reader *r, wsd_tsr *t) {
    memset(t, 0, sizeof *t);
    unsigned char prefix[8];
    size_t got = source_read(r, prefix, 8);
    if (got == 0) return 0;
    if (got < 8)
        return wsd_fail("%s: record %ld: truncated record prefix (%zu of 8 bytes)", r->name,
                        r->index, got);
    if (memcmp(prefix, WSD_TSR_MAGIC, 4) != 0)
        return wsd_fail(
            "%s: record %ld: bad magic (expected \"WSDT\"): not a tensor stream, or corrupt",
            r->name, r->index);
    uint32_t hlen = prefix[4] | (uint32_t)prefix[5] << 8 | (uint32_t)prefix[6] << 16 |
                    (uint32_t)prefix[7] << 24;
    if (hlen == 0 || hlen > WSD_TSR_MAX_HEADER)
        return wsd_fail("%s: record %ld: header length %u out of range (corrupt stream)", r->name,
                        r->index, hlen);
    unsigned char *htext = read_exact(r, hlen, &got);
    if (got < hlen) {
        free(htext);
        return wsd_fail("%s: record %ld: truncated header (%zu of %u bytes)", r->name, r->index,
                        got, hlen);
    }
    int zlib_encoded = 0;
    size_t stored = 0;
    int rc = parse_header(r, (const char *)htext, hlen, t, &zlib_encoded, &stored);
    free(htext);
    if (rc != 0) {
        wsd_tsr_free(t);
        return -1;
    }
    unsigned char *payload = read_exact(r, stored, &got);
    if (got < stored) {
        free(payload);
        wsd_fail("%s: record %ld (key '%s'): truncated payload (%zu of %zu bytes)", r->name,
                 r->index, t->key, got, stored);
        wsd_tsr_free(t);
        return -1;
    }
    if (zlib_encoded) {
        rc = inflate_payload(r, t, payload, stored);
        free(payload);
        if (rc != 0) {
            wsd_tsr_free(t);
            return -1;
        }
    } else {
        t->data = payload;
    }
    if (r->fp && ferror(r->fp)) {
        wsd_fail("%s: record %ld (key '%s'): read error: %s", r->name, r->index, t->key,
                 strerror(errno));
        wsd_tsr_free(t);
        return -1;
    }
    r->index++;
    return 1;
}

/* ---- writing ---- */

int wsd_tsr_write(FILE *fp, const wsd_tsr *t, int zlib_level) {
    const unsigned char *payload = t->data;
    unsigned char *packed = NULL;
    size_t stored = t->nbytes;
    if (zlib_level > 0) {
        uLong bound = compressBound(t->nbytes);
        packed = wsd_malloc(bound);
        uLongf n = bound;
        if (compress2(packed, &n, payload, t->nbytes, zlib_level) != Z_OK) {
            free(packed);
            return wsd_fail("tensor '%s': zlib compression failed", t->key);
        }
        payload = packed;
        stored = n;
    }
    cJSON *h = cJSON_CreateObject();
    cJSON_AddStringToObject(h, "key", t->key);
    cJSON_AddStringToObject(h, "dtype", wsd_dtype_name(t->dtype));
    cJSON *shape = cJSON_AddArrayToObject(h, "shape");
    for (int i = 0; i < t->ndim; i++)
        cJSON_AddItemToArray(shape, cJSON_CreateNumber((double)t->shape[i]));
    cJSON_AddStringToObject(h, "encoding", zlib_level > 0 ? "zlib" : "raw");
    cJSON_AddNumberToObject(h, "bytes", (double)stored);
    cJSON_AddItemToObject(h, "meta", t->meta ? cJSON_Duplicate(t->meta, 1) : cJSON_CreateObject());
    char *text = cJSON_PrintUnformatted(h);
    cJSON_Delete(h);
    if (!text) {
        free(packed);
        return wsd_fail("tensor '%s': cannot format header", t->key);
    }
    size_t hlen = strlen(text);
    unsigned char prefix[8] = {'W',
                               'S',
                               'D',
                               'T',
                               (unsigned char)hlen,
                               (unsigned char)(hlen >> 8),
                               (unsigned char)(hlen >> 16),
                               (unsigned char)(hlen >> 24)};
    int bad = fwrite(prefix, 1, 8, fp) != 8 || fwrite(text, 1, hlen, fp) != hlen ||
              (stored && fwrite(payload, 1, stored, fp) != stored);
    free(text);
    free(packed);
    return bad ? wsd_fail("tensor '%s': write error: %s", t->key, strerror(errno)) : 0;
}

int wsd_tsr_sniff(const void *head, size_t len) {
    return len >= 4 && memcmp(head, WSD_TSR_MAGIC, 4) == 0;
}
