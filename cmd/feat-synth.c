/* feat-synth: synthetic features whose events leave a learnable trace, and a
 * small caption generator; the embedded demo data (feat-synth(1)). */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/captions.h"
#include "io/h5feat.h"
#include "io/synth.h"
#include "io/tsr.h"
#include "base/opt.h"
#include "base/samefile.h"
#include "base/util.h"

static const char usage[] =
    "usage: feat-synth [OPTIONS] CAPTIONS         synthetic features (tensor stream)\n"
    "       feat-synth --make-captions N [OPTIONS] a synthetic captions JSON\n"
    "CAPTIONS: official captions JSON or JSON Lines ('-' = stdin). Each word has a\n"
    "fixed random signature; rows inside an event's span carry the normalised sum\n"
    "of its sentence's word signatures (soft edges), over a per-video background\n"
    "and Gaussian noise. Deterministic in --seed.\n"
    "  -o, --output FILE          tensor stream (default '-': stdout; with --hdf5\n"
    "                             and no -o, no stream is written)\n"
    "      --hdf5 FILE            also write the official C3D HDF5 layout\n"
    "      --compress             zlib-compress the stream payloads\n"
    "      --seed N               random seed (default 233)\n"
    "      --dim D                feature dimension (default 500)\n"
    "      --rows-per-second R    feature rows per second (default 1.0;\n"
    "                             ActivityNet C3D: 3.75 = 29.97 fps / 8)\n"
    "      --signal A             event trace amplitude (default 1.0)\n"
    "      --noise S              noise standard deviation (default 0.5)\n"
    "      --background B         per-video background std (default 0.5)\n"
    "      --edge SECONDS         softness of event edges (default 1.0)\n"
    "  caption generator:\n"
    "      --make-captions N      write N synthetic videos as captions JSON\n"
    "      --min-duration S, --max-duration S   video durations (20, 120)\n"
    "      --id-prefix P          video id prefix (default v_)\n"
    "  -h, --help, --version\n"
    "See feat-synth(1) and wsdec-tensor(5).\n";

static int make_captions(long n, const wsd_synth_captions_opts *co, const char *output) {
    wsd_synth_captions_opts o = *co;
    o.videos = n;
    wsd_captions *c = wsd_synth_captions(&o);
    wsd_out out;
    if (wsd_out_open(&out, output) != 0) wsd_die("%s", wsd_error());
    if (wsd_captions_write_json(out.fp, c) != 0 || wsd_out_commit(&out) != 0)
        wsd_die_internal("%s", wsd_error());
    wsd_captions_free(c);
    return 0;
}

typedef struct {
    wsd_synth_opts synth;
    wsd_synth_captions_opts caps;
    const char *output, *hdf5; /* tensor stream, HDF5 file */
    int compress;
    long make; /* --make-captions N, or -1 */
} options;

static void parse_options(int argc, char **argv, options *o) {
    wsd_synth_defaults(&o->synth);
    wsd_synth_captions_defaults(&o->caps);
    o->output = o->hdf5 = NULL;
    o->compress = 0;
    o->make = -1;
    enum {
        O_HDF5 = 256,
        O_COMPRESS,
        O_SEED,
        O_DIM,
        O_RPS,
        O_SIGNAL,
        O_NOISE,
        O_BG,
        O_EDGE,
        O_MAKE,
        O_MIND,
        O_MAXD,
        O_PREFIX,
        O_VERSION
    };
    static const struct option opts[] = {{"output", required_argument, 0, 'o'},
                                         {"hdf5", required_argument, 0, O_HDF5},
                                         {"compress", no_argument, 0, O_COMPRESS},
                                         {"seed", required_argument, 0, O_SEED},
                                         {"dim", required_argument, 0, O_DIM},
                                         {"rows-per-second", required_argument, 0, O_RPS},
                                         {"signal", required_argument, 0, O_SIGNAL},
                                         {"noise", required_argument, 0, O_NOISE},
                                         {"background", required_argument, 0, O_BG},
                                         {"edge", required_argument, 0, O_EDGE},
                                         {"make-captions", required_argument, 0, O_MAKE},
                                         {"min-duration", required_argument, 0, O_MIND},
                                         {"max-duration", required_argument, 0, O_MAXD},
                                         {"id-prefix", required_argument, 0, O_PREFIX},
                                         {"help", no_argument, 0, 'h'},
                                         {"version", no_argument, 0, O_VERSION},
                                         {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'o': o->output = optarg; break;
        case O_HDF5: o->hdf5 = optarg; break;
        case O_COMPRESS: o->compress = 1; break;
        case O_SEED:
            o->synth.seed = o->caps.seed =
                (uint64_t)wsd_opt_long(optarg, "--seed", 0, 0x7fffffffffffffffL);
            break;
        case O_DIM: o->synth.dim = wsd_opt_int(optarg, "--dim", 1, 65536); break;
        case O_RPS:
            o->synth.rows_per_second = wsd_opt_double(optarg, "--rows-per-second", 1e-6, 1e6);
            break;
        case O_SIGNAL: o->synth.signal = wsd_opt_double(optarg, "--signal", 0, 1e6); break;
        case O_NOISE: o->synth.noise = wsd_opt_double(optarg, "--noise", 0, 1e6); break;
        case O_BG: o->synth.background = wsd_opt_double(optarg, "--background", 0, 1e6); break;
        case O_EDGE: o->synth.edge = wsd_opt_double(optarg, "--edge", 0, 1e6); break;
        case O_MAKE: o->make = wsd_opt_long(optarg, "--make-captions", 1, WSD_OPT_MAX_COUNT); break;
        case O_MIND:
            o->caps.min_duration = wsd_opt_double(optarg, "--min-duration", 0.01, 1e7);
            break;
        case O_MAXD:
            o->caps.max_duration = wsd_opt_double(optarg, "--max-duration", 0.01, 1e7);
            break;
        case O_PREFIX: o->caps.id_prefix = optarg; break;
        case 'h': wsd_opt_usage(usage, 1);
        case O_VERSION: wsd_opt_version();
        default: wsd_opt_usage(usage, 0);
        }
    }
    if (o->caps.max_duration < o->caps.min_duration)
        wsd_die("--max-duration must be >= --min-duration");
}

/* Every video of caps as features into -o and/or --hdf5; the exit status.
 * On failure neither output is left behind. */
static int synthesise(const wsd_captions *caps, const options *o) {
    wsd_out out = {0};
    if (o->output && wsd_out_open(&out, o->output) != 0) wsd_die("%s", wsd_error());
    wsd_h5feat_writer *h5 = NULL;
    if (o->hdf5 && !(h5 = wsd_h5feat_create(o->hdf5))) wsd_die("%s", wsd_error());
    int status = 0;
    for (size_t i = 0; i < caps->n && !status; i++) {
        wsd_tsr t;
        if (wsd_synth_video(&caps->videos[i], &o->synth, &t) != 0) {
            wsd_warn("%s: %s", caps->path, wsd_error());
            status = WSD_EXIT_INPUT;
            break;
        }
        if (o->output && wsd_tsr_write(out.fp, &t, o->compress ? 6 : 0) != 0) {
            const char *name = strcmp(o->output, "-") ? o->output : "<stdout>";
            wsd_warn("%s: %s", name, wsd_error()); /* name the file */
            status = WSD_EXIT_INTERNAL;
        } else if (h5 && wsd_h5feat_write(h5, &t) != 0) {
            wsd_warn("%s", wsd_error());
            status = WSD_EXIT_INTERNAL;
        }
        wsd_tsr_free(&t);
    }
    if (!status && o->output && wsd_out_commit(&out) != 0) {
        wsd_warn("%s", wsd_error());
        status = WSD_EXIT_INTERNAL;
    }
    if (!status && h5) {
        int rc = wsd_h5feat_finish(h5);
        h5 = NULL;
        if (rc != 0) {
            wsd_warn("%s", wsd_error());
            status = WSD_EXIT_INTERNAL;
        }
    }
    if (status) {
        wsd_out_abort(&out);
        wsd_h5feat_abort(h5);
    }
    return status;
}

int main(int argc, char **argv) {
    wsd_set_progname(argv[0]);
    options o;
    parse_options(argc, argv, &o);
    if (o.make > 0) {
        if (optind != argc) wsd_die("--make-captions takes no CAPTIONS file");
        return make_captions(o.make, &o.caps, o.output ? o.output : "-");
    }
    if (optind != argc - 1) {
        fputs(usage, stderr);
        wsd_die("expected exactly one CAPTIONS file");
    }
    if (!o.output && !o.hdf5) o.output = "-";
    /* neither output replaces the captions, nor each other */
    const char *ins[] = {"CAPTIONS", argv[optind], "--hdf5", o.hdf5};
    if (wsd_out_distinct(o.output, ins, 2) || wsd_out_distinct(o.hdf5, ins, 1))
        wsd_die("%s", wsd_error());
    if (o.output && o.hdf5 && !strcmp(o.output, o.hdf5))
        wsd_die("-o and --hdf5 name the same file %s", o.hdf5);
    wsd_captions *caps = wsd_captions_load(argv[optind]);
    if (!caps) wsd_die("%s", wsd_error());
    if (caps->format == WSD_CAPTIONS_IDS)
        wsd_die("%s: a list of video ids has no durations or sentences to synthesise from",
                caps->path);
    if (caps->n == 0) wsd_die("%s: no videos", caps->path);
    int status = synthesise(caps, &o);
    wsd_captions_free(caps);
    return status;
}
