/* The CPU/CUDA neural-network engine in one include. */
#ifndef WSD_NN_H
#define WSD_NN_H

#include "nn/nn_attention.h"
#include "nn/nn_batchnorm.h"
#include "nn/nn_conv3d.h"
#include "nn/nn_ckpt.h"
#include "nn/nn_device.h"
#include "nn/nn_gru.h"
#include "nn/nn_linear.h"
#include "nn/nn_loss.h"
#include "nn/nn_lstm.h"
#include "nn/nn_ops.h"
#include "nn/nn_optim.h"
#include "nn/nn_param.h"
#include "base/rng.h"
#include "nn/nn_rnn.h"
#include "nn/nn_tensor.h"

#endif
