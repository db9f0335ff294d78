/* HDF5 checkpoints: parameters, optimiser state, configuration, vocabulary.
 *
 * Layout (readable with h5py):
 *   /<section>/<state-dict key>          float32 dataset per parameter/buffer,
 *                                        e.g. /model_cg/video_encoder.rnn.weight_ih_l0
 *   /optim/<name>/<section>/<key>/momentum_buffer   (SGD; Adam: exp_avg,
 *                                        exp_avg_sq) float32, attribute "step"
 *   /optim/<name>                        attributes "kind", per-group lr arrays
 *   /config                              variable-length UTF-8 string (JSON)
 *   /vocab                               1-d dataset of variable-length strings,
 *                                        index = token id
 * Writes go to PATH.tmp.* and are renamed into place (never a partial file).
 * Loading checks every name and shape and reports mismatches naming the file
 * and the key. */
#ifndef WSD_NN_CKPT_H
#define WSD_NN_CKPT_H

#include "nn/nn_optim.h"
#include "nn/nn_param.h"

typedef struct {
    const nn_params *const *models; /* each saved under its section */
    int n_models;
    const nn_optim *const *optims;
    const char *const *optim_names;
    int n_optims;
    const char *config_json;  /* may be NULL */
    const char *const *vocab; /* may be NULL */
    int n_vocab;
} nn_ckpt_contents;

int nn_ckpt_save(const char *path, const nn_ckpt_contents *c);

/* Reading: a checkpoint is opened once, every part read from the one handle
 * (errors name its path), then closed. NULL + wsd_fail when PATH is not an
 * HDF5 file. */
typedef struct nn_ckpt nn_ckpt;
nn_ckpt *nn_ckpt_open(const char *path);
void nn_ckpt_close(nn_ckpt *ck);
const char *nn_ckpt_path(const nn_ckpt *ck);

/* Loads every parameter and buffer of ps from /<section or from_section>/…
 * (from_section NULL = ps->section). strict: keys in the file that ps lacks are
 * an error too. */
int nn_ckpt_load_params(nn_ckpt *ck, nn_params *ps, const char *from_section, int strict);
/* Restores optimiser state saved under `name`; the optimiser must have been
 * built with the same groups (lr values are restored too). A parameter with
 * saved state gets a present (zero) gradient, as it had when it was stepped,
 * so resuming equals never stopping (see nn_optim.h on absent gradients).
 * Checkpoints carry no HDF5 modification times: same state, same bytes. */
int nn_ckpt_load_optim(nn_ckpt *ck, const char *name, nn_optim *o);
/* *json = malloc'ed config string (NULL when the file has none). */
int nn_ckpt_read_config(nn_ckpt *ck, char **json);
/* *words = malloc'ed array of malloc'ed strings; free with nn_ckpt_free_vocab. */
int nn_ckpt_read_vocab(nn_ckpt *ck, char ***words, int *n);
void nn_ckpt_free_vocab(char **words, int n);
/* Float values stored under /<section>/ (every dataset, any depth); -1 +
 * wsd_error() when it cannot be read. A model's configuration is
 * checked against it before anything is allocated (see
 * nn_ckpt_check_dims): a corrupt or hostile config cannot ask for more
 * memory than the file holds. */
long long nn_ckpt_section_numel(nn_ckpt *ck, const char *section);
/* -1 + wsd_error() "PATH: the configuration's WHAT x WHAT2 ... exceeds the N
 * values stored under /SECTION" when a product a*b of two configured sizes
 * (pairs in dims, n pairs, names in what) exceeds numel, or a size is not
 * in [1, numel]. */
int nn_ckpt_check_dims(const char *path, const char *section, long long numel,
                       const long long *dims, const char *const *what, int n);
/* 1 if the file has the section group (e.g. to tell two-model checkpoints). */
int nn_ckpt_has_section(nn_ckpt *ck, const char *section);

#endif
