/* PCA projection of fc7 features with the official ActivityNet file (pca.h). */
#include "video/pca.h"

#include "nn/nn_sgemm.h"
#include <hdf5.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

/* Reads data/NAME as doubles; dims in d[0..*nd). NULL + wsd_fail. */
static double *read_ds(hid_t f, const char *path, const char *name, hsize_t d[2], int *nd) {
    char full[64];
    snprintf(full, sizeof full, "data/%s", name);
    if (H5Lexists(f, "data", H5P_DEFAULT) <= 0 || H5Lexists(f, full, H5P_DEFAULT) <= 0) {
        wsd_fail("%s: no dataset '%s' (expected group data with U, S, x_mean: "
                 "PCA_activitynet_v1-3.hdf5)",
                 path, full);
        return NULL;
    }
    hid_t ds = H5Dopen2(f, full, H5P_DEFAULT);
    hid_t sp = ds >= 0 ? H5Dget_space(ds) : -1;
    int rank = sp >= 0 ? H5Sget_simple_extent_ndims(sp) : -1;
    double *v = NULL;
    if (rank < 1 || rank > 2) {
        wsd_fail("%s: dataset %s has rank %d, expected 1 or 2", path, full, rank);
    } else {
        d[1] = 1;
        H5Sget_simple_extent_dims(sp, d, NULL);
        *nd = rank;
        size_t n = (size_t)d[0] * (rank == 2 ? d[1] : 1);
        if (rank == 1) d[1] = 1;
        v = wsd_malloc(sizeof(double) * (n ? n : 1));
        if (n > (size_t)1 << 28 ||
            H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0) {
            wsd_fail("%s: cannot read dataset %s as numbers", path, full);
            free(v);
            v = NULL;
        }
    }
    if (sp >= 0) H5Sclose(sp);
    if (ds >= 0) H5Dclose(ds);
    return v;
}

int wsd_pca_load(const char *path, int in, int out, wsd_pca *p) {
    memset(p, 0, sizeof *p);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0)
        return wsd_fail("%s: cannot open as HDF5 (the PCA file PCA_activitynet_v1-3.hdf5)", path);
    hsize_t du[2], ds_[2], dm[2];
    int nu = 0, ns = 0, nm = 0, rc = -1;
    double *U = read_ds(f, path, "U", du, &nu), *S = U ? read_ds(f, path, "S", ds_, &ns) : NULL;
    double *M = S ? read_ds(f, path, "x_mean", dm, &nm) : NULL;
    H5Fclose(f);
    if (!M) goto done;
    int cols; /* 1: components are U's columns */
    if (nu != 2) {
        wsd_fail("%s: data/U is 1-D, expected a %d x M matrix", path, in);
        goto done;
    }
    if (du[0] == (hsize_t)in && du[1] >= (hsize_t)out)
        cols = 1;
    else if (du[1] == (hsize_t)in && du[0] >= (hsize_t)out)
        cols = 0;
    else {
        wsd_fail("%s: data/U is %llux%llu, expected %d x M or M x %d with M >= %d", path,
                 (unsigned long long)du[0], (unsigned long long)du[1], in, in, out);
        goto done;
    }
    size_t m = cols ? du[1] : du[0];
    size_t ns_n = (size_t)ds_[0] * ds_[1], nm_n = (size_t)dm[0] * dm[1];
    if (ns_n < (size_t)out) {
        wsd_fail("%s: data/S has %zu values, expected at least %d", path, ns_n, out);
        goto done;
    }
    for (int k = 0; k < out; k++)
        if (!isfinite(S[k]) || (k > 0 && S[k] > S[k - 1] * (1 + 1e-6) + 1e-12)) {
            wsd_fail("%s: data/S is not non-increasing (S[%d] = %g > S[%d] = %g): cannot tell "
                     "which %d components "
                     "lead",
                     path, k, S[k], k - 1, S[k - 1], out);
            goto done;
        }
    if (nm_n != (size_t)in) {
        wsd_fail("%s: data/x_mean has %zu values, expected %d", path, nm_n, in);
        goto done;
    }
    p->in = in, p->out = out;
    p->proj = wsd_malloc(sizeof(float) * (size_t)in * out);
    p->mean = wsd_malloc(sizeof(float) * (size_t)in);
    for (int i = 0; i < in; i++) {
        p->mean[i] = (float)M[i];
        for (int k = 0; k < out; k++)
            p->proj[(size_t)i * out + k] =
                (float)(cols ? U[(size_t)i * m + k] : U[(size_t)k * in + i]);
    }
    rc = 0;
done:
    free(U), free(S), free(M);
    return rc;
}

void wsd_pca_apply(const wsd_pca *p, const float *x, long n, float *y) {
    float *c = wsd_malloc(sizeof(float) * (size_t)n * p->in);
    for (long r = 0; r < n; r++)
        for (int i = 0; i < p->in; i++) c[r * p->in + i] = x[r * p->in + i] - p->mean[i];
    nn_sgemm(0, 0, (int)n, p->out, p->in, 1.f, c, p->in, p->proj, p->out, 0.f, y, p->out);
    free(c);
}

void wsd_pca_free(wsd_pca *p) {
    free(p->proj);
    free(p->mean);
    memset(p, 0, sizeof *p);
}
