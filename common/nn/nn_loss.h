/* Log-softmax and the losses of the reference: masked sequence NLL (caption loss,
 * CaptionGenerator.build_loss), cross-entropy and L1 (SentenceLocalizer.build_loss),
 * MSE (train_script/train_final.py train_cg). Loss values
 * are returned on the host as double; gradients are ADDED into d* tensors. */
#ifndef WSD_NN_LOSS_H
#define WSD_NN_LOSS_H

#include "nn/nn_tensor.h"

/* Row-wise over a 2-d tensor (N, V). y may alias x. */
int nn_log_softmax_forward(const nn_tensor *x, nn_tensor *y);
/* dx += dy − softmax·Σ_j dy_j, from the output y. */
int nn_log_softmax_backward(const nn_tensor *y, const nn_tensor *dy, nn_tensor *dx);

/* The K best next tokens of each row of logits (N, V) for a beam search:
 * per row r, the K largest log_softmax(logits)[r, v] + score[r] (score: host,
 * N; NULL: the log-probabilities alone), descending, ties to the lower v,
 * into host best[r·K + j] (the value, bit for bit what log_softmax's output
 * plus the score gives) and idx[r·K + j] (v). The full log_softmax is never
 * written; logits is left unchanged. 1 ≤ K ≤ V. */
int nn_log_softmax_topk(const nn_tensor *logits, const float *score, int K, float *best, int *idx);

/* Weighted NLL over rows of logp (N, V): −scale · Σ_n w_n · logp[n, target[n]].
 * weight (host, N) may be NULL (all 1); rows with weight 0 may carry any target
 * (even out of range). The caption loss is rows = N·L positions, w = mask,
 * scale = 1/N; cross-entropy is scale = 1/N, w = NULL. */
int nn_nll_forward(const nn_tensor *logp, const int *target, const float *weight, double scale,
                   double *loss);
/* dlogp[n, target[n]] += −scale · w_n. */
int nn_nll_backward(const nn_tensor *logp, const int *target, const float *weight, double scale,
                    nn_tensor *dlogp);

/* Fused log_softmax + weighted NLL: logp (N, V) is written (may alias
 * logits); dlogits (may be NULL) += scale · w_n · (softmax − onehot). */
int nn_softmax_nll(const nn_tensor *logits, const int *target, const float *weight, double scale,
                   nn_tensor *logp, double *loss, nn_tensor *dlogits);

/* PyTorch CrossEntropyLoss (mean over rows). */
int nn_cross_entropy(const nn_tensor *logits, const int *target, double *loss, nn_tensor *dlogits);

/* loss = scale · mean over all elements of (a−b)² (MSE) or |a−b| (L1); da
 * (may be NULL) += its gradient. scale is the loss weight (1/100 for the
 * reconstruction term, 1 for a plain mean). L1's gradient at a == b is 0. */
int nn_mse(const nn_tensor *a, const nn_tensor *b, double scale, double *loss, nn_tensor *da);
int nn_l1(const nn_tensor *a, const nn_tensor *b, double scale, double *loss, nn_tensor *da);

#endif
