/* The densevid_eval evaluation itself (evaluate.py ANETcaptions.evaluate,
 * evaluate_tiou, evaluate_detection of ranjaykrishna/densevid_eval):
 * truncation, caption pairs per tIoU threshold with garbage references,
 * batch tokenisation, per-video metrics averaged over all reference videos,
 * then over thresholds; detection precision and recall. */
#ifndef WSD_SCORE_EVAL_H
#define WSD_SCORE_EVAL_H

#include "score/score_data.h"

#include <stddef.h>
#include <stdint.h>

enum {
    SCORE_BLEU1,
    SCORE_BLEU2,
    SCORE_BLEU3,
    SCORE_BLEU4,
    SCORE_METEOR,
    SCORE_ROUGE_L,
    SCORE_CIDER,
    SCORE_RECALL,
    SCORE_PRECISION,
    SCORE_N_METRICS
};

/* "Bleu_1" ... "Precision", in the order the official script prints them. */
extern const char *const score_metric_names[SCORE_N_METRICS];

/* METEOR of one video: the corpus METEOR over its caption pairs (tokenised
 * hypotheses and references, n_pairs >= 1). Returns 0, or -1 with wsd_fail. */
typedef int (*score_meteor_fn)(void *ctx, const char *const *hyps, const char *const *refs,
                               size_t n_pairs, double *score);

typedef enum {
    SCORE_SEMANTICS_2018 = 2018, /* deba7d7: garbage reference "abc123!@#" (WSDEC's pin) */
    SCORE_SEMANTICS_2019 = 2019, /* 9d4045a: a random 10-20 letter garbage word per pair */
} score_semantics;

typedef struct {
    const double *tious;
    size_t n_tious;
    size_t max_proposals;
    score_semantics semantics;
    uint64_t seed;          /* 2019 garbage words */
    score_meteor_fn meteor; /* NULL: METEOR not computed */
    void *meteor_ctx;
    int keep_per_video;
} score_options;

typedef struct {
    size_t n_tious;
    double *tious;
    double (*per_tiou)[SCORE_N_METRICS]; /* [threshold][metric] */
    double mean[SCORE_N_METRICS];        /* mean over thresholds */
    int has_meteor;
    size_t n_videos;            /* reference videos: the denominator of every mean */
    size_t n_predicted;         /* of them, present in the submission */
    size_t n_ignored;           /* submission videos in no reference file */
    size_t line_shift_captions; /* captions with CR/VT/FF (tokenizer line shift) */
    char **video_ids;           /* keep_per_video: the reference videos, sorted */
    double *per_video;          /* keep_per_video: [threshold][video][metric] */
} score_result;

/* tIoU exactly as the evaluator computes it (prediction first). */
double score_tiou(double pred_start, double pred_end, double ref_start, double ref_end);

int score_evaluate(const score_set *submission, const score_set *refs, size_t n_refs,
                   const score_options *opt, score_result *out);
void score_result_free(score_result *r);

#endif
