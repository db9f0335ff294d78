/* Protocol buffers wire format, read defensively (see pbwire.h). */
#include "video/pbwire.h"

#include "base/util.h"

void wsd_pb_init(wsd_pb *r, const void *buf, size_t len, const char *name, size_t base) {
    r->start = r->p = buf;
    r->end = r->p + len;
    r->name = name;
    r->base = base;
}

void wsd_pb_sub(wsd_pb *sub, const wsd_pb *parent, const wsd_pb_field *f) {
    wsd_pb_init(sub, f->data, f->len, parent->name,
                parent->base + (size_t)(f->data - parent->start));
}

static size_t off(const wsd_pb *r, const uint8_t *p) { return r->base + (size_t)(p - r->start); }

static int varint(wsd_pb *r, uint64_t *out, const char *what) {
    uint64_t v = 0;
    const uint8_t *at = r->p;
    for (int shift = 0; shift < 64; shift += 7) {
        if (r->p >= r->end)
            return wsd_fail("%s: byte %zu: truncated %s (the file ends inside a varint)", r->name,
                            off(r, at), what);
        uint8_t b = *r->p++;
        if (shift == 63 && b > 1)
            return wsd_fail("%s: byte %zu: %s varint does not fit 64 bits", r->name, off(r, at),
                            what);
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *out = v;
            return 0;
        }
    }
    return wsd_fail("%s: byte %zu: %s varint longer than 10 bytes", r->name, off(r, at), what);
}

int wsd_pb_next(wsd_pb *r, wsd_pb_field *f) {
    if (r->p == r->end) return 0;
    f->offset = off(r, r->p);
    uint64_t key;
    if (varint(r, &key, "field key") != 0) return -1;
    if ((key >> 3) == 0 || (key >> 3) > 0x1fffffff)
        return wsd_fail("%s: byte %zu: field number %llu is not a valid protobuf field", r->name,
                        f->offset, (unsigned long long)(key >> 3));
    f->field = (uint32_t)(key >> 3);
    f->wire = (int)(key & 7);
    f->data = NULL;
    f->len = 0;
    f->v = 0;
    size_t left;
    switch (f->wire) {
    case WSD_PB_VARINT: return varint(r, &f->v, "field value") == 0 ? 1 : -1;
    case WSD_PB_I64:
    case WSD_PB_I32: {
        size_t n = f->wire == WSD_PB_I64 ? 8 : 4;
        if ((size_t)(r->end - r->p) < n)
            return wsd_fail("%s: byte %zu: truncated %zu-byte field %u", r->name, f->offset, n,
                            f->field);
        for (size_t i = 0; i < n; i++) f->v |= (uint64_t)r->p[i] << (8 * i);
        r->p += n;
        return 1;
    }
    case WSD_PB_LEN: {
        uint64_t n;
        if (varint(r, &n, "length") != 0) return -1;
        left = (size_t)(r->end - r->p);
        if (n > left)
            return wsd_fail(
                "%s: byte %zu: field %u claims %llu bytes but only %zu remain (truncated file?)",
                r->name, f->offset, f->field, (unsigned long long)n, left);
        f->data = r->p;
        f->len = (size_t)n;
        r->p += n;
        return 1;
    }
    default:
        return wsd_fail("%s: byte %zu: field %u has wire type %d (groups or invalid): not a "
                        "protobuf message this "
                        "reader accepts",
                        r->name, f->offset, f->field, f->wire);
    }
}

int wsd_pb_int32(const wsd_pb *r, const wsd_pb_field *f, const char *what, int32_t *out) {
    if (f->wire != WSD_PB_VARINT)
        return wsd_fail("%s: byte %zu: %s (field %u) should be a varint, has wire type %d", r->name,
                        f->offset, what, f->field, f->wire);
    int64_t v = (int64_t)f->v;
    if (v < INT32_MIN || v > INT32_MAX)
        return wsd_fail("%s: byte %zu: %s = %lld does not fit int32", r->name, f->offset, what,
                        (long long)v);
    *out = (int32_t)v;
    return 0;
}
