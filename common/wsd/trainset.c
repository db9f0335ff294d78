#include "wsd/trainset.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"

int wsd_trainset_load(wsd_trainset *ts, const char *captions, const char *feats, int sample_rate,
                      size_t max_videos) {
    memset(ts, 0, sizeof *ts);
    if (!(ts->caps = wsd_captions_load(captions))) return -1;
    ts->n_videos = max_videos && max_videos < ts->caps->n ? max_videos : ts->caps->n;
    const char **ids = wsd_malloc(sizeof(char *) * (ts->n_videos ? ts->n_videos : 1));
    size_t n_ids = 0;
    for (size_t i = 0; i < ts->n_videos; i++)
        if (ts->caps->videos[i].n_events) ids[n_ids++] = ts->caps->videos[i].id;
    ts->fs = wsd_featset_load(feats, sample_rate, ids, n_ids);
    free(ids);
    if (!ts->fs) {
        wsd_captions_free(ts->caps);
        ts->caps = NULL;
        return -1;
    }
    return 0;
}

wsd_batcher *wsd_trainset_batcher(const wsd_trainset *ts, const wsd_vocab *vocab,
                                  wsd_batcher_opts opts) {
    opts.max_videos = ts->n_videos;
    return wsd_batcher_new(ts->fs, ts->caps, vocab, &opts);
}

void wsd_trainset_free(wsd_trainset *ts) {
    wsd_featset_free(ts->fs);
    wsd_captions_free(ts->caps);
    memset(ts, 0, sizeof *ts);
}
