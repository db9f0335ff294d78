/* caption: JSONL segments (or generated proposals) -> JSONL sentences with the
 * caption generator (WSDEC seq_decoder.py forward_bmsearch; eval_script/evaluate.py eval). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/opt.h"
#include "base/progress.h"
#include "base/samefile.h"
#include "base/util.h"
#include "io/featset.h"
#include "io/jsonl.h"
#include "io/vqueue.h"
#include "wsd/batch.h"
#include "wsd/infer_opts.h"
#include "wsd/model_cg.h"
#include "wsd/ckpt.h"
#include "wsd/segment.h"

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
    "      --threads N       CPU threads (0 = one per core; results do not change)\n"
    "  -q, --quiet           no summary on stderr\n"
    "  -h, --help            this help;  --version  print the version\n"
    "See caption(1).\n";

typedef enum { PROP_INPUT, PROP_FULL, PROP_ANCHORS, PROP_RANDOM } proposal_kind;

typedef struct {
    wsd_cg cg;
    wsd_cg_run run;
    wsd_vocab *vocab;
    wsd_featset *feats;
    wsd_vqueue *q;
    wsd_batch batch;
    proposal_kind prop;
    int n_random, share, beam, max_len;
    wsd_rng rng;
    float *shared;       /* the current draw of random proposals (n_random × 2) */
    long n_drawn_videos; /* videos that have used a draw so far */
    long n_events;
    /* the segments of the current batch: cw (total × 2), their video, count per video */
    float *cw;
    int *gather, *count, total, cap;
} ctx;

/* The proposals of the next video. [quirk] random:N draws one set of N
 * (c, w) ~ U[0,1)² for every `share` consecutive videos, as the reference's
 * evaluation batch of 8 shares its 15 draws; they are used unclamped. */
static int generate(ctx *c, float *cw) {
    switch (c->prop) {
    case PROP_FULL: cw[0] = 0.5f, cw[1] = 1.0f; return 1;
    case PROP_ANCHORS:
        for (int k = 0; k < WSD_NUM_ANCHORS; k++) {
            wsd_seg a = wsd_anchor_cw(k);
            cw[2 * k] = a.a, cw[2 * k + 1] = a.b;
        }
        return WSD_NUM_ANCHORS;
    case PROP_RANDOM:
        if (c->n_drawn_videos++ % c->share == 0)
            for (int k = 0; k < 2 * c->n_random; k++) c->shared[k] = wsd_rng_uniformf(&c->rng);
        memcpy(cw, c->shared, sizeof(float) * 2 * c->n_random);
        return c->n_random;
    default: return 0;
    }
}

/* Reads the segment of an input event as normalised cw (no clamping). */
static void input_segment(const ctx *c, const wsd_vrecord *r, int e, const cJSON *ev, double dur,
                          float *cw) {
    const cJSON *ts = cJSON_GetObjectItemCaseSensitive(ev, "timestamp");
    if (!cJSON_IsObject(ev))
        wsd_die("%s:%ld: event %d is not an object", wsd_vqueue_input(c->q), r->line, e);
    if (!cJSON_IsArray(ts) || cJSON_GetArraySize(ts) != 2 || !cJSON_IsNumber(ts->child) ||
        !cJSON_IsNumber(ts->child->next))
        wsd_die("%s:%ld: event %d needs \"timestamp\": [start, end] seconds",
                wsd_vqueue_input(c->q), r->line, e);
    wsd_seg se = {(float)(ts->child->valuedouble / dur),
                  (float)(ts->child->next->valuedouble / dur)};
    wsd_seg s = wsd_se_to_cw(se);
    cw[0] = s.a, cw[1] = s.b;
}

/* Appends the segments of record i (its events', or generated proposals). */
static void add_segments(ctx *c, const wsd_vrecord *r, int i, double dur) {
    cJSON *events = cJSON_GetObjectItemCaseSensitive(r->obj, "events");
    int k = c->prop == PROP_INPUT ? cJSON_GetArraySize(events)
                                  : (c->prop == PROP_RANDOM ? c->n_random : WSD_NUM_ANCHORS);
    while (c->total + k > c->cap) {
        c->cap = c->cap ? 2 * c->cap : 64;
        c->cw = wsd_realloc(c->cw, sizeof(float) * 2 * c->cap);
        c->gather = wsd_realloc(c->gather, sizeof(int) * c->cap);
    }
    if (c->prop == PROP_INPUT) {
        const cJSON *ev;
        int e = 0;
        cJSON_ArrayForEach(ev, events) {
            input_segment(c, r, e, ev, dur, c->cw + 2 * (c->total + e));
            e++;
        }
    } else {
        k = generate(c, c->cw + 2 * c->total);
    }
    for (int j = 0; j < k; j++) c->gather[c->total + j] = i;
    c->count[i] = k;
    c->total += k;
}

/* Sets the sentence of every segment of the batch (and, for generated
 * proposals, its events: "timestamp" in seconds and "seed_cw"). */
static void set_sentences(ctx *c, wsd_vrecord *recs, int n, const double *durs, const int *ids,
                          const int *len) {
    int W = c->max_len + 2, row = 0;
    int32_t *ids32 = wsd_malloc(sizeof(int32_t) * W);
    for (int i = 0; i < n; i++) {
        cJSON *events = cJSON_GetObjectItemCaseSensitive(recs[i].obj, "events"), *ev;
        if (c->prop != PROP_INPUT) {
            events = cJSON_CreateArray();
            wsd_jsonl_set(recs[i].obj, "events", events);
            for (int j = 0; j < c->count[i]; j++)
                cJSON_AddItemToArray(events, cJSON_CreateObject());
        }
        cJSON_ArrayForEach(ev, events) {
            for (int t = 0; t < W; t++) ids32[t] = ids[(size_t)row * W + t];
            char *s = wsd_vocab_decode(c->vocab, ids32, (size_t)len[row]);
            if (!s)
                wsd_die("decoding: %s (does the checkpoint's vocabulary fit its model?)",
                        wsd_error());
            if (c->prop != PROP_INPUT) {
                const float *cw = c->cw + 2 * row;
                wsd_seg se = wsd_cw_to_se_clamped((wsd_seg){cw[0], cw[1]});
                wsd_jsonl_set(ev, "timestamp", wsd_jsonl_pair6(se.a * durs[i], se.b * durs[i]));
                wsd_jsonl_set(ev, "seed_cw", wsd_jsonl_pair6(cw[0], cw[1]));
            }
            wsd_jsonl_set(ev, "sentence", cJSON_CreateString(s));
            free(s);
            row++;
        }
    }
    free(ids32);
}

/* Captions one batch of records in place. */
static void caption_batch(ctx *c, wsd_vrecord *recs, int n) {
    const wsd_feat **feats = wsd_malloc(sizeof *feats * (size_t)n);
    const char **keys = wsd_malloc(sizeof *keys * (size_t)n);
    double *durs = wsd_malloc(sizeof *durs * (size_t)n);
    c->count = wsd_realloc(c->count, sizeof(int) * (size_t)n);
    c->total = 0;
    for (int i = 0; i < n; i++) {
        if (wsd_vqueue_video(c->q, c->feats, &recs[i], &feats[i], &durs[i]) != 0)
            wsd_die("%s", wsd_error());
        keys[i] = feats[i]->id;
        add_segments(c, &recs[i], i, durs[i]);
    }
    if (c->total > 0) {
        if (wsd_batch_set_videos(&c->batch, feats, keys, durs, n)) wsd_die("%s", wsd_error());
        int *ids = wsd_malloc(sizeof(int) * (size_t)c->total * (c->max_len + 2));
        int *len = wsd_malloc(sizeof(int) * c->total);
        if (wsd_cg_decode(&c->cg, &c->run, &c->batch, c->cw, c->gather, c->total, c->beam,
                          c->max_len, 0, ids, len))
            wsd_die_internal("caption generator: %s", wsd_error());
        set_sentences(c, recs, n, durs, ids, len);
        free(ids);
        free(len);
    } else if (c->prop != PROP_INPUT) {
        for (int i = 0; i < n; i++) wsd_jsonl_set(recs[i].obj, "events", cJSON_CreateArray());
    }
    c->n_events += c->total;
    free(feats);
    free(keys);
    free(durs);
}

static void parse_proposals(ctx *c, const char *s) {
    if (!strncmp(s, "random:", 7)) {
        c->prop = PROP_RANDOM;
        c->n_random = wsd_opt_int(s + 7, "--proposals random:N", 1, 100000);
        return;
    }
    static const char *const kinds[] = {"input", "full", "anchors", "random:N", NULL};
    c->prop = (proposal_kind)wsd_opt_choice(s, "--proposals", kinds);
    if (c->prop == PROP_RANDOM) wsd_die("--proposals: expected random:N with N >= 1, got '%s'", s);
}

/* Loads the model, its vocabulary and the features; checks they fit. */
static void load(ctx *c, const char *model, const char *feats, long sample_rate, long max_len,
                 nn_device dev) {
    nn_ckpt *ck = nn_ckpt_open(model);
    if (!ck || wsd_cg_load(&c->cg, ck, dev) || !(c->vocab = wsd_ckpt_vocab(ck)))
        wsd_die("%s", wsd_error());
    nn_ckpt_close(ck);
    const wsd_cg_config *cfg = &c->cg.cfg;
    if (c->vocab->n != cfg->vocab)
        wsd_die("%s: the vocabulary has %d entries but the model %d", model, c->vocab->n,
                cfg->vocab);
    c->max_len = max_len ? (int)max_len : cfg->max_cap_length;
    if (!(c->feats =
              wsd_featset_load(feats, sample_rate ? (int)sample_rate : cfg->sample_rate, NULL, 0)))
        wsd_die("%s", wsd_error());
    if (wsd_featset_dim(c->feats) != cfg->feat_dim)
        wsd_die("%s: features have %d dims, the model expects %d", feats, wsd_featset_dim(c->feats),
                cfg->feat_dim);
}

enum { O_PROP = WSD_INFER_OPT_END, O_SEED, O_SHARE, O_BEAM, O_GREEDY, O_MAXLEN };
static const struct option own_opts[] = {{"proposals", 1, 0, O_PROP},
                                         {"seed", 1, 0, O_SEED},
                                         {"share", 1, 0, O_SHARE},
                                         {"beam", 1, 0, O_BEAM},
                                         {"greedy", 0, 0, O_GREEDY},
                                         {"max-len", 1, 0, O_MAXLEN},
                                         {0, 0, 0, 0}};

int main(int argc, char **argv) {
    wsd_set_progname(argv[0]);
    wsd_infer_opts o;
    wsd_infer_opts_default(&o);
    long seed = 233, max_len = 0;
    ctx c;
    memset(&c, 0, sizeof c);
    c.beam = 3, c.share = 8;
    struct option *opts = wsd_infer_option_table(own_opts);
    int ch;
    while ((ch = getopt_long(argc, argv, WSD_INFER_SHORT, opts, NULL)) != -1) {
        if (wsd_infer_opt_parse(ch, optarg, usage, &o)) continue;
        switch (ch) {
        case O_PROP: parse_proposals(&c, optarg); break;
        case O_SEED: seed = wsd_opt_long(optarg, "--seed", 0, 0x7fffffffffffffffL); break;
        case O_SHARE: c.share = wsd_opt_int(optarg, "--share", 1, 1000000); break;
        case O_BEAM: c.beam = wsd_opt_int(optarg, "--beam", 1, 64); break;
        case O_GREEDY: c.beam = 1; break;
        case O_MAXLEN: max_len = wsd_opt_long(optarg, "--max-len", 1, 10000); break;
        default: wsd_opt_usage(usage, 0);
        }
    }
    free(opts);
    wsd_infer_opts_finish(&o, argc, argv, usage);
    load(&c, o.model, o.feats, o.sample_rate, max_len, o.dev);
    wsd_rng_seed(&c.rng, (uint64_t)seed);
    if (c.prop == PROP_RANDOM) c.shared = wsd_malloc(sizeof(float) * 2 * c.n_random);
    wsd_batch_init(&c.batch);

    wsd_out out;
    if (wsd_out_open(&out, o.output) != 0) wsd_die("%s", wsd_error());
    /* Without --proposals the videos' own (ground-truth) segments are captioned:
     * how a researcher measures the generator apart from the localizer. */
    c.q = wsd_vqueue_open(o.input ? o.input : "-", o.videos,
                          c.prop == PROP_INPUT ? WSD_VQUEUE_EVENTS : WSD_VQUEUE_IDS, (int)o.batch);
    if (!c.q) wsd_die("%s", wsd_error());
    if (c.prop == PROP_INPUT && wsd_vqueue_n_events(c.q) == 0)
        wsd_die("%s: no events to caption: add --proposals full|anchors|random:N", o.videos);
    wsd_vrecord *recs;
    int n;
    wsd_progress progress;
    wsd_progress_start(&progress, "caption", 0, o.quiet);
    while ((n = wsd_vqueue_next(c.q, &recs)) > 0) {
        caption_batch(&c, recs, n);
        if (wsd_vqueue_write(c.q, out.fp) != 0) wsd_die_internal("%s", wsd_error());
        wsd_progress_step(&progress, n);
    }
    if (n < 0) wsd_die("%s", wsd_error());
    wsd_progress_end(&progress);
    if (wsd_out_commit(&out) != 0) wsd_die_internal("%s", wsd_error());
    if (!o.quiet)
        fprintf(stderr, "caption: %ld videos, %ld segments captioned\n", wsd_vqueue_count(c.q),
                c.n_events);
    wsd_vqueue_close(c.q);
    free(c.shared);
    free(c.cw);
    free(c.gather);
    free(c.count);
    wsd_batch_free(&c.batch);
    wsd_cg_run_free(&c.run);
    wsd_cg_free(&c.cg);
    wsd_vocab_free(c.vocab);
    wsd_featset_free(c.feats);
    return 0;
}
