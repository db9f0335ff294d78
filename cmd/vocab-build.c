/* vocab-build: captions (official JSON or JSONL) -> vocabulary JSON (WSDEC
 * scripts/captioning_preprocess.py build_vocab). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/captions.h"
#include "base/opt.h"
#include "base/samefile.h"
#include "base/util.h"
#include "io/vocab.h"

static const char usage[] =
    "usage: vocab-build [OPTIONS] CAPTIONS\n"
    "Tokenise every training sentence, count, keep words seen at least --min-count\n"
    "times, sort by (-count, word), keep --size minus 3 of them; write the\n"
    "vocabulary JSON (<bos>=0, <eos>=1, words, <oov>=last). CAPTIONS is the\n"
    "official captions JSON or JSON Lines; '-' reads stdin.\n"
    "  -o, --output FILE   write here (default '-': stdout)\n"
    "      --min-count N   keep words with count >= N (default 2)\n"
    "      --size N        total entries incl. <bos>, <eos>, <oov> (default 6000)\n"
    "  -q, --quiet         no report on stderr\n"
    "  -h, --help          this help;  --version  print the version\n"
    "Reports the vocabulary size and token coverage on stderr. See vocab-build(1).\n";

int main(int argc, char **argv) {
    wsd_set_progname(argv[0]);
    const char *output = "-";
    long min_count = 2, size = 6000;
    int quiet = 0;
    enum { OPT_MIN = 256, OPT_SIZE, OPT_VERSION };
    static const struct option opts[] = {{"output", required_argument, 0, 'o'},
                                         {"min-count", required_argument, 0, OPT_MIN},
                                         {"size", required_argument, 0, OPT_SIZE},
                                         {"quiet", no_argument, 0, 'q'},
                                         {"help", no_argument, 0, 'h'},
                                         {"version", no_argument, 0, OPT_VERSION},
                                         {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "o:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'o': output = optarg; break;
        case OPT_MIN: min_count = wsd_opt_long(optarg, "--min-count", 1, WSD_OPT_MAX_COUNT); break;
        case OPT_SIZE: size = wsd_opt_long(optarg, "--size", 3, 100000000); break;
        case 'q': quiet = 1; break;
        case 'h': wsd_opt_usage(usage, 1);
        case OPT_VERSION: wsd_opt_version();
        default: wsd_opt_usage(usage, 0);
        }
    }
    if (optind != argc - 1) {
        fputs(usage, stderr);
        wsd_die("expected exactly one CAPTIONS file");
    }
    const char *ins[] = {"CAPTIONS", argv[optind]};
    if (wsd_out_distinct(output, ins, 1)) wsd_die("%s", wsd_error());
    wsd_captions *caps = wsd_captions_load(argv[optind]);
    if (!caps) wsd_die("%s", wsd_error());
    if (caps->format == WSD_CAPTIONS_IDS)
        wsd_die("%s: is a list of video ids; a vocabulary needs sentences", caps->path);
    wsd_vocab_stats st;
    wsd_vocab *v = wsd_vocab_build(caps, (int)min_count, (int)size, &st);
    if (!v) wsd_die("%s", wsd_error());
    if (st.tokens == 0) wsd_die("%s: no sentences to build a vocabulary from", caps->path);
    wsd_out out;
    if (wsd_out_open(&out, output) != 0) wsd_die("%s", wsd_error());
    if (wsd_vocab_save(out.fp, v) != 0 || wsd_out_commit(&out) != 0)
        wsd_die_internal("%s", wsd_error());
    if (!quiet)
        fprintf(stderr,
                "vocab-build: %s: %zu videos, %lld sentences, %lld tokens, %lld distinct words, "
                "%lld with count >= %ld\n"
                "vocab-build: vocabulary: %d entries (%d words + <bos> <eos> <oov>); coverage "
                "%.4f%% of training tokens "
                "(%lld of %lld)\n",
                caps->path, caps->n, st.sentences, st.tokens, st.distinct, st.distinct_kept,
                min_count, v->n, v->n - 3, 100.0 * (double)st.tokens_in_vocab / (double)st.tokens,
                st.tokens_in_vocab, st.tokens);
    wsd_vocab_free(v);
    wsd_captions_free(caps);
    return 0;
}
