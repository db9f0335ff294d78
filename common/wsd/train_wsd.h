/* One batch of the weakly supervised trainers (WSDEC train_script/train_final.py,
 * train_baseline_regressor.py, train_sl.py):
 * gradients only; the caller zeroes, clips and steps the optimisers.
 *
 *   cycle step (train_final.py train_cg; train_baseline_regressor.py train_cg): seg = SL.diff(S) +
 * noise; CG teacher forced on S given seg; seg' = SL.diff(argmax tokens, GT lengths/mask); loss =
 * cap + mean((seg' − stopgrad(seg))²)/100, back-propagated into both models (the predictor gets
 * nothing: its gradient stays as it was, absent or zero — PyTorch 0.3's zero_grad [quirk]).
 *   pseudo-label step (train_final.py train_sl): the CG (eval) beam-searches a
 *     caption for each of the 15 anchors of every video; the anchor whose
 *     caption scores best against the sentence is its label; CE on the SL's
 *     anchor logits (the refiner gets nothing).
 *   supervised step (train_script/train_sl.py train): CE + 0.1·L1 against GT timestamps. */
#ifndef WSD_TRAIN_WSD_H
#define WSD_TRAIN_WSD_H

#include "wsd/model_cg.h"
#include "wsd/model_sl.h"
#include "wsd/pseudo_label.h"

typedef struct {
    wsd_sl_run run1, run2; /* SL on S, SL on the argmax tokens */
    wsd_cg_run cg_run;     /* CG teacher-forced on S, or decoding the anchors */
    nn_tensor seg;         /* (N, 2) normalised (c, w) the CG is given, + noise */
    nn_tensor d_seg;       /* (N, 2) d loss / d seg from the CG */
    int *pred;             /* (N·L) teacher-forced argmax tokens */
    float *h;              /* host scratch, h_cap floats */
    size_t h_cap;
    int *ids, *len; /* pseudo-label decoding */
    size_t ids_cap;
} wsd_train_ws;

void wsd_train_ws_free(wsd_train_ws *ws);

/* noise: N×2 host values added to seg (U(−0.01, 0.01) in training) or NULL.
 * rng drives the SL's dropout (the CG has its own). Losses on the host. */
int wsd_cycle_grad(wsd_sl *sl, wsd_cg *cg, wsd_train_ws *ws, const wsd_batch *b, const float *noise,
                   wsd_rng *rng, double *loss_cap, double *loss_rec);

/* The beam width of the captions an SL epoch labels anchors with (the
 * beam search of the SL epochs in train_script/train_final.py of XgDuan/WSDEC). */
#define WSD_PSEUDO_BEAM 3
/* The batch (videos) of the SL epochs' loader, hard-coded in train_sl of
 * train_script/train_final.py (XgDuan/WSDEC); wsdec-train --sl-batch. */
#define WSD_SL_BATCH 6

/* labels (N, may be NULL) receives the pseudo-labels; max_len/beam as the CG
 * decodes (20, WSD_PSEUDO_BEAM). miou (may be NULL): mean IoU of the SL's test-path
 * prediction with the GT timestamps, the reference's log line. */
int wsd_pseudo_grad(wsd_sl *sl, wsd_cg *cg, wsd_train_ws *ws, wsd_pseudo_labeler *pl,
                    const wsd_vocab *vocab, const wsd_batch *b, int beam, int max_len, wsd_rng *rng,
                    double *loss, int *labels, double *miou);

int wsd_supervised_grad(wsd_sl *sl, wsd_train_ws *ws, const wsd_batch *b, wsd_rng *rng,
                        double *loss, double *miou);

/* Mean model IoU between the SL's test-path seconds (last forward of run)
 * and the batch's GT seconds. */
double wsd_sl_batch_miou(const wsd_sl *sl, const wsd_sl_run *run, const wsd_batch *b);

#endif
