#include "base/rng.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *x) {
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

void wsd_rng_seed(wsd_rng *rng, uint64_t seed) {
    uint64_t x = seed;
    for (int i = 0; i < 4; i++) rng->s[i] = splitmix64(&x);
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static inline uint64_t next(uint64_t *s) {
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

uint64_t wsd_rng_u64(wsd_rng *rng) { return next(rng->s); }

double wsd_rng_uniform(wsd_rng *rng) { return (wsd_rng_u64(rng) >> 11) * 0x1.0p-53; }
float wsd_rng_uniformf(wsd_rng *rng) { return (float)(wsd_rng_u64(rng) >> 40) * 0x1.0p-24f; }
void wsd_rng_uniformf_n(wsd_rng *rng, size_t n, float *out) {
    uint64_t s[4] = {rng->s[0], rng->s[1], rng->s[2], rng->s[3]}; /* in registers */
    for (size_t i = 0; i < n; i++) out[i] = (float)(next(s) >> 40) * 0x1.0p-24f;
    for (int k = 0; k < 4; k++) rng->s[k] = s[k];
}
float wsd_rng_range(wsd_rng *rng, float lo, float hi) {
    float v = lo + (hi - lo) * wsd_rng_uniformf(rng);
    return v < hi ? v : lo; /* rounding can reach hi; keep the interval half-open */
}

float wsd_rng_normal(wsd_rng *rng) {
    double u1 = wsd_rng_uniform(rng), u2 = wsd_rng_uniform(rng);
    if (u1 < 1e-300) u1 = 1e-300;
    return (float)(sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2));
}

uint64_t wsd_rng_below(wsd_rng *rng, uint64_t n) {
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do x = wsd_rng_u64(rng);
    while (x >= limit);
    return x % n;
}

uint64_t wsd_rng_named(uint64_t seed, const char *name) {
    uint64_t h = 1469598103934665603ull ^ (seed * 0x9E3779B97F4A7C15ull);
    for (; *name; name++) h = (h ^ (unsigned char)*name) * 1099511628211ull;
    return splitmix64(&h);
}

uint64_t wsd_rng_hash(uint64_t seed, uint64_t a, uint64_t b) {
    uint64_t z = seed + 0x9e3779b97f4a7c15ULL * (a + 1) + 0xbf58476d1ce4e5b9ULL * (b + 1);
    for (int i = 0; i < 2; i++) z = splitmix64(&z);
    return z;
}

uint64_t wsd_rng_stream(uint64_t seed, int stream, int epoch, uint64_t i) {
    return wsd_rng_hash(seed, (uint64_t)stream + (uint64_t)epoch, i);
}
