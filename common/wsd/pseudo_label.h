/* Pseudo-labels for the localizer's SL epochs (WSDEC train_script/train_final.py,
 * train_sl and CaptionEvaluator): the CG
 * captions each of the 15 anchors of a video; the anchor whose caption scores
 * best against the video's ground-truth sentence is the label (first index on
 * ties).
 *
 * As the reference does it, both sides are the decoded token strings
 * (vocab_decode: "<oov>" and spaced " . " included), non-ASCII code points
 * become spaces, coco's PTB tokenizer runs over them, and each candidate gets
 * the METEOR 1.5 *segment* score against the single reference.
 *
 * METEOR needs data files Debian does not ship (meteor.h). When they are
 * missing the caller must stop, or choose the documented stand-in
 * WSD_PL_UNIGRAM_F explicitly: exact-match unigram precision P and recall R
 * over the same tokens, Fmean = 10PR/(R + 9P) (METEOR's original harmonic
 * mean), times METEOR's fragmentation penalty 1 - 0.5 (chunks/matches)^3.
 * It ranks candidates like METEOR without stems, synonyms, paraphrases or
 * function-word weighting; it is never the official metric. */
#ifndef WSD_PSEUDO_LABEL_H
#define WSD_PSEUDO_LABEL_H

#include "score/meteor/meteor.h"

typedef enum { WSD_PL_METEOR, WSD_PL_UNIGRAM_F } wsd_pl_metric;

typedef struct wsd_pseudo_labeler wsd_pseudo_labeler;

/* Parses "meteor" / "unigram-f"; -1 + wsd_fail otherwise. */
int wsd_pl_metric_parse(const char *name, wsd_pl_metric *out);
const char *wsd_pl_metric_name(wsd_pl_metric m);

/* meteor_dir (WSD_PL_METEOR only): a Meteor 1.5 folder or meteor-1.5.jar, as
 * wsd_meteor_open_dir takes it; NULL looks for an install the way
 * densevid-score does ($WSD_METEOR_DIR, pycocoevalcap, coco-caption). NULL +
 * wsd_fail carrying METEOR's reason when its data files cannot be loaded. */
wsd_pseudo_labeler *wsd_pl_open(wsd_pl_metric metric, const char *meteor_dir);
void wsd_pl_close(wsd_pseudo_labeler *pl);
/* "" or METEOR's caveat (an optional data file missing). */
const char *wsd_pl_caveat(const wsd_pseudo_labeler *pl);

/* Scores n candidates against one reference (raw decoded strings) and
 * returns the index of the best (first on ties), or -1 + wsd_fail. scores
 * (n entries) may be NULL. */
int wsd_pl_best(wsd_pseudo_labeler *pl, const char *reference, const char *const *candidates, int n,
                double *scores);

/* The stand-in score on two already tokenised, space-separated strings. */
double wsd_unigram_f(const char *candidate, const char *reference);

#endif
