/* densevid-score: the official ActivityNet Captions dense-captioning scorer
 * (densevid_eval, 2018 semantics by default) over a submission JSON or wsdec
 * JSON Lines. See man/man1/densevid-score.1. */
#include "score/meteor/meteor.h"
#include "score/meteor/meteor_data.h"
#include "score/score_data.h"
#include "score/score_eval.h"
#include "score/score_localization.h"
#include "score/score_per_video.h"
#include "score/score_meteor.h"
#include "score/score_report.h"
#include "score/soda.h"
#include "base/opt.h"
#include "base/util.h"

#include <stdlib.h>
#include <string.h>

static void usage(FILE *fp) {
    fputs("usage: densevid-score [-s SUBMISSION] -r REF [REF ...] [options]\n"
          "Scores dense event captions as the official ActivityNet Captions evaluator\n"
          "(densevid_eval) does: BLEU-1..4, METEOR, ROUGE-L, CIDEr-D, recall, precision\n"
          "per tIoU threshold and averaged. Prints the official table on stdout.\n"
          "\n"
          "  -s, --submission FILE   official submission JSON or wsdec JSON Lines (default -,\n"
          "                          stdin); a lone FILE argument means the same\n"
          "  -r, --refs FILE...      reference files, e.g. val_1.json val_2.json (required)\n"
          "      --tious T...        tIoU thresholds (default 0.3 0.5 0.7 0.9; with\n"
          "                          --localization 0.1 0.3 0.5 0.7 0.9)\n"
          "      --max-proposals N   proposals kept per video, first N (default 1000; -ppv)\n"
          "      --eval-version V    2018 (default; deba7d7, garbage reference abc123!@#)\n"
          "                          or 2019 (9d4045a, random garbage words)\n"
          "      --seed N            seed of the 2019 garbage words (default 1)\n"
          "      --format F          auto (default), json or jsonl\n"
          "      --json              print JSON (raw values, not x100) instead of the table\n"
          "      --no-meteor         leave METEOR out of the table\n"
          "      --per-video FILE    also write every metric per video (JSON Lines; their mean\n"
          "                          over the reference videos is the table)\n"
          "      --meteor-jar FILE   Meteor 1.5 data from meteor-1.5.jar (pycocoevalcap or\n"
          "                          coco-caption's pycocoevalcap/meteor/), paraphrase table\n"
          "                          from data/paraphrase-en.gz beside it\n"
          "      --meteor-dir DIR    the folder holding meteor-1.5.jar and data/, or an unpacked\n"
          "                          Meteor tree (default $WSD_METEOR_DIR, else a pycocoevalcap\n"
          "                          or coco-caption install found by itself)\n"
          "      --meteor-function-words F, --meteor-prefixes F, --meteor-paraphrase F,\n"
          "      --meteor-synonyms DIR  single Meteor files instead\n"
          "      --wordnet DIR       Debian WordNet for --meteor-approximate (/usr/share/wordnet)\n"
          "      --meteor-approximate  print METEOR even when a Meteor data file is missing\n"
          "      --localization      also sentence localization as WSDEC reports it: each\n"
          "                          sentence's timestamp against its own gt_timestamp\n"
          "                          (localize --videos), R@1 per tIoU and mIoU; one REF\n"
          "      --soda              also SODA_c (needs METEOR): per reference file and the mean\n"
          "  -h, --help              this help; --version  the version\n",
          fp);
}

typedef struct {
    const char *submission;
    const char **refs;
    size_t n_refs;
    double *tious;
    size_t n_tious;
    long max_proposals;
    long semantics;
    long seed;
    score_format format;
    int json, no_meteor, meteor_approx, soda, localization;
    const char *meteor_dir, *meteor_jar, *fw, *prefixes, *paraphrase, *synonyms, *wordnet;
    const char *per_video;
} options;

static int is_option(const char *a) { return a[0] == '-' && a[1] != '\0'; }

/* "-0.5", "-inf": a value (to be range-checked), not an option */
static int is_number(const char *a) {
    char *end = NULL;
    (void)strtod(a, &end);
    return end != a && *end == '\0';
}

static const char *need_arg(int argc, char **argv, int *i) {
    if (*i + 1 >= argc) wsd_die("%s needs an argument (see --help)", argv[*i]);
    return argv[++*i];
}

/* The flags and the options that take one value as it is; 0 when a is none
 * of them. */
static int simple_option(options *o, int argc, char **argv, int *i) {
    const struct {
        const char *name;
        const char **value; /* NULL: a flag */
        int *flag;
    } t[] = {{"--json", NULL, &o->json},
             {"--no-meteor", NULL, &o->no_meteor},
             {"--localization", NULL, &o->localization},
             {"--soda", NULL, &o->soda},
             {"--meteor-approximate", NULL, &o->meteor_approx},
             {"--per-video", &o->per_video, NULL},
             {"--meteor-dir", &o->meteor_dir, NULL},
             {"--meteor-jar", &o->meteor_jar, NULL},
             {"--meteor-synonyms", &o->synonyms, NULL},
             {"--meteor-function-words", &o->fw, NULL},
             {"--meteor-prefixes", &o->prefixes, NULL},
             {"--meteor-paraphrase", &o->paraphrase, NULL},
             {"--wordnet", &o->wordnet, NULL}};
    for (size_t k = 0; k < sizeof t / sizeof *t; k++) {
        if (strcmp(argv[*i], t[k].name)) continue;
        if (t[k].value)
            *t[k].value = need_arg(argc, argv, i);
        else
            *t[k].flag = 1;
        return 1;
    }
    return 0;
}

static void parse_args(int argc, char **argv, options *o) {
    static double default_tious[] = {0.3, 0.5, 0.7, 0.9};
    /* scripts/densevid_eval_localization.py's defaults */
    static double localization_tious[] = {0.1, 0.3, 0.5, 0.7, 0.9};
    memset(o, 0, sizeof *o);
    o->max_proposals = 1000;
    o->semantics = 2018;
    o->seed = 1;
    o->refs = wsd_calloc((size_t)argc, sizeof *o->refs);
    /* room for every argument or the defaults, whichever is more */
    o->tious = wsd_calloc((size_t)argc + sizeof localization_tious / sizeof *localization_tious,
                          sizeof *o->tious);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            exit(0);
        } else if (!strcmp(a, "--version")) {
            wsd_opt_version();
        } else if (!strcmp(a, "-s") || !strcmp(a, "--submission")) {
            o->submission = need_arg(argc, argv, &i);
        } else if (!strcmp(a, "-r") || !strcmp(a, "--refs") || !strcmp(a, "--references")) {
            if (i + 1 >= argc || is_option(argv[i + 1]))
                wsd_die("%s needs at least one reference file", a);
            while (i + 1 < argc && !is_option(argv[i + 1])) o->refs[o->n_refs++] = argv[++i];
        } else if (!strcmp(a, "--tious")) {
            if (i + 1 >= argc) wsd_die("--tious needs at least one threshold");
            while (i + 1 < argc && (!is_option(argv[i + 1]) || is_number(argv[i + 1]))) {
                o->tious[o->n_tious++] = wsd_opt_double(argv[++i], "--tious", 0, 1);
            }
            if (!o->n_tious) wsd_die("--tious needs at least one threshold");
        } else if (!strcmp(a, "--max-proposals") || !strcmp(a, "-ppv") ||
                   !strcmp(a, "--max-proposals-per-video")) {
            o->max_proposals = wsd_opt_long(need_arg(argc, argv, &i), a, 0, WSD_OPT_MAX_COUNT);
        } else if (!strcmp(a, "--eval-version") || !strcmp(a, "--version-semantics")) {
            static const char *const years[] = {"2018", "2019", NULL};
            o->semantics = 2018 + wsd_opt_choice(need_arg(argc, argv, &i), a, years);
        } else if (!strcmp(a, "--seed")) {
            o->seed = wsd_opt_long(need_arg(argc, argv, &i), "--seed", 0, 0x7fffffffffffffffL);
        } else if (!strcmp(a, "--format")) {
            static const char *const formats[] = {"auto", "json", "jsonl", NULL};
            o->format = (score_format)wsd_opt_choice(need_arg(argc, argv, &i), "--format", formats);
        } else if (simple_option(o, argc, argv, &i)) {
            continue;
        } else if (is_option(a)) {
            wsd_die("unknown option '%s' (see --help)", a);
        } else if (!o->submission) {
            o->submission = a;
        } else {
            wsd_die("unexpected argument '%s' (one submission; references go after --refs)", a);
        }
    }
    if (!o->n_refs) wsd_die("no reference files: give --refs val_1.json [val_2.json ...]");
    if (!o->submission) o->submission = "-";
    if (!o->n_tious && o->localization) {
        memcpy(o->tious, localization_tious, sizeof localization_tious);
        o->n_tious = sizeof localization_tious / sizeof *localization_tious;
    } else if (!o->n_tious) {
        memcpy(o->tious, default_tious, sizeof default_tious);
        o->n_tious = sizeof default_tious / sizeof *default_tious;
    }
}

/* Opens METEOR when its data is complete (or --meteor-approximate and usable);
 * otherwise NULL and *note says what is missing. Explicitly named data that
 * cannot be used is an input error. */
static wsd_meteor *open_meteor(const options *o, char *note, size_t note_size) {
    wsd_meteor_where w = {0};
    w.jar = o->meteor_jar;
    w.dir = o->meteor_dir;
    w.function_words = o->fw;
    w.prefixes = o->prefixes;
    w.synonym_dir = o->synonyms;
    w.paraphrase = o->paraphrase;
    w.search = !o->meteor_jar && !o->meteor_dir;
    wsd_meteor_data d;
    if (wsd_meteor_data_find(&w, &d) != 0) wsd_die("METEOR data: %s", wsd_error());
    int found_any = d.paraphrase != NULL;
    for (int k = 0; k < WSD_METEOR_N_TEXT; k++) found_any |= d.text[k] != NULL;
    wsd_meteor *m = NULL;
    if (!found_any && (o->meteor_jar || o->meteor_dir)) {
        snprintf(note, note_size,
                 "no Meteor 1.5 data in %s (expected meteor-1.5.jar and data/paraphrase-en.gz)",
                 o->meteor_jar ? o->meteor_jar : o->meteor_dir);
    } else if (!found_any) {
        snprintf(note, note_size,
                 "no Meteor 1.5 data found: give --meteor-jar FILE or --meteor-dir DIR "
                 "(pycocoevalcap/meteor/), or fetch it with data/download.sh meteor");
    } else if (*d.missing && !o->meteor_approx) {
        snprintf(note, note_size, "Meteor 1.5 data incomplete, missing: %s (%s)", d.missing,
                 d.source);
    } else {
        m = wsd_meteor_open_data(&d, o->wordnet);
        if (!m && !*d.missing) wsd_die("METEOR data: %s", wsd_error());
        if (!m)
            snprintf(note, note_size, "%s", wsd_error());
        else if (!wsd_meteor_official(m))
            snprintf(note, note_size, "%s", wsd_meteor_caveat(m));
    }
    wsd_meteor_data_free(&d);
    return m;
}

int main(int argc, char **argv) {
    wsd_set_progname(argv[0]);
    options o;
    parse_args(argc, argv, &o);

    score_set *refs = wsd_calloc(o.n_refs, sizeof *refs);
    for (size_t f = 0; f < o.n_refs; f++)
        if (score_load_references(o.refs[f], &refs[f])) wsd_die("%s", wsd_error());
    score_set sub;
    if (score_load_submission(o.submission, o.format, &sub)) wsd_die("%s", wsd_error());
    score_loc_result loc = {0};
    if (o.localization) {
        if (score_localization(&sub, refs, o.n_refs, o.tious, o.n_tious, (size_t)o.max_proposals,
                               &loc))
            wsd_die("%s", wsd_error());
        if (loc.n_empty)
            wsd_warn("localization: %zu video(s) have an empty list and add nothing to R@1 (the "
                     "reference script "
                     "adds the previous video's sentence count to the denominator there, or prints "
                     "no R@1 at all)",
                     loc.n_empty);
    }

    char note[512] = "";
    wsd_meteor *meteor = NULL;
    if (!o.no_meteor || o.soda) {
        meteor = open_meteor(&o, note, sizeof note);
        if (!meteor)
            wsd_warn("METEOR left out: %s", note);
        else if (*note)
            wsd_warn("%s", note);
        else
            wsd_warn("METEOR: %s", wsd_meteor_source(meteor));
    }

    score_options so = {0};
    so.tious = o.tious;
    so.n_tious = o.n_tious;
    so.max_proposals = (size_t)o.max_proposals;
    so.semantics = o.semantics == 2019 ? SCORE_SEMANTICS_2019 : SCORE_SEMANTICS_2018;
    so.seed = (uint64_t)o.seed;
    so.meteor = meteor && !o.no_meteor ? score_meteor_video : NULL;
    so.meteor_ctx = meteor;
    so.keep_per_video = o.per_video != NULL;
    score_result r;
    if (score_evaluate(&sub, refs, o.n_refs, &so, &r)) wsd_die_internal("%s", wsd_error());
    if (r.n_ignored)
        wsd_warn("%zu submitted video(s) are in no reference file and were ignored", r.n_ignored);
    if (r.line_shift_captions)
        wsd_warn("%zu caption(s) contain CR, VT or FF: the official tokenizer shifts every later "
                 "caption of its batch "
                 "by one line, and so do these scores",
                 r.line_shift_captions);

    soda_result *soda = NULL;
    char soda_note[600] = "";
    if (o.soda && !meteor) {
        snprintf(soda_note, sizeof soda_note, "needs METEOR: %s", note);
    } else if (o.soda) {
        soda = wsd_calloc(o.n_refs, sizeof *soda);
        for (size_t f = 0; f < o.n_refs; f++)
            if (soda_c(&sub, &refs[f], score_meteor_sentence, meteor, &soda[f]))
                wsd_die_internal("%s", wsd_error());
    }

    if (o.per_video) {
        wsd_out pv;
        if (wsd_out_open(&pv, o.per_video)) wsd_die("--per-video: %s", wsd_error());
        if (score_write_per_video(pv.fp, &r, &sub)) {
            wsd_out_abort(&pv);
            wsd_die_internal("%s", wsd_error());
        }
        if (wsd_out_commit(&pv)) wsd_die_internal("%s", wsd_error());
    }

    if (meteor && wsd_meteor_cut_count(meteor))
        wsd_warn("METEOR: %zu caption(s) longer than %d words were cut to their first %d words "
                 "(the alignment's "
                 "memory grows with the square of the length)",
                 wsd_meteor_cut_count(meteor), WSD_METEOR_MAX_WORDS, WSD_METEOR_MAX_WORDS);
    score_report_options ro = {0};
    ro.want_soda = o.soda;
    ro.soda = soda;
    ro.soda_files = o.refs;
    ro.n_soda = o.n_refs;
    ro.soda_note = soda_note;
    ro.show_meteor = !o.no_meteor;
    ro.meteor_note = note;
    ro.meteor_source = meteor ? wsd_meteor_source(meteor) : NULL;
    ro.semantics = (int)o.semantics;
    ro.loc = o.localization ? &loc : NULL;
    if (o.json)
        score_print_json(stdout, &r, &ro);
    else
        score_print_table(stdout, &r, &ro);
    if (fflush(stdout) != 0 || ferror(stdout)) wsd_die_internal("write error on standard output");

    score_result_free(&r);
    score_loc_result_free(&loc);
    free(soda);
    if (meteor) wsd_meteor_close(meteor);
    score_set_free(&sub);
    for (size_t f = 0; f < o.n_refs; f++) score_set_free(&refs[f]);
    free(refs);
    free(o.refs);
    free(o.tious);
    return 0;
}
