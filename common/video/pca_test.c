/* The PCA file reader and projection on small HDF5 files written here:
 * columns and (non-square) row orientation give the same projection, and
 * wrong shapes, a missing dataset or an increasing S are refused naming the
 * file. */
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "testing/test.h"
#include "video/pca.h"

enum { D = 6, K = 3 };

static void put(hid_t g, const char *name, int rank, hsize_t d0, hsize_t d1, const double *v) {
    hsize_t dims[2] = {d0, d1};
    hid_t sp = H5Screate_simple(rank, dims, NULL);
    hid_t ds = H5Dcreate2(g, name, H5T_IEEE_F32LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v);
    H5Dclose(ds);
    H5Sclose(sp);
}

/* U is D x M (cols) or M x D (rows), with U[i][k] = u(i, k). */
static double u(int i, int k) { return sin(1.0 + i * 0.7 + k * 1.3); }

static void write_pca(const char *path, int rows, int m, int s_increasing, int mean_n) {
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hid_t g = H5Gcreate2(f, "data", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    double U[D * D], S[D], M[D + 1];
    for (int i = 0; i < D; i++)
        for (int k = 0; k < m; k++) {
            if (rows)
                U[k * D + i] = u(i, k);
            else
                U[i * m + k] = u(i, k);
        }
    for (int k = 0; k < D; k++) S[k] = s_increasing ? k + 1 : D - k;
    for (int i = 0; i < D + 1; i++) M[i] = 0.5 * i;
    if (rows)
        put(g, "U", 2, (hsize_t)m, D, U);
    else
        put(g, "U", 2, D, (hsize_t)m, U);
    put(g, "S", 1, D, 0, S);
    put(g, "x_mean", 2, 1, (hsize_t)mean_n, M);
    H5Gclose(g);
    H5Fclose(f);
}

static char path[] = "/tmp/wsd-pca-test-XXXXXX";

static void projection(int rows, int m) {
    write_pca(path, rows, m, 0, D);
    wsd_pca p;
    CHECK_MSG(wsd_pca_load(path, D, K, &p) == 0, "%s", wsd_error());
    float x[2 * D], y[2 * K];
    for (int i = 0; i < 2 * D; i++) x[i] = (float)(i * 0.3 - 1);
    wsd_pca_apply(&p, x, 2, y);
    for (int r = 0; r < 2; r++)
        for (int k = 0; k < K; k++) {
            double want = 0;
            for (int i = 0; i < D; i++) want += (x[r * D + i] - 0.5 * i) * (double)(float)u(i, k);
            CHECK_NEAR(y[r * K + k], want, 1e-5);
        }
    wsd_pca_free(&p);
}

static void square_columns(void) { projection(0, D); }
static void wide_columns(void) { projection(0, 4); }
static void tall_rows(void) { projection(1, 4); }

static void bad_files(void) {
    wsd_pca p;
    write_pca(path, 0, D, 1, D);
    CHECK(wsd_pca_load(path, D, K, &p) == -1 && strstr(wsd_error(), path) &&
          strstr(wsd_error(), "non-increasing"));
    write_pca(path, 0, D, 0, D + 1);
    CHECK(wsd_pca_load(path, D, K, &p) == -1 &&
          strstr(wsd_error(), "x_mean has 7 values, expected 6"));
    write_pca(path, 0, D, 0, D);
    CHECK(wsd_pca_load(path, 4096, 500, &p) == -1 &&
          strstr(wsd_error(), "data/U is 6x6, expected 4096"));
    CHECK(wsd_pca_load(path, D, D + 1, &p) == -1 && strstr(wsd_error(), path));
    FILE *fp = fopen(path, "w");
    fputs("not hdf5\n", fp);
    fclose(fp);
    CHECK(wsd_pca_load(path, D, K, &p) == -1 && strstr(wsd_error(), "cannot open as HDF5"));
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    H5Fclose(f);
    CHECK(wsd_pca_load(path, D, K, &p) == -1 && strstr(wsd_error(), "no dataset 'data/U'"));
}

int main(void) {
    int fd = mkstemp(path);
    if (fd >= 0) close(fd);
    TEST_RUN(square_columns);
    TEST_RUN(wide_columns);
    TEST_RUN(tall_rows);
    TEST_RUN(bad_files);
    unlink(path);
    return test_finish();
}
