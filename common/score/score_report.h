/* Output of densevid-score: the official script's printed block (verbose
 * mode: one block per tIoU, then "Average across all tIoUs"; every value is
 * '%2.4f' of 100 x score) and a JSON document with the raw values. */
#ifndef WSD_SCORE_REPORT_H
#define WSD_SCORE_REPORT_H

#include "score/score_eval.h"
#include "score/score_localization.h"
#include "score/soda.h"

#include <stdio.h>

typedef struct {
    int show_meteor;           /* print a METEOR line at all */
    const char *meteor_note;   /* NULL/"": official; else why it is absent or approximate */
    const char *meteor_source; /* where Meteor's data came from, or NULL */
    int semantics;             /* 2018 or 2019, for the JSON */
    int want_soda;             /* --soda was asked for */
    const soda_result *soda;   /* one per reference file, or NULL: unavailable */
    const char *const *soda_files;
    size_t n_soda;
    const char *soda_note;       /* why SODA_c is unavailable */
    const score_loc_result *loc; /* --localization: R@1 lines, mIoU block, or NULL */
} score_report_options;

/* Python's repr() of a float: the shortest text that reads back exactly. */
void score_format_float(double x, char *buf, size_t size);

void score_print_table(FILE *fp, const score_result *r, const score_report_options *o);
void score_print_json(FILE *fp, const score_result *r, const score_report_options *o);

#endif
