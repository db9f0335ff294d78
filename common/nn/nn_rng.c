#include "nn/nn_rng.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *x) {
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

void nn_rng_seed(nn_rng *rng, uint64_t seed) {
    uint64_t x = seed;
    for (int i = 0; i < 4; i++) rng->s[i] = splitmix64(&x);
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t nn_rng_u64(nn_rng *rng) {
    uint64_t *s = rng->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

nn_rng nn_rng_split(nn_rng *parent, uint64_t stream) {
    uint64_t x = nn_rng_u64(parent) ^ (stream * 0xD1B54A32D192ED03ull);
    nn_rng child;
    for (int i = 0; i < 4; i++) child.s[i] = splitmix64(&x);
    return child;
}

double nn_rng_uniform(nn_rng *rng) { return (nn_rng_u64(rng) >> 11) * 0x1.0p-53; }
float nn_rng_uniformf(nn_rng *rng) { return (float)(nn_rng_u64(rng) >> 40) * 0x1.0p-24f; }
float nn_rng_range(nn_rng *rng, float lo, float hi) {
    float v = lo + (hi - lo) * nn_rng_uniformf(rng);
    return v < hi ? v : lo; /* rounding can reach hi; keep the interval half-open */
}

float nn_rng_normal(nn_rng *rng) {
    double u1 = nn_rng_uniform(rng), u2 = nn_rng_uniform(rng);
    if (u1 < 1e-300) u1 = 1e-300;
    return (float)(sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2));
}

uint64_t nn_rng_below(nn_rng *rng, uint64_t n) {
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do x = nn_rng_u64(rng);
    while (x >= limit);
    return x % n;
}
