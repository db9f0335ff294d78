/* densevid-report: one self-contained HTML page of dense-captioning results
 * (score table, a timeline per video, training curves). See man/man1/densevid-report.1. */
#include "base/opt.h"
#include "base/samefile.h"
#include "base/util.h"
#include "report/report_check.h"
#include "report/report_page.h"
#include "score/score_eval.h"

#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: densevid-report [-s PREDICTIONS] [-r REF ...] [--scores FILE] [--log [LABEL=]FILE ...] "
    "[-o FILE]\n"
    "Writes one self-contained HTML page: the score table, a timeline per video (a lane per\n"
    "reference file and one for the predictions, bars coloured by best tIoU, sentences on\n"
    "hover; sortable by score, searchable by id) and the training curves of --log files.\n"
    "\n"
    "  -s, --submission FILE  predictions: wsdec JSON Lines or an official submission JSON\n"
    "  -r, --refs FILE...     reference/captions files (val_1.json val_2.json ...): one lane each\n"
    "      --scores FILE      per-video scores from densevid-score --per-video (default: computed\n"
    "                         here without METEOR when predictions and references are given)\n"
    "      --no-scores        no score table and no sorting by score\n"
    "      --tious T...       thresholds of the computed scores (0.3 0.5 0.7 0.9)\n"
    "      --log [LABEL=]FILE training log (--log of cg-pretrain/wsdec-train); repeat to overlay "
    "runs\n"
    "      --title TEXT       page title (\"wsdec report\")\n"
    "  -o, --out FILE         the HTML file (default -, stdout)\n"
    "  -q, --quiet            no summary on stderr\n"
    "      --check FILE       only check a report: well formed, one timeline per video, bars "
    "where\n"
    "                         their times put them, chart lines inside their plots (exit 1 if "
    "not)\n"
    "  -h, --help   --version\n";

typedef struct {
    const char *pred, *scores, *title, *out, *check;
    const char **refs, **logs;
    size_t n_refs, n_logs, n_tious;
    double *tious;
    int quiet, no_scores;
} options;

static int is_option(const char *a) {
    return a[0] == '-' && a[1] != '\0' && !(a[1] >= '0' && a[1] <= '9');
}

static const char *arg(int argc, char **argv, int *i) {
    if (*i + 1 >= argc) wsd_die("%s needs an argument (see --help)", argv[*i]);
    return argv[++*i];
}

static void parse(int argc, char **argv, options *o) {
    memset(o, 0, sizeof *o);
    o->refs = wsd_calloc((size_t)argc, sizeof *o->refs);
    o->logs = wsd_calloc((size_t)argc, sizeof *o->logs);
    o->tious = wsd_calloc((size_t)argc + 4, sizeof *o->tious);
    o->out = "-";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help"))
            wsd_opt_usage(usage, 1);
        else if (!strcmp(a, "--version"))
            wsd_opt_version();
        else if (!strcmp(a, "-s") || !strcmp(a, "--submission"))
            o->pred = arg(argc, argv, &i);
        else if (!strcmp(a, "--scores"))
            o->scores = arg(argc, argv, &i);
        else if (!strcmp(a, "--no-scores"))
            o->no_scores = 1;
        else if (!strcmp(a, "--log"))
            o->logs[o->n_logs++] = arg(argc, argv, &i);
        else if (!strcmp(a, "--title"))
            o->title = arg(argc, argv, &i);
        else if (!strcmp(a, "--check"))
            o->check = arg(argc, argv, &i);
        else if (!strcmp(a, "-o") || !strcmp(a, "--out"))
            o->out = arg(argc, argv, &i);
        else if (!strcmp(a, "-q") || !strcmp(a, "--quiet"))
            o->quiet = 1;
        else if (!strcmp(a, "-r") || !strcmp(a, "--refs") || !strcmp(a, "--tious")) {
            int refs = a[1] == 'r' || a[2] == 'r';
            if (i + 1 >= argc || is_option(argv[i + 1]))
                wsd_die("%s needs at least one argument", a);
            while (i + 1 < argc && !is_option(argv[i + 1])) {
                if (refs)
                    o->refs[o->n_refs++] = argv[++i];
                else
                    o->tious[o->n_tious++] = wsd_opt_double(argv[++i], "--tious", 0, 1);
            }
        } else
            wsd_die("unknown argument '%s' (see --help)", a);
    }
    if (!o->pred && !o->n_refs && !o->n_logs && !o->check)
        wsd_die("nothing to report: give -s, -r or --log (see --help)");
    if (!o->n_tious) {
        static const double def[] = {0.3, 0.5, 0.7, 0.9};
        memcpy(o->tious, def, sizeof def);
        o->n_tious = 4;
    }
}

static int check(const char *path, int quiet) {
    size_t len;
    char *text = wsd_read_file(path, &len);
    report_check_stats st;
    if (!text) wsd_die("%s", wsd_error());
    if (report_check_html(text, len, &st)) wsd_die("%s: %s", path, wsd_error());
    if (!quiet)
        fprintf(stderr,
                "densevid-report: %s: well formed; %zu videos, %zu timelines, %zu bars, %zu "
                "charts, %zu lines\n",
                path, st.sections, st.timelines, st.bars, st.charts, st.polylines);
    free(text);
    return 0;
}

int main(int argc, char **argv) {
    wsd_set_progname(argv[0]);
    options o;
    parse(argc, argv, &o);
    if (o.check) {
        int rc = check(o.check, o.quiet);
        free(o.refs), free(o.logs), free(o.tious);
        return rc;
    }
    score_set *refs = wsd_calloc(o.n_refs + 1, sizeof *refs), pred = {0};
    for (size_t f = 0; f < o.n_refs; f++)
        if (score_load_references(o.refs[f], &refs[f])) wsd_die("%s", wsd_error());
    if (o.pred && score_load_submission(o.pred, SCORE_FORMAT_AUTO, &pred))
        wsd_die("%s", wsd_error());
    report_scores scores = {0};
    int have_scores = 0;
    if (o.scores && !o.no_scores) {
        if (report_scores_load(o.scores, &scores)) wsd_die("%s", wsd_error());
        have_scores = 1;
    } else if (o.pred && o.n_refs && !o.no_scores) {
        score_options so = {.tious = o.tious,
                            .n_tious = o.n_tious,
                            .max_proposals = 1000,
                            .semantics = SCORE_SEMANTICS_2018,
                            .keep_per_video = 1};
        score_result r;
        if (score_evaluate(&pred, refs, o.n_refs, &so, &r) ||
            report_scores_from_result(&r, &scores))
            wsd_die_internal("%s", wsd_error());
        score_result_free(&r);
        have_scores = 1;
    }
    report_run *runs = wsd_calloc(o.n_logs + 1, sizeof *runs);
    for (size_t i = 0; i < o.n_logs; i++) {
        const char *eq = strchr(o.logs[i], '='), *path = eq ? eq + 1 : o.logs[i];
        char *label = eq ? strndup(o.logs[i], (size_t)(eq - o.logs[i])) : NULL;
        if (report_run_load(path, label, &runs[i])) wsd_die("%s", wsd_error());
        free(label);
    }
    /* the page must never replace one of its inputs */
    const char **ins = wsd_calloc(2 * (o.n_refs + o.n_logs + 2), sizeof *ins);
    int n_ins = 0;
    ins[2 * n_ins] = "-s", ins[2 * n_ins++ + 1] = o.pred;
    ins[2 * n_ins] = "--scores", ins[2 * n_ins++ + 1] = o.scores;
    for (size_t f = 0; f < o.n_refs; f++) ins[2 * n_ins] = "-r", ins[2 * n_ins++ + 1] = o.refs[f];
    for (size_t i = 0; i < o.n_logs; i++) {
        const char *eq = strchr(o.logs[i], '=');
        ins[2 * n_ins] = "--log", ins[2 * n_ins++ + 1] = eq ? eq + 1 : o.logs[i];
    }
    if (wsd_out_distinct(o.out, ins, n_ins)) wsd_die("%s", wsd_error());
    free(ins);
    report_page pg = {.title = o.title,
                      .refs = refs,
                      .n_refs = o.n_refs,
                      .pred = o.pred ? &pred : NULL,
                      .pred_name = "predictions",
                      .scores = have_scores ? &scores : NULL,
                      .runs = runs,
                      .n_runs = o.n_logs};
    wsd_out out;
    if (wsd_out_open(&out, o.out)) wsd_die("%s", wsd_error());
    report_page_stats st;
    if (report_write_page(out.fp, &pg, &st)) {
        wsd_out_abort(&out);
        wsd_die_internal("%s", wsd_error());
    }
    if (wsd_out_commit(&out)) wsd_die_internal("%s", wsd_error());
    if (!o.quiet) {
        fprintf(stderr, "densevid-report: %zu timelines, %zu bars, %zu training runs -> %s\n",
                st.videos, st.bars, o.n_logs, strcmp(o.out, "-") ? o.out : "<stdout>");
        if (st.unknown_videos)
            wsd_warn("%zu predicted video(s) are in no reference file (listed in the report)",
                     st.unknown_videos);
        if (st.outside)
            wsd_warn("%zu event(s) lie outside their video (drawn clipped)", st.outside);
        if (st.empty) wsd_warn("%zu event(s) have an empty sentence", st.empty);
    }
    for (size_t i = 0; i < o.n_logs; i++) report_run_free(&runs[i]);
    for (size_t f = 0; f < o.n_refs; f++) score_set_free(&refs[f]);
    if (o.pred) score_set_free(&pred);
    if (have_scores) report_scores_free(&scores);
    free(runs), free(refs), free(o.refs), free(o.logs), free(o.tious);
    return 0;
}
