/* A random batch for model tests that need no real data (CUDA parity, sync
 * counts): B videos of T steps and F features with some padding, two
 * sentences of up to L tokens per video (<bos> words <eos>, padded with
 * <eos>), and segments inside each video. */
#ifndef WSD_TESTING_RANDOM_BATCH_H
#define WSD_TESTING_RANDOM_BATCH_H

#include "base/rng.h"
#include "base/util.h"
#include "wsd/batch.h"

static void tu_random_batch(wsd_batch *b, int B, int T, int F, int L, int V, wsd_rng *r) {
    wsd_batch_init(b);
    int N = 2 * B;
    b->B = B, b->T = T, b->F = F, b->N = N, b->L = L;
    b->video = wsd_malloc(sizeof(float) * B * T * F);
    for (int i = 0; i < B * T * F; i++) b->video[i] = wsd_rng_uniformf(r) * 2 - 1;
    b->video_len = wsd_malloc(sizeof(float) * 2 * B);
    b->video_mask = wsd_malloc(sizeof(float) * B * T);
    for (int v = 0; v < B; v++) {
        int Tv = T - 2 * (v % 3);
        b->video_len[2 * v] = (float)Tv, b->video_len[2 * v + 1] = 2.0f * Tv;
        for (int t = 0; t < T; t++) b->video_mask[v * T + t] = t < Tv ? 1.0f : 0.0f;
    }
    b->caption = wsd_malloc(sizeof(int) * N * L);
    b->caption_len = wsd_malloc(sizeof(int) * N);
    b->caption_mask = wsd_malloc(sizeof(float) * N * L);
    b->gather = wsd_malloc(sizeof(int) * N);
    b->ts_seconds = wsd_malloc(sizeof(float) * 2 * N);
    b->ts_featidx = wsd_malloc(sizeof(float) * 2 * N);
    for (int n = 0; n < N; n++) {
        int len = L - n % 3;
        b->caption_len[n] = len;
        for (int l = 0; l < L; l++) {
            int id = l == 0         ? WSD_BOS
                     : l >= len - 1 ? WSD_EOS
                                    : 2 + (int)wsd_rng_below(r, (uint64_t)(V - 2));
            b->caption[n * L + l] = id;
            b->caption_mask[n * L + l] = l < len ? 1.0f : 0.0f;
        }
        b->gather[n] = n / 2;
        float dur = b->video_len[2 * (n / 2) + 1];
        float s = (0.05f + 0.1f * (n % 4)) * dur, e = s + 0.4f * dur;
        b->ts_seconds[2 * n] = s, b->ts_seconds[2 * n + 1] = e;
        b->ts_featidx[2 * n] = s / 2, b->ts_featidx[2 * n + 1] = e / 2;
    }
}

#endif
