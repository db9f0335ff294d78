/* Inputs of the dense-captioning scorer: a submission (the official
 * {"version","results","external_data"} JSON, or wsdec JSON Lines) and the
 * ActivityNet Captions reference files (densevid_eval evaluate.py
 * ANETcaptions.import_prediction, import_ground_truths).
 *
 * Both are held as sets of videos sorted by id (byte order), each video a
 * list of events [start, end] + sentence, in file order. */
#ifndef WSD_SCORE_DATA_H
#define WSD_SCORE_DATA_H

#include <stddef.h>

typedef struct {
    double start, end;
    char *sentence;
    /* A submission event's "gt_timestamp" (localize --videos, WSDEC's
     * evaluate_localization.py): 1 read into gt_start/gt_end, 0 absent,
     * -1 present but not [start, end] (an error only where it is used). */
    int has_gt;
    double gt_start, gt_end;
} score_event;

typedef struct {
    char *id;
    score_event *events;
    size_t n_events;
    double duration; /* seconds, from "duration" when the file has it (unused by the metrics); else
                        0 */
    size_t line;     /* JSON Lines: the video's line (for messages); 0 otherwise */
} score_video;

typedef struct {
    char *path;
    score_video *videos; /* sorted by id */
    size_t n_videos;
} score_set;

typedef enum { SCORE_FORMAT_AUTO, SCORE_FORMAT_JSON, SCORE_FORMAT_JSONL } score_format;

/* Parses a submission from text (NUL-terminated, `len` bytes) read from
 * `path` (used in messages). AUTO: JSON Lines when the first non-blank line
 * is a complete object with a "video_id" key, else the official JSON.
 * Returns 0, or -1 with wsd_fail naming the file, the record and what was
 * expected. */
int score_parse_submission(const char *text, size_t len, const char *path, score_format fmt,
                           score_set *out);

/* Parses one reference file ({id: {duration, timestamps, sentences}}). */
int score_parse_references(const char *text, size_t len, const char *path, score_set *out);

/* Reads a file ("-" = stdin) and parses it. */
int score_load_submission(const char *path, score_format fmt, score_set *out);
int score_load_references(const char *path, score_set *out);

/* The video with this id, or NULL. */
const score_video *score_find(const score_set *s, const char *id);

void score_set_free(score_set *s);

#endif
