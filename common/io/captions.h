/* Caption sets in memory: videos (id, duration, events with timestamps and
 * sentences) in file order, indexed by id. Loaded from any of
 *   - the official captions JSON: {"v_x": {"duration", "timestamps", "sentences"}}
 *   - our JSON Lines: {"video_id", "duration", "events": [{"timestamp", "sentence", "score"}]}
 *   - a plain list of video ids, one per line (no duration, no events)
 * detected from the content. Sentences must be valid UTF-8 (text.h). */
#ifndef WSD_CAPTIONS_H
#define WSD_CAPTIONS_H

#include <cJSON.h>
#include <stddef.h>
#include <stdio.h>

#include "io/idmap.h"

/* Durations and timestamps beyond 1e7 s (116 days) are taken as corrupt
 * input: with them every computation on seconds stays finite and exact
 * enough, and no output holds a null or an inf. */
#define WSD_MAX_SECONDS 1e7

typedef struct {
    double start, end; /* seconds */
    char *sentence;    /* NULL when the event has none (e.g. proposals) */
    double score;      /* NAN when absent */
} wsd_event;

typedef struct {
    char *id;
    double duration; /* seconds; NAN when unknown (id lists) */
    size_t n_events;
    wsd_event *events;
} wsd_video;

typedef enum { WSD_CAPTIONS_JSON, WSD_CAPTIONS_JSONL, WSD_CAPTIONS_IDS } wsd_captions_format;

typedef struct {
    char *path;
    wsd_captions_format format;
    size_t n;
    wsd_video *videos;
    wsd_idmap *index; /* id -> position in videos */
} wsd_captions;

/* Loads and validates a file ("-" = stdin), detecting its format.
 * NULL + wsd_error() naming the file and the video/line on bad input
 * (empty input, duplicate id, timestamps/sentences mismatch, bad numbers,
 * invalid UTF-8 ...). */
wsd_captions *wsd_captions_load(const char *path);
/* Same from a buffer (used by tests and the fuzzer). */
wsd_captions *wsd_captions_parse(const char *text, size_t len, const char *name);
/* The video with this id, or NULL with wsd_error() "FILE: unknown video id". */
const wsd_video *wsd_captions_find(const wsd_captions *c, const char *id);
void wsd_captions_free(wsd_captions *c);
/* Events (timestamped sentences) over every video; 0 for a list of ids. */
size_t wsd_captions_n_events(const wsd_captions *c);

/* Converts one JSONL object into *v (fields it does not know are ignored).
 * `where` ("FILE:LINE") prefixes messages. 0 or -1. */
int wsd_video_from_json(const cJSON *obj, const char *where, wsd_video *v);
/* A new JSONL object for v (events carry "score" only when not NAN). */
cJSON *wsd_video_to_json(const wsd_video *v);
void wsd_video_free(wsd_video *v);
/* Writes v into an existing JSONL object, keeping the members it does not
 * own: sets "video_id", "duration" (unless NAN) and "events". When obj already
 * has as many events as v, each event object is updated in place
 * ("timestamp", and "sentence"/"score" when v has them), so unknown per-event
 * members pass through too; otherwise "events" is replaced. */
void wsd_video_update_json(cJSON *obj, const wsd_video *v);

/* Writes the official captions JSON layout (object keyed by id, file order). */
int wsd_captions_write_json(FILE *fp, const wsd_captions *c);

#endif
