/* SPDX-License-Identifier: BSD-3-Clause */
/* Split-K (split_k.h): when to split, and the partial products and their sum. */
#include "split_k.h"

#include <string.h>

#include "common/log.h"
#include "common/text.h"
#include "staging.h"

/*
 * The automatic rule, for GPUs: split where the unsplit variant's tile grid
 * leaves at least half of the compute units without a work-group, into as
 * many parts as give every unit SPLIT_FILL work-groups, each at least
 * SPLIT_MIN_DEPTH deep (a shallower partial product pays its tiles' loads
 * and stores for too few multiply-adds). A grid that fills one wave or
 * more is left alone: on an H100, 1024^3 in 128 tiles for 132 units ran at
 * 30.0 TFLOP/s unsplit and 27.0 in two parts. Parts divide k evenly where
 * they can, their depth a multiple of SPLIT_ALIGN (which every kernel's K
 * step divides) or of less (split_auto). CPU drivers run a work-group per
 * core and have their tile grids full already, so they split only when
 * asked.
 */
/* 4096 x 64 x 4096 (64 tiles of 64 x 64) on an H100 ran at 26.1 TFLOP/s in
 * four parts and 31.2 in eight. */
#define SPLIT_FILL 4
#define SPLIT_MIN_DEPTH 256
/* fp16 tiles multiply ten times faster, so the second pass's traffic
 * (writing and reading parts x m x n floats) weighs ten times more against
 * a part's multiply-adds: on an H100, 1024^3 fp16 ran at 69.6 TFLOP/s
 * unsplit and 58.2 in four parts of 256, while four parts of 1024
 * (4096 x 64 x 4096) ran 1.8 times faster than one. */
#define SPLIT_MIN_DEPTH_FP16 1024
#define SPLIT_ALIGN 64
/* The partial sums' workspace stays below this (bytes). */
#define SPLIT_WORK_MAX ((size_t)256 << 20)

static size_t ceil_div(size_t a, size_t b) { return (a + b - 1) / b; }

/* `target` parts of one depth, a multiple of `align` (at least align), and
 * one more part for the rest of k where they do not cover it: the equal
 * parts run as one batch, and the rest (shorter than target * align) as a
 * launch of its own after it. */
static pgemm_split split_equal(size_t k, size_t target, size_t align)
{
    pgemm_split s = {1, k, 0, 0};
    size_t depth = k / target / align * align;
    if (depth < align) depth = align;
    size_t parts = k / depth < target ? k / depth : target;
    size_t rest = k - parts * depth;
    if (parts == 0 || parts + (rest > 0) < 2) return s;
    s.parts = parts;
    s.depth = depth;
    s.rest = rest;
    return s;
}

/* For the automatic rule: an even division of k into target .. target / 2
 * parts whose depth is a multiple of SPLIT_ALIGN, else of 16, else of 4,
 * where one exists (one launch, every part alike); else split_equal. */
static pgemm_split split_auto(size_t k, size_t target)
{
    static const size_t aligns[] = {SPLIT_ALIGN, 16, 4};
    for (size_t i = 0; i < sizeof aligns / sizeof aligns[0]; i++)
        for (size_t parts = target; parts >= 2 && 2 * parts >= target; parts--)
            if (k % (parts * aligns[i]) == 0) {
                pgemm_split s = {parts, k / parts, 0, 0};
                return s;
            }
    return split_equal(k, target, 16);
}

size_t pgemm_split_slices(const pgemm_split *s) { return s->parts + (s->rest > 0); }

pgemm_split pgemm_split_plan(const pgemm_context *ctx, const pgemm_gemm_args *g,
                             const pgemm_variant_desc *unsplit)
{
    pgemm_split none = {1, g->k, 0, 0};
    if (!ctx->plugin.iface->sum_parts || g->batch_count != 1 || g->k < 2 || ctx->split_k == 1)
        return none;
    /* Workspace slices for the parts, one of them perhaps the rest. */
    size_t slices_max = SPLIT_WORK_MAX / sizeof(float) / (g->m * g->n);
    if (slices_max < 3) return none;
    if (ctx->split_k >= 2) {
        size_t target = ctx->split_k < slices_max - 1 ? ctx->split_k : slices_max - 1;
        return split_equal(g->k, target, 4);
    }
    if (ctx->info.device_is_cpu || !unsplit->tile_m || !unsplit->tile_n) return none;
    size_t tiles = ceil_div(g->m, unsplit->tile_m) * ceil_div(g->n, unsplit->tile_n);
    size_t units = ctx->info.compute_units ? ctx->info.compute_units : 1;
    if (tiles * 2 > units) return none;
    size_t target = SPLIT_FILL * units / tiles;
    size_t deepest = g->k / (unsplit->fp16 ? SPLIT_MIN_DEPTH_FP16 : SPLIT_MIN_DEPTH);
    if (target > deepest) target = deepest;
    if (target > PGEMM_SPLIT_K_MAX) target = PGEMM_SPLIT_K_MAX;
    if (target > slices_max - 1) target = slices_max - 1;
    if (target < 2) return none;
    pgemm_split s = split_auto(g->k, target);
    s.tiles = tiles;
    return s;
}

int pgemm_split_reserve(pgemm_context *ctx, const pgemm_gemm_args *g, pgemm_call_info *call,
                        pgemm_split *plan)
{
    size_t slices = pgemm_split_slices(plan);
    pgemm_err err = {{0}};
    if (pgemm_stage(ctx, PGEMM_STAGE_SPLIT_K, slices * g->m * g->n * sizeof(float), &err) ==
        PGEMM_SUCCESS)
        return 1;
    pgemm_log(PGEMM_LOG_INFO, "split-K: no workspace of %zu x %zu x %zu floats (%s); unsplit",
              g->m, g->n, slices, err.msg);
    pgemm_text_append(call->why, sizeof call->why,
                      "; not split: no workspace for %zu partial sums", slices);
    pgemm_split none = {1, g->k, 0, 0};
    *plan = none;
    return 0;
}

pgemm_status pgemm_split_run(pgemm_context *ctx, const pgemm_gemm_args *g, pgemm_split plan,
                             pgemm_choose_fn choose, pgemm_call_info *call)
{
    const pgemm_backend_iface *be = ctx->plugin.iface;
    size_t area = g->m * g->n;
    pgemm_err err = {{0}};
    size_t slices = pgemm_split_slices(&plan);
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
    p.batch_count = plan.parts;
    p.stride_a = g->trans_a ? plan.depth : plan.depth * g->lda;
    p.stride_b = g->trans_b ? plan.depth * g->ldb : plan.depth;
    p.c = work;
    p.c_offset = 0;
    p.ldc = g->m;
    p.stride_c = area;
    pgemm_status st = choose(ctx, &p, call);
    if (st != PGEMM_SUCCESS) return st;
    st = be->sgemm(ctx->bctx, &p, &err);
    if (st == PGEMM_SUCCESS && plan.rest > 0) {
        pgemm_gemm_args last = p;
        size_t z = plan.parts;
        last.k = plan.rest;
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
    pgemm_sum_args s = {g->m,         g->n,    slices,        g->alpha, g->beta,
                        work,         g->c,    g->c_offset,   g->ldc,   g->activation,
                        g->bias_kind, g->bias, g->bias_offset};
    st = be->sum_parts(ctx->bctx, &s, &err);
    if (st != PGEMM_SUCCESS)
        return pgemm_fail(ctx, st, "split-K sum of %zu parts (%zux%zu): %s", slices, g->m, g->n,
                          err.msg);
    call->split_k = slices;
    if (plan.rest == 0)
        pgemm_text_append(call->why, sizeof call->why, "; split-K: %zu parts of k = %zu",
                          plan.parts, plan.depth);
    else
        pgemm_text_append(call->why, sizeof call->why,
                          "; split-K: %zu parts of k = %zu and one of %zu", plan.parts, plan.depth,
                          plan.rest);
    if (plan.tiles)
        pgemm_text_append(call->why, sizeof call->why, " (unsplit: %zu tiles for %u units)",
                          plan.tiles, ctx->info.compute_units);
    else
        pgemm_text_append(call->why, sizeof call->why, " (asked for)");
    pgemm_text_append(call->why, sizeof call->why, ", summed in order in a second pass");
    return PGEMM_SUCCESS;
}
