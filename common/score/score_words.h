/* Digests tokenised captions for the metrics, once per distinct caption:
 * word ids under both splits coco-caption uses (BLEU and CIDEr-D: Python's
 * str.split(), i.e. runs of whitespace, U+00A0 included; ROUGE-L:
 * str.split(" "), where "" is one empty word) and the distinct 1..4-grams of
 * the first split as interned ids with counts. */
#ifndef WSD_SCORE_WORDS_H
#define WSD_SCORE_WORDS_H

#include "score/score_metrics.h"

typedef struct score_lexicon score_lexicon;

score_lexicon *score_lexicon_new(void);
void score_lexicon_free(score_lexicon *lx);

/* The digest of `caption`; it lives as long as the lexicon. */
const score_caption *score_lexicon_caption(score_lexicon *lx, const char *caption);

#endif
