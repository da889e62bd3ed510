/* SPDX-License-Identifier: BSD-3-Clause */
/* Split-K (split_k.h): when to split, and the partial products and their sum. */
#include "split_k.h"

#include <string.h>

#include "common/text.h"
#include "staging.h"

/*
 * The automatic rule, for GPUs: split where the unsplit variant's tile grid
 * leaves at least half of the compute units without a work-group, into as
 * many parts as give every unit SPLIT_FILL work-groups, each at least
 * SPLIT_MIN_DEPTH deep (a shallower partial product pays its tiles' loads
 * and stores for too few multiply-adds). A grid that fills one wave or
 * more is left alone: on an H100, 1000^3 in 128 tiles for 132 units ran at
 * 25.1 TFLOP/s unsplit and 21.1 in three parts. Depths are whole multiples
 * of SPLIT_ALIGN, which every kernel's K step divides. CPU drivers run a
 * work-group per core and have their tile grids full already, so they
 * split only when asked.
 */
#define SPLIT_FILL 2
#define SPLIT_MIN_DEPTH 256
#define SPLIT_ALIGN 64
/* The partial sums' workspace stays below this (bytes). */
#define SPLIT_WORK_MAX ((size_t)256 << 20)

static size_t ceil_div(size_t a, size_t b) { return (a + b - 1) / b; }

/* parts partial products of depths rounded up to `align`: fewer where the
 * rounding leaves the last one empty. */
static pgemm_split split_into(size_t k, size_t parts, size_t align)
{
    pgemm_split s = {1, k, k, 0};
    if (parts < 2 || k < 2) return s;
    size_t depth = ceil_div(ceil_div(k, parts), align) * align;
    size_t n = ceil_div(k, depth);
    if (n < 2) return s;
    s.parts = n;
    s.depth = depth;
    s.last_depth = k - (n - 1) * depth;
    return s;
}

pgemm_split pgemm_split_plan(const pgemm_context *ctx, const pgemm_gemm_args *g,
                             const pgemm_variant_desc *unsplit)
{
    pgemm_split none = {1, g->k, g->k, 0};
    if (!ctx->plugin.iface->sum_parts || g->batch_count != 1 || g->k < 2 || ctx->split_k == 1)
        return none;
    size_t work_max = SPLIT_WORK_MAX / sizeof(float) / (g->m * g->n);
    pgemm_split s;
    if (ctx->split_k >= 2) {
        size_t parts = ctx->split_k < work_max ? ctx->split_k : work_max;
        s = split_into(g->k, parts, 4);
    } else {
        if (ctx->info.device_is_cpu || !unsplit->tile_m || !unsplit->tile_n) return none;
        size_t tiles = ceil_div(g->m, unsplit->tile_m) * ceil_div(g->n, unsplit->tile_n);
        size_t units = ctx->info.compute_units ? ctx->info.compute_units : 1;
        size_t slots = SPLIT_FILL * units;
        if (tiles * 2 > units) return none;
        size_t parts = slots / tiles, deepest = g->k / SPLIT_MIN_DEPTH;
        if (parts > deepest) parts = deepest;
        if (parts > PGEMM_SPLIT_K_MAX) parts = PGEMM_SPLIT_K_MAX;
        if (parts > work_max) parts = work_max;
        s = split_into(g->k, parts, SPLIT_ALIGN);
        s.tiles = tiles;
    }
    return s;
}

pgemm_status pgemm_split_run(pgemm_context *ctx, const pgemm_gemm_args *g, pgemm_split plan,
                             pgemm_choose_fn choose, pgemm_call_info *call)
{
    const pgemm_backend_iface *be = ctx->plugin.iface;
    size_t area = g->m * g->n;
    pgemm_err err = {{0}};
    pgemm_status st =
        pgemm_stage(ctx, PGEMM_STAGE_SPLIT_K, plan.parts * area * sizeof(float), &err);
    if (st != PGEMM_SUCCESS)
        return pgemm_fail(ctx, st, "split-K workspace of %zu x %zu x %zu floats: %s", g->m, g->n,
                          plan.parts, err.msg);
    void *work = ctx->staging.buf[PGEMM_STAGE_SPLIT_K]->bbuf;

    /* Partial z reads op(A)'s columns and op(B)'s rows z * depth onwards. */
    pgemm_gemm_args p = *g;
    p.alpha = 1.0f;
    p.beta = 0.0f;
    p.activation = PGEMM_ACTIVATION_NONE;
    p.bias_kind = PGEMM_BIAS_NONE;
    p.bias = NULL;
    p.bias_offset = p.stride_bias = 0;
    p.k = plan.depth;
    p.batch_count = plan.last_depth == plan.depth ? plan.parts : plan.parts - 1;
    p.stride_a = g->trans_a ? plan.depth : plan.depth * g->lda;
    p.stride_b = g->trans_b ? plan.depth * g->ldb : plan.depth;
    p.c = work;
    p.c_offset = 0;
    p.ldc = g->m;
    p.stride_c = area;
    st = choose(ctx, &p, call);
    if (st != PGEMM_SUCCESS) return st;
    st = be->sgemm(ctx->bctx, &p, &err);
    if (st == PGEMM_SUCCESS && p.batch_count < plan.parts) {
        pgemm_gemm_args last = p;
        size_t z = p.batch_count;
        last.k = plan.last_depth;
        last.batch_count = 1;
        last.a_offset += z * p.stride_a;
        last.b_offset += z * p.stride_b;
        last.c_offset = z * area;
        last.stride_a = last.stride_b = last.stride_c = 0;
        st = be->sgemm(ctx->bctx, &last, &err);
    }
    if (st != PGEMM_SUCCESS)
        return pgemm_fail(ctx, st, "sgemm (%s, split-K part of %zux%zux%zu): %s", call->variant,
                          g->m, g->n, plan.depth, err.msg);
    pgemm_sum_args s = {g->m,         g->n,    plan.parts,    g->alpha, g->beta,
                        work,         g->c,    g->c_offset,   g->ldc,   g->activation,
                        g->bias_kind, g->bias, g->bias_offset};
    st = be->sum_parts(ctx->bctx, &s, &err);
    if (st != PGEMM_SUCCESS)
        return pgemm_fail(ctx, st, "split-K sum of %zu parts (%zux%zu): %s", plan.parts, g->m, g->n,
                          err.msg);
    call->split_k = plan.parts;
    if (plan.last_depth == plan.depth)
        pgemm_text_append(call->why, sizeof call->why, "; split-K: %zu parts of k = %zu",
                          plan.parts, plan.depth);
    else
        pgemm_text_append(call->why, sizeof call->why,
                          "; split-K: %zu parts of k = %zu and one of %zu", plan.parts - 1,
                          plan.depth, plan.last_depth);
    if (plan.tiles)
        pgemm_text_append(call->why, sizeof call->why, " (unsplit: %zu tiles for %u units)",
                          plan.tiles, ctx->info.compute_units);
    else
        pgemm_text_append(call->why, sizeof call->why, " (asked for)");
    pgemm_text_append(call->why, sizeof call->why, ", summed in order in a second pass");
    return PGEMM_SUCCESS;
}
