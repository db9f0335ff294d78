/* The caption generator behind `feat-synth --make-captions`: a tiny grammar
 * whose sentences look like ActivityNet Captions ("A man is slicing a tomato
 * in a kitchen.", "Then he is washing the dishes.") with a vocabulary small
 * enough that every word occurs often in a few hundred videos. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io/synth.h"
#include "base/util.h"

typedef struct {
    const char *noun, *pronoun, *be;
} subject;

static const subject subjects[] = {
    {"a man", "he", "is"},        {"a woman", "she", "is"},
    {"a young boy", "he", "is"},  {"a little girl", "she", "is"},
    {"two men", "they", "are"},   {"a group of people", "they", "are"},
    {"an old man", "he", "is"},   {"a teenage girl", "she", "is"},
    {"two women", "they", "are"},
};

typedef struct {
    const char *verb;
    const char *objects[4]; /* NULL-terminated; none for intransitive actions */
} action;

static const action actions[] = {
    {"slicing", {"a tomato", "an onion", "the bread", "a cucumber"}},
    {"playing", {"the guitar", "the drums", "a violin", "the piano"}},
    {"kicking", {"a ball", "a soccer ball", NULL}},
    {"washing", {"the dishes", "a car", "the dog", "a window"}},
    {"painting", {"a fence", "the wall", "a picture", NULL}},
    {"riding", {"a bike", "a horse", "a skateboard", "a camel"}},
    {"throwing", {"a frisbee", "a ball", "darts", NULL}},
    {"lifting", {"a barbell", "heavy weights", NULL}},
    {"mixing", {"the batter", "some flour", "a salad", NULL}},
    {"dancing", {NULL}},
    {"running", {NULL}},
    {"swimming", {NULL}},
    {"jumping on a trampoline", {NULL}},
    {"talking to the camera", {NULL}},
};

static const char *const places[] = {
    "in a kitchen", "on the street",   "in a park",        "on a stage", "at the beach",
    "in a gym",     "in the backyard", "in a living room", "on a field", "next to a pool",
};

static const char *const connectives[] = {"Then", "After that,", "Next,", "Afterwards,"};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

void wsd_synth_captions_defaults(wsd_synth_captions_opts *o) {
    o->videos = 100;
    o->seed = 233;
    o->min_duration = 20;
    o->max_duration = 120;
    o->id_prefix = "v_";
}

static size_t pick(wsd_synth_rng *r, size_t n) {
    return (size_t)(wsd_synth_uniform(r) * (double)n);
}

static void phrase(wsd_synth_rng *r, char *buf, size_t cap, const action **used, int n_used) {
    const action *a;
    int fresh;
    do { /* a different action for each event of a video */
        a = &actions[pick(r, COUNT(actions))];
        fresh = 1;
        for (int i = 0; i < n_used; i++) fresh &= used[i] != a;
    } while (!fresh);
    used[n_used] = a;
    size_t n_obj = 0;
    while (n_obj < 4 && a->objects[n_obj]) n_obj++;
    if (n_obj)
        snprintf(buf, cap, "%s %s", a->verb, a->objects[pick(r, n_obj)]);
    else
        snprintf(buf, cap, "%s", a->verb);
}

static double round2(double x) { return round(x * 100) / 100; }

static int by_start(const void *a, const void *b) {
    const wsd_event *x = a, *y = b;
    return (x->start > y->start) - (x->start < y->start);
}

wsd_captions *wsd_synth_captions(const wsd_synth_captions_opts *o) {
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    wsd_synth_rng r;
    wsd_synth_rng_seed(&r, o->seed);
    wsd_captions *c = wsd_calloc(1, sizeof *c);
    c->path = wsd_strdup("<generated>");
    c->format = WSD_CAPTIONS_JSON;
    c->index = wsd_idmap_new();
    c->videos = wsd_calloc(o->videos > 0 ? (size_t)o->videos : 1, sizeof *c->videos);
    size_t plen = strlen(o->id_prefix);
    while ((long)c->n < o->videos) {
        wsd_video *v = &c->videos[c->n];
        v->id = wsd_malloc(plen + 12);
        memcpy(v->id, o->id_prefix, plen);
        for (int i = 0; i < 11; i++) v->id[plen + i] = alphabet[pick(&r, 64)];
        v->id[plen + 11] = '\0';
        if (wsd_idmap_put(c->index, v->id, (long)c->n) != 0) { /* astronomically rare */
            free(v->id);
            continue;
        }
        double d =
            round2(o->min_duration + wsd_synth_uniform(&r) * (o->max_duration - o->min_duration));
        v->duration = d > 0.01 ? d : 0.01;
        v->n_events = 2 + pick(&r, 3);
        v->events = wsd_calloc(v->n_events, sizeof *v->events);
        for (size_t k = 0; k < v->n_events; k++) {
            wsd_event *e = &v->events[k];
            double len = (0.1 + 0.4 * wsd_synth_uniform(&r)) * v->duration;
            e->start = round2(wsd_synth_uniform(&r) * (v->duration - len));
            e->end = round2(e->start + len);
            e->score = NAN;
        }
        qsort(v->events, v->n_events, sizeof *v->events, by_start);
        const subject *s = &subjects[pick(&r, COUNT(subjects))];
        const char *place = places[pick(&r, COUNT(places))];
        const action *used[4];
        for (size_t k = 0; k < v->n_events; k++) {
            char act[128], sent[256];
            phrase(&r, act, sizeof act, used, (int)k);
            if (k == 0) {
                snprintf(sent, sizeof sent, "%c%s %s %s %s.", s->noun[0] - 32, s->noun + 1, s->be,
                         act, place);
            } else if (pick(&r, 3) == 0) {
                snprintf(sent, sizeof sent, "%c%s %s %s %s.", s->pronoun[0] - 32, s->pronoun + 1,
                         s->be, act, place);
            } else {
                snprintf(sent, sizeof sent, "%s %s %s %s.",
                         connectives[pick(&r, COUNT(connectives))], s->pronoun, s->be, act);
            }
            v->events[k].sentence = wsd_strdup(sent);
        }
        c->n++;
    }
    return c;
}
