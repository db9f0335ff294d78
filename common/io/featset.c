#include "io/featset.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io/h5feat.h"
#include "io/idmap.h"
#include "io/tsr.h"
#include "base/util.h"

struct wsd_featset {
    char *path;
    wsd_feat *feats;
    size_t n, cap;
    wsd_idmap *index;
    int dim;
};

size_t wsd_featset_size(const wsd_featset *fs) { return fs->n; }
const wsd_feat *wsd_featset_at(const wsd_featset *fs, size_t i) { return &fs->feats[i]; }
int wsd_featset_dim(const wsd_featset *fs) { return fs->dim; }
const char *wsd_featset_path(const wsd_featset *fs) { return fs->path; }

const wsd_feat *wsd_featset_get(const wsd_featset *fs, const char *id) {
    long i = wsd_idmap_get(fs->index, id);
    if (i < 0) {
        wsd_fail("%s: unknown video id '%s' (%zu videos loaded)", fs->path, id, fs->n);
        return NULL;
    }
    return &fs->feats[i];
}

void wsd_featset_free(wsd_featset *fs) {
    if (!fs) return;
    for (size_t i = 0; i < fs->n; i++) {
        free((char *)fs->feats[i].id);
        free((float *)fs->feats[i].x);
    }
    free(fs->feats);
    wsd_idmap_free(fs->index);
    free(fs->path);
    free(fs);
}

/* Adds a [T, D] float tensor, keeping rows 0, k, 2k, ... */
static int add(wsd_featset *fs, const wsd_tsr *t, int k, const char *where) {
    if (t->ndim != 2 || (t->dtype != WSD_F32 && t->dtype != WSD_F64))
        return wsd_fail("%s (key '%s'): features must be a 2-D float32/float64 tensor [T, D]",
                        where, t->key);
    int64_t raw = t->shape[0], dim = t->shape[1];
    if (dim <= 0 || dim > (1 << 20))
        return wsd_fail("%s (key '%s'): feature dimension %lld out of range", where, t->key,
                        (long long)dim);
    if (fs->dim && dim != fs->dim)
        return wsd_fail(
            "%s (key '%s'): feature dimension %lld differs from the %d of earlier videos", where,
            t->key, (long long)dim, fs->dim);
    if (wsd_idmap_get(fs->index, t->key) >= 0)
        return wsd_fail("%s: duplicate video id '%s'", where, t->key);
    int64_t rows = (raw + k - 1) / k;
    float *x = wsd_malloc((size_t)(rows * dim) * sizeof *x);
    for (int64_t r = 0; r < rows; r++) {
        if (t->dtype == WSD_F32) {
            memcpy(x + r * dim, (const float *)t->data + r * k * dim, (size_t)dim * sizeof *x);
        } else {
            const double *src = (const double *)t->data + r * k * dim;
            for (int64_t j = 0; j < dim; j++) x[r * dim + j] = (float)src[j];
        }
        /* one NaN would reach every weight through training, or every
         * caption and segment at test time, without a word: refuse it here */
        for (int64_t j = 0; j < dim; j++)
            if (!isfinite(x[r * dim + j])) {
                double v = x[r * dim + j];
                free(x);
                return wsd_fail(
                    "%s: video '%s': row %lld (of %lld), column %lld is %s, not a finite number%s",
                    where, t->key, (long long)(r * k), (long long)raw, (long long)j,
                    isnan(v) ? "NaN"
                    : v > 0  ? "+Inf"
                             : "-Inf",
                    t->dtype == WSD_F64 && isfinite(((const double *)t->data)[(r * k) * dim + j])
                        ? " as float32"
                        : "");
            }
    }
    wsd_idmap_put(fs->index, t->key, (long)fs->n);
    fs->dim = (int)dim;
    if (fs->n == fs->cap)
        fs->feats =
            wsd_realloc(fs->feats, (fs->cap = fs->cap ? fs->cap * 2 : 256) * sizeof *fs->feats);
    wsd_feat *f = &fs->feats[fs->n++];
    f->id = wsd_strdup(t->key);
    f->rows = rows;
    f->rows_raw = raw;
    f->dim = (int)dim;
    f->x = x;
    f->duration = wsd_tsr_meta_number(t, "duration", NAN);
    return 0;
}

static int load_stream(wsd_featset *fs, const char *path, int k, const wsd_idmap *want) {
    wsd_tsr_reader *r = wsd_tsr_open(path);
    if (!r) return -1;
    wsd_tsr t;
    int rc;
    while ((rc = wsd_tsr_read(r, &t)) == 1) {
        char where[600];
        snprintf(where, sizeof where, "%s: record %ld", fs->path, wsd_tsr_index(r) - 1);
        int bad = (!want || wsd_idmap_get(want, t.key) >= 0) && add(fs, &t, k, where) != 0;
        wsd_tsr_free(&t);
        if (bad) {
            rc = -1;
            break;
        }
    }
    wsd_tsr_close(r);
    return rc;
}

static int load_hdf5(wsd_featset *fs, const char *path, int k, const char *const *ids,
                     size_t n_ids) {
    wsd_h5feat *h = wsd_h5feat_open(path);
    if (!h) return -1;
    size_t n = ids ? n_ids : wsd_h5feat_count(h);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        const char *id = ids ? ids[i] : wsd_h5feat_id(h, i);
        if (ids && wsd_idmap_get(fs->index, id) >= 0) continue; /* listed twice */
        wsd_tsr t;
        if ((rc = wsd_h5feat_read(h, id, &t)) != 0) break;
        rc = add(fs, &t, k, fs->path);
        wsd_tsr_free(&t);
    }
    wsd_h5feat_close(h);
    return rc;
}

wsd_featset *wsd_featset_load(const char *path, int sample_rate, const char *const *ids,
                              size_t n_ids) {
    if (sample_rate < 1) {
        wsd_fail("video sample rate must be >= 1 (got %d)", sample_rate);
        return NULL;
    }
    wsd_featset *fs = wsd_calloc(1, sizeof *fs);
    fs->path = wsd_strdup(strcmp(path, "-") == 0 ? "<stdin>" : path);
    fs->index = wsd_idmap_new();
    int is_hdf5 = 0;
    if (strcmp(path, "-") != 0) {
        FILE *fp = fopen(path, "rb");
        unsigned char head[8];
        if (fp) {
            is_hdf5 = wsd_h5_sniff(head, fread(head, 1, 8, fp));
            fclose(fp);
        }
    }
    wsd_idmap *want = NULL;
    if (ids) {
        want = wsd_idmap_new();
        for (size_t i = 0; i < n_ids; i++) wsd_idmap_put(want, ids[i], (long)i);
    }
    int rc = is_hdf5 ? load_hdf5(fs, path, sample_rate, ids, n_ids)
                     : load_stream(fs, path, sample_rate, want);
    if (rc == 0 && ids)
        for (size_t i = 0; i < n_ids; i++)
            if (wsd_idmap_get(fs->index, ids[i]) < 0) {
                rc = wsd_fail(
                    "%s: no features for video id '%s' (%zu of the %zu requested videos found)",
                    fs->path, ids[i], fs->n, wsd_idmap_size(want));
                break;
            }
    wsd_idmap_free(want);
    if (rc != 0) {
        wsd_featset_free(fs);
        return NULL;
    }
    return fs;
}
