/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fp16 rows of hip_variant_table.h as constexpr data, for the families'
 * kernels: each family takes its tile shapes from its rows, instantiates its
 * kernel once per row, and checks with static_assert that it can run them.
 */
#ifndef PGEMM_HGEMM_ROWS_H
#define PGEMM_HGEMM_ROWS_H

#include "hip_launch.h"

enum class pgemm_hgemm_family { wgmma, mma, mfma, dot2, fma };

struct pgemm_hgemm_row {
    pgemm_hip_hgemm_kernel id;
    pgemm_hgemm_family family;
    int tile_m, tile_n, tile_k, stages, warps_m;
    int local_bytes; /* the shared memory the host descriptor states */
};

#define PGEMM_HGEMM_ROW(id, name, kernel, tm, tn, tk, st, wm, unit, tier, store, isa)           \
    {PGEMM_HIP_HGEMM_##id, pgemm_hgemm_family::kernel, tm, tn, tk, st, wm,                      \
     PGEMM_HIP_HGEMM_LOCAL(kernel, tm, tn, tk, st)},
constexpr pgemm_hgemm_row pgemm_hgemm_rows[] = {PGEMM_HIP_HGEMM_VARIANTS(PGEMM_HGEMM_ROW)};
#undef PGEMM_HGEMM_ROW

static_assert(sizeof pgemm_hgemm_rows / sizeof pgemm_hgemm_rows[0] == PGEMM_HIP_HGEMM_COUNT,
              "one row per kernel");

constexpr int pgemm_hgemm_rows_of(pgemm_hgemm_family f)
{
    int n = 0;
    for (const pgemm_hgemm_row &r : pgemm_hgemm_rows) n += r.family == f;
    return n;
}

/* The first row of family f: the geometry of a family whose kernel has one
 * shape (checked by its static_assert on pgemm_hgemm_rows_of). */
constexpr pgemm_hgemm_row pgemm_hgemm_row_of(pgemm_hgemm_family f)
{
    for (const pgemm_hgemm_row &r : pgemm_hgemm_rows)
        if (r.family == f) return r;
    return pgemm_hgemm_row{PGEMM_HIP_HGEMM_COUNT, f, 0, 0, 0, 0, 0, 0};
}

/* Whether every row of family f satisfies pred. */
constexpr bool pgemm_hgemm_rows_all(pgemm_hgemm_family f, bool (*pred)(const pgemm_hgemm_row &))
{
    for (const pgemm_hgemm_row &r : pgemm_hgemm_rows)
        if (r.family == f && !pred(r)) return false;
    return true;
}

#endif
