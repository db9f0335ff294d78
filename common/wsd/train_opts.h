/* The options both trainers (cg-pretrain, wsdec-train) share: one table, one
 * parser, one set of bounds. Like base/opt.h this is the program side of the
 * library: a bad value is a usage error (wsd_die, exit 1). */
#ifndef WSD_TRAIN_OPTS_H
#define WSD_TRAIN_OPTS_H

#include <getopt.h>

typedef struct {
    const char *feats, *captions, *vocab, *out, *resume, *device, *log;
    int sample_rate, hidden, embed, max_videos, keep_every, log_every, threads, quiet;
    double lr, momentum, weight_decay, gamma;
    int milestones[16], n_milestones; /* n_milestones 0: --milestones not given */
    long seed;
} wsd_train_opts;

/* getopt_long codes of the shared options; a program numbers its own from
 * WSD_TRAIN_OPT_END. */
enum {
    WSD_TRAIN_OPT_FEATS = 256,
    WSD_TRAIN_OPT_CAPTIONS,
    WSD_TRAIN_OPT_VOCAB,
    WSD_TRAIN_OPT_OUT,
    WSD_TRAIN_OPT_RESUME,
    WSD_TRAIN_OPT_DEVICE,
    WSD_TRAIN_OPT_LOG,
    WSD_TRAIN_OPT_SAMPLE_RATE,
    WSD_TRAIN_OPT_HIDDEN,
    WSD_TRAIN_OPT_EMBED,
    WSD_TRAIN_OPT_MAX_VIDEOS,
    WSD_TRAIN_OPT_KEEP_EVERY,
    WSD_TRAIN_OPT_LOG_EVERY,
    WSD_TRAIN_OPT_THREADS,
    WSD_TRAIN_OPT_LR,
    WSD_TRAIN_OPT_MOMENTUM,
    WSD_TRAIN_OPT_WEIGHT_DECAY,
    WSD_TRAIN_OPT_GAMMA,
    WSD_TRAIN_OPT_MILESTONES,
    WSD_TRAIN_OPT_SEED,
    WSD_TRAIN_OPT_VERSION,
    WSD_TRAIN_OPT_END
};

/* Both trainers' defaults: device auto, lr 0.01, momentum 0.8, weight decay
 * 1e-4, gamma 0.1, seed 233, a progress line every 10 batches; the rest 0. */
void wsd_train_opts_default(wsd_train_opts *t);
/* The shared long options (--feats … --version, --quiet -q, --help -h)
 * followed by `extra` (ending with a zero entry): malloc'ed, for getopt_long. */
struct option *wsd_train_option_table(const struct option *extra);
/* Parses option `c` (getopt_long's return) with argument arg into t: 1 when
 * it was a shared one, 0 otherwise. -q sets quiet; -h prints usage and
 * exits 0; --version prints the version and exits 0. */
int wsd_train_opt_parse(int c, const char *arg, const char *usage, wsd_train_opts *t);

#endif
