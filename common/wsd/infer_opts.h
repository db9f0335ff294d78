/* The options both inference programs (caption, localize) share: one table,
 * one parser, the same checks once every option is read. Like base/opt.h this
 * is the program side of the library: a usage error exits (wsd_die). */
#ifndef WSD_INFER_OPTS_H
#define WSD_INFER_OPTS_H

#include <getopt.h>

#include "nn/nn_device.h"

typedef struct {
    const char *model, *feats, *output, *videos, *device;
    const char *input; /* the INPUT argument, NULL: none (stdin unless --videos) */
    long batch, sample_rate, threads;
    int quiet;
    nn_device dev; /* set by wsd_infer_opts_finish */
} wsd_infer_opts;

/* getopt_long codes of the shared long-only options; a program numbers its
 * own from WSD_INFER_OPT_END. The short ones: WSD_INFER_SHORT. */
enum {
    WSD_INFER_OPT_VIDEOS = 256,
    WSD_INFER_OPT_SAMPLE_RATE,
    WSD_INFER_OPT_DEVICE,
    WSD_INFER_OPT_THREADS,
    WSD_INFER_OPT_VERSION,
    WSD_INFER_OPT_END
};
#define WSD_INFER_SHORT "m:f:o:b:qh"

/* output "-" (stdout), device auto, batch 8 videos, the rest 0/NULL. */
void wsd_infer_opts_default(wsd_infer_opts *o);
/* The shared long options followed by `extra` (ending with a zero entry):
 * malloc'ed, for getopt_long. */
struct option *wsd_infer_option_table(const struct option *extra);
/* Parses option `c` into o: 1 when it was a shared one, 0 otherwise. -h and
 * --version print and exit 0. */
int wsd_infer_opt_parse(int c, const char *arg, const char *usage, wsd_infer_opts *o);
/* Once getopt_long is done (optind past the options): at most one INPUT,
 * --model and --feats given, --videos or INPUT not both, the output none of
 * the inputs; then the device chosen and --threads applied. */
void wsd_infer_opts_finish(wsd_infer_opts *o, int argc, char **argv, const char *usage);

#endif
