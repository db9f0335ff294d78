/* caption: JSONL segments (or generated proposals) -> JSONL sentences with the
 * caption generator (wsdec-spec.md §2.5 beam search; §4.1 steps 1-2 and 5-6). */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wsd/batch.h"
#include "io/captions.h"
#include "io/featset.h"
#include "io/jsonl.h"
#include "wsd/model_cg.h"
#include "wsd/model_sl.h" /* wsd_ckpt_vocab */
#include "wsd/segment.h"
#include "base/progress.h"
#include "base/util.h"

static const char usage[] =
    "usage: caption --model CKPT --feats FEATS [OPTIONS] [INPUT]\n"
    "Caption every event segment of each JSON Lines video record (\"timestamp\" in\n"
    "seconds, normalised by \"duration\") and set its \"sentence\"; other fields pass\n"
    "through. With --proposals the input events are replaced by generated segments\n"
    "(each recording its \"seed_cw\" for localize). INPUT defaults to '-'.\n"
    "  -m, --model CKPT      cg-pretrain or wsdec-train checkpoint\n"
    "  -f, --feats FEATS     tensor stream or C3D HDF5 with every video's features\n"
    "  -o, --output FILE     write here (default '-': stdout)\n"
    "      --proposals P     input (default), full, anchors, or random:N\n"
    "      --seed N          random proposals' seed (default 233)\n"
    "      --share N         videos sharing one draw of random proposals (default 8)\n"
    "      --videos FILE     caption these videos (captions JSON/JSONL/id list)\n"
    "                        instead of reading INPUT: their own events, or\n"
    "                        with --proposals generated ones\n"
    "      --beam K          beam size (default 3)\n"
    "      --greedy          greedy decoding (same as --beam 1)\n"
    "      --max-len N       words per caption (default: the checkpoint's, 20)\n"
    "  -b, --batch N         videos per forward pass (default 8)\n"
    "      --sample-rate N   feature sub-sampling (default: the checkpoint's)\n"
    "      --device DEV      auto, cpu or cuda (default auto)\n"
    "      --threads N       CPU threads for matrix products (default: library's)\n"
    "  -q, --quiet           no summary on stderr\n"
    "  -h, --help            this help;  --version  print the version\n"
    "See caption(1).\n";

typedef enum { PROP_INPUT, PROP_FULL, PROP_ANCHORS, PROP_RANDOM } proposal_kind;

typedef struct {
    wsd_cg *cg;
    wsd_vocab *vocab;
    wsd_featset *feats;
    wsd_batch batch;
    proposal_kind prop;
    int n_random, share, beam, max_len;
    wsd_progress *progress;
    nn_rng rng;
    float *shared;          /* the current draw of random proposals (n_random × 2) */
    long n_drawn_videos;    /* videos that have used a draw so far */
    const char *input;
    long n_videos, n_events;
} ctx;

typedef struct {
    cJSON *obj;
    long line;
} record;

static wsd_out g_out;
static int g_out_open;

#define DIE(...)                               \
    do {                                       \
        if (g_out_open) wsd_out_abort(&g_out); \
        wsd_die(__VA_ARGS__);                  \
    } while (0)

static double round6(double x) { return round(x * 1e6) / 1e6; }

static cJSON *pair(double a, double b) {
    cJSON *arr = cJSON_CreateArray();
    cJSON_AddItemToArray(arr, cJSON_CreateNumber(round6(a)));
    cJSON_AddItemToArray(arr, cJSON_CreateNumber(round6(b)));
    return arr;
}

static void set_item(cJSON *obj, const char *key, cJSON *value) {
    if (cJSON_GetObjectItemCaseSensitive(obj, key)) cJSON_ReplaceItemInObjectCaseSensitive(obj, key, value);
    else cJSON_AddItemToObject(obj, key, value);
}

/* The proposals of the next video. [quirk] random:N draws one set of N
 * (c, w) ~ U[0,1)² for every `share` consecutive videos, as the reference's
 * evaluation batch of 8 shares its 15 draws; they are used unclamped. */
static int generate(ctx *c, float *cw) {
    switch (c->prop) {
    case PROP_FULL:
        cw[0] = 0.5f, cw[1] = 1.0f;
        return 1;
    case PROP_ANCHORS:
        for (int k = 0; k < WSD_NUM_ANCHORS; k++) {
            wsd_seg a = wsd_anchor_cw(k);
            cw[2 * k] = a.a, cw[2 * k + 1] = a.b;
        }
        return WSD_NUM_ANCHORS;
    case PROP_RANDOM:
        if (c->n_drawn_videos++ % c->share == 0)
            for (int k = 0; k < 2 * c->n_random; k++) c->shared[k] = nn_rng_uniformf(&c->rng);
        memcpy(cw, c->shared, sizeof(float) * 2 * c->n_random);
        return c->n_random;
    default:
        return 0;
    }
}

/* Reads the segment of an input event as normalised cw (no clamping). */
static void input_segment(const ctx *c, const record *r, int e, const cJSON *ev, double dur, float *cw) {
    const cJSON *ts = cJSON_GetObjectItemCaseSensitive(ev, "timestamp");
    if (!cJSON_IsArray(ts) || cJSON_GetArraySize(ts) != 2 || !cJSON_IsNumber(ts->child) ||
        !cJSON_IsNumber(ts->child->next))
        DIE("%s:%ld: event %d needs \"timestamp\": [start, end] seconds", c->input, r->line, e);
    wsd_seg se = {(float)(ts->child->valuedouble / dur), (float)(ts->child->next->valuedouble / dur)};
    wsd_seg s = wsd_se_to_cw(se);
    cw[0] = s.a, cw[1] = s.b;
}

static void flush(ctx *c, record *recs, int n, FILE *fp) {
    const wsd_feat **feats = wsd_malloc(sizeof *feats * (size_t)(n ? n : 1));
    const char **keys = wsd_malloc(sizeof *keys * (size_t)(n ? n : 1));
    double *durs = wsd_malloc(sizeof *durs * (size_t)(n ? n : 1));
    int *count = wsd_calloc((size_t)(n ? n : 1), sizeof(int));
    int cap = 64, total = 0;
    float *cw = wsd_malloc(sizeof(float) * 2 * cap);
    int *gather = wsd_malloc(sizeof(int) * cap);
    int per_video_max = c->prop == PROP_RANDOM ? c->n_random : WSD_NUM_ANCHORS;
    float *tmp = wsd_malloc(sizeof(float) * 2 * (per_video_max > 1 ? per_video_max : 1));
    for (int i = 0; i < n; i++) {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(recs[i].obj, "video_id");
        const wsd_feat *f = wsd_featset_get(c->feats, id->valuestring);
        if (!f) DIE("%s:%ld: %s", c->input, recs[i].line, wsd_error());
        const cJSON *d = cJSON_GetObjectItemCaseSensitive(recs[i].obj, "duration");
        double dur = cJSON_IsNumber(d) ? d->valuedouble : f->duration;
        if (!(dur > 0))
            DIE("%s:%ld: video '%s' needs a positive \"duration\" (seconds)", c->input, recs[i].line,
                id->valuestring);
        feats[i] = f, keys[i] = f->id, durs[i] = dur;
        cJSON *events = cJSON_GetObjectItemCaseSensitive(recs[i].obj, "events");
        int k = 0;
        if (c->prop == PROP_INPUT) {
            k = cJSON_GetArraySize(events);
        } else {
            k = generate(c, tmp);
        }
        while (total + k > cap) {
            cap *= 2;
            cw = wsd_realloc(cw, sizeof(float) * 2 * cap);
            gather = wsd_realloc(gather, sizeof(int) * cap);
        }
        if (c->prop == PROP_INPUT) {
            const cJSON *ev;
            int e = 0;
            cJSON_ArrayForEach(ev, events) {
                if (!cJSON_IsObject(ev)) DIE("%s:%ld: event %d is not an object", c->input, recs[i].line, e);
                input_segment(c, &recs[i], e, ev, dur, cw + 2 * (total + e));
                gather[total + e] = i;
                e++;
            }
        } else {
            memcpy(cw + 2 * total, tmp, sizeof(float) * 2 * k);
            for (int j = 0; j < k; j++) gather[total + j] = i;
        }
        count[i] = k;
        total += k;
    }
    if (total > 0) {
        if (wsd_batch_set_videos(&c->batch, feats, keys, durs, n)) DIE("%s", wsd_error());
        int W = c->max_len + 2;
        int *ids = wsd_malloc(sizeof(int) * (size_t)total * W), *len = wsd_malloc(sizeof(int) * total);
        if (wsd_cg_decode(c->cg, &c->batch, cw, gather, total, c->beam, c->max_len, 0, ids, len)) {
            if (g_out_open) wsd_out_abort(&g_out);
            wsd_die_internal("caption generator: %s", wsd_error());
        }
        int row = 0;
        for (int i = 0; i < n; i++) {
            cJSON *events = cJSON_GetObjectItemCaseSensitive(recs[i].obj, "events");
            if (c->prop != PROP_INPUT) {
                events = cJSON_CreateArray();
                set_item(recs[i].obj, "events", events);
                for (int j = 0; j < count[i]; j++) cJSON_AddItemToArray(events, cJSON_CreateObject());
            }
            cJSON *ev;
            cJSON_ArrayForEach(ev, events) {
                int32_t *ids32 = wsd_malloc(sizeof(int32_t) * W);
                for (int t = 0; t < W; t++) ids32[t] = ids[(size_t)row * W + t];
                char *s = wsd_vocab_decode(c->vocab, ids32, (size_t)len[row]);
                free(ids32);
                if (!s) DIE("decoding: %s (does the checkpoint's vocabulary fit its model?)", wsd_error());
                if (c->prop != PROP_INPUT) {
                    wsd_seg se = wsd_cw_to_se_clamped((wsd_seg){cw[2 * row], cw[2 * row + 1]});
                    set_item(ev, "timestamp", pair(se.a * durs[i], se.b * durs[i]));
                    set_item(ev, "seed_cw", pair(cw[2 * row], cw[2 * row + 1]));
                }
                set_item(ev, "sentence", cJSON_CreateString(s));
                free(s);
                row++;
            }
        }
        free(ids);
        free(len);
    }
    for (int i = 0; i < n; i++) {
        if (c->prop != PROP_INPUT && total == 0) set_item(recs[i].obj, "events", cJSON_CreateArray());
        if (wsd_jsonl_write(fp, recs[i].obj) != 0) {
            if (g_out_open) wsd_out_abort(&g_out);
            wsd_die_internal("%s", wsd_error());
        }
        cJSON_Delete(recs[i].obj);
    }
    c->n_videos += n;
    c->n_events += total;
    wsd_progress_step(c->progress, n);
    free(feats);
    free(keys);
    free(durs);
    free(count);
    free(cw);
    free(gather);
    free(tmp);
}

static void parse_proposals(ctx *c, const char *s) {
    if (!strcmp(s, "input")) c->prop = PROP_INPUT;
    else if (!strcmp(s, "full")) c->prop = PROP_FULL;
    else if (!strcmp(s, "anchors")) c->prop = PROP_ANCHORS;
    else if (!strncmp(s, "random:", 7)) {
        long n;
        if (wsd_parse_long(s + 7, "--proposals random:N", &n) || n < 1 || n > 100000)
            DIE("--proposals: expected random:N with N >= 1, got '%s'", s);
        c->prop = PROP_RANDOM;
        c->n_random = (int)n;
    } else {
        DIE("--proposals: expected input, full, anchors or random:N, got '%s'", s);
    }
}

static long parse_count(const char *s, const char *what, long min, long max) {
    long v;
    if (wsd_parse_long(s, what, &v) || v < min || v > max)
        DIE("%s: expected an integer in [%ld, %ld], got '%s'", what, min, max, s);
    return v;
}

int main(int argc, char **argv) {
    wsd_set_progname(argv[0]);
    const char *model = NULL, *feats = NULL, *output = "-", *device = "auto", *videos = NULL;
    long batch = 8, sample_rate = 0, threads = 0, seed = 233, max_len = 0;
    int quiet = 0;
    ctx c;
    memset(&c, 0, sizeof c);
    c.beam = 3, c.share = 8;
    enum { O_PROP = 256, O_SEED, O_SHARE, O_VIDEOS, O_BEAM, O_GREEDY, O_MAXLEN, O_SR, O_DEVICE, O_THREADS, O_VERSION };
    static const struct option opts[] = {
        {"model", 1, 0, 'm'}, {"feats", 1, 0, 'f'}, {"output", 1, 0, 'o'}, {"batch", 1, 0, 'b'},
        {"proposals", 1, 0, O_PROP}, {"seed", 1, 0, O_SEED}, {"share", 1, 0, O_SHARE}, {"videos", 1, 0, O_VIDEOS},
        {"beam", 1, 0, O_BEAM}, {"greedy", 0, 0, O_GREEDY}, {"max-len", 1, 0, O_MAXLEN},
        {"sample-rate", 1, 0, O_SR}, {"device", 1, 0, O_DEVICE}, {"threads", 1, 0, O_THREADS},
        {"quiet", 0, 0, 'q'}, {"help", 0, 0, 'h'}, {"version", 0, 0, O_VERSION}, {0, 0, 0, 0}};
    int ch;
    while ((ch = getopt_long(argc, argv, "m:f:o:b:qh", opts, NULL)) != -1) {
        switch (ch) {
        case 'm': model = optarg; break;
        case 'f': feats = optarg; break;
        case 'o': output = optarg; break;
        case 'b': batch = parse_count(optarg, "--batch", 1, 100000); break;
        case O_PROP: parse_proposals(&c, optarg); break;
        case O_SEED: seed = parse_count(optarg, "--seed", 0, 0x7fffffffffffffffL); break;
        case O_SHARE: c.share = (int)parse_count(optarg, "--share", 1, 1000000); break;
        case O_VIDEOS: videos = optarg; break;
        case O_BEAM: c.beam = (int)parse_count(optarg, "--beam", 1, 64); break;
        case O_GREEDY: c.beam = 1; break;
        case O_MAXLEN: max_len = parse_count(optarg, "--max-len", 1, 10000); break;
        case O_SR: sample_rate = parse_count(optarg, "--sample-rate", 1, 1000); break;
        case O_DEVICE: device = optarg; break;
        case O_THREADS: threads = parse_count(optarg, "--threads", 0, 1024); break;
        case 'q': quiet = 1; break;
        case 'h': fputs(usage, stdout); return 0;
        case O_VERSION: printf("caption (wsdec) %s\n", WSD_VERSION); return 0;
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
    c.input = videos ? videos : optind < argc ? argv[optind] : "-";
    nn_device dev;
    if (nn_device_parse(device, &dev) != 0) DIE("--device: %s", wsd_error());
    if (threads > 0) nn_set_threads((int)threads);
    if (!(c.cg = wsd_cg_load(model, dev))) DIE("%s", wsd_error());
    if (!(c.vocab = wsd_ckpt_vocab(model))) DIE("%s", wsd_error());
    const wsd_cg_config *cfg = wsd_cg_cfg(c.cg);
    if (c.vocab->n != cfg->vocab)
        DIE("%s: the vocabulary has %d entries but the model %d", model, c.vocab->n, cfg->vocab);
    c.max_len = max_len ? (int)max_len : cfg->max_cap_length;
    if (!sample_rate) sample_rate = cfg->sample_rate;
    if (!(c.feats = wsd_featset_load(feats, (int)sample_rate, NULL, 0))) DIE("%s", wsd_error());
    if (wsd_featset_dim(c.feats) != cfg->feat_dim)
        DIE("%s: features have %d dims, the model expects %d", feats, wsd_featset_dim(c.feats), cfg->feat_dim);
    nn_rng_seed(&c.rng, (uint64_t)seed);
    if (c.prop == PROP_RANDOM) c.shared = wsd_malloc(sizeof(float) * 2 * c.n_random);
    wsd_batch_init(&c.batch);

    if (wsd_out_open(&g_out, output) != 0) DIE("%s", wsd_error());
    g_out_open = 1;
    record *recs = wsd_malloc(sizeof *recs * (size_t)batch);
    int n = 0;
    wsd_progress progress;
    wsd_progress_start(&progress, "caption", 0, quiet);
    c.progress = &progress;
    if (videos) {
        wsd_captions *caps = wsd_captions_load(videos);
        if (!caps) DIE("%s", wsd_error());
        /* Without --proposals the file's own (ground-truth) segments are
         * captioned: how a researcher measures the generator apart from the
         * localizer (wsdec-spec.md §3.6). */
        if (c.prop == PROP_INPUT && wsd_captions_n_events(caps) == 0)
            DIE("%s: no events to caption: add --proposals full|anchors|random:N", videos);
        c.progress->total = (long)caps->n;
        for (size_t i = 0; i < caps->n; i++) {
            cJSON *obj;
            if (c.prop == PROP_INPUT) {
                obj = wsd_video_to_json(&caps->videos[i]);
            } else {
                obj = cJSON_CreateObject();
                cJSON_AddStringToObject(obj, "video_id", caps->videos[i].id);
                if (!isnan(caps->videos[i].duration)) cJSON_AddNumberToObject(obj, "duration", caps->videos[i].duration);
            }
            recs[n].obj = obj, recs[n].line = (long)i + 1;
            if (++n == batch) {
                flush(&c, recs, n, g_out.fp);
                n = 0;
            }
        }
        flush(&c, recs, n, g_out.fp);
        wsd_captions_free(caps);
    } else {
        wsd_jsonl_reader *in = wsd_jsonl_open(c.input);
        if (!in) DIE("%s", wsd_error());
        int rc;
        cJSON *obj;
        while ((rc = wsd_jsonl_next(in, &obj)) == 1) {
            long line = wsd_jsonl_line(in);
            const cJSON *id = cJSON_GetObjectItemCaseSensitive(obj, "video_id");
            const cJSON *events = cJSON_GetObjectItemCaseSensitive(obj, "events");
            if (!cJSON_IsString(id) || !id->valuestring[0]) DIE("%s:%ld: expected a string \"video_id\"", c.input, line);
            if (events && !cJSON_IsArray(events)) DIE("%s:%ld: \"events\" must be an array", c.input, line);
            recs[n].obj = obj, recs[n].line = line;
            if (++n == batch) {
                flush(&c, recs, n, g_out.fp);
                n = 0;
            }
        }
        if (rc < 0) DIE("%s", wsd_error());
        flush(&c, recs, n, g_out.fp);
        wsd_jsonl_close(in);
    }
    g_out_open = 0;
    if (wsd_out_commit(&g_out) != 0) wsd_die_internal("%s", wsd_error());
    wsd_progress_end(c.progress);
    if (!quiet) fprintf(stderr, "caption: %ld videos, %ld segments captioned\n", c.n_videos, c.n_events);
    free(recs);
    free(c.shared);
    wsd_batch_free(&c.batch);
    wsd_cg_free(c.cg);
    wsd_vocab_free(c.vocab);
    wsd_featset_free(c.feats);
    return 0;
}
