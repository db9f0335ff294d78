/* Training checkpoints of the two trainers (cg-pretrain, wsdec-train) over the
 * engine's HDF5 files (nn/nn_ckpt.h): the /config every trainer writes
 * ({"trainer": NAME, "epoch": epochs completed, ...}), the epoch to resume
 * from, the numbered copies kept every N epochs, and the readers of a
 * checkpoint opened once with nn_ckpt_open(): the epoch to resume from, the
 * vocabulary and both models. Every error names the checkpoint's path. */
#ifndef WSD_CKPT_H
#define WSD_CKPT_H

#include <cJSON.h>

#include "io/vocab.h"
#include "nn/nn_ckpt.h"
#include "wsd/model_cg.h"
#include "wsd/model_sl.h"

/* A new /config object {"trainer": trainer, "epoch": epoch}; the trainer adds
 * its model and training sections. */
cJSON *wsd_ckpt_config_new(const char *trainer, int epoch);
/* The epochs a checkpoint written by `trainer` has completed; -1 + wsd_fail
 * "PATH: not a TRAINER checkpoint ..." otherwise. */
int wsd_ckpt_resume_epoch(nn_ckpt *ck, const char *trainer, int *epoch);
/* PATH.epochNNN.h5 for PATH.h5 (PATH.epochNNN otherwise); malloc'ed. */
char *wsd_ckpt_numbered_path(const char *path, int epoch);
/* Saves c (its config_json from `config`) to path after `epoch` epochs and,
 * when keep_every > 0 divides epoch, to its numbered copy too. */
int wsd_ckpt_save_epoch(const char *path, int epoch, int keep_every, nn_ckpt_contents c,
                        const cJSON *config);
/* The vocabulary stored in a checkpoint; NULL + wsd_fail. */
wsd_vocab *wsd_ckpt_vocab(nn_ckpt *ck);

/* The caption generator: the config (JSON, top level or under "model_cg"),
 * then /model_cg/… parameters. Works on CG checkpoints and on two-model
 * (SL + CG) checkpoints. -1 + wsd_fail. */
int wsd_cg_load(wsd_cg *cg, nn_ckpt *ck, nn_device dev);
/* The sentence localizer of a checkpoint written by wsdec-train (two-model)
 * or its supervised mode (SL only): config from the JSON's "model_sl" object
 * (or the top level), parameters from /model_sl/. -1 + wsd_fail. */
int wsd_sl_load(wsd_sl *sl, nn_ckpt *ck, nn_device dev);

#endif
