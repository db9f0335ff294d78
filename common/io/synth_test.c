#include "io/synth.h"
#include "testing/test.h"
#include "base/util.h"

#include <math.h>

static const char caps[] = "{\"v_a\": {\"duration\": 100, \"timestamps\": [[20, 40], [60, 90]],"
                           " \"sentences\": [\"A man is slicing a tomato.\", \"He is dancing.\"]}}";

/* Mean over rows t in [a, b) of <x_t - x_ref, e> / dim, e the event vector. */
static double trace(const float *x, const float *ref, const float *e, int dim, int a, int b) {
    double s = 0;
    for (int t = a; t < b; t++)
        for (int j = 0; j < dim; j++) s += (x[t * dim + j] - ref[j]) * e[j];
    return s / dim / (b - a);
}

static void events_leave_their_sentence_trace_inside_their_span(void) {
    wsd_captions *c = wsd_captions_parse(caps, strlen(caps), "t");
    wsd_synth_opts o;
    wsd_synth_defaults(&o);
    o.dim = 256;
    wsd_tsr t;
    CHECK(wsd_synth_video(&c->videos[0], &o, &t) == 0);
    CHECK(t.shape[0] == 100 && t.shape[1] == 256 && wsd_tsr_meta_number(&t, "duration", 0) == 100);
    /* event 0's vector: normalised sum of its 5 word signatures */
    const char *words[] = {"a", "man", "is", "slicing", "tomato"};
    float *e = calloc(256, sizeof *e), *sig = malloc(256 * sizeof *sig),
          *bg = calloc(256, sizeof *bg);
    for (int w = 0; w < 5; w++) {
        wsd_synth_signature(words[w], &o, sig);
        for (int j = 0; j < 256; j++) e[j] += sig[j] / sqrtf(5);
    }
    const float *x = t.data;
    /* background estimate: mean of rows outside every event */
    for (int r = 0; r < 15; r++)
        for (int j = 0; j < 256; j++) bg[j] += x[r * 256 + j] / 15;
    double inside = trace(x, bg, e, 256, 24, 36), outside = trace(x, bg, e, 256, 45, 55);
    CHECK_MSG(inside > 0.7 && fabs(outside) < 0.2, "inside %g outside %g", inside, outside);
    wsd_tsr u;
    CHECK(wsd_synth_video(&c->videos[0], &o, &u) == 0 &&
          memcmp(t.data, u.data, t.nbytes) == 0); /* deterministic */
    wsd_tsr_free(&u);
    o.seed = 234;
    CHECK(wsd_synth_video(&c->videos[0], &o, &u) == 0 && memcmp(t.data, u.data, t.nbytes) != 0);
    wsd_tsr_free(&u);
    wsd_tsr_free(&t);
    free(e), free(sig), free(bg);
    wsd_captions_free(c);
}

static void generator_is_deterministic_and_well_formed(void) {
    wsd_synth_captions_opts o;
    wsd_synth_captions_defaults(&o);
    o.videos = 30;
    wsd_captions *a = wsd_synth_captions(&o), *b = wsd_synth_captions(&o);
    CHECK(a->n == 30 && strcmp(a->videos[7].id, b->videos[7].id) == 0);
    for (size_t i = 0; i < a->n; i++) {
        const wsd_video *v = &a->videos[i];
        CHECK(v->n_events >= 2 && v->n_events <= 4 && v->duration >= 20 && v->duration <= 120);
        for (size_t k = 0; k < v->n_events; k++)
            CHECK(v->events[k].start >= 0 && v->events[k].end <= v->duration + 1e-9 &&
                  v->events[k].start < v->events[k].end &&
                  strcmp(v->events[k].sentence, b->videos[i].events[k].sentence) == 0);
    }
    wsd_captions_free(a);
    wsd_captions_free(b);
}

static void missing_duration_is_an_error(void) {
    const char *jl =
        "{\"video_id\": \"v_n\", \"events\": [{\"timestamp\": [0, 1], \"sentence\": \"x\"}]}";
    wsd_captions *c = wsd_captions_parse(jl, strlen(jl), "t");
    wsd_synth_opts o;
    wsd_synth_defaults(&o);
    wsd_tsr t;
    CHECK(wsd_synth_video(&c->videos[0], &o, &t) == -1 && strstr(wsd_error(), "v_n"));
    wsd_captions_free(c);
}

/* A huge duration used to overflow the size computation and write past the
 * buffer (SIGSEGV); now it is refused naming the video. */
static void absurd_duration_is_refused_not_overflowed(void) {
    wsd_synth_opts o;
    wsd_synth_defaults(&o);
    o.dim = 8;
    wsd_event e = {1, 2, "a man", NAN};
    const double durations[] = {5.764607523034236e+17, 1e300, INFINITY, 3e8};
    for (int i = 0; i < 4; i++) {
        wsd_video v = {"v_big", durations[i], 1, &e};
        wsd_tsr t;
        CHECK_MSG(wsd_synth_video(&v, &o, &t) == -1 && strstr(wsd_error(), "v_big"),
                  "duration %g: %s", durations[i], wsd_error());
    }
    CHECK(wsd_synth_rows(&o, 1e300) == -1 && wsd_synth_rows(&o, 10) == 10);
}

int main(void) {
    TEST_RUN(absurd_duration_is_refused_not_overflowed);
    TEST_RUN(events_leave_their_sentence_trace_inside_their_span);
    TEST_RUN(generator_is_deterministic_and_well_formed);
    TEST_RUN(missing_duration_is_an_error);
    return test_finish();
}
