/* C3D v1.0 weights straight from the Caffe model users download
 * (conv3d_deepnetA_sport1m_iter_1900000): the widths come from the file
 * (conv1a's output count 64/d gives width_div d, so a narrow synthetic model
 * works the same way), blobs of conv1a..conv5b, fc6-1 and fc7-1 go to the
 * network, layers without blobs and the classifier fc8-1 are skipped. */
#ifndef WSD_VIDEO_C3D_CAFFE_H
#define WSD_VIDEO_C3D_CAFFE_H

#include "video/c3d.h"

/* Initialises *net from the file. -1 + wsd_error() naming the file: not a
 * Caffe model, another network (no conv1a, a shape that is not C3D's), a
 * truncated file, a missing blob. */
int wsd_c3d_load_caffe(wsd_c3d *net, const char *path);

#endif
