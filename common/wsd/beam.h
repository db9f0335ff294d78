/* Beam search exactly as the reference caption generator runs it
 * (WSDEC model/networks/seq_decoder.py,
 * RNNSeqDecoder.forward_bmsearch): beam K, Lmax steps, raw cumulative log-probabilities
 * (no length normalisation), a beam slot dies when it emits <eos>, and the
 * answer is the best among every finished hypothesis and the best open one.
 *
 * The search is batched: n_items independent searches advance together so the
 * decoder can run one matrix product for all n_items·K rows per step. Each
 * step ranks the K·vocab candidates of an item, log p + the beam's score,
 * ties to the lower flat index beam·vocab + v, from each beam's own K best
 * (the decoder's step): the same K as ranking all K·vocab when no candidate
 * is NaN. */
#ifndef WSD_BEAM_H
#define WSD_BEAM_H

#include "io/vocab.h" /* WSD_BOS, WSD_EOS */

typedef struct {
    /* Feeds tokens[n_rows] (row = item·K + beam) into the decoder, advancing
     * its hidden state, and writes each row's k best candidates: the k
     * largest log p(v) + score[r] (score NULL: log p(v) alone), descending,
     * ties to the lower v, into best[r·k + j] and their tokens idx[r·k + j]
     * (nn_log_softmax_topk: the full log-probabilities are never written). */
    int (*step)(void *ctx, const int *tokens, const float *score, int n_rows, int k, float *best,
                int *idx);
    /* Replaces the hidden state of row r by that of row src[r] (same item). */
    int (*reorder)(void *ctx, const int *src, int n_rows);
    void *ctx;
    int vocab;
} wsd_beam_decoder;

/* out_ids: n_items × (max_len + 2) ids, <bos> first, always max_len + 2 ids,
 * possibly with junk after the first <eos> (as the reference); out_len: the
 * hypothesis length including <bos> and <eos>. Returns 0, or -1 when a
 * decoder callback fails. */
int wsd_beam_search(const wsd_beam_decoder *dec, int n_items, int beam, int max_len, int *out_ids,
                    int *out_len);

#endif
