#include "io/captions.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io/jsonl.h"
#include "base/text.h"
#include "base/util.h"

void wsd_video_free(wsd_video *v) {
    free(v->id);
    for (size_t i = 0; i < v->n_events; i++) free(v->events[i].sentence);
    free(v->events);
    memset(v, 0, sizeof *v);
}

void wsd_captions_free(wsd_captions *c) {
    if (!c) return;
    for (size_t i = 0; i < c->n; i++) wsd_video_free(&c->videos[i]);
    free(c->videos);
    free(c->path);
    wsd_idmap_free(c->index);
    free(c);
}

static int finite_number(const cJSON *v, double *out) {
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble)) return -1;
    *out = v->valuedouble;
    return 0;
}

static int check_text(const char *s, const char *where, const char *what) {
    long at = wsd_utf8_invalid_at(s, strlen(s));
    if (at >= 0) return wsd_fail("%s: %s is not valid UTF-8 (byte %ld)", where, what, at);
    return 0;
}

static int seconds(const cJSON *v, double *out) {
    return finite_number(v, out) != 0 || fabs(*out) > WSD_MAX_SECONDS ? -1 : 0;
}

static int parse_timestamp(const cJSON *ts, wsd_event *e, const char *where, size_t k) {
    if (!cJSON_IsArray(ts) || cJSON_GetArraySize(ts) != 2 || seconds(ts->child, &e->start) != 0 ||
        seconds(ts->child->next, &e->end) != 0)
        return wsd_fail(
            "%s: event %zu: timestamp must be [start, end] in seconds (two numbers of at most %g)",
            where, k, WSD_MAX_SECONDS);
    return 0;
}

int wsd_video_from_json(const cJSON *obj, const char *where, wsd_video *v) {
    memset(v, 0, sizeof *v);
    v->duration = NAN;
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(obj, "video_id");
    const cJSON *dur = cJSON_GetObjectItemCaseSensitive(obj, "duration");
    const cJSON *events = cJSON_GetObjectItemCaseSensitive(obj, "events");
    if (!cJSON_IsString(id) || !id->valuestring[0])
        return wsd_fail("%s: expected a non-empty string \"video_id\"", where);
    if (check_text(id->valuestring, where, "video_id") != 0) return -1;
    if (dur && !cJSON_IsNull(dur) && (seconds(dur, &v->duration) != 0 || v->duration < 0))
        return wsd_fail(
            "%s: video '%s': \"duration\" must be a non-negative number of seconds (at most %g)",
            where, id->valuestring, WSD_MAX_SECONDS);
    if (events && !cJSON_IsArray(events))
        return wsd_fail("%s: video '%s': \"events\" must be an array", where, id->valuestring);
    v->id = wsd_strdup(id->valuestring);
    size_t n = events ? (size_t)cJSON_GetArraySize(events) : 0;
    v->events = wsd_calloc(n, sizeof *v->events);
    const cJSON *ev;
    char ctx[600];
    snprintf(ctx, sizeof ctx, "%s: video '%s'", where, v->id);
    if (events) cJSON_ArrayForEach(ev, events) {
            wsd_event *e = &v->events[v->n_events];
            e->score = NAN;
            if (!cJSON_IsObject(ev)) {
                wsd_fail("%s: event %zu must be an object", ctx, v->n_events);
                goto bad;
            }
            if (parse_timestamp(cJSON_GetObjectItemCaseSensitive(ev, "timestamp"), e, ctx,
                                v->n_events) != 0)
                goto bad;
            const cJSON *s = cJSON_GetObjectItemCaseSensitive(ev, "sentence");
            const cJSON *score = cJSON_GetObjectItemCaseSensitive(ev, "score");
            if (s && !cJSON_IsNull(s)) {
                if (!cJSON_IsString(s)) {
                    wsd_fail("%s: event %zu: \"sentence\" must be a string", ctx, v->n_events);
                    goto bad;
                }
                if (check_text(s->valuestring, ctx, "sentence") != 0) goto bad;
                e->sentence = wsd_strdup(s->valuestring);
            }
            if (score && !cJSON_IsNull(score) && finite_number(score, &e->score) != 0) {
                wsd_fail("%s: event %zu: \"score\" must be a number", ctx, v->n_events);
                goto bad;
            }
            v->n_events++;
        }
    return 0;
bad:
    v->n_events++;
    wsd_video_free(v);
    return -1;
}

size_t wsd_captions_n_events(const wsd_captions *c) {
    size_t n = 0;
    for (size_t i = 0; i < c->n; i++) n += c->videos[i].n_events;
    return n;
}

cJSON *wsd_video_to_json(const wsd_video *v) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "video_id", v->id);
    if (!isnan(v->duration)) cJSON_AddNumberToObject(o, "duration", v->duration);
    cJSON *events = cJSON_AddArrayToObject(o, "events");
    for (size_t i = 0; i < v->n_events; i++) {
        const wsd_event *e = &v->events[i];
        cJSON *ej = cJSON_CreateObject();
        double se[2] = {e->start, e->end};
        cJSON_AddItemToObject(ej, "timestamp", cJSON_CreateDoubleArray(se, 2));
        if (e->sentence) cJSON_AddStringToObject(ej, "sentence", e->sentence);
        if (!isnan(e->score)) cJSON_AddNumberToObject(ej, "score", e->score);
        cJSON_AddItemToArray(events, ej);
    }
    return o;
}

void wsd_video_update_json(cJSON *obj, const wsd_video *v) {
    wsd_jsonl_set(obj, "video_id", cJSON_CreateString(v->id));
    if (!isnan(v->duration)) wsd_jsonl_set(obj, "duration", cJSON_CreateNumber(v->duration));
    cJSON *events = cJSON_GetObjectItemCaseSensitive(obj, "events");
    if (!cJSON_IsArray(events) || (size_t)cJSON_GetArraySize(events) != v->n_events) {
        cJSON *fresh = wsd_video_to_json(v);
        wsd_jsonl_set(obj, "events", cJSON_DetachItemFromObjectCaseSensitive(fresh, "events"));
        cJSON_Delete(fresh);
        return;
    }
    size_t k = 0;
    cJSON *ev;
    cJSON_ArrayForEach(ev, events) {
        const wsd_event *e = &v->events[k++];
        if (!cJSON_IsObject(ev)) {
            cJSON *fresh = cJSON_CreateObject();
            cJSON_ReplaceItemViaPointer(events, ev, fresh);
            ev = fresh;
        }
        double se[2] = {e->start, e->end};
        wsd_jsonl_set(ev, "timestamp", cJSON_CreateDoubleArray(se, 2));
        if (e->sentence) wsd_jsonl_set(ev, "sentence", cJSON_CreateString(e->sentence));
        if (!isnan(e->score)) wsd_jsonl_set(ev, "score", cJSON_CreateNumber(e->score));
    }
}

/* ---- loading ---- */

static wsd_captions *new_set(const char *name, wsd_captions_format f) {
    wsd_captions *c = wsd_calloc(1, sizeof *c);
    c->path = wsd_strdup(name);
    c->format = f;
    c->index = wsd_idmap_new();
    return c;
}

static wsd_video *append(wsd_captions *c, size_t *cap) {
    if (c->n == *cap)
        c->videos = wsd_realloc(c->videos, (*cap = *cap ? *cap * 2 : 64) * sizeof *c->videos);
    return &c->videos[c->n];
}

/* Registers videos[n] (just filled) under its id. */
static int commit_video(wsd_captions *c, const char *where) {
    wsd_video *v = &c->videos[c->n];
    if (wsd_idmap_put(c->index, v->id, (long)c->n) != 0) {
        wsd_fail("%s: duplicate video id '%s'", where, v->id);
        wsd_video_free(v);
        return -1;
    }
    c->n++;
    return 0;
}

static int parse_official_video(const cJSON *rec, const char *file, wsd_video *v) {
    char where[600];
    snprintf(where, sizeof where, "%s: video '%s'", file, rec->string);
    memset(v, 0, sizeof *v);
    if (check_text(rec->string, file, "a video id") != 0) return -1;
    if (!cJSON_IsObject(rec))
        return wsd_fail("%s: expected an object {duration, timestamps, sentences}", where);
    const cJSON *dur = cJSON_GetObjectItemCaseSensitive(rec, "duration");
    const cJSON *ts = cJSON_GetObjectItemCaseSensitive(rec, "timestamps");
    const cJSON *ss = cJSON_GetObjectItemCaseSensitive(rec, "sentences");
    if (seconds(dur, &v->duration) != 0 || v->duration < 0)
        return wsd_fail("%s: \"duration\" must be a non-negative number of seconds (at most %g)",
                        where, WSD_MAX_SECONDS);
    if (!cJSON_IsArray(ts) || !cJSON_IsArray(ss))
        return wsd_fail("%s: expected arrays \"timestamps\" and \"sentences\"", where);
    size_t n = (size_t)cJSON_GetArraySize(ts);
    if ((size_t)cJSON_GetArraySize(ss) != n)
        return wsd_fail("%s: %zu timestamps but %d sentences", where, n, cJSON_GetArraySize(ss));
    v->id = wsd_strdup(rec->string);
    v->events = wsd_calloc(n, sizeof *v->events);
    const cJSON *t = ts->child, *s = ss->child;
    for (; t; t = t->next, s = s->next) {
        wsd_event *e = &v->events[v->n_events++];
        e->score = NAN;
        if (parse_timestamp(t, e, where, v->n_events - 1) != 0) goto bad;
        if (!cJSON_IsString(s)) {
            wsd_fail("%s: sentence %zu is not a string", where, v->n_events - 1);
            goto bad;
        }
        if (check_text(s->valuestring, where, "a sentence") != 0) goto bad;
        e->sentence = wsd_strdup(s->valuestring);
    }
    return 0;
bad:
    wsd_video_free(v);
    return -1;
}

static wsd_captions *parse_official(const cJSON *root, const char *name) {
    wsd_captions *c = new_set(name, WSD_CAPTIONS_JSON);
    size_t cap = 0;
    const cJSON *rec;
    cJSON_ArrayForEach(rec, root) {
        wsd_video *v = append(c, &cap);
        if (parse_official_video(rec, name, v) != 0 || commit_video(c, name) != 0) {
            wsd_captions_free(c);
            return NULL;
        }
    }
    return c;
}

static wsd_captions *parse_jsonl(const char *text, size_t len, const char *name) {
    wsd_captions *c = new_set(name, WSD_CAPTIONS_JSONL);
    size_t cap = 0;
    long line = 0;
    for (const char *p = text, *end = text + len; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        line++;
        size_t i = 0;
        while (i < n && isspace((unsigned char)p[i])) i++;
        if (i < n) {
            char where[600];
            snprintf(where, sizeof where, "%s:%ld", name, line);
            if (memchr(p, '\0', n)) {
                wsd_fail("%s: NUL byte in line", where);
                goto bad;
            }
            cJSON *obj = wsd_jsonl_parse(p, n, where);
            if (!obj) goto bad;
            wsd_video *v = append(c, &cap);
            int rc = wsd_video_from_json(obj, where, v);
            cJSON_Delete(obj);
            if (rc != 0 || commit_video(c, where) != 0) goto bad;
        }
        p += n + 1;
    }
    return c;
bad:
    wsd_captions_free(c);
    return NULL;
}

static wsd_captions *parse_ids(const char *text, size_t len, const char *name) {
    wsd_captions *c = new_set(name, WSD_CAPTIONS_IDS);
    size_t cap = 0;
    long line = 0;
    for (const char *p = text, *end = text + len; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p), a = 0, b = n;
        line++;
        while (a < b && isspace((unsigned char)p[a])) a++;
        while (b > a && isspace((unsigned char)p[b - 1])) b--;
        char where[600];
        snprintf(where, sizeof where, "%s:%ld", name, line);
        if (a < b && p[a] != '#') {
            for (size_t i = a; i < b; i++)
                if (isspace((unsigned char)p[i]) || p[i] == '\0') {
                    wsd_fail("%s: expected one video id per line (no spaces)", where);
                    goto bad;
                }
            wsd_video *v = append(c, &cap);
            memset(v, 0, sizeof *v);
            v->duration = NAN;
            v->id = wsd_malloc(b - a + 1);
            memcpy(v->id, p + a, b - a);
            v->id[b - a] = '\0';
            if (check_text(v->id, where, "video id") != 0) {
                wsd_video_free(v);
                goto bad;
            }
            if (commit_video(c, where) != 0) goto bad;
        }
        p += n + 1;
    }
    return c;
bad:
    wsd_captions_free(c);
    return NULL;
}

wsd_captions *wsd_captions_parse(const char *text, size_t len, const char *name) {
    size_t i = 0;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) i = 3; /* UTF-8 byte order mark */
    while (i < len && isspace((unsigned char)text[i])) i++;
    if (i == len) {
        wsd_fail("%s: empty input (expected captions JSON, JSON Lines or a list of video ids)",
                 name);
        return NULL;
    }
    if (text[i] == '[') {
        wsd_fail("%s: a JSON array is not a captions file (expected an object keyed by video id, "
                 "JSON Lines, or a list of video ids)",
                 name);
        return NULL;
    }
    if (text[i] != '{') return parse_ids(text + i, len - i, name);
    /* JSON Lines when the first line alone is an object with "video_id" */
    const char *nl = memchr(text + i, '\n', len - i);
    size_t first = nl ? (size_t)(nl - text - i) : len - i;
    cJSON *head = cJSON_ParseWithLength(text + i, first);
    int is_jsonl = cJSON_IsObject(head) && cJSON_GetObjectItemCaseSensitive(head, "video_id");
    cJSON_Delete(head);
    if (is_jsonl) return parse_jsonl(text, len, name);
    long nul = wsd_json_nul_escape_at(text, len);
    if (nul >= 0) {
        long line = 1;
        for (long k = 0; k < nul; k++) line += text[k] == '\n';
        wsd_fail("%s:%ld: a string contains \\u0000 (NUL), which captions text must not", name,
                 line);
        return NULL;
    }
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text + i, len - i, &end, 0);
    if (!root) {
        const char *e = cJSON_GetErrorPtr();
        long line = 1;
        for (const char *p = text; e && p < e && p < text + len; p++) line += *p == '\n';
        wsd_fail("%s:%ld: not valid JSON (expected a captions object keyed by video id)", name,
                 line);
        return NULL;
    }
    for (; end < text + len; end++)
        if (!isspace((unsigned char)*end)) {
            cJSON_Delete(root);
            wsd_fail("%s: text after the captions JSON object", name);
            return NULL;
        }
    wsd_captions *c = parse_official(root, name);
    cJSON_Delete(root);
    return c;
}

wsd_captions *wsd_captions_load(const char *path) {
    size_t len = 0;
    char *text = wsd_read_file(path, &len);
    if (!text) return NULL;
    wsd_captions *c = wsd_captions_parse(text, len, strcmp(path, "-") == 0 ? "<stdin>" : path);
    free(text);
    return c;
}

const wsd_video *wsd_captions_find(const wsd_captions *c, const char *id) {
    long i = wsd_idmap_get(c->index, id);
    if (i < 0) {
        wsd_fail("%s: unknown video id '%s' (%zu videos)", c->path, id, c->n);
        return NULL;
    }
    return &c->videos[i];
}

int wsd_captions_write_json(FILE *fp, const wsd_captions *c) {
    cJSON *root = cJSON_CreateObject();
    for (size_t i = 0; i < c->n; i++) {
        const wsd_video *v = &c->videos[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "duration", isnan(v->duration) ? 0 : v->duration);
        cJSON *ts = cJSON_AddArrayToObject(o, "timestamps");
        cJSON *ss = cJSON_AddArrayToObject(o, "sentences");
        for (size_t k = 0; k < v->n_events; k++) {
            double se[2] = {v->events[k].start, v->events[k].end};
            cJSON_AddItemToArray(ts, cJSON_CreateDoubleArray(se, 2));
            cJSON_AddItemToArray(
                ss, cJSON_CreateString(v->events[k].sentence ? v->events[k].sentence : ""));
        }
        cJSON_AddItemToObject(root, v->id, o);
    }
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    if (!text) return wsd_fail("cannot format captions JSON");
    int bad = fputs(text, fp) < 0 || putc('\n', fp) == EOF;
    free(text);
    return bad ? wsd_fail("write error") : 0;
}
