/* The one loader for the PyTorch golden files of testdata/goldens/ (written by
 * the scripts of testdata/torch/): tu_golden_path() finds a file under
 * $WSD_ROOT, and a golden is every record of a .tsr file, looked up by key.
 * The text goldens of the nn_* tests (tu_goldens_load in nn_testutil.h) use
 * the same path rule. */
#ifndef WSD_TESTING_GOLDEN_H
#define WSD_TESTING_GOLDEN_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "io/tsr.h"

/* $WSD_ROOT/testdata/goldens/FILE (the current folder when WSD_ROOT is unset). */
static inline void tu_golden_path(char *path, size_t size, const char *file) {
    const char *root = getenv("WSD_ROOT");
    snprintf(path, size, "%s/testdata/goldens/%s", root ? root : ".", file);
}

typedef struct {
    int n;
    wsd_tsr *t;
} golden;

/* Reads every record of the .tsr golden FILE; -1 when it cannot be opened. */
static inline int golden_load(golden *g, const char *file) {
    char path[4096];
    tu_golden_path(path, sizeof path, file);
    g->n = 0;
    g->t = NULL;
    wsd_tsr_reader *r = wsd_tsr_open(path);
    if (!r) return -1;
    for (;;) {
        g->t = wsd_realloc(g->t, sizeof *g->t * (size_t)(g->n + 1));
        if (wsd_tsr_read(r, &g->t[g->n]) <= 0) break;
        g->n++;
    }
    wsd_tsr_close(r);
    return 0;
}

static inline void golden_free(golden *g) {
    for (int i = 0; i < g->n; i++) wsd_tsr_free(&g->t[i]);
    free(g->t);
    g->t = NULL;
    g->n = 0;
}

/* The record KEY, or NULL (and a line on stderr) when the golden lacks it. */
static inline const wsd_tsr *golden_get(const golden *g, const char *key) {
    for (int i = 0; i < g->n; i++)
        if (strcmp(g->t[i].key, key) == 0) return &g->t[i];
    fprintf(stderr, "  golden lacks %s\n", key);
    return NULL;
}

/* The float32 (int64) data of KEY, or NULL when missing or of another type. */
static inline const float *golden_f32(const golden *g, const char *key) {
    const wsd_tsr *t = golden_get(g, key);
    return t && t->dtype == WSD_F32 ? t->data : NULL;
}

static inline const int64_t *golden_i64(const golden *g, const char *key) {
    const wsd_tsr *t = golden_get(g, key);
    return t && t->dtype == WSD_I64 ? t->data : NULL;
}

#endif
