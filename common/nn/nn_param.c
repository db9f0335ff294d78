#include "nn/nn_param.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "base/util.h"

void nn_params_init(nn_params *ps, const char *section) {
    memset(ps, 0, sizeof *ps);
    ps->section = wsd_strdup(section ? section : "model");
    ps->owner = 1;
}

void nn_params_init_view(nn_params *ps) { memset(ps, 0, sizeof *ps); }

void nn_params_free(nn_params *ps) {
    if (ps->owner)
        for (int i = 0; i < ps->n; i++) {
            nn_param *p = ps->items[i];
            nn_tensor_free(&p->value);
            nn_tensor_free(&p->grad);
            free(p->name);
            free(p);
        }
    free(ps->items);
    free(ps->section);
    memset(ps, 0, sizeof *ps);
}

void nn_params_append(nn_params *ps, nn_param *p) {
    if (ps->n == ps->cap) {
        ps->cap = ps->cap ? 2 * ps->cap : 16;
        ps->items = wsd_realloc(ps->items, (size_t)ps->cap * sizeof *ps->items);
    }
    ps->items[ps->n++] = p;
}

nn_param *nn_params_find(const nn_params *ps, const char *name) {
    for (int i = 0; i < ps->n; i++)
        if (!strcmp(ps->items[i]->name, name)) return ps->items[i];
    return NULL;
}

nn_param *nn_params_new(nn_params *ps, nn_device dev, const char *name, int is_buffer, int ndim,
                        const int *shape) {
    if (nn_params_find(ps, name)) {
        wsd_fail("parameter '%s' registered twice", name);
        return NULL;
    }
    nn_param *p = wsd_calloc(1, sizeof *p);
    p->name = wsd_strdup(name);
    char label[200];
    snprintf(label, sizeof label, "%s '%s'", is_buffer ? "buffer" : "parameter", name);
    const char *old = nn_alloc_label(label);
    p->value = nn_tensor_zeros(dev, ndim, shape);
    if (!is_buffer) {
        snprintf(label, sizeof label, "gradient of parameter '%s'", name);
        p->grad = nn_tensor_zeros(dev, ndim, shape);
    }
    nn_alloc_label(old);
    p->is_buffer = is_buffer;
    p->section = ps->section;
    nn_params_append(ps, p);
    return p;
}

int nn_params_select(nn_params *dst, const nn_params *src, const char *prefix) {
    size_t k = strlen(prefix);
    int added = 0;
    for (int i = 0; i < src->n; i++) {
        nn_param *p = src->items[i];
        if (p->is_buffer || strncmp(p->name, prefix, k)) continue;
        nn_params_append(dst, p);
        added++;
    }
    return added;
}

nn_tensor *nn_param_grad(nn_param *p) {
    if (!p->has_grad) {
        nn_tensor_zero(&p->grad);
        p->has_grad = 1;
    }
    return &p->grad;
}

void nn_params_zero_grad(nn_params *ps) {
    for (int i = 0; i < ps->n; i++)
        if (ps->items[i]->has_grad) nn_tensor_zero(&ps->items[i]->grad);
}

void nn_params_drop_grad(nn_params *ps) {
    for (int i = 0; i < ps->n; i++) ps->items[i]->has_grad = 0;
}

size_t nn_params_count(const nn_params *ps, int with_buffers) {
    size_t n = 0;
    for (int i = 0; i < ps->n; i++)
        if (with_buffers || !ps->items[i]->is_buffer) n += ps->items[i]->value.size;
    return n;
}

/* Initialisers draw on the host in element order, so a seed gives the same
 * values whatever the device. */
static void init_host(nn_tensor *t, wsd_rng *rng, int kind, float a, float b) {
    float *h = wsd_malloc((t->size ? t->size : 1) * sizeof(float));
    for (size_t i = 0; i < t->size; i++)
        h[i] = kind == 0 ? wsd_rng_range(rng, a, b) : a + b * wsd_rng_normal(rng);
    nn_tensor_from_host(t, h, t->size);
    free(h);
}

void nn_init_uniform(nn_tensor *t, wsd_rng *rng, float lo, float hi) {
    init_host(t, rng, 0, lo, hi);
}
void nn_init_normal(nn_tensor *t, wsd_rng *rng, float mean, float std) {
    init_host(t, rng, 1, mean, std);
}
void nn_init_const(nn_tensor *t, float value) { nn_tensor_fill(t, value); }
