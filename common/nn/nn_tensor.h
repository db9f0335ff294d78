/* Float32 tensors that live on one device (CPU now, CUDA through gpu/).
 *
 * A tensor is a small value struct: a data pointer (device memory), a shape,
 * and whether it owns the memory. Views share the data of another tensor and
 * are never freed. Layouts are row-major, batch-major ("batch_first") unless a
 * function says otherwise. Layer and model code only touches tensors through
 * nn_tensor.h / nn_ops.h, so it runs unchanged on either device: it never
 * dereferences `data` itself except on tensors it knows are on the CPU
 * (nn_tensor_to_host / nn_tensor_from_host move data across). */
#ifndef WSD_NN_TENSOR_H
#define WSD_NN_TENSOR_H

#include <stddef.h>

#include "nn/nn_device.h"

#define NN_MAX_DIM 4

typedef struct {
    float *data;
    int ndim;
    int shape[NN_MAX_DIM];
    size_t size; /* number of elements */
    nn_device device;
    int owner; /* 1: nn_tensor_free releases data */
} nn_tensor;

/* Zero-filled tensors. Running out of memory (host or device) exits 1 with
 * the message of nn_tensor_try_zeros: like wsd_malloc, the one place the
 * engine exits, since no caller could go on without the tensor. */
nn_tensor nn_tensor_zeros(nn_device dev, int ndim, const int *shape);
/* The same, but on failure returns -1 with "out of cuda memory allocating the
 * parameter 'x' tensor (512, 6000): 12288000 bytes (cudaMalloc: out of
 * memory)" recorded (wsd_error) and *out zeroed. */
int nn_tensor_try_zeros(nn_tensor *out, nn_device dev, int ndim, const int *shape);
/* Names what the calling thread is allocating (e.g. "parameter 'cg.fc.w'")
 * for out-of-memory messages; NULL clears it. Returns the previous label so
 * callers can restore it. */
const char *nn_alloc_label(const char *label);
nn_tensor nn_zeros1(nn_device dev, int n0);
nn_tensor nn_zeros2(nn_device dev, int n0, int n1);
nn_tensor nn_zeros3(nn_device dev, int n0, int n1, int n2);
nn_tensor nn_zeros4(nn_device dev, int n0, int n1, int n2, int n3);
/* Frees an owned tensor (views: only resets the struct). Safe on a zeroed struct. */
void nn_tensor_free(nn_tensor *t);
/* Makes `t` an owned zero tensor of the given shape, reusing its memory when it
 * already has that many elements on that device (handy for caches). The
 * contents are zero either way. */
void nn_tensor_ensure(nn_tensor *t, nn_device dev, int ndim, const int *shape);
void nn_tensor_ensure2(nn_tensor *t, nn_device dev, int n0, int n1);
/* nn_tensor_ensure for a buffer the caller overwrites whole before reading:
 * kept as it is when it has the size (no zeroing pass over it every batch),
 * else fresh (zeros). */
void nn_tensor_reserve(nn_tensor *t, nn_device dev, int ndim, const int *shape);
/* Makes t an owned buffer of at least n elements on dev: kept as it is
 * (contents and size) when it has the room, else fresh zeros of n. For
 * buffers whose size changes every batch (sequences of their own lengths):
 * no reallocation and no fresh pages to fault in each time. */
void nn_tensor_room(nn_tensor *t, nn_device dev, size_t n);
/* nn_tensor_room for rows · cols, then the (rows, cols) view of its start
 * (not cleared). */
nn_tensor nn_tensor_room2(nn_tensor *t, nn_device dev, int rows, int cols);

/* A view of `size(shape)` elements starting `offset` elements into t. */
nn_tensor nn_tensor_view(const nn_tensor *t, size_t offset, int ndim, const int *shape);
nn_tensor nn_view1(const nn_tensor *t, size_t offset, int n0);
nn_tensor nn_view2(const nn_tensor *t, size_t offset, int n0, int n1);
nn_tensor nn_view3(const nn_tensor *t, size_t offset, int n0, int n1, int n2);
/* Sub-tensor i along dimension 0 (rank drops by one; a 1-d tensor gives 1 element). */
nn_tensor nn_tensor_index(const nn_tensor *t, int i);
/* The same data seen with another shape of equal size; -1 on size mismatch. */
int nn_tensor_reshape(nn_tensor *t, int ndim, const int *shape);

int nn_tensor_same_shape(const nn_tensor *a, const nn_tensor *b);
/* Shape as "(2, 32, 512)" into a static buffer (for error messages). */
const char *nn_tensor_shape_str(const nn_tensor *t);
/* Records "what: expected shape (…) got (…)" and returns -1 unless t has the
 * given shape; `ndim` dims follow. */
int nn_check_shape(const nn_tensor *t, const char *what, int ndim, ...);

void nn_tensor_zero(nn_tensor *t);
void nn_tensor_fill(nn_tensor *t, float value);
/* Copies between any devices; sizes must match (shapes may differ). */
int nn_tensor_copy(nn_tensor *dst, const nn_tensor *src);
int nn_tensor_from_host(nn_tensor *dst, const float *src, size_t n);
int nn_tensor_to_host(const nn_tensor *src, float *dst, size_t n);
/* A new owned CPU tensor with the contents of t. */
nn_tensor nn_tensor_host_copy(const nn_tensor *t);

#endif
