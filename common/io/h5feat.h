/* The official ActivityNet C3D HDF5 layout: one top-level group per video id
 * holding a dataset "c3d_features" [T, D] (D = 500), float. */
#ifndef WSD_H5FEAT_H
#define WSD_H5FEAT_H

#include <stddef.h>

#include "io/tsr.h"

/* True when the bytes start with the HDF5 signature. */
int wsd_h5_sniff(const void *head, size_t len);

typedef struct wsd_h5feat wsd_h5feat;

/* Opens for reading and lists the video groups. NULL + wsd_error(), also
 * when there is no group or a group name is not valid UTF-8. */
wsd_h5feat *wsd_h5feat_open(const char *path);
size_t wsd_h5feat_count(const wsd_h5feat *h);
const char *wsd_h5feat_id(const wsd_h5feat *h, size_t i); /* HDF5 name order */
/* Reads one video as a float32 [T, D] tensor (key = id, empty meta).
 * -1 + wsd_error() naming the file and id (unknown id, wrong rank, ...). */
int wsd_h5feat_read(wsd_h5feat *h, const char *id, wsd_tsr *out);
void wsd_h5feat_close(wsd_h5feat *h);

/* Writes the same layout; the file appears only on wsd_h5feat_finish(). The
 * tensor's numeric meta entries become attributes of the video group. */
typedef struct wsd_h5feat_writer wsd_h5feat_writer;
wsd_h5feat_writer *wsd_h5feat_create(const char *path);
int wsd_h5feat_write(wsd_h5feat_writer *w, const wsd_tsr *t); /* float32 2-D */
int wsd_h5feat_finish(wsd_h5feat_writer *w);                  /* closes + renames; frees w */
void wsd_h5feat_abort(wsd_h5feat_writer *w); /* removes the partial file; frees w */

#endif
