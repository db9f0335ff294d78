#include "score/score_data.h"

#include "base/util.h"

#include <cJSON.h>
#include <stdlib.h>
#include <string.h>

/* Line and column (1-based) of byte offset `pos` in text. */
static void line_col(const char *text, size_t pos, size_t *line, size_t *col) {
    size_t l = 1, c = 1;
    for (size_t i = 0; i < pos && text[i]; i++) {
        if (text[i] == '\n')
            l++, c = 1;
        else
            c++;
    }
    *line = l;
    *col = c;
}

/* Whether the text ends inside a string or an unclosed object/array: then
 * the end of the input is the place to report, not cJSON's guess. */
static int ends_early(const char *text, size_t len) {
    long depth = 0;
    int in_string = 0;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (in_string) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_string = 0;
        } else if (c == '"') {
            in_string = 1;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if ((c == '}' || c == ']') && --depth < 0) {
            return 0;
        }
    }
    return in_string || depth > 0;
}

static int json_error(const char *text, size_t len, const char *err, const char *path,
                      size_t line_offset) {
    size_t pos = err && err >= text && err <= text + len ? (size_t)(err - text) : len;
    if (ends_early(text, len)) pos = len;
    size_t line, col;
    line_col(text, pos, &line, &col);
    char near[24] = "";
    size_t k = 0;
    for (size_t i = pos; i < len && k < 16 && text[i] != '\n'; i++)
        near[k++] = (unsigned char)text[i] >= ' ' && (unsigned char)text[i] < 127 ? text[i] : '?';
    near[k] = '\0';
    if (pos >= len)
        return wsd_fail("%s:%zu:%zu: malformed JSON: unexpected end of input", path,
                        line + line_offset, col);
    return wsd_fail("%s:%zu:%zu: malformed JSON near '%s'", path, line + line_offset, col, near);
}

/* Parses all of text[0..len) as one JSON value; only whitespace may follow
 * it. On failure *err points at the offending byte. */
static cJSON *parse_whole(const char *text, size_t len, const char **err) {
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (!root) {
        *err = end ? end : cJSON_GetErrorPtr();
        return NULL;
    }
    for (const char *p = end; p && p < text + len; p++)
        if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r') {
            cJSON_Delete(root);
            *err = p;
            return NULL;
        }
    return root;
}

static void video_free(score_video *v) {
    for (size_t i = 0; i < v->n_events; i++) free(v->events[i].sentence);
    free(v->events);
    free(v->id);
}

void score_set_free(score_set *s) {
    for (size_t i = 0; i < s->n_videos; i++) video_free(&s->videos[i]);
    free(s->videos);
    free(s->path);
    memset(s, 0, sizeof *s);
}

const score_video *score_find(const score_set *s, const char *id) {
    size_t lo = 0, hi = s->n_videos;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(s->videos[mid].id, id);
        if (c == 0) return &s->videos[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* A video's "duration" when it is a positive number, else 0 (the metrics never use it). */
static double json_duration(const cJSON *obj) {
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(obj, "duration");
    return cJSON_IsNumber(d) && d->valuedouble > 0 ? d->valuedouble : 0;
}

/* A timestamp pair [start, end] of JSON numbers. */
static int parse_pair(const cJSON *ts, double *s, double *e) {
    if (!cJSON_IsArray(ts) || cJSON_GetArraySize(ts) != 2) return -1;
    const cJSON *a = ts->child, *b = a->next;
    if (!cJSON_IsNumber(a) || !cJSON_IsNumber(b)) return -1;
    *s = a->valuedouble;
    *e = b->valuedouble;
    return 0;
}

static void push_video(score_set *s, size_t *cap, score_video v) {
    if (s->n_videos == *cap) {
        *cap = *cap ? 2 * *cap : 256;
        s->videos = wsd_realloc(s->videos, *cap * sizeof *s->videos);
    }
    s->videos[s->n_videos++] = v;
}

/* Sorts by id. Duplicate ids: `keep_last` keeps the later one (Python's json
 * does so for duplicate object keys), otherwise they are an error. */
static int sort_and_dedupe(score_set *s, int keep_last) {
    if (s->n_videos < 2) return 0;
    /* a stable merge sort of positions, so equal ids stay in file order */
    size_t n = s->n_videos;
    size_t *idx = wsd_malloc(n * sizeof *idx);
    for (size_t i = 0; i < n; i++) idx[i] = i;
    score_video *v = s->videos;
    size_t *tmp = wsd_malloc(n * sizeof *tmp);
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n,
                   hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                tmp[k++] = strcmp(v[idx[j]].id, v[idx[i]].id) < 0 ? idx[j++] : idx[i++];
            while (i < mid) tmp[k++] = idx[i++];
            while (j < hi) tmp[k++] = idx[j++];
        }
        memcpy(idx, tmp, n * sizeof *idx);
    }
    score_video *sorted = wsd_malloc(n * sizeof *sorted);
    size_t m = 0;
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        score_video cur = v[idx[i]];
        if (m && strcmp(sorted[m - 1].id, cur.id) == 0) {
            if (!keep_last && rc == 0)
                rc = wsd_fail("%s: video %s appears more than once", s->path, cur.id);
            video_free(&sorted[m - 1]);
            sorted[m - 1] = cur;
        } else {
            sorted[m++] = cur;
        }
    }
    free(idx);
    free(tmp);
    free(s->videos);
    s->videos = sorted;
    s->n_videos = m;
    return rc;
}

/* The proposals of one video: [{"timestamp": [s, e], "sentence": "..."}, ...]. */
static int parse_events(const cJSON *arr, const char *path, const char *where, score_video *v) {
    if (!cJSON_IsArray(arr)) return wsd_fail("%s: %s: expected an array of events", path, where);
    size_t n = (size_t)cJSON_GetArraySize(arr), i = 0;
    v->events = wsd_calloc(n ? n : 1, sizeof *v->events);
    const cJSON *ev;
    cJSON_ArrayForEach(ev, arr) {
        if (!cJSON_IsObject(ev))
            return wsd_fail("%s: %s, event %zu: expected an object", path, where, i);
        const cJSON *ts = cJSON_GetObjectItemCaseSensitive(ev, "timestamp");
        const cJSON *se = cJSON_GetObjectItemCaseSensitive(ev, "sentence");
        if (!ts) return wsd_fail("%s: %s, event %zu: missing \"timestamp\"", path, where, i);
        if (parse_pair(ts, &v->events[i].start, &v->events[i].end))
            return wsd_fail(
                "%s: %s, event %zu: \"timestamp\": expected an array of two numbers [start, end]",
                path, where, i);
        if (!se) return wsd_fail("%s: %s, event %zu: missing \"sentence\"", path, where, i);
        if (!cJSON_IsString(se))
            return wsd_fail("%s: %s, event %zu: \"sentence\": expected a string", path, where, i);
        const cJSON *gt = cJSON_GetObjectItemCaseSensitive(ev, "gt_timestamp");
        if (gt)
            v->events[i].has_gt =
                parse_pair(gt, &v->events[i].gt_start, &v->events[i].gt_end) ? -1 : 1;
        v->events[i].sentence = wsd_strdup(se->valuestring);
        v->n_events = ++i;
    }
    return 0;
}

static int parse_official(const char *text, size_t len, const char *path, score_set *out) {
    const char *end = NULL;
    cJSON *root = parse_whole(text, len, &end);
    if (!root) return json_error(text, len, end, path, 0);
    int rc = 0;
    size_t cap = 0;
    if (!cJSON_IsObject(root)) {
        rc = wsd_fail(
            "%s: expected a JSON object with keys \"version\", \"results\", \"external_data\"",
            path);
        goto done;
    }
    static const char *keys[] = {"results", "version", "external_data"};
    for (int k = 0; k < 3; k++)
        if (!cJSON_GetObjectItemCaseSensitive(root, keys[k])) {
            rc = wsd_fail("%s: submission lacks the key \"%s\" (the official format needs "
                          "\"version\", \"results\" and "
                          "\"external_data\")",
                          path, keys[k]);
            goto done;
        }
    const cJSON *results = cJSON_GetObjectItemCaseSensitive(root, "results"), *vid;
    if (!cJSON_IsObject(results)) {
        rc =
            wsd_fail("%s: \"results\": expected an object mapping video ids to event arrays", path);
        goto done;
    }
    cJSON_ArrayForEach(vid, results) {
        score_video v = {0};
        v.id = wsd_strdup(vid->string ? vid->string : "");
        char where[320];
        snprintf(where, sizeof where, "results[\"%.256s\"]", v.id);
        if (parse_events(vid, path, where, &v)) {
            video_free(&v);
            rc = -1;
            goto done;
        }
        push_video(out, &cap, v);
    }
    rc = sort_and_dedupe(out, 1);
done:
    cJSON_Delete(root);
    return rc;
}

static int parse_jsonl(const char *text, size_t len, const char *path, score_set *out) {
    size_t cap = 0, line = 0, pos = 0;
    while (pos < len) {
        size_t eol = pos;
        while (eol < len && text[eol] != '\n') eol++;
        line++;
        size_t a = pos;
        while (a < eol && (text[a] == ' ' || text[a] == '\t' || text[a] == '\r')) a++;
        if (a < eol) {
            const char *end = NULL;
            cJSON *obj = cJSON_ParseWithLengthOpts(text + pos, eol - pos, &end, 0);
            if (!obj)
                return json_error(text + pos, eol - pos, end ? end : cJSON_GetErrorPtr(), path,
                                  line - 1);
            /* only blanks may follow the object on its line */
            size_t used = end ? (size_t)(end - (text + pos)) : eol - pos;
            for (size_t i = pos + used; i < eol; i++)
                if (text[i] != ' ' && text[i] != '\t' && text[i] != '\r') {
                    cJSON_Delete(obj);
                    return json_error(text + pos, eol - pos, text + i, path, line - 1);
                }
            const cJSON *id = cJSON_GetObjectItemCaseSensitive(obj, "video_id");
            const cJSON *events = cJSON_GetObjectItemCaseSensitive(obj, "events");
            int rc = 0;
            if (!cJSON_IsObject(obj))
                rc = wsd_fail("%s:%zu: expected a JSON object (one video per line)", path, line);
            else if (!cJSON_IsString(id))
                rc = wsd_fail("%s:%zu: expected \"video_id\": a string", path, line);
            else if (!events)
                rc = wsd_fail("%s:%zu: video %s: missing \"events\"", path, line, id->valuestring);
            if (rc) {
                cJSON_Delete(obj);
                return rc;
            }
            score_video v = {0};
            v.id = wsd_strdup(id->valuestring);
            v.duration = json_duration(obj);
            v.line = line;
            char where[320];
            snprintf(where, sizeof where, "line %zu, video %.256s", line, v.id);
            rc = parse_events(events, path, where, &v);
            cJSON_Delete(obj);
            if (rc) {
                video_free(&v);
                return rc;
            }
            push_video(out, &cap, v);
        }
        pos = eol + 1;
    }
    return sort_and_dedupe(out, 0);
}

static int looks_like_jsonl(const char *text, size_t len) {
    size_t pos = 0;
    while (pos < len) {
        size_t eol = pos;
        while (eol < len && text[eol] != '\n') eol++;
        size_t a = pos;
        while (a < eol && (text[a] == ' ' || text[a] == '\t' || text[a] == '\r')) a++;
        if (a < eol) {
            cJSON *obj = cJSON_ParseWithLength(text + pos, eol - pos);
            int yes = obj && cJSON_IsObject(obj) &&
                      cJSON_GetObjectItemCaseSensitive(obj, "video_id") &&
                      !cJSON_GetObjectItemCaseSensitive(obj, "results");
            cJSON_Delete(obj);
            return yes;
        }
        pos = eol + 1;
    }
    return 0;
}

int score_parse_submission(const char *text, size_t len, const char *path, score_format fmt,
                           score_set *out) {
    memset(out, 0, sizeof *out);
    out->path = wsd_strdup(path);
    if (fmt == SCORE_FORMAT_AUTO)
        fmt = looks_like_jsonl(text, len) ? SCORE_FORMAT_JSONL : SCORE_FORMAT_JSON;
    int rc = fmt == SCORE_FORMAT_JSONL ? parse_jsonl(text, len, path, out)
                                       : parse_official(text, len, path, out);
    if (rc) score_set_free(out);
    return rc;
}

int score_parse_references(const char *text, size_t len, const char *path, score_set *out) {
    memset(out, 0, sizeof *out);
    out->path = wsd_strdup(path);
    const char *end = NULL;
    cJSON *root = parse_whole(text, len, &end);
    if (!root) {
        score_set_free(out);
        return json_error(text, len, end, path, 0);
    }
    int rc = 0;
    size_t cap = 0;
    const cJSON *vid;
    if (!cJSON_IsObject(root)) {
        rc = wsd_fail(
            "%s: expected a JSON object mapping video ids to {\"timestamps\", \"sentences\"}",
            path);
        goto done;
    }
    cJSON_ArrayForEach(vid, root) {
        const char *id = vid->string ? vid->string : "";
        const cJSON *ts = cJSON_GetObjectItemCaseSensitive(vid, "timestamps");
        const cJSON *se = cJSON_GetObjectItemCaseSensitive(vid, "sentences");
        if (!cJSON_IsObject(vid) || !cJSON_IsArray(ts) || !cJSON_IsArray(se)) {
            rc = wsd_fail(
                "%s: video %s: expected an object with arrays \"timestamps\" and \"sentences\"",
                path, id);
            goto done;
        }
        int n = cJSON_GetArraySize(ts);
        if (n != cJSON_GetArraySize(se)) {
            rc = wsd_fail("%s: video %s: %d timestamps but %d sentences", path, id, n,
                          cJSON_GetArraySize(se));
            goto done;
        }
        score_video v = {0};
        v.id = wsd_strdup(id);
        v.duration = json_duration(vid);
        v.events = wsd_calloc(n ? (size_t)n : 1, sizeof *v.events);
        const cJSON *t = ts->child, *s = se->child;
        for (int i = 0; i < n; i++, t = t->next, s = s->next) {
            if (parse_pair(t, &v.events[i].start, &v.events[i].end))
                rc = wsd_fail(
                    "%s: video %s, timestamp %d: expected an array of two numbers [start, end]",
                    path, id, i);
            else if (!cJSON_IsString(s))
                rc = wsd_fail("%s: video %s, sentence %d: expected a string", path, id, i);
            if (rc) {
                video_free(&v);
                goto done;
            }
            v.events[i].sentence = wsd_strdup(s->valuestring);
            v.n_events = (size_t)i + 1;
        }
        push_video(out, &cap, v);
    }
    rc = sort_and_dedupe(out, 1);
done:
    cJSON_Delete(root);
    if (rc) score_set_free(out);
    return rc;
}

int score_load_submission(const char *path, score_format fmt, score_set *out) {
    size_t len = 0;
    char *text = wsd_read_file(path, &len);
    if (!text) return -1;
    int rc = score_parse_submission(text, len, strcmp(path, "-") == 0 ? "<stdin>" : path, fmt, out);
    free(text);
    return rc;
}

int score_load_references(const char *path, score_set *out) {
    size_t len = 0;
    char *text = wsd_read_file(path, &len);
    if (!text) return -1;
    int rc = score_parse_references(text, len, path, out);
    free(text);
    return rc;
}
