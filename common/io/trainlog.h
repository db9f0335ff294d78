/* The machine-readable training log (`--log FILE` of cg-pretrain and
 * wsdec-train): JSON Lines, one record per batch and one per epoch,
 *
 *   {"kind": "batch", "program": "cg-pretrain", "epoch": 3, "batch": 10, "batches": 50,
 *    "phase": "caption", "loss": {"caption": 2.31}, "lr": {"cg": 0.0001}, "seconds": 12.5}
 *   {"kind": "epoch", "program": "wsdec-train", "epoch": 0, "batches": 50, "phase": "SL",
 *    "loss": {"sl": 1.2, "miou": 0.31}, "lr": {"sl": 0.0001}, "seconds": 40.1,
 *    "pseudo_labels": {"per_anchor": [3, 0, ...], "n": 600}}
 *
 * "batch" counts from 1; "seconds" since the program started (batch) or the
 * epoch's own time (epoch). Written as training goes, one flushed line per
 * record, so a crashed run keeps its log; --resume appends. man/man1/cg-pretrain.1
 * describes the fields; densevid-report draws them. A NULL log accepts every
 * call and writes nothing. */
#ifndef WSD_TRAINLOG_H
#define WSD_TRAINLOG_H

#include <cJSON.h>

typedef struct wsd_trainlog wsd_trainlog;

/* Opens PATH for writing (append = 1: after what is there). NULL + wsd_fail. */
wsd_trainlog *wsd_trainlog_open(const char *path, const char *program, int append);
/* A new record {"kind", "program", "epoch", "loss": {}, "lr": {}}; NULL when log is NULL. */
cJSON *wsd_trainlog_record(const wsd_trainlog *log, const char *kind, int epoch);
/* rec[group][name] = v, or rec[name] = v when group is NULL. No-op on a NULL rec. */
void wsd_trainlog_set(cJSON *rec, const char *group, const char *name, double v);
/* Writes rec as one line and frees it. 0, or -1 with wsd_fail on a write error. */
int wsd_trainlog_write(wsd_trainlog *log, cJSON *rec);
/* Closes; 0, or -1 with wsd_fail when a write failed. */
int wsd_trainlog_close(wsd_trainlog *log);

#endif
