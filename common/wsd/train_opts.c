/* The trainers' shared options (train_opts.h). */
#include "wsd/train_opts.h"

#include <string.h>

#include "base/opt.h"
#include "base/util.h"

void wsd_train_opts_default(wsd_train_opts *t) {
    memset(t, 0, sizeof *t);
    t->device = "auto";
    t->log_every = 10;
    t->lr = 1e-2, t->momentum = 0.8, t->weight_decay = 1e-4, t->gamma = 0.1;
    t->seed = 233;
}

static const struct option shared[] = {
    {"feats", 1, 0, WSD_TRAIN_OPT_FEATS},
    {"captions", 1, 0, WSD_TRAIN_OPT_CAPTIONS},
    {"vocab", 1, 0, WSD_TRAIN_OPT_VOCAB},
    {"out", 1, 0, WSD_TRAIN_OPT_OUT},
    {"resume", 1, 0, WSD_TRAIN_OPT_RESUME},
    {"device", 1, 0, WSD_TRAIN_OPT_DEVICE},
    {"log", 1, 0, WSD_TRAIN_OPT_LOG},
    {"sample-rate", 1, 0, WSD_TRAIN_OPT_SAMPLE_RATE},
    {"hidden", 1, 0, WSD_TRAIN_OPT_HIDDEN},
    {"embed", 1, 0, WSD_TRAIN_OPT_EMBED},
    {"max-videos", 1, 0, WSD_TRAIN_OPT_MAX_VIDEOS},
    {"keep-every", 1, 0, WSD_TRAIN_OPT_KEEP_EVERY},
    {"log-every", 1, 0, WSD_TRAIN_OPT_LOG_EVERY},
    {"threads", 1, 0, WSD_TRAIN_OPT_THREADS},
    {"lr", 1, 0, WSD_TRAIN_OPT_LR},
    {"momentum", 1, 0, WSD_TRAIN_OPT_MOMENTUM},
    {"weight-decay", 1, 0, WSD_TRAIN_OPT_WEIGHT_DECAY},
    {"gamma", 1, 0, WSD_TRAIN_OPT_GAMMA},
    {"milestones", 1, 0, WSD_TRAIN_OPT_MILESTONES},
    {"seed", 1, 0, WSD_TRAIN_OPT_SEED},
    {"version", 0, 0, WSD_TRAIN_OPT_VERSION},
    {"quiet", 0, 0, 'q'},
    {"help", 0, 0, 'h'},
};

struct option *wsd_train_option_table(const struct option *extra) {
    return wsd_opt_table(shared, sizeof shared / sizeof *shared, extra);
}

int wsd_train_opt_parse(int c, const char *arg, const char *usage, wsd_train_opts *t) {
    switch (c) {
    case WSD_TRAIN_OPT_FEATS: t->feats = arg; break;
    case WSD_TRAIN_OPT_CAPTIONS: t->captions = arg; break;
    case WSD_TRAIN_OPT_VOCAB: t->vocab = arg; break;
    case WSD_TRAIN_OPT_OUT: t->out = arg; break;
    case WSD_TRAIN_OPT_RESUME: t->resume = arg; break;
    case WSD_TRAIN_OPT_DEVICE: t->device = arg; break;
    case WSD_TRAIN_OPT_LOG: t->log = arg; break;
    case WSD_TRAIN_OPT_SAMPLE_RATE:
        t->sample_rate = wsd_opt_int(arg, "--sample-rate", 1, 1000);
        break;
    case WSD_TRAIN_OPT_HIDDEN: t->hidden = wsd_opt_int(arg, "--hidden", 1, 65536); break;
    case WSD_TRAIN_OPT_EMBED: t->embed = wsd_opt_int(arg, "--embed", 1, 65536); break;
    case WSD_TRAIN_OPT_MAX_VIDEOS:
        t->max_videos = wsd_opt_int(arg, "--max-videos", 0, WSD_OPT_MAX_COUNT);
        break;
    case WSD_TRAIN_OPT_KEEP_EVERY:
        t->keep_every = wsd_opt_int(arg, "--keep-every", 0, 100000);
        break;
    case WSD_TRAIN_OPT_LOG_EVERY:
        t->log_every = wsd_opt_int(arg, "--log-every", 1, WSD_OPT_MAX_COUNT);
        break;
    case WSD_TRAIN_OPT_THREADS:
        t->threads = wsd_opt_int(arg, "--threads", 0, WSD_OPT_MAX_THREADS);
        break;
    case WSD_TRAIN_OPT_LR: t->lr = wsd_opt_double(arg, "--lr", 0, 10); break;
    case WSD_TRAIN_OPT_MOMENTUM: t->momentum = wsd_opt_double(arg, "--momentum", 0, 1); break;
    case WSD_TRAIN_OPT_WEIGHT_DECAY:
        t->weight_decay = wsd_opt_double(arg, "--weight-decay", 0, 1);
        break;
    case WSD_TRAIN_OPT_GAMMA: t->gamma = wsd_opt_double(arg, "--gamma", 0, 10); break;
    case WSD_TRAIN_OPT_MILESTONES:
        t->n_milestones = wsd_opt_int_list(arg, "--milestones", 0, 100000, t->milestones, 16);
        break;
    case WSD_TRAIN_OPT_SEED: t->seed = wsd_opt_long(arg, "--seed", 0, 0x7fffffffffffffffL); break;
    case WSD_TRAIN_OPT_VERSION: wsd_opt_version();
    case 'q': t->quiet = 1; break;
    case 'h': wsd_opt_usage(usage, 1);
    default: return 0;
    }
    return 1;
}
