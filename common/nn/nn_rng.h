/* Seeded, splittable random numbers for initialisation, dropout and sampling.
 *
 * xoshiro256** seeded through splitmix64: the same seed gives the same stream
 * on every machine. PyTorch's generator streams cannot be reproduced, so runs
 * are comparable with the reference only in distribution (spec, App. B). */
#ifndef WSD_NN_RNG_H
#define WSD_NN_RNG_H

#include <stdint.h>

typedef struct {
    uint64_t s[4];
} nn_rng;

void nn_rng_seed(nn_rng *rng, uint64_t seed);
/* An independent child stream derived from (parent state, stream id); advances
 * the parent once, so successive splits differ even with the same id. */
nn_rng nn_rng_split(nn_rng *parent, uint64_t stream);

uint64_t nn_rng_u64(nn_rng *rng);
/* Uniform in [0,1) with 53 (double) or 24 (float) random bits. */
double nn_rng_uniform(nn_rng *rng);
float nn_rng_uniformf(nn_rng *rng);
/* Uniform in [lo,hi). */
float nn_rng_range(nn_rng *rng, float lo, float hi);
/* Standard normal (Box-Muller, one value per call). */
float nn_rng_normal(nn_rng *rng);
/* Uniform integer in [0,n), n > 0, without modulo bias. */
uint64_t nn_rng_below(nn_rng *rng, uint64_t n);

#endif
