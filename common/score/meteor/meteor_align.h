/* METEOR 1.5's aligner: candidate matches from the exact, stem, synonym and
 * paraphrase modules, then Meteor's left-to-right beam search over reference
 * positions, reproduced with its quirks (see meteor_align.c). */
#ifndef WSD_METEOR_ALIGN_H
#define WSD_METEOR_ALIGN_H

#include <stdint.h>

#include "score/meteor/meteor_internal.h"

/* What the matchers need to know about one word (cached per distinct word). */
typedef struct {
    int32_t key;               /* Java hashCode of the word */
    int32_t stem_key;          /* Java hashCode of its Snowball stem */
    int32_t para;              /* paraphrase vocabulary id, -1 when none */
    int func;                  /* 1 when a function word */
    uint32_t syn_off, syn_len; /* synonym key set in the caller's pool */
} wsd_meteor_winfo;

typedef struct {
    int use_stem, use_syn;       /* modules 1 and 2 */
    const wsd_meteor_para *para; /* module 3 when non-NULL */
    const uint32_t *syn_pool;
    int beam;
} wsd_meteor_align_cfg;

typedef struct wsd_meteor_aligner wsd_meteor_aligner;
wsd_meteor_aligner *wsd_meteor_aligner_new(void);
void wsd_meteor_aligner_free(wsd_meteor_aligner *a);

/* Aligns test words t[0..n1) against reference words r[0..n2) and fills the
 * word-based sufficient statistics. */
void wsd_meteor_align(wsd_meteor_aligner *a, const wsd_meteor_align_cfg *cfg,
                      const wsd_meteor_winfo *const *t, int n1, const wsd_meteor_winfo *const *r,
                      int n2, wsd_meteor_stats *st);

#endif
