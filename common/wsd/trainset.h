/* The training (or validation) set a trainer assembles: a captions file, the
 * first max_videos of its videos (0 = all), and the features of those that
 * have sentences, loaded at the model's sample rate. Batchers over it
 * (wsd_trainset_batcher) see only the videos in use; the captions are never
 * truncated. */
#ifndef WSD_TRAINSET_H
#define WSD_TRAINSET_H

#include "io/captions.h"
#include "io/featset.h"
#include "wsd/batch.h"

typedef struct {
    wsd_captions *caps;
    wsd_featset *fs;
    size_t n_videos; /* videos in use: the first n_videos of caps (of caps->n) */
} wsd_trainset;

/* -1 + wsd_fail naming the file on failure (nothing left to free). */
int wsd_trainset_load(wsd_trainset *ts, const char *captions, const char *feats, int sample_rate,
                      size_t max_videos);
/* A batcher over the videos in use; NULL + wsd_fail. */
wsd_batcher *wsd_trainset_batcher(const wsd_trainset *ts, const wsd_vocab *vocab,
                                  wsd_batcher_opts opts);
void wsd_trainset_free(wsd_trainset *ts);

#endif
