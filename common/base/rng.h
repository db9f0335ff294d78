/* The project's one random module. A generator is xoshiro256** seeded through
 * splitmix64: the same seed gives the same stream on every machine. PyTorch's
 * generator streams cannot be reproduced, so runs are comparable with the
 * reference only in distribution.
 *
 * A program derives every stream from its one --seed, in one of two ways:
 *  - by name: wsd_rng_named(seed, "word") seeds an independent stream per
 *    name (the synthetic data set draws one per word and per video id);
 *  - by counter: wsd_rng_hash(seed, a, b) is a pure function of (seed, a, b),
 *    for draws that must not depend on what ran before (batch order and
 *    sentence draws of epoch e, the dropout and noise of epoch e, batch i).
 * The engine calls the generator wsd_rng (nn/wsd_rng.h, the same type). */
#ifndef WSD_RNG_H
#define WSD_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint64_t s[4];
} wsd_rng;

void wsd_rng_seed(wsd_rng *rng, uint64_t seed);
uint64_t wsd_rng_u64(wsd_rng *rng);
/* Uniform in [0,1) with 53 (double) or 24 (float) random bits. */
double wsd_rng_uniform(wsd_rng *rng);
float wsd_rng_uniformf(wsd_rng *rng);
/* n calls of wsd_rng_uniformf, the same numbers, in one loop. */
void wsd_rng_uniformf_n(wsd_rng *rng, size_t n, float *out);
/* Uniform in [lo,hi). */
float wsd_rng_range(wsd_rng *rng, float lo, float hi);
/* Standard normal (Box-Muller, one value per call). */
float wsd_rng_normal(wsd_rng *rng);
/* Uniform integer in [0,n), n > 0, without modulo bias. */
uint64_t wsd_rng_below(wsd_rng *rng, uint64_t n);

/* The seed of the stream called `name` under `seed` (FNV-1a of the name mixed
 * with the seed, then splitmix64). */
uint64_t wsd_rng_named(uint64_t seed, const char *name);
/* splitmix64 of (seed, a, b): counter-based draws. */
uint64_t wsd_rng_hash(uint64_t seed, uint64_t a, uint64_t b);

/* Every counter stream of the project, named once. A stream's number is part of
 * every result drawn from it (checkpoints, the demo's score table), so these
 * are the numbers the first runs were made with, fixed here and never reused;
 * a new stream takes a new name and number. */
enum {
    WSD_STREAM_BATCH_ORDER = 1,      /* batch.c: video order of epoch e */
    WSD_STREAM_SENTENCE_PICK = 2,    /* batch.c: the sentence drawn per video, epoch e */
    WSD_STREAM_CG_DROPOUT = 1000003, /* cg-pretrain: generator dropout, epoch e, batch i */
    WSD_STREAM_CYCLE = 2000003, /* wsdec-train: localizer dropout (i 1), noise (i 2), epoch e */
    WSD_STREAM_CYCLE_CG_DROPOUT = 3000017, /* wsdec-train: generator dropout, epoch e, batch i */
};
/* The generator's dropout stream (wsd_cg.rng) until a caller re-seeds it: model seed ^ this. */
#define WSD_STREAM_CG_FIRST_DROPOUT 0x5eedd20f0c57ULL
/* wsd_rng_hash(seed, stream + epoch, i): the seed of batch i of epoch e of a stream. */
uint64_t wsd_rng_stream(uint64_t seed, int stream, int epoch, uint64_t i);

#endif
