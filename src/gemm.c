/* SPDX-License-Identifier: BSD-3-Clause */
/* The GEMM entry points: check, reduce to column-major, select, dispatch. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "common/log.h"
#include "common/text.h"
#include "internal.h"
#include "records.h"
#include "selector/selector.h"
#include "split_k.h"
#include "staging.h"

/* Picks the variant (forced or selected) and describes the call in *call.
 * Called with the lock held. A forced fp16 variant under FP32 precision is
 * refused. */
static pgemm_status choose_variant(pgemm_context *ctx, pgemm_gemm_args *g,
                                   pgemm_call_info *call)
{
    const pgemm_backend_iface *be = ctx->plugin.iface;
    size_t count = be->variant_count(ctx->bctx);
    pgemm_selection sel;
    if (ctx->forced_variant >= 0) {
        sel.variant = (size_t)ctx->forced_variant;
        pgemm_text_copy(sel.why, sizeof sel.why, "forced (pgemm_force_variant / PGEMM_VARIANT)");
    } else {
        const pgemm_variant_desc *list[PGEMM_MAX_VARIANTS]; /* count: checked at creation */
        for (size_t i = 0; i < count; i++) list[i] = be->variant(ctx->bctx, i);
        pgemm_shape shape = {g->m, g->n, g->k, g->batch_count, g->trans_a, g->trans_b,
                             g->a_type == PGEMM_F16 || g->b_type == PGEMM_F16,
                             ctx->precision == PGEMM_PRECISION_FP16_MIXED, 0};
        if (pgemm_operand_vectors_fit(g->a_offset, g->lda, g->stride_a, g->batch_count))
            shape.vectors |= PGEMM_VECTORS_A;
        if (pgemm_operand_vectors_fit(g->b_offset, g->ldb, g->stride_b, g->batch_count))
            shape.vectors |= PGEMM_VECTORS_B;
        if (pgemm_operand_vectors_fit(g->c_offset, g->ldc, g->stride_c, g->batch_count))
            shape.vectors |= PGEMM_VECTORS_C;
        if (!pgemm_autotune_choose(ctx, g, list, count, &shape, &sel))
            pgemm_select(&ctx->selector, list, count, &shape, &ctx->info, &sel);
    }
    const pgemm_variant_desc *v = be->variant(ctx->bctx, sel.variant);
    int fp16_operands = g->a_type == PGEMM_F16 || g->b_type == PGEMM_F16;
    if (fp16_operands && !v->fp16)
        return pgemm_fail(ctx, PGEMM_ERROR_INVALID_ARGUMENT,
                          "variant %s has fp32 tiles and cannot read fp16 operands", v->name);
    if (v->fp16 && !fp16_operands && ctx->precision != PGEMM_PRECISION_FP16_MIXED)
        return pgemm_fail(ctx, PGEMM_ERROR_INVALID_ARGUMENT,
                          "variant %s uses fp16 tiles, but the context's precision is FP32 "
                          "(pgemm_set_precision(ctx, PGEMM_PRECISION_FP16_MIXED) allows it)",
                          v->name);
    g->variant = sel.variant;
    pgemm_text_copy(call->variant, sizeof call->variant, v->name);
    pgemm_text_copy(call->why, sizeof call->why, sel.why);
    if (fp16_operands)
        pgemm_text_append(call->why, sizeof call->why,
                          "; fp16 operands (exact), fp32 accumulation");
    else if (ctx->precision == PGEMM_PRECISION_FP16_MIXED && !v->fp16 &&
             !ctx->info.has_fp16_tiles)
        pgemm_text_append(call->why, sizeof call->why,
                          "; FP16_MIXED allowed but %s has no fp16 tiles here: ran FP32",
                          ctx->info.backend_name);
    else if (ctx->precision == PGEMM_PRECISION_FP16_MIXED && !v->fp16)
        pgemm_text_append(call->why, sizeof call->why,
                          "; FP16_MIXED allowed, but %s has fp32 tiles: ran FP32", v->name);
    call->precision_used = v->fp16 ? PGEMM_PRECISION_FP16_MIXED : PGEMM_PRECISION_FP32;
    return PGEMM_SUCCESS;
}

/* The bias kind of column-major args in the terms of the caller's layout. */
static pgemm_bias ctx_bias_kind(const pgemm_gemm_args *g, int row_major)
{
    if (!row_major || g->bias_kind == PGEMM_BIAS_NONE) return g->bias_kind;
    return g->bias_kind == PGEMM_BIAS_PER_ROW ? PGEMM_BIAS_PER_COLUMN : PGEMM_BIAS_PER_ROW;
}

/* Runs a checked column-major GEMM whose a, b, c are backend buffers. With
 * the lock held. The calling thread's last call on ctx changes only when
 * the call succeeds. */
static pgemm_status dispatch(pgemm_context *ctx, pgemm_gemm_args *g, int row_major)
{
    pgemm_call_info call;
    memset(&call, 0, sizeof call);
    call.backend = ctx->info.backend;
    call.precision_requested = ctx->precision;
    call.precision_used = PGEMM_PRECISION_FP32;

    int epilogue = pgemm_args_have_epilogue(g);
    /* pgemm_check_gemm made alpha == 0 into k == 0 */
    if (g->k == 0 && g->beta == 1.0f && !epilogue) {
        pgemm_text_copy(call.why, sizeof call.why,
                        "alpha == 0 or k == 0, and beta == 1: C is unchanged, nothing ran");
    } else {
        pgemm_status st = choose_variant(ctx, g, &call);
        if (st != PGEMM_SUCCESS) return st;
        call.split_k = 1;
        pgemm_split split =
            pgemm_split_plan(ctx, g, ctx->plugin.iface->variant(ctx->bctx, g->variant));
        if (pgemm_split_slices(&split) > 1 && pgemm_split_reserve(ctx, g, &call, &split)) {
            st = pgemm_split_run(ctx, g, split, choose_variant, &call);
            if (st != PGEMM_SUCCESS) return st;
        } else {
            pgemm_err err = {{0}};
            st = ctx->plugin.iface->sgemm(ctx->bctx, g, &err);
            if (st != PGEMM_SUCCESS)
                return pgemm_fail(ctx, st, "sgemm (%s, %zux%zux%zu): %s", call.variant, g->m, g->n,
                                  g->k, err.msg);
        }
        if (epilogue) {
            /* In the caller's terms: pgemm_check_gemm swapped row and column
             * bias for a row-major call along with m and n. */
            call.activation = g->activation;
            call.bias = ctx_bias_kind(g, row_major);
            call.epilogue_fused = 1;
            pgemm_text_append(call.why, sizeof call.why, "; epilogue (%s bias, %s) fused",
                              pgemm_bias_name(call.bias), pgemm_activation_name(g->activation));
        }
        pgemm_log(PGEMM_LOG_DEBUG, "sgemm %zux%zux%zu batch %zu -> %s (%s)", g->m, g->n, g->k,
                  g->batch_count, call.variant, call.why);
    }
    pgemm_record *r = pgemm_record_find(ctx->serial, 1);
    if (r) {
        r->call = call;
        r->has_call = 1;
    }
    return PGEMM_SUCCESS;
}

static void *backend_buffer(const void *buf)
{
    return buf ? ((const pgemm_buffer *)buf)->bbuf : NULL;
}

/* Every buffer-API GEMM: checked, reduced to column-major, dispatched. */
static pgemm_status gemm_buffers(pgemm_context *ctx, const pgemm_gemm_call *call)
{
    if (!ctx) return PGEMM_ERROR_INVALID_ARGUMENT;
    pgemm_clear_error(ctx);
    pgemm_gemm_args g;
    pgemm_status st = pgemm_check_gemm(ctx, call, &g);
    if (st != PGEMM_SUCCESS) return st;
    if ((call->a_type == PGEMM_F16 || call->b_type == PGEMM_F16) && !ctx->info.has_fp16_tiles)
        return pgemm_fail(ctx, PGEMM_ERROR_UNSUPPORTED,
                          "fp16 operands need fp16 tiles, and the %s backend has none here "
                          "(the HIP backend has them)",
                          ctx->info.backend_name);
    if (call->m == 0 || call->n == 0) return PGEMM_SUCCESS;
    g.a = backend_buffer(g.a);
    g.b = backend_buffer(g.b);
    g.c = backend_buffer(g.c);
    g.bias = backend_buffer(g.bias);
    pthread_mutex_lock(&ctx->lock);
    st = dispatch(ctx, &g, call->layout == PGEMM_ROW_MAJOR);
    pthread_mutex_unlock(&ctx->lock);
    return st;
}

pgemm_status pgemm_gemm_strided_batched_epilogue(
    pgemm_context *ctx, pgemm_layout layout, pgemm_transpose ta, pgemm_transpose tb, size_t m,
    size_t n, size_t k, float alpha, const pgemm_buffer *a, pgemm_datatype a_type, size_t a_offset,
    size_t lda, size_t stride_a, const pgemm_buffer *b, pgemm_datatype b_type, size_t b_offset,
    size_t ldb, size_t stride_b, float beta, pgemm_buffer *c, size_t c_offset, size_t ldc,
    size_t stride_c, size_t batch_count, const pgemm_epilogue *epilogue)
{
    pgemm_gemm_call call = {layout,
                            ta,
                            tb,
                            m,
                            n,
                            k,
                            alpha,
                            beta,
                            a,
                            b,
                            c,
                            a_offset,
                            lda,
                            stride_a,
                            b_offset,
                            ldb,
                            stride_b,
                            c_offset,
                            ldc,
                            stride_c,
                            batch_count,
                            0,
                            a_type,
                            b_type,
                            PGEMM_ACTIVATION_NONE,
                            PGEMM_BIAS_NONE,
                            NULL,
                            0,
                            0};
    if (epilogue) {
        call.activation = epilogue->activation;
        call.bias = epilogue->bias;
        call.bias_ptr = epilogue->bias_buffer;
        call.bias_offset = epilogue->bias_offset;
        call.stride_bias = epilogue->stride_bias;
    }
    return gemm_buffers(ctx, &call);
}

pgemm_status pgemm_gemm_epilogue(pgemm_context *ctx, pgemm_layout layout, pgemm_transpose ta,
                                 pgemm_transpose tb, size_t m, size_t n, size_t k, float alpha,
                                 const pgemm_buffer *a, pgemm_datatype a_type, size_t a_offset,
                                 size_t lda, const pgemm_buffer *b, pgemm_datatype b_type,
                                 size_t b_offset, size_t ldb, float beta, pgemm_buffer *c,
                                 size_t c_offset, size_t ldc, const pgemm_epilogue *epilogue)
{
    return pgemm_gemm_strided_batched_epilogue(ctx, layout, ta, tb, m, n, k, alpha, a, a_type,
                                               a_offset, lda, 0, b, b_type, b_offset, ldb, 0, beta,
                                               c, c_offset, ldc, 0, 1, epilogue);
}

pgemm_status pgemm_gemm_strided_batched_ex(
    pgemm_context *ctx, pgemm_layout layout, pgemm_transpose ta, pgemm_transpose tb, size_t m,
    size_t n, size_t k, float alpha, const pgemm_buffer *a, pgemm_datatype a_type, size_t a_offset,
    size_t lda, size_t stride_a, const pgemm_buffer *b, pgemm_datatype b_type, size_t b_offset,
    size_t ldb, size_t stride_b, float beta, pgemm_buffer *c, size_t c_offset, size_t ldc,
    size_t stride_c, size_t batch_count)
{
    return pgemm_gemm_strided_batched_epilogue(
        ctx, layout, ta, tb, m, n, k, alpha, a, a_type, a_offset, lda, stride_a, b, b_type,
        b_offset, ldb, stride_b, beta, c, c_offset, ldc, stride_c, batch_count, NULL);
}

pgemm_status pgemm_gemm_ex(pgemm_context *ctx, pgemm_layout layout, pgemm_transpose ta,
                           pgemm_transpose tb, size_t m, size_t n, size_t k, float alpha,
                           const pgemm_buffer *a, pgemm_datatype a_type, size_t a_offset,
                           size_t lda, const pgemm_buffer *b, pgemm_datatype b_type,
                           size_t b_offset, size_t ldb, float beta, pgemm_buffer *c,
                           size_t c_offset, size_t ldc)
{
    return pgemm_gemm_strided_batched_ex(ctx, layout, ta, tb, m, n, k, alpha, a, a_type,
                                         a_offset, lda, 0, b, b_type, b_offset, ldb, 0, beta, c,
                                         c_offset, ldc, 0, 1);
}

pgemm_status pgemm_sgemm_strided_batched(pgemm_context *ctx, pgemm_layout layout,
                                         pgemm_transpose ta, pgemm_transpose tb, size_t m,
                                         size_t n, size_t k, float alpha, const pgemm_buffer *a,
                                         size_t a_offset, size_t lda, size_t stride_a,
                                         const pgemm_buffer *b, size_t b_offset, size_t ldb,
                                         size_t stride_b, float beta, pgemm_buffer *c,
                                         size_t c_offset, size_t ldc, size_t stride_c,
                                         size_t batch_count)
{
    return pgemm_gemm_strided_batched_ex(ctx, layout, ta, tb, m, n, k, alpha, a, PGEMM_F32,
                                         a_offset, lda, stride_a, b, PGEMM_F32, b_offset, ldb,
                                         stride_b, beta, c, c_offset, ldc, stride_c,
                                         batch_count);
}

pgemm_status pgemm_sgemm(pgemm_context *ctx, pgemm_layout layout, pgemm_transpose ta,
                         pgemm_transpose tb, size_t m, size_t n, size_t k, float alpha,
                         const pgemm_buffer *a, size_t a_offset, size_t lda,
                         const pgemm_buffer *b, size_t b_offset, size_t ldb, float beta,
                         pgemm_buffer *c, size_t c_offset, size_t ldc)
{
    return pgemm_sgemm_strided_batched(ctx, layout, ta, tb, m, n, k, alpha, a, a_offset, lda, 0,
                                       b, b_offset, ldb, 0, beta, c, c_offset, ldc, 0, 1);
}

/* Copies a stored host matrix into staging slot `slot`, packed (ld = run).
 * Returns the packed leading dimension in *ld. With the lock held. */
static pgemm_status upload(pgemm_context *ctx, int slot, pgemm_stored s, const float *host,
                           size_t *ld, pgemm_err *err)
{
    size_t run = s.run ? s.run : 1;
    pgemm_status st = pgemm_stage(ctx, slot, run * (s.runs ? s.runs : 1) * sizeof(float), err);
    if (st != PGEMM_SUCCESS) return st;
    *ld = run;
    if (!host || s.run == 0 || s.runs == 0) return PGEMM_SUCCESS;
    return ctx->plugin.iface->buffer_write_rect(ctx->bctx, ctx->staging.buf[slot]->bbuf, 0,
                                                run * sizeof(float), host, s.ld * sizeof(float),
                                                s.run * sizeof(float), s.runs, err);
}

pgemm_status pgemm_sgemm_host_epilogue(pgemm_context *ctx, pgemm_layout layout, pgemm_transpose ta,
                                       pgemm_transpose tb, size_t m, size_t n, size_t k,
                                       float alpha, const float *a, size_t lda, const float *b,
                                       size_t ldb, float beta, float *c, size_t ldc,
                                       pgemm_activation activation, pgemm_bias bias,
                                       const float *bias_host)
{
    if (!ctx) return PGEMM_ERROR_INVALID_ARGUMENT;
    pgemm_clear_error(ctx);
    pgemm_gemm_call call = {layout,     ta,   tb,        m, n,   k, alpha,     beta,
                            a,          b,    c,         0, lda, 0, 0,         ldb,
                            0,          0,    ldc,       0, 1,   1, PGEMM_F32, PGEMM_F32,
                            activation, bias, bias_host, 0, 0};
    int row_major = layout == PGEMM_ROW_MAJOR;
    pgemm_gemm_args g;
    pgemm_status st = pgemm_check_gemm(ctx, &call, &g);
    if (st != PGEMM_SUCCESS || m == 0 || n == 0) return st;
    if (g.k == 0 && g.beta == 1.0f && !pgemm_args_have_epilogue(&g)) {
        pthread_mutex_lock(&ctx->lock);
        st = dispatch(ctx, &g, row_major); /* records "nothing ran" */
        pthread_mutex_unlock(&ctx->lock);
        return st;
    }

    pgemm_stored sa = pgemm_stored_a(&g), sb = pgemm_stored_b(&g), sc = pgemm_stored_c(&g);
    float *host_c = g.c;
    pgemm_err err = {{0}};
    pthread_mutex_lock(&ctx->lock);
    if (g.k > 0) {
        st = upload(ctx, PGEMM_STAGE_A, sa, g.a, &g.lda, &err);
        if (st == PGEMM_SUCCESS) st = upload(ctx, PGEMM_STAGE_B, sb, g.b, &g.ldb, &err);
    } else {
        g.lda = g.ldb = 1;
        st = pgemm_stage(ctx, PGEMM_STAGE_A, sizeof(float), &err);
        if (st == PGEMM_SUCCESS) st = pgemm_stage(ctx, PGEMM_STAGE_B, sizeof(float), &err);
    }
    size_t host_ldc = g.ldc;
    if (st == PGEMM_SUCCESS)
        st = upload(ctx, PGEMM_STAGE_C, sc, g.beta != 0.0f ? host_c : NULL, &g.ldc, &err);
    if (st == PGEMM_SUCCESS && g.bias) {
        size_t len = g.bias_kind == PGEMM_BIAS_PER_ROW ? g.m : g.n, ld = 0;
        pgemm_stored sv = {len, 1, len};
        st = upload(ctx, PGEMM_STAGE_BIAS, sv, g.bias, &ld, &err);
        g.bias = ctx->staging.buf[PGEMM_STAGE_BIAS]->bbuf;
    }
    if (st != PGEMM_SUCCESS) {
        pthread_mutex_unlock(&ctx->lock);
        return pgemm_fail(ctx, st, "staging host matrices: %s", err.msg);
    }
    g.a = ctx->staging.buf[PGEMM_STAGE_A]->bbuf;
    g.b = ctx->staging.buf[PGEMM_STAGE_B]->bbuf;
    g.c = ctx->staging.buf[PGEMM_STAGE_C]->bbuf;
    g.a_offset = g.b_offset = g.c_offset = 0;
    st = dispatch(ctx, &g, row_major);
    if (st == PGEMM_SUCCESS) {
        st = ctx->plugin.iface->buffer_read_rect(ctx->bctx, g.c, 0, g.ldc * sizeof(float), host_c,
                                                 host_ldc * sizeof(float), sc.run * sizeof(float),
                                                 sc.runs, &err);
        if (st != PGEMM_SUCCESS) pgemm_fail(ctx, st, "reading C back: %s", err.msg);
    }
    pthread_mutex_unlock(&ctx->lock);
    return st;
}

pgemm_status pgemm_sgemm_host(pgemm_context *ctx, pgemm_layout layout, pgemm_transpose ta,
                              pgemm_transpose tb, size_t m, size_t n, size_t k, float alpha,
                              const float *a, size_t lda, const float *b, size_t ldb, float beta,
                              float *c, size_t ldc)
{
    return pgemm_sgemm_host_epilogue(ctx, layout, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c,
                                     ldc, PGEMM_ACTIVATION_NONE, PGEMM_BIAS_NONE, NULL);
}

pgemm_status pgemm_last_call(const pgemm_context *ctx, pgemm_call_info *out)
{
    if (!ctx || !out) return PGEMM_ERROR_INVALID_ARGUMENT;
    const pgemm_record *r = pgemm_record_find(ctx->serial, 0);
    if (!r || !r->has_call) {
        memset(out, 0, sizeof *out);
        return PGEMM_ERROR_INVALID_ARGUMENT;
    }
    *out = r->call;
    return PGEMM_SUCCESS;
}
