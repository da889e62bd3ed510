/* SPDX-License-Identifier: BSD-3-Clause */
/* The names of the epilogue's activations and bias kinds, and its defaults. */
#include <string.h>

#include "pgemm.h"

const char *pgemm_activation_name(pgemm_activation activation)
{
    switch (activation) {
    case PGEMM_ACTIVATION_NONE: return "none";
    case PGEMM_ACTIVATION_RELU: return "relu";
    case PGEMM_ACTIVATION_GELU_TANH: return "gelu_tanh";
    case PGEMM_ACTIVATION_SILU: return "silu";
    }
    return NULL;
}

const char *pgemm_bias_name(pgemm_bias bias)
{
    switch (bias) {
    case PGEMM_BIAS_NONE: return "none";
    case PGEMM_BIAS_PER_ROW: return "per_row";
    case PGEMM_BIAS_PER_COLUMN: return "per_column";
    }
    return NULL;
}

void pgemm_epilogue_init(pgemm_epilogue *epilogue)
{
    if (epilogue) memset(epilogue, 0, sizeof *epilogue);
}
