/* The video-record queue of the test-time programs (caption, localize): JSON
 * Lines video records (man/man5/wsdec-jsonl.5) read from INPUT, or made from
 * the videos of a captions file (--videos), checked and handed out in batches
 * in input order; the program edits the fields it owns and the batch is
 * written back in the same order, unknown fields passing through.
 *
 *   q = wsd_vqueue_open(input, videos, flags, batch);
 *   while ((n = wsd_vqueue_next(q, &recs)) > 0) {
 *       ... wsd_vqueue_video(q, fs, &recs[i], &feat, &dur) ... edit recs[i].obj ...
 *       wsd_vqueue_write(q, fp);
 *   }
 *
 * Errors name INPUT:LINE (for --videos, the video's 1-based index). */
#ifndef WSD_VQUEUE_H
#define WSD_VQUEUE_H

#include <cJSON.h>
#include <stdio.h>

#include "io/featset.h"

typedef struct {
    cJSON *obj; /* the record (owned by the queue until written) */
    long line;  /* INPUT's line, or the video's index in --videos */
} wsd_vrecord;

/* How --videos records are made from a captions file's videos. */
typedef enum {
    WSD_VQUEUE_EVENTS = 0, /* video_id, duration and the events (wsd_video_to_json) */
    WSD_VQUEUE_IDS = 1,    /* video_id and duration only */
    WSD_VQUEUE_GT = 2,     /* the events, each also keeping "timestamp" as "gt_timestamp" */
} wsd_vqueue_videos;

typedef struct wsd_vqueue wsd_vqueue;

/* Reads INPUT ("-" = stdin) as JSON Lines, or, when videos is not NULL, makes
 * one record per video of that captions file (official JSON, JSONL or a list
 * of ids) as `how` says. batch >= 1 records per batch. NULL + wsd_error(). */
wsd_vqueue *wsd_vqueue_open(const char *input, const char *videos, wsd_vqueue_videos how,
                            int batch);
/* The next batch (*recs, valid until the next call): returns its size > 0, 0
 * at the end, -1 + wsd_error() "INPUT:LINE: ..." when a record is malformed
 * (no string "video_id", "events" not an array). */
int wsd_vqueue_next(wsd_vqueue *q, wsd_vrecord **recs);
/* The features of a record's video and its duration in seconds: the record's
 * "duration" when it is a number, else the features'. -1 + wsd_error()
 * "INPUT:LINE: ..." when the video has no features or no positive duration. */
int wsd_vqueue_video(const wsd_vqueue *q, const wsd_featset *fs, const wsd_vrecord *r,
                     const wsd_feat **feat, double *duration);
/* Writes the current batch in order and frees it. 0 or -1 on a write error. */
int wsd_vqueue_write(wsd_vqueue *q, FILE *fp);
/* Events in the --videos file (-1 when reading JSON Lines). */
long wsd_vqueue_n_events(const wsd_vqueue *q);
/* What errors name: the --videos file or INPUT. */
const char *wsd_vqueue_input(const wsd_vqueue *q);
/* Records handed out so far. */
long wsd_vqueue_count(const wsd_vqueue *q);
void wsd_vqueue_close(wsd_vqueue *q);

#endif
