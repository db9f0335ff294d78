#include "io/h5feat.h"

#include <errno.h>
#include <hdf5.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/text.h"
#include "base/tmpfile.h"
#include "base/util.h"

int wsd_h5_sniff(const void *head, size_t len) {
    return len >= 8 && memcmp(head, "\211HDF\r\n\032\n", 8) == 0;
}

/* HDF5 prints its own error stack by default; we report through wsd_fail. */
static void quiet_hdf5(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

struct wsd_h5feat {
    hid_t file;
    char *path;
    char **ids;
    size_t n, cap;
};

static herr_t collect(hid_t group, const char *name, const H5L_info_t *info, void *data) {
    (void)info;
    wsd_h5feat *h = data;
    /* H5Oopen + H5Iget_type works the same on HDF5 1.10 and 1.12+ */
    hid_t o = H5Oopen(group, name, H5P_DEFAULT);
    if (o < 0) return 0;
    int is_group = H5Iget_type(o) == H5I_GROUP;
    H5Oclose(o);
    if (!is_group) return 0;
    if (h->n == h->cap)
        h->ids = wsd_realloc(h->ids, (h->cap = h->cap ? h->cap * 2 : 256) * sizeof *h->ids);
    h->ids[h->n++] = wsd_strdup(name);
    return 0;
}

wsd_h5feat *wsd_h5feat_open(const char *path) {
    quiet_hdf5();
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) {
        wsd_fail("%s: cannot open as HDF5", path);
        return NULL;
    }
    wsd_h5feat *h = wsd_calloc(1, sizeof *h);
    h->file = f;
    h->path = wsd_strdup(path);
    if (H5Literate(f, H5_INDEX_NAME, H5_ITER_INC, NULL, collect, h) < 0) {
        wsd_fail("%s: cannot list the video groups", path);
        wsd_h5feat_close(h);
        return NULL;
    }
    if (h->n == 0) {
        wsd_fail(
            "%s: no video groups (expected one group per video id holding a dataset c3d_features)",
            path);
        wsd_h5feat_close(h);
        return NULL;
    }
    for (size_t i = 0; i < h->n; i++) {
        long at = wsd_utf8_invalid_at(h->ids[i], strlen(h->ids[i]));
        if (at >= 0) {
            wsd_fail("%s: video group %zu: its name is not valid UTF-8 (byte %ld)", path, i, at);
            wsd_h5feat_close(h);
            return NULL;
        }
    }
    return h;
}

size_t wsd_h5feat_count(const wsd_h5feat *h) { return h->n; }
const char *wsd_h5feat_id(const wsd_h5feat *h, size_t i) { return h->ids[i]; }

void wsd_h5feat_close(wsd_h5feat *h) {
    if (!h) return;
    H5Fclose(h->file);
    for (size_t i = 0; i < h->n; i++) free(h->ids[i]);
    free(h->ids);
    free(h->path);
    free(h);
}

int wsd_h5feat_read(wsd_h5feat *h, const char *id, wsd_tsr *out) {
    memset(out, 0, sizeof *out);
    size_t n = strlen(id) + 32;
    char *name = wsd_malloc(n);
    snprintf(name, n, "%s/c3d_features", id);
    int rc = -1;
    hid_t d = -1, s = -1;
    if (H5Lexists(h->file, id, H5P_DEFAULT) <= 0) {
        wsd_fail("%s: unknown video id '%s' (%zu videos)", h->path, id, h->n);
        goto done;
    }
    if (H5Lexists(h->file, name, H5P_DEFAULT) <= 0 ||
        (d = H5Dopen2(h->file, name, H5P_DEFAULT)) < 0) {
        wsd_fail("%s: video '%s' has no dataset c3d_features", h->path, id);
        goto done;
    }
    s = H5Dget_space(d);
    hsize_t dims[2];
    hid_t type = H5Dget_type(d);
    H5T_class_t cls = H5Tget_class(type);
    H5Tclose(type);
    if (H5Sget_simple_extent_ndims(s) != 2 || cls != H5T_FLOAT) {
        wsd_fail("%s: video '%s': c3d_features must be a 2-D float dataset [T, D]", h->path, id);
        goto done;
    }
    H5Sget_simple_extent_dims(s, dims, NULL);
    int64_t shape[2] = {(int64_t)dims[0], (int64_t)dims[1]};
    wsd_tsr_init(out, id, WSD_F32, 2, shape);
    if (out->nbytes && H5Dread(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, out->data) < 0) {
        wsd_fail("%s: video '%s': cannot read c3d_features", h->path, id);
        wsd_tsr_free(out);
        goto done;
    }
    rc = 0;
done:
    if (s >= 0) H5Sclose(s);
    if (d >= 0) H5Dclose(d);
    free(name);
    return rc;
}

struct wsd_h5feat_writer {
    hid_t file;
    char *path, *tmp;
};

wsd_h5feat_writer *wsd_h5feat_create(const char *path) {
    quiet_hdf5();
    wsd_h5feat_writer *w = wsd_calloc(1, sizeof *w);
    w->path = wsd_strdup(path);
    if (!(w->tmp = wsd_tmp_create(path, NULL))) {
        free(w->path);
        free(w);
        return NULL;
    }
    /* no object modification times: same features, same bytes */
    hid_t fcpl = H5Pcreate(H5P_FILE_CREATE);
    H5Pset_obj_track_times(fcpl, 0);
    w->file = H5Fcreate(w->tmp, H5F_ACC_TRUNC, fcpl, H5P_DEFAULT);
    H5Pclose(fcpl);
    if (w->file < 0) {
        wsd_fail("%s: cannot create HDF5 file", path);
        wsd_tmp_discard(w->tmp);
        free(w->path);
        free(w->tmp);
        free(w);
        return NULL;
    }
    return w;
}

int wsd_h5feat_write(wsd_h5feat_writer *w, const wsd_tsr *t) {
    if (t->dtype != WSD_F32 || t->ndim != 2)
        return wsd_fail("%s: '%s': only float32 [T, D] features can be written", w->path, t->key);
    hid_t gcpl = H5Pcreate(H5P_GROUP_CREATE), dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_obj_track_times(gcpl, 0);
    H5Pset_obj_track_times(dcpl, 0);
    hid_t g = H5Gcreate2(w->file, t->key, H5P_DEFAULT, gcpl, H5P_DEFAULT);
    H5Pclose(gcpl);
    if (g < 0) H5Pclose(dcpl);
    if (g < 0) return wsd_fail("%s: cannot create group '%s' (duplicate id?)", w->path, t->key);
    hsize_t dims[2] = {(hsize_t)t->shape[0], (hsize_t)t->shape[1]};
    hid_t s = H5Screate_simple(2, dims, NULL);
    hid_t d = H5Dcreate2(g, "c3d_features", H5T_IEEE_F32LE, s, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    H5Pclose(dcpl);
    int bad = d < 0 || (t->nbytes &&
                        H5Dwrite(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, t->data) < 0);
    const cJSON *m;
    if (!bad && t->meta) cJSON_ArrayForEach(m, t->meta) {
            if (!cJSON_IsNumber(m)) continue;
            hid_t as = H5Screate(H5S_SCALAR);
            hid_t a = H5Acreate2(g, m->string, H5T_IEEE_F64LE, as, H5P_DEFAULT, H5P_DEFAULT);
            if (a < 0 || H5Awrite(a, H5T_NATIVE_DOUBLE, &m->valuedouble) < 0) bad = 1;
            if (a >= 0) H5Aclose(a);
            H5Sclose(as);
        }
    if (d >= 0) H5Dclose(d);
    H5Sclose(s);
    H5Gclose(g);
    return bad ? wsd_fail("%s: cannot write video '%s'", w->path, t->key) : 0;
}

static void writer_free(wsd_h5feat_writer *w) {
    free(w->path);
    free(w->tmp);
    free(w);
}

int wsd_h5feat_finish(wsd_h5feat_writer *w) {
    errno = 0;
    int bad = H5Fclose(w->file) < 0;
    int e = errno;
    int rc = 0;
    if (bad) {
        wsd_tmp_discard(w->tmp);
        rc = e ? wsd_fail("%s: cannot write HDF5 file: %s", w->path, strerror(e))
               : wsd_fail("%s: cannot write HDF5 file", w->path);
    } else {
        rc = wsd_tmp_commit(w->tmp, w->path);
    }
    writer_free(w);
    return rc;
}

void wsd_h5feat_abort(wsd_h5feat_writer *w) {
    if (!w) return;
    H5Fclose(w->file);
    wsd_tmp_discard(w->tmp);
    writer_free(w);
}
