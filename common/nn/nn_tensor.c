#include "nn/nn_tensor.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "nn/nn_backend.h"
#include "base/util.h"

static size_t shape_size(int ndim, const int *shape) {
    size_t n = 1;
    for (int i = 0; i < ndim; i++) n *= (size_t)shape[i];
    return n;
}

static _Thread_local const char *alloc_label;

const char *nn_alloc_label(const char *label) {
    const char *old = alloc_label;
    alloc_label = label;
    return old;
}

static void format_shape(char *buf, size_t cap, int ndim, const int *shape);

int nn_tensor_try_zeros(nn_tensor *out, nn_device dev, int ndim, const int *shape) {
    nn_tensor t;
    memset(&t, 0, sizeof t);
    memset(out, 0, sizeof *out);
    if (ndim < 0 || ndim > NN_MAX_DIM) wsd_die_internal("nn_tensor_zeros: %d dimensions", ndim);
    t.ndim = ndim;
    for (int i = 0; i < ndim; i++) t.shape[i] = shape[i];
    t.size = shape_size(ndim, shape);
    t.device = dev;
    t.owner = 1;
    t.data = nn_backend_for(dev)->alloc(t.size);
    if (!t.data) {
        /* the backend recorded why (the CUDA error string, a limit, the C library) */
        char why[256], sh[96];
        snprintf(why, sizeof why, "%s", wsd_error());
        format_shape(sh, sizeof sh, ndim, shape);
        return wsd_fail("out of %s memory allocating %s%s tensor %s: %zu bytes (%s)",
                        nn_device_name(dev), alloc_label ? "the " : "a",
                        alloc_label ? alloc_label : "", sh, t.size * sizeof(float), why);
    }
    *out = t;
    return 0;
}

nn_tensor nn_tensor_zeros(nn_device dev, int ndim, const int *shape) {
    nn_tensor t;
    if (nn_tensor_try_zeros(&t, dev, ndim, shape) != 0) wsd_die("%s", wsd_error());
    return t;
}

nn_tensor nn_zeros1(nn_device dev, int n0) { return nn_tensor_zeros(dev, 1, &n0); }
nn_tensor nn_zeros2(nn_device dev, int n0, int n1) {
    int s[2] = {n0, n1};
    return nn_tensor_zeros(dev, 2, s);
}
nn_tensor nn_zeros3(nn_device dev, int n0, int n1, int n2) {
    int s[3] = {n0, n1, n2};
    return nn_tensor_zeros(dev, 3, s);
}
nn_tensor nn_zeros4(nn_device dev, int n0, int n1, int n2, int n3) {
    int s[4] = {n0, n1, n2, n3};
    return nn_tensor_zeros(dev, 4, s);
}

void nn_tensor_free(nn_tensor *t) {
    if (t->owner && t->data) nn_backend_for(t->device)->release(t->data);
    memset(t, 0, sizeof *t);
}

/* Reuses t's memory when it has that many elements on that device: 1, else
 * 0 after making t a fresh zero tensor. */
static int reuse_or_fresh(nn_tensor *t, nn_device dev, int ndim, const int *shape) {
    if (t->data && t->owner && t->device == dev && t->size == shape_size(ndim, shape)) {
        t->ndim = ndim;
        for (int i = 0; i < ndim; i++) t->shape[i] = shape[i];
        return 1;
    }
    nn_tensor_free(t);
    *t = nn_tensor_zeros(dev, ndim, shape);
    return 0;
}

void nn_tensor_ensure(nn_tensor *t, nn_device dev, int ndim, const int *shape) {
    if (reuse_or_fresh(t, dev, ndim, shape)) nn_tensor_zero(t); /* as a fresh tensor */
}

void nn_tensor_reserve(nn_tensor *t, nn_device dev, int ndim, const int *shape) {
    reuse_or_fresh(t, dev, ndim, shape);
}

void nn_tensor_room(nn_tensor *t, nn_device dev, size_t n) {
    if (t->data && t->owner && t->device == dev && t->size >= n) return;
    int s[1] = {(int)(n ? n : 1)};
    nn_tensor_free(t);
    *t = nn_tensor_zeros(dev, 1, s);
}

nn_tensor nn_tensor_room2(nn_tensor *t, nn_device dev, int rows, int cols) {
    nn_tensor_room(t, dev, (size_t)rows * cols);
    return nn_view2(t, 0, rows, cols);
}

void nn_tensor_ensure2(nn_tensor *t, nn_device dev, int n0, int n1) {
    int s[2] = {n0, n1};
    nn_tensor_ensure(t, dev, 2, s);
}

nn_tensor nn_tensor_view(const nn_tensor *t, size_t offset, int ndim, const int *shape) {
    nn_tensor v;
    memset(&v, 0, sizeof v);
    v.ndim = ndim;
    for (int i = 0; i < ndim; i++) v.shape[i] = shape[i];
    v.size = shape_size(ndim, shape);
    if (offset + v.size > t->size)
        wsd_die_internal("nn_tensor_view: %zu elements at %zu exceed a tensor of %zu", v.size,
                         offset, t->size);
    v.data = t->data + offset;
    v.device = t->device;
    v.owner = 0;
    return v;
}

nn_tensor nn_view1(const nn_tensor *t, size_t offset, int n0) {
    return nn_tensor_view(t, offset, 1, &n0);
}
nn_tensor nn_view2(const nn_tensor *t, size_t offset, int n0, int n1) {
    int s[2] = {n0, n1};
    return nn_tensor_view(t, offset, 2, s);
}
nn_tensor nn_view3(const nn_tensor *t, size_t offset, int n0, int n1, int n2) {
    int s[3] = {n0, n1, n2};
    return nn_tensor_view(t, offset, 3, s);
}

nn_tensor nn_tensor_index(const nn_tensor *t, int i) {
    if (t->ndim <= 1) return nn_view1(t, (size_t)i, 1);
    size_t inner = t->size / (size_t)t->shape[0];
    return nn_tensor_view(t, inner * (size_t)i, t->ndim - 1, t->shape + 1);
}

int nn_tensor_reshape(nn_tensor *t, int ndim, const int *shape) {
    if (ndim < 0 || ndim > NN_MAX_DIM || shape_size(ndim, shape) != t->size)
        return wsd_fail("cannot reshape a tensor of %zu elements", t->size);
    t->ndim = ndim;
    for (int i = 0; i < ndim; i++) t->shape[i] = shape[i];
    return 0;
}

int nn_tensor_same_shape(const nn_tensor *a, const nn_tensor *b) {
    if (a->ndim != b->ndim) return 0;
    for (int i = 0; i < a->ndim; i++)
        if (a->shape[i] != b->shape[i]) return 0;
    return 1;
}

static void format_shape(char *buf, size_t cap, int ndim, const int *shape) {
    size_t k = (size_t)snprintf(buf, cap, "(");
    for (int i = 0; i < ndim && k < cap; i++)
        k += (size_t)snprintf(buf + k, cap - k, i ? ", %d" : "%d", shape[i]);
    if (k < cap) snprintf(buf + k, cap - k, ")");
}

const char *nn_tensor_shape_str(const nn_tensor *t) {
    static char buf[96];
    format_shape(buf, sizeof buf, t->ndim, t->shape);
    return buf;
}

int nn_check_shape(const nn_tensor *t, const char *what, int ndim, ...) {
    int shape[NN_MAX_DIM];
    va_list ap;
    va_start(ap, ndim);
    for (int i = 0; i < ndim && i < NN_MAX_DIM; i++) shape[i] = va_arg(ap, int);
    va_end(ap);
    int ok = t && t->data && t->ndim == ndim;
    for (int i = 0; ok && i < ndim; i++) ok = t->shape[i] == shape[i];
    if (ok) return 0;
    char want[96], got[96];
    format_shape(want, sizeof want, ndim, shape);
    if (!t || !t->data)
        snprintf(got, sizeof got, "no tensor");
    else
        format_shape(got, sizeof got, t->ndim, t->shape);
    return wsd_fail("%s: expected shape %s, got %s", what, want, got);
}

void nn_tensor_zero(nn_tensor *t) {
    if (t->data) nn_backend_for(t->device)->fill(t->data, t->size, 0.0f);
}
void nn_tensor_fill(nn_tensor *t, float value) {
    if (t->data) nn_backend_for(t->device)->fill(t->data, t->size, value);
}

int nn_tensor_copy(nn_tensor *dst, const nn_tensor *src) {
    if (dst->size != src->size)
        return wsd_fail("tensor copy: %zu elements into %zu", src->size, dst->size);
    if (dst->device == src->device) {
        nn_backend_for(dst->device)->copy(dst->data, src->data, src->size);
    } else if (src->device == NN_CPU) {
        nn_backend_for(dst->device)->upload(dst->data, src->data, src->size);
    } else if (dst->device == NN_CPU) {
        nn_backend_for(src->device)->download(dst->data, src->data, src->size);
    } else {
        return wsd_fail("tensor copy between two accelerators is not supported");
    }
    return 0;
}

int nn_tensor_from_host(nn_tensor *dst, const float *src, size_t n) {
    if (n != dst->size) return wsd_fail("tensor upload: %zu elements into %zu", n, dst->size);
    nn_backend_for(dst->device)->upload(dst->data, src, n);
    return 0;
}

int nn_tensor_to_host(const nn_tensor *src, float *dst, size_t n) {
    if (n != src->size) return wsd_fail("tensor download: %zu elements into %zu", src->size, n);
    nn_backend_for(src->device)->download(dst, src->data, n);
    return 0;
}

nn_tensor nn_tensor_host_copy(const nn_tensor *t) {
    nn_tensor h = nn_tensor_zeros(NN_CPU, t->ndim, t->shape);
    nn_tensor_to_host(t, h.data, h.size);
    return h;
}
