/* The official ActivityNet PCA (PCA_activitynet_v1-3.hdf5, group "data":
 * U, S, x_mean): fc7 (D = 4096) to K = 500 dims, y = (x - x_mean) . U[:, :K].
 *
 * Orientation of U. The features were reduced with an SVD in numpy's
 * convention: U's columns are the principal directions and S lists the
 * singular values in decreasing order, so the first K columns are the K
 * leading components. A non-square U says its orientation by its shape
 * ([D, M] = columns are components; [M, D] = rows are). A square U (the
 * official file is 4096x4096) cannot: both orientations of an orthogonal
 * matrix are orthonormal, so we follow numpy's convention (columns) that the
 * formula above spells out, and check what can be checked: S holds at least
 * K values, finite and non-increasing (a file in increasing order would put
 * the leading components last), and x_mean has D values. */
#ifndef WSD_VIDEO_PCA_H
#define WSD_VIDEO_PCA_H

typedef struct {
    int in, out; /* D, K */
    float *proj; /* D x K, row-major: proj[i*K + k] = U[i][k] */
    float *mean; /* D */
} wsd_pca;

/* -1 + wsd_error() naming the file and what is wrong (missing dataset, shape). */
int wsd_pca_load(const char *path, int in, int out, wsd_pca *p);
/* y[n, K] = (x[n, D] - mean) . proj */
void wsd_pca_apply(const wsd_pca *p, const float *x, long n, float *y);
void wsd_pca_free(wsd_pca *p);

#endif
