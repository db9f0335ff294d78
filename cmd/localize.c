/* localize: JSONL sentences -> JSONL segments with the sentence localizer
 * (WSDEC model/sentence_localizer.py forward_eval; eval_script/evaluate.py
 * eval when events carry "seed_cw"). */
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
#include "wsd/ckpt.h"
#include "wsd/infer_opts.h"
#include "wsd/model_sl.h"
#include "wsd/segment.h"

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
    "      --threads N       CPU threads (0 = one per core; results do not change)\n"
    "  -q, --quiet           no summary on stderr\n"
    "  -h, --help            this help;  --version  print the version\n"
    "See localize(1).\n";

typedef struct {
    wsd_sl sl;
    wsd_sl_run run;
    wsd_vocab *vocab;
    wsd_featset *feats;
    wsd_vqueue *q;
    wsd_batch batch;
    float drop_iou, merge_iou;
    int filter;
    long n_sentences, n_kept, n_proposals;
} ctx;

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
static void filter_video(ctx *c, const wsd_vrecord *rec, cJSON *events, int row0, int n_rows,
                         const float *cw, double dur) {
    wsd_seg *seed = wsd_malloc(sizeof *seed * (size_t)n_rows);
    wsd_seg *nw = wsd_malloc(sizeof *nw * (size_t)n_rows);
    wsd_seg *kept = wsd_malloc(sizeof *kept * (size_t)n_rows);
    int *vid = wsd_calloc((size_t)n_rows, sizeof *vid);
    int *kv = wsd_malloc(sizeof *kv * (size_t)n_rows);
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
            wsd_die("%s:%ld: event %d has a sentence but no valid \"seed_cw\" [c, w] while others "
                    "do; use --no-filter to localize without filtering",
                    wsd_vqueue_input(c->q), rec->line, m);
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
        cJSON_AddItemToObject(e, "timestamp", wsd_jsonl_pair6(kept[k].a * dur, kept[k].b * dur));
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

/* Adds the sentences of the records that have any to the batch; slot[i] is
 * record i's video in the batch (-1: none). Returns the number of videos. */
static int fill_batch(ctx *c, const wsd_vrecord *recs, int n, int *slot, double *durs) {
    const wsd_feat **feats = wsd_malloc(sizeof *feats * (size_t)n);
    const char **keys = wsd_malloc(sizeof *keys * (size_t)n);
    int B = 0;
    for (int i = 0; i < n; i++) {
        const cJSON *ev, *events = cJSON_GetObjectItemCaseSensitive(recs[i].obj, "events");
        int has = 0;
        cJSON_ArrayForEach(ev, events) has |= event_sentence(ev) != NULL;
        slot[i] = has ? B : -1;
        if (!has) continue;
        if (wsd_vqueue_video(c->q, c->feats, &recs[i], &feats[B], &durs[B]) != 0)
            wsd_die("%s", wsd_error());
        keys[B] = feats[B]->id;
        B++;
    }
    if (B > 0 && wsd_batch_set_videos(&c->batch, feats, keys, durs, B) != 0)
        wsd_die("%s", wsd_error());
    for (int i = 0; B > 0 && i < n; i++) {
        if (slot[i] < 0) continue;
        const cJSON *ev, *events = cJSON_GetObjectItemCaseSensitive(recs[i].obj, "events");
        int e = 0;
        cJSON_ArrayForEach(ev, events) {
            const char *s = event_sentence(ev);
            if (s && wsd_batch_add_sentence(&c->batch, c->vocab, slot[i], s, 0, 0, e) != 0)
                wsd_die("%s:%ld: event %d: %s", wsd_vqueue_input(c->q), recs[i].line, e,
                        wsd_error());
            e++;
        }
    }
    if (B > 0 && wsd_batch_finish_captions(&c->batch) != 0) wsd_die("%s", wsd_error());
    free(feats);
    free(keys);
    return B;
}

/* Writes the predictions of one record whose sentences start at `row`:
 * filtered and merged when they are seeded proposals, else one "timestamp"
 * per sentence. Returns the number of sentences. */
static int set_segments(ctx *c, wsd_vrecord *r, int row, const float *sec, const float *cw,
                        double dur) {
    cJSON *ev, *events = cJSON_GetObjectItemCaseSensitive(r->obj, "events");
    int rows = 0, seeded = 0;
    cJSON_ArrayForEach(ev, events) {
        if (!event_sentence(ev)) continue;
        wsd_seg tmp;
        int got = read_seed(ev, &tmp);
        if (got < 0)
            wsd_die("%s:%ld: \"seed_cw\" must be [c, w] numbers", wsd_vqueue_input(c->q), r->line);
        seeded |= got;
        rows++;
    }
    if (seeded && c->filter) {
        filter_video(c, r, events, row, rows, cw, dur);
        return rows;
    }
    int m = 0;
    cJSON_ArrayForEach(ev, events) {
        if (!event_sentence(ev)) continue;
        const float *s = sec + 2 * (row + m);
        cJSON_DeleteItemFromObjectCaseSensitive(ev, "timestamp");
        cJSON_AddItemToObject(ev, "timestamp", wsd_jsonl_pair6(s[0], s[1]));
        m++;
    }
    return rows;
}

/* Localizes the sentences of one batch of records in place. */
static void localize_batch(ctx *c, wsd_vrecord *recs, int n) {
    int *slot = wsd_malloc(sizeof *slot * (size_t)n);
    double *durs = wsd_malloc(sizeof *durs * (size_t)n);
    if (fill_batch(c, recs, n, slot, durs) > 0) {
        wsd_batch *b = &c->batch;
        if (wsd_sl_forward(&c->sl, &c->run, b, NULL, 0, NULL) != 0)
            wsd_die_internal("localizer: %s", wsd_error());
        float *sec = wsd_malloc(sizeof *sec * 2 * (size_t)b->N);
        float *cw = wsd_malloc(sizeof *cw * 2 * (size_t)b->N);
        wsd_sl_test_seconds(&c->sl, &c->run, b, sec);
        wsd_sl_eval_cw(&c->sl, &c->run, cw);
        for (int i = 0, row = 0; i < n; i++)
            if (slot[i] >= 0) row += set_segments(c, &recs[i], row, sec, cw, durs[slot[i]]);
        c->n_sentences += b->N;
        free(sec);
        free(cw);
    }
    free(slot);
    free(durs);
}

/* Loads the model, its vocabulary and the features; checks they fit. */
static void load(ctx *c, const char *model, const char *feats, long sample_rate, nn_device dev) {
    nn_ckpt *ck = nn_ckpt_open(model);
    if (!ck || wsd_sl_load(&c->sl, ck, dev) != 0 || !(c->vocab = wsd_ckpt_vocab(ck)))
        wsd_die("%s", wsd_error());
    nn_ckpt_close(ck);
    if (c->vocab->n > c->sl.cfg.vocab)
        wsd_die("%s: the vocabulary has %d entries but the model only %d", model, c->vocab->n,
                c->sl.cfg.vocab);
    if (!sample_rate) sample_rate = c->sl.cfg.sample_rate;
    if (!(c->feats = wsd_featset_load(feats, (int)sample_rate, NULL, 0)))
        wsd_die("%s", wsd_error());
    if (wsd_featset_dim(c->feats) != c->sl.cfg.feat_dim)
        wsd_die("%s: features have %d dims, the model expects %d", feats, wsd_featset_dim(c->feats),
                c->sl.cfg.feat_dim);
}

enum { O_DROP = WSD_INFER_OPT_END, O_MERGE, O_NOFILTER };
static const struct option own_opts[] = {{"drop-iou", 1, 0, O_DROP},
                                         {"merge-iou", 1, 0, O_MERGE},
                                         {"no-filter", 0, 0, O_NOFILTER},
                                         {0, 0, 0, 0}};

int main(int argc, char **argv) {
    wsd_set_progname(argv[0]);
    wsd_infer_opts o;
    wsd_infer_opts_default(&o);
    ctx c;
    memset(&c, 0, sizeof c);
    c.drop_iou = 0.2f, c.merge_iou = 0.9f, c.filter = 1;
    struct option *opts = wsd_infer_option_table(own_opts);
    int ch;
    while ((ch = getopt_long(argc, argv, WSD_INFER_SHORT, opts, NULL)) != -1) {
        if (wsd_infer_opt_parse(ch, optarg, usage, &o)) continue;
        switch (ch) {
        case O_DROP: c.drop_iou = (float)wsd_opt_double(optarg, "--drop-iou", 0, 1); break;
        case O_MERGE: c.merge_iou = (float)wsd_opt_double(optarg, "--merge-iou", 0, 1); break;
        case O_NOFILTER: c.filter = 0; break;
        default: wsd_opt_usage(usage, 0);
        }
    }
    free(opts);
    wsd_infer_opts_finish(&o, argc, argv, usage);
    load(&c, o.model, o.feats, o.sample_rate, o.dev);
    wsd_batch_init(&c.batch);

    /* --videos: the sentences of a captions file, each event keeping its
     * reference segment as "gt_timestamp", as the reference's
     * eval_script/evaluate_localization.py writes its submission. */
    c.q = wsd_vqueue_open(o.input ? o.input : "-", o.videos, WSD_VQUEUE_GT, (int)o.batch);
    if (!c.q) wsd_die("%s", wsd_error());
    if (wsd_vqueue_n_events(c.q) == 0)
        wsd_die("%s: no sentences to localize (a list of ids has none)", o.videos);
    wsd_out out;
    if (wsd_out_open(&out, o.output) != 0) wsd_die("%s", wsd_error());
    wsd_vrecord *recs;
    int n;
    wsd_progress progress;
    wsd_progress_start(&progress, "localize", 0, o.quiet);
    while ((n = wsd_vqueue_next(c.q, &recs)) > 0) {
        localize_batch(&c, recs, n);
        if (wsd_vqueue_write(c.q, out.fp) != 0) wsd_die_internal("%s", wsd_error());
        wsd_progress_step(&progress, n);
    }
    if (n < 0) wsd_die("%s", wsd_error());
    wsd_progress_end(&progress);
    if (wsd_out_commit(&out) != 0) wsd_die_internal("%s", wsd_error());
    if (!o.quiet) {
        fprintf(stderr, "localize: %ld videos, %ld sentences localized", wsd_vqueue_count(c.q),
                c.n_sentences);
        if (c.n_proposals)
            fprintf(stderr, "; %ld proposals -> %ld kept segments", c.n_proposals, c.n_kept);
        fputc('\n', stderr);
    }
    wsd_vqueue_close(c.q);
    wsd_batch_free(&c.batch);
    wsd_sl_run_free(&c.run);
    wsd_sl_free(&c.sl);
    wsd_vocab_free(c.vocab);
    wsd_featset_free(c.feats);
    return 0;
}
