/* Collation (WSDEC dataset.py collate_fn) and the Sample/Full dataset variants
 * (ANetDataSample, ANetDataFull). */
#include "wsd/batch.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "wsd/segment.h"
#include "base/rng.h"
#include "base/util.h"

void wsd_batch_init(wsd_batch *b) { memset(b, 0, sizeof *b); }

const char *wsd_batch_ids(const wsd_batch *b, char *buf, size_t cap) {
    size_t n = 0;
    if (cap) buf[0] = '\0';
    for (int i = 0; i < b->B && cap > 8; i++) {
        const char *id = b->keys && b->keys[i] ? b->keys[i] : "?";
        size_t need = strlen(id) + (i ? 2 : 0);
        if (n + need + 4 >= cap) {
            snprintf(buf + n, cap - n, "%s...", i ? ", " : "");
            break;
        }
        n += (size_t)snprintf(buf + n, cap - n, "%s%s", i ? ", " : "", id);
    }
    return buf;
}

void wsd_batch_free(wsd_batch *b) {
    free(b->video);
    free(b->video_len);
    free(b->video_mask);
    free(b->caption);
    free(b->caption_len);
    free(b->caption_mask);
    free(b->gather);
    free(b->ts_seconds);
    free(b->ts_featidx);
    free(b->keys);
    free(b->video_pos);
    free(b->event_pos);
    free(b->stage_ids);
    free(b->stage_off);
    memset(b, 0, sizeof *b);
}

int wsd_batch_set_videos(wsd_batch *b, const wsd_feat *const *feats, const char *const *keys,
                         const double *durations, int B) {
    if (B <= 0) return wsd_fail("batch: no videos");
    int T = 0, F = feats[0]->dim;
    for (int i = 0; i < B; i++) {
        if (feats[i]->dim != F)
            return wsd_fail("batch: video '%s' has feature dim %d, expected %d", keys[i],
                            feats[i]->dim, F);
        if (feats[i]->rows <= 0) return wsd_fail("batch: video '%s' has no features", keys[i]);
        if (feats[i]->rows > T) T = (int)feats[i]->rows;
    }
    if (B > b->cap_B) {
        b->video_len = wsd_realloc(b->video_len, sizeof(float) * 2 * B);
        b->keys = wsd_realloc(b->keys, sizeof(char *) * B);
        b->video_pos = wsd_realloc(b->video_pos, sizeof(int) * B);
        b->cap_B = B;
    }
    size_t nv = (size_t)B * T;
    if (nv * F > b->cap_video || nv > b->cap_video) {
        free(b->video);
        free(b->video_mask);
        b->cap_video = nv * (F > 1 ? F : 1);
        b->video = wsd_malloc(sizeof(float) * b->cap_video);
        b->video_mask = wsd_malloc(sizeof(float) * b->cap_video);
    }
    memset(b->video, 0, sizeof(float) * nv * F);
    memset(b->video_mask, 0, sizeof(float) * nv);
    for (int i = 0; i < B; i++) {
        int rows = (int)feats[i]->rows;
        memcpy(b->video + (size_t)i * T * F, feats[i]->x, sizeof(float) * (size_t)rows * F);
        for (int t = 0; t < rows; t++) b->video_mask[(size_t)i * T + t] = 1.0f;
        b->video_len[2 * i] = (float)rows;
        b->video_len[2 * i + 1] = (float)durations[i];
        b->keys[i] = keys[i];
        b->video_pos[i] = -1;
    }
    b->B = B;
    b->T = T;
    b->F = F;
    b->N = 0;
    b->L = 0;
    b->stage_n = 0;
    return 0;
}

static void batch_grow_sentences(wsd_batch *b, int need) {
    if (need <= b->cap_N) return;
    int cap = b->cap_N ? b->cap_N * 2 : 16;
    while (cap < need) cap *= 2;
    b->caption_len = wsd_realloc(b->caption_len, sizeof(int) * cap);
    b->gather = wsd_realloc(b->gather, sizeof(int) * cap);
    b->ts_seconds = wsd_realloc(b->ts_seconds, sizeof(float) * 2 * cap);
    b->ts_featidx = wsd_realloc(b->ts_featidx, sizeof(float) * 2 * cap);
    b->event_pos = wsd_realloc(b->event_pos, sizeof(int) * cap);
    b->stage_off = wsd_realloc(b->stage_off, sizeof(int) * (cap + 1));
    b->cap_N = cap;
}

static int batch_add_ids(wsd_batch *b, int v, const int32_t *ids, int n_ids, double start,
                         double end, int event_pos) {
    if (v < 0 || v >= b->B) return wsd_fail("batch: sentence for video %d of %d", v, b->B);
    if (b->N > 0 && b->gather[b->N - 1] > v)
        return wsd_fail("batch: sentences must be grouped video by video in batch order");
    int n = b->N;
    batch_grow_sentences(b, n + 1);
    if (b->stage_n + n_ids > b->stage_cap) {
        size_t cap = b->stage_cap ? b->stage_cap * 2 : 256;
        while (cap < b->stage_n + n_ids) cap *= 2;
        b->stage_ids = wsd_realloc(b->stage_ids, sizeof(int) * cap);
        b->stage_cap = cap;
    }
    if (n == 0) b->stage_off[0] = 0;
    for (int i = 0; i < n_ids; i++) b->stage_ids[b->stage_n + i] = ids[i];
    b->stage_n += n_ids;
    b->stage_off[n + 1] = (int)b->stage_n;
    b->caption_len[n] = n_ids;
    b->gather[n] = v;
    b->event_pos[n] = event_pos;
    b->ts_seconds[2 * n] = (float)start;
    b->ts_seconds[2 * n + 1] = (float)end;
    int T = (int)b->video_len[2 * v];
    double duration = b->video_len[2 * v + 1];
    /* The reference computes these with the JSON duration (double) and the
     * sub-sampled length; the start index is not clamped (dataset.py
     * ANetData.process_time_step). */
    b->ts_featidx[2 * n] = (float)wsd_time_to_step(start, duration, T, 0);
    b->ts_featidx[2 * n + 1] = (float)wsd_time_to_step(end, duration, T, 1);
    b->N = n + 1;
    return 0;
}

int wsd_batch_add_sentence(wsd_batch *b, const wsd_vocab *vocab, int v, const char *sentence,
                           double start, double end, int event_pos) {
    if (!sentence) return batch_add_ids(b, v, NULL, 0, start, end, event_pos);
    int32_t *ids = NULL;
    size_t n = 0;
    if (wsd_vocab_encode(vocab, sentence, &ids, &n) < 0) return -1;
    int rc = batch_add_ids(b, v, ids, (int)n, start, end, event_pos);
    free(ids);
    return rc;
}

int wsd_batch_finish_captions(wsd_batch *b) {
    int L = 0;
    for (int n = 0; n < b->N; n++)
        if (b->caption_len[n] > L) L = b->caption_len[n];
    size_t need = (size_t)b->N * L;
    if (need > b->cap_caption || !b->caption) {
        free(b->caption);
        free(b->caption_mask);
        b->cap_caption = need ? need : 1;
        b->caption = wsd_malloc(sizeof(int) * b->cap_caption);
        b->caption_mask = wsd_malloc(sizeof(float) * b->cap_caption);
    }
    for (int n = 0; n < b->N; n++) {
        const int *src = b->stage_ids + b->stage_off[n];
        int *row = b->caption + (size_t)n * L;
        float *mrow = b->caption_mask + (size_t)n * L;
        for (int t = 0; t < L; t++) {
            int in = t < b->caption_len[n];
            row[t] = in ? src[t] : WSD_EOS;
            mrow[t] = in ? 1.0f : 0.0f;
        }
    }
    b->L = L;
    return 0;
}

void wsd_batch_featidx_cw(const wsd_batch *b, int n, float *c, float *w) {
    float T = b->video_len[2 * b->gather[n]];
    float s = b->ts_featidx[2 * n], e = b->ts_featidx[2 * n + 1];
    *c = (s + e) / 2.0f / T;
    *w = (e - s) / T;
}

/* ---- the batcher ---- */

typedef struct {
    int32_t *ids;
    int n;
} encoded;

struct wsd_batcher {
    const wsd_captions *caps;
    wsd_batcher_opts opts;
    int n_videos;
    int *pos; /* caption-set position of each usable video */
    const wsd_feat **feat;
    double *duration;
    encoded **enc; /* per video, per event */
    int *order;    /* this epoch's video order (indices into pos) */
    int *pick;     /* Sample: the drawn event of each video */
    int epoch, count;
    const wsd_feat **tmp_feat;
    const char **tmp_keys;
    double *tmp_dur;
};

void wsd_batcher_free(wsd_batcher *bt) {
    if (!bt) return;
    for (int v = 0; v < bt->n_videos; v++) {
        if (!bt->enc[v]) continue;
        const wsd_video *vid = &bt->caps->videos[bt->pos[v]];
        for (size_t k = 0; k < vid->n_events; k++) free(bt->enc[v][k].ids);
        free(bt->enc[v]);
    }
    free(bt->enc);
    free(bt->pos);
    free(bt->feat);
    free(bt->duration);
    free(bt->order);
    free(bt->pick);
    free(bt->tmp_feat);
    free(bt->tmp_keys);
    free(bt->tmp_dur);
    free(bt);
}

wsd_batcher *wsd_batcher_new(const wsd_featset *feats, const wsd_captions *caps,
                             const wsd_vocab *vocab, const wsd_batcher_opts *opts) {
    if (opts->batch_size <= 0) {
        wsd_fail("batch size must be positive, got %d", opts->batch_size);
        return NULL;
    }
    wsd_batcher *bt = wsd_calloc(1, sizeof *bt);
    bt->caps = caps;
    bt->opts = *opts;
    bt->pos = wsd_malloc(sizeof(int) * (caps->n ? caps->n : 1));
    bt->feat = wsd_malloc(sizeof(*bt->feat) * (caps->n ? caps->n : 1));
    bt->duration = wsd_malloc(sizeof(double) * (caps->n ? caps->n : 1));
    bt->enc = wsd_calloc(caps->n ? caps->n : 1, sizeof(encoded *));
    size_t n_use = opts->max_videos && opts->max_videos < caps->n ? opts->max_videos : caps->n;
    for (size_t i = 0; i < n_use; i++) {
        const wsd_video *vid = &caps->videos[i];
        if (vid->n_events == 0) continue;
        const wsd_feat *f = wsd_featset_get(feats, vid->id);
        if (!f) goto fail;
        double dur = isnan(vid->duration) ? f->duration : vid->duration;
        if (!(dur > 0)) {
            wsd_fail("%s: video '%s' has no positive duration", caps->path, vid->id);
            goto fail;
        }
        int v = bt->n_videos;
        bt->enc[v] = wsd_calloc(vid->n_events, sizeof(encoded));
        bt->n_videos++;
        for (size_t k = 0; k < vid->n_events; k++) {
            size_t n = 0;
            if (!vid->events[k].sentence) {
                wsd_fail("%s: video '%s' event %zu has no sentence", caps->path, vid->id, k);
                goto fail;
            }
            if (wsd_vocab_encode(vocab, vid->events[k].sentence, &bt->enc[v][k].ids, &n) < 0) {
                wsd_fail("%s: video '%s' event %zu: %s", caps->path, vid->id, k, wsd_error());
                goto fail;
            }
            bt->enc[v][k].n = (int)n;
        }
        bt->pos[v] = (int)i;
        bt->feat[v] = f;
        bt->duration[v] = dur;
    }
    if (bt->n_videos == 0) {
        wsd_fail("%s: no video with a sentence", caps->path);
        goto fail;
    }
    bt->order = wsd_malloc(sizeof(int) * bt->n_videos);
    bt->pick = wsd_malloc(sizeof(int) * bt->n_videos);
    bt->tmp_feat = wsd_malloc(sizeof(*bt->tmp_feat) * opts->batch_size);
    bt->tmp_keys = wsd_malloc(sizeof(char *) * opts->batch_size);
    bt->tmp_dur = wsd_malloc(sizeof(double) * opts->batch_size);
    wsd_batcher_epoch(bt, 0);
    return bt;
fail:
    wsd_batcher_free(bt);
    return NULL;
}

int wsd_batcher_videos(const wsd_batcher *bt) { return bt->n_videos; }
int wsd_batcher_count(const wsd_batcher *bt) { return bt->count; }

/* Stream ids of the counter-based draws, so shuffles and picks never share numbers. */

int wsd_batcher_epoch(wsd_batcher *bt, int epoch) {
    int n = bt->n_videos;
    uint64_t seed = bt->opts.seed;
    for (int i = 0; i < n; i++) bt->order[i] = i;
    if (bt->opts.shuffle) {
        uint64_t s = wsd_rng_hash(seed, WSD_STREAM_BATCH_ORDER, (uint64_t)epoch);
        for (int i = n - 1; i > 0; i--) {
            int j = (int)(wsd_rng_hash(s, (uint64_t)i, 0) % (uint64_t)(i + 1));
            int t = bt->order[i];
            bt->order[i] = bt->order[j];
            bt->order[j] = t;
        }
    }
    uint64_t s = wsd_rng_hash(seed, WSD_STREAM_SENTENCE_PICK, (uint64_t)epoch);
    for (int v = 0; v < n; v++) {
        size_t k = bt->caps->videos[bt->pos[v]].n_events;
        bt->pick[v] = (int)(wsd_rng_hash(s, (uint64_t)bt->pos[v], 0) % k);
    }
    int bs = bt->opts.batch_size;
    bt->count = bt->opts.drop_last ? n / bs : (n + bs - 1) / bs;
    bt->epoch = epoch;
    return bt->count;
}

int wsd_batcher_get(wsd_batcher *bt, int i, wsd_batch *out) {
    if (i < 0 || i >= bt->count) return wsd_fail("batch %d of %d requested", i, bt->count);
    int bs = bt->opts.batch_size;
    int first = i * bs;
    int B = bt->n_videos - first < bs ? bt->n_videos - first : bs;
    for (int b = 0; b < B; b++) {
        int v = bt->order[first + b];
        bt->tmp_feat[b] = bt->feat[v];
        bt->tmp_keys[b] = bt->caps->videos[bt->pos[v]].id;
        bt->tmp_dur[b] = bt->duration[v];
    }
    if (wsd_batch_set_videos(out, bt->tmp_feat, bt->tmp_keys, bt->tmp_dur, B) < 0) return -1;
    for (int b = 0; b < B; b++) {
        int v = bt->order[first + b];
        const wsd_video *vid = &bt->caps->videos[bt->pos[v]];
        out->video_pos[b] = bt->pos[v];
        size_t k0 = 0, k1 = vid->n_events;
        if (bt->opts.mode == WSD_BATCH_SAMPLE) {
            k0 = (size_t)bt->pick[v];
            k1 = k0 + 1;
        }
        for (size_t k = k0; k < k1; k++) {
            const wsd_event *ev = &vid->events[k];
            if (batch_add_ids(out, b, bt->enc[v][k].ids, bt->enc[v][k].n, ev->start, ev->end,
                              (int)k) < 0)
                return -1;
        }
    }
    return wsd_batch_finish_captions(out);
}
