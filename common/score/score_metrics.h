/* coco-caption's BLEU-1..4, ROUGE-L and CIDEr-D, computed as densevid_eval
 * calls them: over the caption pairs of ONE video, as if those pairs were a
 * whole corpus with one reference each (densevid_eval evaluate.py
 * ANETcaptions.evaluate_tiou; pycocoevalcap bleu/bleu.py Bleu, rouge/rouge.py
 * Rouge, cider/cider.py Cider).
 *
 * Captions arrive pre-digested by score_words.h: word ids of both splits and
 * the caption's distinct 1..4-grams as interned ids with counts. */
#ifndef WSD_SCORE_METRICS_H
#define WSD_SCORE_METRICS_H

#include <stddef.h>
#include <stdint.h>

/* An n-gram id carries its order in the low two bits: order = (id & 3) + 1. */
#define SCORE_NGRAM_ORDER(id) ((int)((id)&3u) + 1)
#define SCORE_NGRAM_INDEX(id) ((id) >> 2)

typedef struct {
    const uint32_t *ws; /* Python str.split(): BLEU, CIDEr-D */
    size_t n_ws;
    const uint32_t *sp; /* str.split(" "): ROUGE-L; never empty */
    size_t n_sp;
    const uint32_t *gram;  /* distinct n-grams of ws, ascending id */
    const uint32_t *count; /* their counts */
    size_t n_gram;
} score_caption;

/* BLEU-1..4 from counts summed over the pairs ("closest" reference length,
 * tiny = 1e-15, small = 1e-9, brevity penalty when the ratio is < 1). */
void score_bleu(const score_caption *const *hyp, const score_caption *const *ref, size_t n_pairs,
                double bleu[4]);

/* Mean over the pairs of the LCS F-measure with beta = 1.2. */
double score_rouge_l(const score_caption *const *hyp, const score_caption *const *ref,
                     size_t n_pairs);

/* Reusable document-frequency table for CIDEr-D, indexed by n-gram index. */
typedef struct {
    uint32_t *stamp;
    double *df;
    size_t cap;
    uint32_t now;
    double *weights; /* scratch for one caption's weights */
    size_t weights_cap;
} score_cider_state;

void score_cider_state_free(score_cider_state *st);

/* CIDEr-D (n = 4, sigma = 6, x10) with document frequencies from these
 * pairs' references only; mean over the pairs. */
double score_cider_d(const score_caption *const *hyp, const score_caption *const *ref,
                     size_t n_pairs, score_cider_state *st);

#endif
