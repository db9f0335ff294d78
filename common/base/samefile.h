/* An output must never replace one of the program's inputs: `cg-pretrain
 * --feats f.tsr --out f.tsr` would trade the features for a checkpoint and
 * exit 0. Programs check before any work. */
#ifndef WSD_SAMEFILE_H
#define WSD_SAMEFILE_H

/* 1 when a and b name the same existing file (same device and inode, so
 * also through hard and symbolic links), else 0. "-" and NULL never match. */
int wsd_same_file(const char *a, const char *b);

/* inputs: n pairs {what, path} (path NULL = not given). -1 + wsd_error()
 * "OUTPUT is the same file as WHAT PATH: refusing to overwrite an input" when
 * output is one of them, else 0. */
int wsd_out_distinct(const char *output, const char *const *inputs, int n);

#endif
