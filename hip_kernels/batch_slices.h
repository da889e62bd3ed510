/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Batches larger than a grid dimension allows. Every kernel launcher puts
 * the matrices of a batch on a grid dimension (y or z) that holds at most
 * 65535 blocks, so a larger batch goes in slices, each launched with the
 * index of its first matrix.
 */
#ifndef PGEMM_BATCH_SLICES_H
#define PGEMM_BATCH_SLICES_H

#include "pgemm_hip_platform.h"

constexpr int PGEMM_MAX_GRID_BATCH = 65535;

/* Calls launch(first, count) for consecutive slices of [0, batch); stops at
 * the first launch error. */
template <typename Launch> hipError_t pgemm_in_batch_slices(int batch, Launch launch)
{
    for (int first = 0; first < batch; first += PGEMM_MAX_GRID_BATCH) {
        int count = batch - first < PGEMM_MAX_GRID_BATCH ? batch - first : PGEMM_MAX_GRID_BATCH;
        launch(first, count);
        hipError_t e = hipGetLastError();
        if (e != hipSuccess) return e;
    }
    return hipSuccess;
}

#endif
