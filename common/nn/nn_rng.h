/* The engine's name for the project's random module (base/rng.h): nn_rng is
 * wsd_rng, seeded for initialisation, dropout and sampling. */
#ifndef WSD_NN_RNG_H
#define WSD_NN_RNG_H

#include "base/rng.h"

typedef wsd_rng nn_rng;

static inline void nn_rng_seed(nn_rng *rng, uint64_t seed) { wsd_rng_seed(rng, seed); }
static inline uint64_t nn_rng_u64(nn_rng *rng) { return wsd_rng_u64(rng); }
static inline double nn_rng_uniform(nn_rng *rng) { return wsd_rng_uniform(rng); }
static inline float nn_rng_uniformf(nn_rng *rng) { return wsd_rng_uniformf(rng); }
static inline float nn_rng_range(nn_rng *rng, float lo, float hi) {
    return wsd_rng_range(rng, lo, hi);
}
static inline float nn_rng_normal(nn_rng *rng) { return wsd_rng_normal(rng); }
static inline uint64_t nn_rng_below(nn_rng *rng, uint64_t n) { return wsd_rng_below(rng, n); }

#endif
