#include "io/synth.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/text.h"
#include "base/util.h"

void wsd_synth_rng_seed(wsd_synth_rng *r, uint64_t seed) {
    wsd_rng_seed(&r->g, seed);
    r->has_spare = 0;
}

double wsd_synth_uniform(wsd_synth_rng *r) { return wsd_rng_uniform(&r->g); }

double wsd_synth_normal(wsd_synth_rng *r) {
    if (r->has_spare) {
        r->has_spare = 0;
        return r->spare;
    }
    double u1 = 1.0 - wsd_synth_uniform(r), u2 = wsd_synth_uniform(r); /* u1 in (0, 1] */
    double rad = sqrt(-2.0 * log(u1));
    r->spare = rad * sin(2 * M_PI * u2);
    r->has_spare = 1;
    return rad * cos(2 * M_PI * u2);
}

void wsd_synth_defaults(wsd_synth_opts *o) {
    *o = (wsd_synth_opts){.dim = 500,
                          .rows_per_second = 1.0,
                          .signal = 1.0,
                          .noise = 0.5,
                          .background = 0.5,
                          .edge = 1.0,
                          .seed = 233};
}

int64_t wsd_synth_rows(const wsd_synth_opts *o, double duration) {
    double t = round(duration * o->rows_per_second);
    return !(t <= WSD_SYNTH_MAX_VALUES) ? -1 : t < 1 ? 1 : (int64_t)t;
}

/* Distinct stream constants keep word signatures, backgrounds and noise apart. */
enum { SALT_WORD = 1, SALT_VIDEO = 2 };

void wsd_synth_signature(const char *word, const wsd_synth_opts *o, float *out) {
    wsd_synth_rng r;
    wsd_synth_rng_seed(&r, wsd_rng_named(o->seed * 4 + SALT_WORD, word));
    for (int j = 0; j < o->dim; j++) out[j] = (float)wsd_synth_normal(&r);
}

static double sigmoid(double x) { return 1.0 / (1.0 + exp(-x)); }

int wsd_synth_video(const wsd_video *v, const wsd_synth_opts *o, wsd_tsr *out) {
    if (!isfinite(v->duration) || v->duration <= 0)
        return wsd_fail("video '%s': feat-synth needs a positive duration", v->id);
    int D = o->dim;
    int64_t T = wsd_synth_rows(o, v->duration);
    if (T < 0 || (double)T * D > WSD_SYNTH_MAX_VALUES)
        return wsd_fail(
            "video '%s': duration %g s at %g rows per second gives %.4g rows of %d values, more "
            "than %.0f values per video",
            v->id, v->duration, o->rows_per_second, round(v->duration * o->rows_per_second), D,
            WSD_SYNTH_MAX_VALUES);
    size_t K = v->n_events;
    float *ev = wsd_calloc(K ? K * (size_t)D : 1, sizeof *ev),
          *sig = wsd_malloc((size_t)D * sizeof *sig);
    for (size_t k = 0; k < K; k++) {
        wsd_tokens toks;
        const char *s = v->events[k].sentence ? v->events[k].sentence : "";
        if (wsd_tokenize(s, &toks) != 0) {
            free(ev);
            free(sig);
            return wsd_fail("video '%s': sentence %zu: invalid UTF-8", v->id, k);
        }
        size_t words = 0;
        for (size_t i = 0; i < toks.n; i++) {
            if (strcmp(toks.tok[i], ".") == 0 || strcmp(toks.tok[i], ",") == 0) continue;
            wsd_synth_signature(toks.tok[i], o, sig);
            for (int j = 0; j < D; j++) ev[k * D + j] += sig[j];
            words++;
        }
        wsd_tokens_free(&toks);
        double norm = words ? 1.0 / sqrt((double)words) : 0;
        for (int j = 0; j < D; j++) ev[k * D + j] *= (float)norm;
    }
    int64_t shape[2] = {T, D};
    wsd_tsr_init(out, v->id, WSD_F32, 2, shape);
    cJSON_AddNumberToObject(out->meta, "duration", v->duration);
    cJSON_AddNumberToObject(out->meta, "rows_per_second", o->rows_per_second);
    cJSON_AddNumberToObject(out->meta, "synthetic_seed", (double)o->seed);
    float *x = out->data;
    wsd_synth_rng r;
    wsd_synth_rng_seed(&r, wsd_rng_named(o->seed * 4 + SALT_VIDEO, v->id));
    for (int j = 0; j < D; j++) sig[j] = (float)(o->background * wsd_synth_normal(&r));
    double edge = o->edge > 1e-9 ? o->edge : 1e-9;
    for (int64_t t = 0; t < T; t++) {
        float *row = x + t * D;
        double tau = (t + 0.5) * v->duration / (double)T;
        for (int j = 0; j < D; j++) row[j] = sig[j] + (float)(o->noise * wsd_synth_normal(&r));
        for (size_t k = 0; k < K; k++) {
            double g = o->signal * sigmoid((tau - v->events[k].start) / edge) *
                       sigmoid((v->events[k].end - tau) / edge);
            if (g < 1e-6) continue;
            for (int j = 0; j < D; j++) row[j] += (float)g * ev[k * D + j];
        }
    }
    free(ev);
    free(sig);
    return 0;
}
