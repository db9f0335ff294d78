/* Batches of videos and sentences as the reference's collate builds them
 * (WSDEC dataset.py: collate_fn, ANetDataSample, ANetDataFull), in host memory; models copy what
 * they need to their device.
 *
 * A batch holds B videos (zero padded to the longest, T steps) and N
 * sentences grouped video by video in batch order (gather[n] = the video of
 * sentence n). Captions are <bos> … <eos>, padded with <eos> (= 1) to the
 * longest, L; never truncated (dataset.py collate_fn).
 *
 * Two dataset variants:
 *   WSD_BATCH_SAMPLE  one sentence per video drawn uniformly at random (all
 *                     training). The draw depends only on (seed, epoch,
 *                     video), so a resumed run draws the same sentences.
 *   WSD_BATCH_FULL    every sentence of every video (validation).
 * Videos with no sentence are left out of both variants.
 *
 * Every epoch visits the videos in a fresh seeded permutation (shuffle) or in
 * caption-file order; `drop_last` leaves out the final partial batch as every
 * reference loader does ([quirk] DataLoader(drop_last=True) in the main of every
 * train_script/ trainer). Trainers (cg-pretrain, wsdec-train)
 * use shuffle + drop_last; evaluation programs that must predict every video
 * keep the last partial batch. */
#ifndef WSD_BATCH_H
#define WSD_BATCH_H

#include <stdint.h>

#include "io/captions.h"
#include "io/featset.h"
#include "io/vocab.h"

typedef struct {
    int B, T, F;         /* videos, padded feature steps, feature dim */
    int N, L;            /* sentences, padded caption length (0 without captions) */
    float *video;        /* (B, T, F) zero padded */
    float *video_len;    /* (B, 2) [T_b, duration_b] */
    float *video_mask;   /* (B, T) 1 for t < T_b */
    int *caption;        /* (N, L) token ids padded with <eos> */
    int *caption_len;    /* (N) tokens incl. <bos>, <eos> */
    float *caption_mask; /* (N, L) 1 for positions < caption_len */
    int *gather;         /* (N) video (0..B-1) of each sentence */
    float *ts_seconds;   /* (N, 2) [start, end] seconds */
    float *ts_featidx;   /* (N, 2) [start_idx, end_idx] (process_time_step) */
    const char **keys;   /* (B) video ids (borrowed from the caption set) */
    int *video_pos;      /* (B) position of each video in the caption set */
    int *event_pos;      /* (N) index of each sentence among its video's events */
    /* internal: capacities and the unpadded captions staged until
     * wsd_batch_finish_captions lays them out */
    int cap_B, cap_N;
    size_t cap_video, cap_caption;
    int *stage_ids, *stage_off;
    size_t stage_n, stage_cap;
} wsd_batch;

void wsd_batch_init(wsd_batch *b);
void wsd_batch_free(wsd_batch *b);

/* Low-level collation. wsd_batch_set_videos fills the video part (and keys,
 * video_pos = -1) from B feature matrices; durations in seconds. Resets N to 0.
 * wsd_batch_add_sentence appends one sentence of video `v` (encoded with
 * vocab; `sentence` may be NULL for a segment-only row: caption_len 0) with
 * its timestamp in seconds. wsd_batch_finish_captions pads the captions to
 * the longest (L) and fills masks. Returns 0 or -1 + wsd_error(). */
int wsd_batch_set_videos(wsd_batch *b, const wsd_feat *const *feats, const char *const *keys,
                         const double *durations, int B);
int wsd_batch_add_sentence(wsd_batch *b, const wsd_vocab *vocab, int v, const char *sentence,
                           double start, double end, int event_pos);
int wsd_batch_finish_captions(wsd_batch *b);

/* Normalised cw of sentence n's GT segment as the supervised captioning
 * trainer builds it (train_script/train_cg.py train): se→cw(ts_featidx) / T_n. */
void wsd_batch_featidx_cw(const wsd_batch *b, int n, float *c, float *w);
/* The batch's video ids for a message, "v_a, v_b, ..." (cut with "..." to
 * fit cap); returns buf. */
const char *wsd_batch_ids(const wsd_batch *b, char *buf, size_t cap);

typedef enum { WSD_BATCH_SAMPLE = 0, WSD_BATCH_FULL = 1 } wsd_batch_mode;

typedef struct {
    int batch_size; /* videos per batch */
    wsd_batch_mode mode;
    int shuffle;   /* 1: seeded permutation per epoch */
    int drop_last; /* 1: no final partial batch */
    uint64_t seed;
    size_t max_videos; /* use only the first max_videos videos of the captions (0 = all) */
} wsd_batcher_opts;

typedef struct wsd_batcher wsd_batcher;

/* Every video of `caps` with at least one event must be in `feats` (an error
 * naming the id otherwise). The three sets are borrowed and must outlive the
 * batcher. Captions are encoded once here. */
wsd_batcher *wsd_batcher_new(const wsd_featset *feats, const wsd_captions *caps,
                             const wsd_vocab *vocab, const wsd_batcher_opts *opts);
void wsd_batcher_free(wsd_batcher *bt);
/* Videos the batcher draws from (those with at least one event). */
int wsd_batcher_videos(const wsd_batcher *bt);
/* Starts epoch `epoch` (0-based): permutation and sentence draws are a pure
 * function of (seed, epoch). Returns the number of batches. */
int wsd_batcher_epoch(wsd_batcher *bt, int epoch);
int wsd_batcher_count(const wsd_batcher *bt);
/* Collates batch i (0 ≤ i < count) of the current epoch into *out (reusing
 * its memory). 0 or -1. */
int wsd_batcher_get(wsd_batcher *bt, int i, wsd_batch *out);

#endif
