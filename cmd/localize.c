/* localize: JSONL sentences -> JSONL segments with the sentence localizer
 * (wsdec-spec.md §2.6 test path; §4.1 step 3-4 when events carry "seed_cw"). */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wsd/batch.h"
#include "io/captions.h"
#include "io/featset.h"
#include "io/jsonl.h"
#include "wsd/model_sl.h"
#include "wsd/segment.h"
#include "base/progress.h"
#include "base/util.h"

static const char usage[] =
    "usage: localize --model CKPT --feats FEATS [OPTIONS] [INPUT]\n"
    "For every event sentence of each JSON Lines video record, predict its segment\n"
    "with the sentence localizer and write it as \"timestamp\" [start, end] seconds.\n"
    "Events carrying \"seed_cw\" (from caption --proposals) are then filtered and\n"
    "merged per video as the reference's test cycle does. INPUT defaults to '-'.\n"
    "  -m, --model CKPT      wsdec-train checkpoint (two-model or SL-only)\n"
    "  -f, --feats FEATS     tensor stream or C3D HDF5 with every video's features\n"
    "  -o, --output FILE     write here (default '-': stdout)\n"
    "      --videos FILE     localize the sentences of this captions file (official\n"
    "                        JSON or JSONL) instead of reading INPUT; each event\n"
    "                        keeps its own segment as \"gt_timestamp\"\n"
    "  -b, --batch N         videos per forward pass (default 8)\n"
    "      --sample-rate N   feature sub-sampling (default: the checkpoint's)\n"
    "      --drop-iou X      drop a proposal whose IoU with its seed is > X (default 0.2)\n"
    "      --merge-iou X     merge into a kept segment when IoU > X (default 0.9)\n"
    "      --no-filter       localize every sentence, no filter/merge\n"
    "      --device DEV      auto, cpu or cuda (default auto)\n"
    "      --threads N       CPU threads for matrix products (default: library's)\n"
    "  -q, --quiet           no summary on stderr\n"
    "  -h, --help            this help;  --version  print the version\n"
    "See localize(1).\n";

typedef struct {
    wsd_sl sl;
    wsd_sl_run run;
    wsd_vocab *vocab;
    wsd_featset *feats;
    wsd_batch batch;
    float drop_iou, merge_iou;
    int filter;
    const char *input;
    long n_videos, n_sentences, n_kept, n_proposals;
    wsd_progress *progress;
} ctx;

typedef struct {
    cJSON *obj;
    long line;
} record;

/* The output being written, so a fatal input error removes it. */
static wsd_out g_out;
static int g_out_open;

#define DIE(...)                                  \
    do {                                          \
        if (g_out_open) wsd_out_abort(&g_out);    \
        wsd_die(__VA_ARGS__);                     \
    } while (0)

static double round6(double x) { return round(x * 1e6) / 1e6; }

static cJSON *pair(double a, double b) {
    cJSON *arr = cJSON_CreateArray();
    cJSON_AddItemToArray(arr, cJSON_CreateNumber(round6(a)));
    cJSON_AddItemToArray(arr, cJSON_CreateNumber(round6(b)));
    return arr;
}

static const char *event_sentence(const cJSON *ev) {
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(ev, "sentence");
    return cJSON_IsString(s) ? s->valuestring : NULL;
}

static int read_seed(const cJSON *ev, wsd_seg *seg) {
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(ev, "seed_cw");
    if (!s) return 0;
    if (!cJSON_IsArray(s) || cJSON_GetArraySize(s) != 2 || !cJSON_IsNumber(s->child) ||
        !cJSON_IsNumber(s->child->next))
        return -1;
    seg->a = (float)s->child->valuedouble;
    seg->b = (float)s->child->next->valuedouble;
    return 1;
}

/* Replaces the events of a video by the kept segments of the filter/merge;
 * each carries the fields of the first proposal that made it. */
static void filter_video(ctx *c, const record *rec, cJSON *events, int row0, int n_rows,
                         const float *cw, double dur) {
    wsd_seg *seed = wsd_malloc(sizeof *seed * (size_t)n_rows);
    wsd_seg *nw = wsd_malloc(sizeof *nw * (size_t)n_rows);
    wsd_seg *kept = wsd_malloc(sizeof *kept * (size_t)n_rows);
    int *vid = wsd_calloc((size_t)n_rows, sizeof *vid), *kv = wsd_malloc(sizeof *kv * (size_t)n_rows);
    cJSON **src = wsd_calloc((size_t)n_rows, sizeof *src);
    cJSON *others = cJSON_CreateArray();
    int m = 0, n_kept = 0;
    cJSON *ev;
    cJSON_ArrayForEach(ev, events) {
        if (!event_sentence(ev)) {
            cJSON_AddItemToArray(others, cJSON_Duplicate(ev, 1));
            continue;
        }
        if (read_seed(ev, &seed[m]) != 1)
            DIE("%s:%ld: event %d has a sentence but no valid \"seed_cw\" [c, w] while others "
                    "do; use --no-filter to localize without filtering", c->input, rec->line, m);
        nw[m] = (wsd_seg){cw[2 * (row0 + m)], cw[2 * (row0 + m) + 1]};
        /* Run the reference's loop one row further to see whether this row
         * opened a new kept segment (then it lends its fields to it). */
        int now = wsd_filter_merge(m + 1, vid, seed, nw, c->drop_iou, c->merge_iou, kept, kv);
        if (now > n_kept) src[n_kept] = ev;
        n_kept = now;
        m++;
    }
    cJSON *out = cJSON_CreateArray();
    for (int k = 0; k < n_kept; k++) {
        cJSON *e = cJSON_Duplicate(src[k], 1);
        cJSON_DeleteItemFromObjectCaseSensitive(e, "seed_cw");
        cJSON_DeleteItemFromObjectCaseSensitive(e, "timestamp");
        cJSON_AddItemToObject(e, "timestamp", pair(kept[k].a * dur, kept[k].b * dur));
        cJSON_AddItemToArray(out, e);
    }
    cJSON *o;
    while ((o = cJSON_DetachItemFromArray(others, 0))) cJSON_AddItemToArray(out, o);
    cJSON_Delete(others);
    cJSON_ReplaceItemInObjectCaseSensitive(rec->obj, "events", out);
    c->n_kept += n_kept;
    c->n_proposals += n_rows;
    free(seed);
    free(nw);
    free(kept);
    free(vid);
    free(kv);
    free(src);
}

static void flush(ctx *c, record *recs, int n, FILE *fp) {
    const wsd_feat **feats = wsd_malloc(sizeof *feats * (size_t)(n ? n : 1));
    const char **keys = wsd_malloc(sizeof *keys * (size_t)(n ? n : 1));
    double *durs = wsd_malloc(sizeof *durs * (size_t)(n ? n : 1));
    int *slot = wsd_malloc(sizeof *slot * (size_t)(n ? n : 1));
    int B = 0;
    for (int i = 0; i < n; i++) {
        slot[i] = -1;
        const cJSON *ev, *events = cJSON_GetObjectItemCaseSensitive(recs[i].obj, "events");
        int has = 0;
        cJSON_ArrayForEach(ev, events) has |= event_sentence(ev) != NULL;
        if (!has) continue;
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(recs[i].obj, "video_id");
        const wsd_feat *f = wsd_featset_get(c->feats, id->valuestring);
        if (!f) DIE("%s:%ld: %s", c->input, recs[i].line, wsd_error());
        const cJSON *d = cJSON_GetObjectItemCaseSensitive(recs[i].obj, "duration");
        double dur = cJSON_IsNumber(d) ? d->valuedouble : f->duration;
        if (!(dur > 0))
            DIE("%s:%ld: video '%s' needs a positive \"duration\" (seconds)", c->input,
                    recs[i].line, id->valuestring);
        feats[B] = f, keys[B] = f->id, durs[B] = dur, slot[i] = B++;
    }
    if (B > 0) {
        wsd_batch *b = &c->batch;
        if (wsd_batch_set_videos(b, feats, keys, durs, B) != 0) DIE("%s", wsd_error());
        for (int i = 0; i < n; i++) {
            if (slot[i] < 0) continue;
            const cJSON *ev, *events = cJSON_GetObjectItemCaseSensitive(recs[i].obj, "events");
            int e = 0;
            cJSON_ArrayForEach(ev, events) {
                const char *s = event_sentence(ev);
                if (s && wsd_batch_add_sentence(b, c->vocab, slot[i], s, 0, 0, e) != 0)
                    DIE("%s:%ld: event %d: %s", c->input, recs[i].line, e, wsd_error());
                e++;
            }
        }
        if (wsd_batch_finish_captions(b) != 0) DIE("%s", wsd_error());
        if (wsd_sl_forward(&c->sl, &c->run, b, NULL, 0, NULL) != 0)
        {
            if (g_out_open) wsd_out_abort(&g_out);
            wsd_die_internal("localizer: %s", wsd_error());
        }
        float *sec = wsd_malloc(sizeof *sec * 2 * (size_t)b->N), *cw = wsd_malloc(sizeof *cw * 2 * (size_t)b->N);
        wsd_sl_test_seconds(&c->sl, &c->run, b, sec);
        wsd_sl_eval_cw(&c->sl, &c->run, cw);
        int row = 0;
        for (int i = 0; i < n; i++) {
            if (slot[i] < 0) continue;
            cJSON *ev, *events = cJSON_GetObjectItemCaseSensitive(recs[i].obj, "events");
            int rows = 0, seeded = 0;
            cJSON_ArrayForEach(ev, events) {
                if (!event_sentence(ev)) continue;
                wsd_seg tmp;
                int r = read_seed(ev, &tmp);
                if (r < 0) DIE("%s:%ld: \"seed_cw\" must be [c, w] numbers", c->input, recs[i].line);
                seeded |= r;
                rows++;
            }
            if (seeded && c->filter) {
                filter_video(c, &recs[i], events, row, rows, cw, durs[slot[i]]);
            } else {
                int m = 0;
                cJSON_ArrayForEach(ev, events) {
                    if (!event_sentence(ev)) continue;
                    const float *s = sec + 2 * (row + m);
                    cJSON_DeleteItemFromObjectCaseSensitive(ev, "timestamp");
                    cJSON_AddItemToObject(ev, "timestamp", pair(s[0], s[1]));
                    m++;
                }
            }
            row += rows;
        }
        c->n_sentences += b->N;
        free(sec);
        free(cw);
    }
    for (int i = 0; i < n; i++) {
        if (wsd_jsonl_write(fp, recs[i].obj) != 0) wsd_die_internal("%s", wsd_error());
        cJSON_Delete(recs[i].obj);
    }
    c->n_videos += n;
    wsd_progress_step(c->progress, n);
    free(feats);
    free(keys);
    free(durs);
    free(slot);
}

/* Queues one video record; a full batch is localized and written. */
static void add_record(ctx *c, record *recs, int *n, int batch, cJSON *obj, long line) {
    recs[*n].obj = obj, recs[*n].line = line;
    if (++*n == batch) {
        flush(c, recs, *n, g_out.fp);
        *n = 0;
    }
}

/* The videos of a captions file as records whose events keep their reference
 * segment as "gt_timestamp", as the reference's evaluate_localization.py
 * writes its submission (wsdec-spec.md §4.2). */
static void localize_videos(ctx *c, record *recs, int *n, int batch, const char *path) {
    wsd_captions *caps = wsd_captions_load(path);
    if (!caps) DIE("%s", wsd_error());
    if (wsd_captions_n_events(caps) == 0) DIE("%s: no sentences to localize (a list of ids has none)", path);
    c->progress->total = (long)caps->n;
    for (size_t i = 0; i < caps->n; i++) {
        cJSON *obj = wsd_video_to_json(&caps->videos[i]), *ev;
        cJSON_ArrayForEach(ev, cJSON_GetObjectItemCaseSensitive(obj, "events")) {
            const cJSON *ts = cJSON_GetObjectItemCaseSensitive(ev, "timestamp");
            cJSON_AddItemToObject(ev, "gt_timestamp", cJSON_Duplicate(ts, 1));
        }
        add_record(c, recs, n, batch, obj, (long)i + 1);
    }
    wsd_captions_free(caps);
}

int main(int argc, char **argv) {
    wsd_set_progname(argv[0]);
    const char *model = NULL, *feats = NULL, *output = "-", *device = "auto", *videos = NULL;
    long batch = 8, sample_rate = 0, threads = 0;
    double drop = 0.2, merge = 0.9;
    int filter = 1, quiet = 0;
    enum { OPT_SR = 256, OPT_DROP, OPT_MERGE, OPT_NOFILTER, OPT_DEVICE, OPT_THREADS, OPT_VERSION, OPT_VIDEOS };
    static const struct option opts[] = {
        {"model", required_argument, 0, 'm'},     {"feats", required_argument, 0, 'f'},
        {"output", required_argument, 0, 'o'},    {"batch", required_argument, 0, 'b'},
        {"sample-rate", required_argument, 0, OPT_SR}, {"drop-iou", required_argument, 0, OPT_DROP},
        {"merge-iou", required_argument, 0, OPT_MERGE}, {"no-filter", no_argument, 0, OPT_NOFILTER},
        {"device", required_argument, 0, OPT_DEVICE}, {"threads", required_argument, 0, OPT_THREADS},
        {"videos", required_argument, 0, OPT_VIDEOS},
        {"quiet", no_argument, 0, 'q'},           {"help", no_argument, 0, 'h'},
        {"version", no_argument, 0, OPT_VERSION}, {0, 0, 0, 0}};
    int ch;
    while ((ch = getopt_long(argc, argv, "m:f:o:b:qh", opts, NULL)) != -1) {
        switch (ch) {
        case 'm': model = optarg; break;
        case 'f': feats = optarg; break;
        case 'o': output = optarg; break;
        case 'b':
            if (wsd_parse_long(optarg, "--batch", &batch) != 0 || batch < 1 || batch > 100000)
                DIE("--batch: expected an integer >= 1, got '%s'", optarg);
            break;
        case OPT_SR:
            if (wsd_parse_long(optarg, "--sample-rate", &sample_rate) != 0 || sample_rate < 1 || sample_rate > 1000)
                DIE("--sample-rate: expected an integer >= 1, got '%s'", optarg);
            break;
        case OPT_DROP:
            if (wsd_parse_double(optarg, "--drop-iou", &drop) != 0 || !(drop >= 0 && drop <= 1))
                DIE("--drop-iou: expected a number in [0, 1], got '%s'", optarg);
            break;
        case OPT_MERGE:
            if (wsd_parse_double(optarg, "--merge-iou", &merge) != 0 || !(merge >= 0 && merge <= 1))
                DIE("--merge-iou: expected a number in [0, 1], got '%s'", optarg);
            break;
        case OPT_NOFILTER: filter = 0; break;
        case OPT_VIDEOS: videos = optarg; break;
        case OPT_DEVICE: device = optarg; break;
        case OPT_THREADS:
            if (wsd_parse_long(optarg, "--threads", &threads) != 0 || threads < 0 || threads > 1024)
                DIE("--threads: expected an integer >= 0, got '%s'", optarg);
            break;
        case 'q': quiet = 1; break;
        case 'h': fputs(usage, stdout); return 0;
        case OPT_VERSION: printf("localize (wsdec) %s\n", WSD_VERSION); return 0;
        default: fputs(usage, stderr); return WSD_EXIT_INPUT;
        }
    }
    if (optind < argc - 1) {
        fputs(usage, stderr);
        DIE("expected at most one INPUT file");
    }
    if (!model || !feats) {
        fputs(usage, stderr);
        DIE("--model and --feats are required");
    }
    if (videos && optind < argc) DIE("give either --videos or an INPUT file, not both");
    ctx c;
    memset(&c, 0, sizeof c);
    c.input = videos ? videos : optind < argc ? argv[optind] : "-";
    c.drop_iou = (float)drop, c.merge_iou = (float)merge, c.filter = filter;
    wsd_progress progress;
    wsd_progress_start(&progress, "localize", 0, quiet);
    c.progress = &progress;
    nn_device dev;
    if (nn_device_parse(device, &dev) != 0) DIE("--device: %s", wsd_error());
    if (threads > 0) nn_set_threads((int)threads);
    if (wsd_sl_load(&c.sl, model, dev) != 0) DIE("%s", wsd_error());
    if (!(c.vocab = wsd_ckpt_vocab(model))) DIE("%s", wsd_error());
    if (c.vocab->n > c.sl.cfg.vocab)
        DIE("%s: the vocabulary has %d entries but the model only %d", model, c.vocab->n, c.sl.cfg.vocab);
    if (!sample_rate) sample_rate = c.sl.cfg.sample_rate;
    if (!(c.feats = wsd_featset_load(feats, (int)sample_rate, NULL, 0))) DIE("%s", wsd_error());
    if (wsd_featset_dim(c.feats) != c.sl.cfg.feat_dim)
        DIE("%s: features have %d dims, the model expects %d", feats, wsd_featset_dim(c.feats), c.sl.cfg.feat_dim);
    wsd_batch_init(&c.batch);

    wsd_jsonl_reader *in = videos ? NULL : wsd_jsonl_open(c.input);
    if (!videos && !in) DIE("%s", wsd_error());
    if (wsd_out_open(&g_out, output) != 0) DIE("%s", wsd_error());
    g_out_open = 1;
    record *recs = wsd_malloc(sizeof *recs * (size_t)batch);
    int n = 0, rc = 0;
    cJSON *obj;
    if (videos) localize_videos(&c, recs, &n, (int)batch, videos);
    while (in && (rc = wsd_jsonl_next(in, &obj)) == 1) {
        long line = wsd_jsonl_line(in);
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(obj, "video_id");
        const cJSON *events = cJSON_GetObjectItemCaseSensitive(obj, "events");
        if (!cJSON_IsString(id) || !id->valuestring[0]) {
            DIE("%s:%ld: expected a string \"video_id\"", c.input, line);
        }
        if (events && !cJSON_IsArray(events)) {
            DIE("%s:%ld: \"events\" must be an array", c.input, line);
        }
        add_record(&c, recs, &n, (int)batch, obj, line);
    }
    if (rc < 0) DIE("%s", wsd_error());
    flush(&c, recs, n, g_out.fp);
    wsd_progress_end(c.progress);
    g_out_open = 0;
    if (wsd_out_commit(&g_out) != 0) wsd_die_internal("%s", wsd_error());
    if (!quiet) {
        fprintf(stderr, "localize: %ld videos, %ld sentences localized", c.n_videos, c.n_sentences);
        if (c.n_proposals) fprintf(stderr, "; %ld proposals -> %ld kept segments", c.n_proposals, c.n_kept);
        fputc('\n', stderr);
    }
    free(recs);
    if (in) wsd_jsonl_close(in);
    wsd_batch_free(&c.batch);
    wsd_sl_run_free(&c.run);
    wsd_sl_free(&c.sl);
    wsd_vocab_free(c.vocab);
    wsd_featset_free(c.feats);
    return 0;
}
