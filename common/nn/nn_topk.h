/* The K best entries of a row, as a beam search ranks its candidates
 * (engine-internal: the backends' log_softmax_topk and its tests).
 *
 * c_v = (x_v − shift) + add for v = 0 … V−1 (add NULL: c_v = x_v − shift),
 * each with exactly these two float operations, so c_v is bit for bit the
 * log-probability log_softmax writes (shift = its normaliser) plus the beam's
 * score. best[0 … K−1] gets the K largest c_v, descending, ties to the lower
 * v, idx their v: the same answer as a linear insertion top-K over the whole
 * row (a NaN c_v never enters once K entries are held, as there). K ≤ V.
 *
 * Since c is a non-decreasing function of x, an x_v no greater than the x of
 * the current K-th entry cannot enter (its c is at most that entry's, and an
 * equal c loses to the lower v): most of the row costs one comparison. */
#ifndef WSD_NN_TOPK_H
#define WSD_NN_TOPK_H

void nn_topk_row(int V, const float *x, float shift, const float *add, int K, float *best,
                 int *idx);

/* max_v x_v as `if (x_v > m) m = x_v` from m = −inf finds it (NaN skipped),
 * vectorised. */
float nn_row_max(int V, const float *x);

/* Merges the K sorted lists of K entries (list k: best[k·K …], idx[k·K …],
 * as nn_topk_row writes them for the K rows of one item) into the K best of
 * the item's K·V candidates, ties to the lower flat index k·V + v:
 * out_best[j], out_row[j] (k), out_idx[j] (v). */
void nn_topk_merge(int K, const float *best, const int *idx, float *out_best, int *out_row,
                   int *out_idx);

#endif
