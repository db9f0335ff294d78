#include "io/vqueue.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/text.h"
#include "base/util.h"
#include "io/captions.h"
#include "io/idmap.h"
#include "io/jsonl.h"

struct wsd_vqueue {
    const char *input;
    wsd_jsonl_reader *in; /* JSON Lines input, or */
    wsd_captions *caps;   /* the --videos file */
    wsd_idmap *seen;      /* video ids read from JSON Lines (unique per stream) */
    wsd_vqueue_videos how;
    size_t next_video;
    wsd_vrecord *recs;
    int batch, n;
    long count;
};

wsd_vqueue *wsd_vqueue_open(const char *input, const char *videos, wsd_vqueue_videos how,
                            int batch) {
    if (batch < 1) {
        wsd_fail("video queue: batch %d, expected >= 1", batch);
        return NULL;
    }
    wsd_vqueue *q = wsd_calloc(1, sizeof *q);
    q->input = videos ? videos : input;
    q->how = how;
    q->batch = batch;
    q->recs = wsd_calloc((size_t)batch, sizeof *q->recs);
    q->seen = wsd_idmap_new();
    if (videos ? !(q->caps = wsd_captions_load(videos)) : !(q->in = wsd_jsonl_open(input))) {
        wsd_vqueue_close(q);
        return NULL;
    }
    if (q->in) q->input = wsd_jsonl_path(q->in); /* "<stdin>" for "-", as the reader's messages */
    return q;
}

static cJSON *video_record(const wsd_video *v, wsd_vqueue_videos how) {
    if (how == WSD_VQUEUE_IDS) {
        cJSON *obj = cJSON_CreateObject();
        cJSON_AddStringToObject(obj, "video_id", v->id);
        if (!isnan(v->duration)) cJSON_AddNumberToObject(obj, "duration", v->duration);
        return obj;
    }
    cJSON *obj = wsd_video_to_json(v), *ev;
    if (how == WSD_VQUEUE_GT)
        cJSON_ArrayForEach(ev, cJSON_GetObjectItemCaseSensitive(obj, "events")) {
            const cJSON *ts = cJSON_GetObjectItemCaseSensitive(ev, "timestamp");
            cJSON_AddItemToObject(ev, "gt_timestamp", cJSON_Duplicate(ts, 1));
        }
    return obj;
}

static int valid_text(const cJSON *s) {
    return wsd_utf8_invalid_at(s->valuestring, strlen(s->valuestring)) < 0;
}

static int seconds_ok(const cJSON *v) {
    return cJSON_IsNumber(v) && isfinite(v->valuedouble) && fabs(v->valuedouble) <= WSD_MAX_SECONDS;
}

/* What wsdec-jsonl(5) calls an error in a record's own members, as a message
 * in msg (returns 1), or 0. Members the programs do not know pass through. */
static int check_record(const cJSON *obj, char *msg, size_t cap) {
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(obj, "video_id");
    const cJSON *dur = cJSON_GetObjectItemCaseSensitive(obj, "duration");
    const cJSON *events = cJSON_GetObjectItemCaseSensitive(obj, "events");
    if (!cJSON_IsString(id) || !id->valuestring[0])
        return snprintf(msg, cap, "expected a string \"video_id\""), 1;
    if (!valid_text(id)) return snprintf(msg, cap, "\"video_id\" is not valid UTF-8"), 1;
    const char *v = id->valuestring;
    if (dur && !cJSON_IsNull(dur) && (!seconds_ok(dur) || dur->valuedouble < 0))
        return snprintf(msg, cap,
                        "video '%.64s': \"duration\" must be a non-negative number of seconds (at "
                        "most %g)",
                        v, WSD_MAX_SECONDS),
               1;
    if (events && !cJSON_IsArray(events))
        return snprintf(msg, cap, "video '%.64s': \"events\" must be an array", v), 1;
    const cJSON *ev;
    int k = 0;
    if (events) cJSON_ArrayForEach(ev, events) {
            const cJSON *ts = cJSON_GetObjectItemCaseSensitive(ev, "timestamp");
            const cJSON *sent = cJSON_GetObjectItemCaseSensitive(ev, "sentence");
            const cJSON *score = cJSON_GetObjectItemCaseSensitive(ev, "score");
            if (!cJSON_IsObject(ev))
                return snprintf(msg, cap, "video '%.64s': event %d must be an object", v, k), 1;
            if (ts && !cJSON_IsNull(ts) &&
                (!cJSON_IsArray(ts) || cJSON_GetArraySize(ts) != 2 || !seconds_ok(ts->child) ||
                 !seconds_ok(ts->child->next)))
                return snprintf(msg, cap,
                                "video '%.64s': event %d: \"timestamp\" must be [start, end], two "
                                "numbers of "
                                "seconds (at most %g)",
                                v, k, WSD_MAX_SECONDS),
                       1;
            if (sent && !cJSON_IsNull(sent) && !cJSON_IsString(sent))
                return snprintf(msg, cap, "video '%.64s': event %d: \"sentence\" must be a string",
                                v, k),
                       1;
            if (cJSON_IsString(sent) && !valid_text(sent))
                return snprintf(msg, cap,
                                "video '%.64s': event %d: \"sentence\" is not valid UTF-8", v, k),
                       1;
            if (score && !cJSON_IsNull(score) &&
                !(cJSON_IsNumber(score) && isfinite(score->valuedouble)))
                return snprintf(msg, cap, "video '%.64s': event %d: \"score\" must be a number", v,
                                k),
                       1;
            k++;
        }
    return 0;
}

static int check_unique(wsd_vqueue *q, const cJSON *obj, char *msg, size_t cap) {
    const char *id = cJSON_GetObjectItemCaseSensitive(obj, "video_id")->valuestring;
    long first = wsd_idmap_get(q->seen, id);
    if (first >= 0)
        return snprintf(msg, cap, "duplicate video_id '%.64s' (first on line %ld)", id, first), 1;
    wsd_idmap_put(q->seen, id, wsd_jsonl_line(q->in));
    return 0;
}

/* The next record: 1, 0 at the end, -1 on error. */
static int read_record(wsd_vqueue *q, wsd_vrecord *r) {
    if (q->caps) {
        if (q->next_video == q->caps->n) return 0;
        r->obj = video_record(&q->caps->videos[q->next_video], q->how);
        r->line = (long)++q->next_video;
        return 1;
    }
    int rc = wsd_jsonl_next(q->in, &r->obj);
    if (rc != 1) return rc;
    r->line = wsd_jsonl_line(q->in);
    char bad[256];
    if (!check_record(r->obj, bad, sizeof bad) && !check_unique(q, r->obj, bad, sizeof bad))
        return 1;
    cJSON_Delete(r->obj);
    r->obj = NULL;
    return wsd_fail("%s:%ld: %s", q->input, r->line, bad);
}

int wsd_vqueue_next(wsd_vqueue *q, wsd_vrecord **recs) {
    if (q->n) wsd_vqueue_write(q, NULL);
    int rc = 0;
    while (q->n < q->batch && (rc = read_record(q, &q->recs[q->n])) == 1) q->n++;
    if (rc < 0) return -1;
    q->count += q->n;
    *recs = q->recs;
    return q->n;
}

int wsd_vqueue_video(const wsd_vqueue *q, const wsd_featset *fs, const wsd_vrecord *r,
                     const wsd_feat **feat, double *duration) {
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(r->obj, "video_id");
    const wsd_feat *f = wsd_featset_get(fs, id->valuestring);
    if (!f) return wsd_fail("%s:%ld: %s", q->input, r->line, wsd_error());
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(r->obj, "duration");
    double dur = cJSON_IsNumber(d) ? d->valuedouble : f->duration;
    if (!(dur > 0) || !(dur <= WSD_MAX_SECONDS)) /* also the features' duration */
        return wsd_fail("%s:%ld: video '%s' needs a positive \"duration\" of at most %g seconds",
                        q->input, r->line, id->valuestring, WSD_MAX_SECONDS);
    *feat = f;
    *duration = dur;
    return 0;
}

int wsd_vqueue_write(wsd_vqueue *q, FILE *fp) {
    int rc = 0;
    for (int i = 0; i < q->n; i++) {
        if (fp && rc == 0) rc = wsd_jsonl_write(fp, q->recs[i].obj);
        cJSON_Delete(q->recs[i].obj);
        q->recs[i].obj = NULL;
    }
    q->n = 0;
    return rc;
}

long wsd_vqueue_n_events(const wsd_vqueue *q) {
    return q->caps ? (long)wsd_captions_n_events(q->caps) : -1;
}

const char *wsd_vqueue_input(const wsd_vqueue *q) { return q->input; }
long wsd_vqueue_count(const wsd_vqueue *q) { return q->count; }

void wsd_vqueue_close(wsd_vqueue *q) {
    if (!q) return;
    wsd_vqueue_write(q, NULL);
    if (q->in) wsd_jsonl_close(q->in);
    wsd_captions_free(q->caps);
    wsd_idmap_free(q->seen);
    free(q->recs);
    free(q);
}
