#include "io/vqueue.h"

#include <math.h>
#include <stdlib.h>

#include "base/util.h"
#include "io/captions.h"
#include "io/jsonl.h"

struct wsd_vqueue {
    const char *input;
    wsd_jsonl_reader *in; /* JSON Lines input, or */
    wsd_captions *caps;   /* the --videos file */
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
    if (videos ? !(q->caps = wsd_captions_load(videos)) : !(q->in = wsd_jsonl_open(input))) {
        wsd_vqueue_close(q);
        return NULL;
    }
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
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(r->obj, "video_id");
    const cJSON *events = cJSON_GetObjectItemCaseSensitive(r->obj, "events");
    const char *bad = !cJSON_IsString(id) || !id->valuestring[0] ? "expected a string \"video_id\""
                      : events && !cJSON_IsArray(events)         ? "\"events\" must be an array"
                                                                 : NULL;
    if (!bad) return 1;
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
    if (!(dur > 0))
        return wsd_fail("%s:%ld: video '%s' needs a positive \"duration\" (seconds)", q->input,
                        r->line, id->valuestring);
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
    free(q->recs);
    free(q);
}
