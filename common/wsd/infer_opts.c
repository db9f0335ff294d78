/* The inference programs' shared options (infer_opts.h). */
#include "wsd/infer_opts.h"

#include <stdio.h>
#include <string.h>

#include "base/opt.h"
#include "base/samefile.h"
#include "base/util.h"
#include "nn/nn_ops.h"

void wsd_infer_opts_default(wsd_infer_opts *o) {
    memset(o, 0, sizeof *o);
    o->output = "-";
    o->device = "auto";
    o->batch = 8;
}

static const struct option shared[] = {
    {"model", 1, 0, 'm'},
    {"feats", 1, 0, 'f'},
    {"output", 1, 0, 'o'},
    {"batch", 1, 0, 'b'},
    {"videos", 1, 0, WSD_INFER_OPT_VIDEOS},
    {"sample-rate", 1, 0, WSD_INFER_OPT_SAMPLE_RATE},
    {"device", 1, 0, WSD_INFER_OPT_DEVICE},
    {"threads", 1, 0, WSD_INFER_OPT_THREADS},
    {"quiet", 0, 0, 'q'},
    {"help", 0, 0, 'h'},
    {"version", 0, 0, WSD_INFER_OPT_VERSION},
};

struct option *wsd_infer_option_table(const struct option *extra) {
    return wsd_opt_table(shared, sizeof shared / sizeof *shared, extra);
}

int wsd_infer_opt_parse(int c, const char *arg, const char *usage, wsd_infer_opts *o) {
    switch (c) {
    case 'm': o->model = arg; break;
    case 'f': o->feats = arg; break;
    case 'o': o->output = arg; break;
    case 'b': o->batch = wsd_opt_long(arg, "--batch", 1, 100000); break;
    case WSD_INFER_OPT_VIDEOS: o->videos = arg; break;
    case WSD_INFER_OPT_SAMPLE_RATE:
        o->sample_rate = wsd_opt_long(arg, "--sample-rate", 1, 1000);
        break;
    case WSD_INFER_OPT_DEVICE: o->device = arg; break;
    case WSD_INFER_OPT_THREADS:
        o->threads = wsd_opt_long(arg, "--threads", 0, WSD_OPT_MAX_THREADS);
        break;
    case 'q': o->quiet = 1; break;
    case 'h': wsd_opt_usage(usage, 1);
    case WSD_INFER_OPT_VERSION: wsd_opt_version();
    default: return 0;
    }
    return 1;
}

void wsd_infer_opts_finish(wsd_infer_opts *o, int argc, char **argv, const char *usage) {
    if (optind < argc - 1) {
        fputs(usage, stderr);
        wsd_die("expected at most one INPUT file");
    }
    if (!o->model || !o->feats) {
        fputs(usage, stderr);
        wsd_die("--model and --feats are required");
    }
    o->input = optind < argc ? argv[optind] : NULL;
    if (o->videos && o->input) wsd_die("give either --videos or an INPUT file, not both");
    const char *ins[] = {"--model",  o->model,  "--feats", o->feats,
                         "--videos", o->videos, "INPUT",   o->input};
    if (wsd_out_distinct(o->output, ins, 4)) wsd_die("%s", wsd_error());
    o->dev = nn_opt_device(o->device);
    if (o->threads > 0) nn_set_threads((int)o->threads);
}
