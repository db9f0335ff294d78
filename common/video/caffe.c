/* C3D's Caffe model and mean files (see caffe.h). */
#include "video/caffe.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "video/pbwire.h"

static const char *const dim_names[5] = {"num", "channels", "length", "height", "width"};

void wsd_caffe_blob_free(wsd_caffe_blob *b) {
    free(b->data);
    memset(b, 0, sizeof *b);
}

static int add_floats(wsd_pb *r, const wsd_pb_field *f, wsd_caffe_blob *b, size_t *cap) {
    size_t n;
    if (f->wire == WSD_PB_LEN) {
        if (f->len % 4)
            return wsd_fail(
                "%s: byte %zu: packed blob data of %zu bytes is not a whole number of floats",
                r->name, f->offset, f->len);
        n = f->len / 4;
    } else if (f->wire == WSD_PB_I32) {
        n = 1;
    } else {
        return wsd_fail("%s: byte %zu: blob data (field 6) has wire type %d, expected floats",
                        r->name, f->offset, f->wire);
    }
    if (n == 0) return 0;
    if (b->count + n > *cap) {
        size_t c = *cap ? *cap : 16;
        while (c < b->count + n) c *= 2;
        b->data = wsd_realloc(b->data, c * sizeof(float));
        *cap = c;
    }
    if (f->wire == WSD_PB_LEN) {
        memcpy(b->data + b->count, f->data, f->len); /* little-endian, as the file */
    } else {
        uint32_t u = (uint32_t)f->v;
        memcpy(b->data + b->count, &u, 4);
    }
    b->count += n;
    return 0;
}

int wsd_caffe_blob_parse(const void *buf, size_t len, const char *name, size_t base,
                         wsd_caffe_blob *out) {
    memset(out, 0, sizeof *out);
    wsd_pb r;
    wsd_pb_init(&r, buf, len, name, base);
    wsd_pb_field f;
    size_t cap = 0;
    int rc;
    while ((rc = wsd_pb_next(&r, &f)) == 1) {
        if (f.field >= 1 && f.field <= 5) {
            int32_t v;
            if (wsd_pb_int32(&r, &f, dim_names[f.field - 1], &v) != 0) goto fail;
            if (v < 0) {
                wsd_fail("%s: byte %zu: blob %s = %d is negative", name, f.offset,
                         dim_names[f.field - 1], v);
                goto fail;
            }
            out->shape[f.field - 1] = v;
        } else if (f.field == 6) {
            if (add_floats(&r, &f, out, &cap) != 0) goto fail;
        }
    }
    if (rc < 0) goto fail;
    size_t want = 1;
    for (int i = 0; i < 5; i++) {
        if (out->shape[i] && want > SIZE_MAX / 4 / (size_t)out->shape[i])
            want = SIZE_MAX;
        else
            want *= (size_t)out->shape[i];
    }
    if (want != out->count) {
        wsd_fail("%s: byte %zu: blob of shape %dx%dx%dx%dx%d (num x channels x length x height x "
                 "width) holds %zu "
                 "floats, expected %zu",
                 name, base, out->shape[0], out->shape[1], out->shape[2], out->shape[3],
                 out->shape[4], out->count, want);
        goto fail;
    }
    return 0;
fail:
    wsd_caffe_blob_free(out);
    return -1;
}

static int layer_name(wsd_pb *layer, char **name) {
    wsd_pb_field f;
    int rc;
    *name = NULL;
    while ((rc = wsd_pb_next(layer, &f)) == 1)
        if (f.field == 4) {
            if (f.wire != WSD_PB_LEN)
                return wsd_fail("%s: byte %zu: layer name (field 4) is not a string", layer->name,
                                f.offset);
            free(*name);
            *name = wsd_malloc(f.len + 1);
            memcpy(*name, f.data, f.len);
            (*name)[f.len] = '\0';
            if (strlen(*name) != f.len) {
                free(*name);
                *name = NULL;
                return wsd_fail("%s: byte %zu: layer name contains a NUL byte", layer->name,
                                f.offset);
            }
        }
    return rc;
}

int wsd_caffe_net_each(const void *buf, size_t len, const char *name, wsd_caffe_blob_fn fn,
                       void *ctx) {
    wsd_pb r;
    wsd_pb_init(&r, buf, len, name, 0);
    wsd_pb_field f;
    int rc, layers = 0;
    while ((rc = wsd_pb_next(&r, &f)) == 1) {
        if (f.field == 100)
            return wsd_fail("%s: byte %zu: a Caffe model in the newer format (repeated "
                            "LayerParameter layer = 100); "
                            "C3D's model uses V1 layers (field 2)",
                            name, f.offset);
        if (f.field != 2) continue;
        if (f.wire != WSD_PB_LEN)
            return wsd_fail("%s: byte %zu: layers (field 2) should be a message, has wire type %d",
                            name, f.offset, f.wire);
        layers++;
        wsd_pb layer, again;
        wsd_pb_sub(&layer, &r, &f);
        again = layer;
        char *lname;
        if (layer_name(&layer, &lname) < 0) {
            free(lname);
            return -1;
        }
        if (!lname) lname = wsd_strdup("");
        wsd_pb_field g;
        int index = 0, rc2;
        while ((rc2 = wsd_pb_next(&again, &g)) == 1) {
            if (g.field != 6) continue;
            if (g.wire != WSD_PB_LEN) {
                wsd_fail("%s: byte %zu: blobs (field 6) of layer '%s' should be a message", name,
                         g.offset, lname);
                rc2 = -1;
                break;
            }
            wsd_caffe_blob b;
            size_t at = again.base + (size_t)(g.data - again.start);
            if (wsd_caffe_blob_parse(g.data, g.len, name, at, &b) != 0) {
                rc2 = -1;
                break;
            }
            int frc = fn(ctx, lname, index++, &b, name);
            wsd_caffe_blob_free(&b);
            if (frc != 0) {
                free(lname);
                return frc;
            }
        }
        free(lname);
        if (rc2 < 0) return -1;
    }
    if (rc < 0) return -1;
    if (layers == 0)
        return wsd_fail("%s: no layers (field 2): not a Caffe model of C3D's fork", name);
    return 0;
}

int wsd_caffe_mean_load(const char *path, const int want[5], float **out) {
    size_t len;
    char *buf = wsd_read_file(path, &len);
    if (!buf) return -1;
    wsd_caffe_blob b;
    int rc = wsd_caffe_blob_parse(buf, len, path, 0, &b);
    free(buf);
    if (rc != 0) return -1;
    if (memcmp(b.shape, want, sizeof b.shape) != 0) {
        wsd_fail("%s: mean blob is %dx%dx%dx%dx%d, expected %dx%dx%dx%dx%d (num x channels x "
                 "length x height x width; "
                 "sport1m_train16_128_mean.binaryproto)",
                 path, b.shape[0], b.shape[1], b.shape[2], b.shape[3], b.shape[4], want[0], want[1],
                 want[2], want[3], want[4]);
        wsd_caffe_blob_free(&b);
        return -1;
    }
    *out = b.data;
    return 0;
}
