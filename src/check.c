/* SPDX-License-Identifier: BSD-3-Clause */
#include "check.h"

#include <limits.h>
#include <string.h>

#include "common/text.h"

/* Kernels index within one matrix with 32-bit integers. */
#define PGEMM_MAX_INDEX ((size_t)INT_MAX)

static const char *layout_text(pgemm_layout l)
{
    return l == PGEMM_ROW_MAJOR ? "row-major" : "column-major";
}

static const char *trans_text(pgemm_transpose t)
{
    return t == PGEMM_TRANS ? "transposed" : "no transpose";
}

/* Elements spanned by a stored matrix (0 if empty); 0 with *overflow set if
 * it does not fit in size_t. */
static size_t footprint(pgemm_stored s, int *overflow)
{
    if (s.run == 0 || s.runs == 0) return 0;
    size_t span;
    if (__builtin_mul_overflow(s.ld, s.runs - 1, &span) ||
        __builtin_add_overflow(span, s.run, &span)) {
        *overflow = 1;
        return 0;
    }
    return span;
}

/* One operand as the caller sees it, for checks and messages. */
typedef struct operand {
    char name;                  /* 'A', 'B', 'C' */
    size_t rows, cols;          /* of the stored matrix, in the caller's layout */
    const char *rows_name, *cols_name;
    size_t ld, offset, stride;
    const void *ptr;
    pgemm_transpose trans;
    int read;                   /* the call reads this operand */
    pgemm_datatype type;
} operand;

static size_t type_size(pgemm_datatype t) { return t == PGEMM_F16 ? 2 : 4; }
static const char *type_plural(pgemm_datatype t) { return t == PGEMM_F16 ? "halves" : "floats"; }

static pgemm_stored stored_of(const operand *op, pgemm_layout layout)
{
    pgemm_stored s;
    s.ld = op->ld;
    if (layout == PGEMM_COL_MAJOR) { s.run = op->rows; s.runs = op->cols; }
    else { s.run = op->cols; s.runs = op->rows; }
    return s;
}

static pgemm_status check_extent(pgemm_context *ctx, const pgemm_gemm_call *call,
                                 const operand *op, size_t span, const char *ldname);

static pgemm_status check_operand(pgemm_context *ctx, const pgemm_gemm_call *call,
                                  const operand *op)
{
    pgemm_stored s = stored_of(op, call->layout);
    const char *run_name = call->layout == PGEMM_COL_MAJOR ? op->rows_name : op->cols_name;
    size_t min_ld = s.run > 1 ? s.run : 1;
    char ldname[4] = {'l', 'd', (char)(op->name + 32), 0};
    if (op->ld < min_ld) {
        char what[96];
        if (op->name == 'C')
            pgemm_text_format(what, sizeof what, "%s C", layout_text(call->layout));
        else
            pgemm_text_format(what, sizeof what, "%s %c, %s", layout_text(call->layout),
                              op->name, trans_text(op->trans));
        return pgemm_fail(ctx, PGEMM_ERROR_INVALID_ARGUMENT, "%s (%zu) < %s (%zu) for %s", ldname,
                          op->ld, s.run > 1 ? run_name : "1", min_ld, what);
    }

    int overflow = 0;
    size_t span = footprint(s, &overflow);
    if (overflow)
        return pgemm_fail(ctx, PGEMM_ERROR_INVALID_ARGUMENT,
                          "%c spans more than SIZE_MAX elements (%s %zu x %s %zu, %s %zu)", op->name,
                          op->rows_name, op->rows, op->cols_name, op->cols, ldname, op->ld);
    if (!op->read || span == 0) return PGEMM_SUCCESS;
    if (!op->ptr)
        return pgemm_fail(ctx, PGEMM_ERROR_INVALID_ARGUMENT, "%c is NULL", op->name);
    if (!call->host) {
        pgemm_status st = check_extent(ctx, call, op, span, ldname);
        if (st != PGEMM_SUCCESS) return st;
    }
    /* A valid call the kernels cannot index: after the extent check, so that
     * a buffer too small is reported as the caller's error. */
    if (span > PGEMM_MAX_INDEX || op->ld > PGEMM_MAX_INDEX)
        return pgemm_fail(ctx, PGEMM_ERROR_UNSUPPORTED,
                          "%c spans %zu elements; kernels index at most %zu per matrix", op->name,
                          span, PGEMM_MAX_INDEX);
    return PGEMM_SUCCESS;
}

/* The buffer holds offset + (batch-1)*stride + span elements. */
static pgemm_status check_extent(pgemm_context *ctx, const pgemm_gemm_call *call,
                                 const operand *op, size_t span, const char *ldname)
{
    const pgemm_buffer *buf = op->ptr;
    if (buf->ctx != ctx)
        return pgemm_fail(ctx, PGEMM_ERROR_INVALID_ARGUMENT,
                          "buffer %c belongs to another context", op->name);
    /* Last element touched: offset + (batch-1)*stride + span, in elements. */
    size_t end, extra, held = buf->bytes / type_size(op->type);
    const char *unit = type_plural(op->type);
    if (__builtin_mul_overflow(call->batch_count - 1, op->stride, &extra) ||
        __builtin_add_overflow(op->offset, extra, &end) ||
        __builtin_add_overflow(end, span, &end) || end > held) {
        if (call->batch_count > 1)
            return pgemm_fail(ctx, PGEMM_ERROR_INVALID_ARGUMENT,
                              "buffer %c holds %zu %s, but %c_offset %zu + (batch_count %zu"
                              " - 1) * stride_%c %zu + %zu spanned by each %c needs more",
                              op->name, held, unit, op->name + 32, op->offset,
                              call->batch_count, op->name + 32, op->stride, span, op->name);
        return pgemm_fail(ctx, PGEMM_ERROR_INVALID_ARGUMENT,
                          "buffer %c holds %zu %s, but %c_offset %zu + %zu spanned by %c"
                          " (%s %zu x %s %zu, %s %zu) needs more",
                          op->name, held, unit, op->name + 32, op->offset, span,
                          op->name, op->rows_name, op->rows, op->cols_name, op->cols, ldname,
                          op->ld);
    }
    return PGEMM_SUCCESS;
}

/* The epilogue's activation and bias vector: known values, and a vector the
 * buffer holds (bias_offset + (batch - 1) * stride_bias + its length). */
static pgemm_status check_epilogue(pgemm_context *ctx, const pgemm_gemm_call *call, int empty)
{
    if (!pgemm_activation_name(call->activation))
        return pgemm_fail(ctx, PGEMM_ERROR_INVALID_ARGUMENT,
                          "activation (%d) must be PGEMM_ACTIVATION_NONE (0), _RELU (1), "
                          "_GELU_TANH (2) or _SILU (3)",
                          (int)call->activation);
    if (!pgemm_bias_name(call->bias))
        return pgemm_fail(ctx, PGEMM_ERROR_INVALID_ARGUMENT,
                          "bias (%d) must be PGEMM_BIAS_NONE (0), _PER_ROW (1) or _PER_COLUMN (2)",
                          (int)call->bias);
    if (call->bias == PGEMM_BIAS_NONE || empty) return PGEMM_SUCCESS;
    int per_row = call->bias == PGEMM_BIAS_PER_ROW;
    size_t len = per_row ? call->m : call->n;
    const char *len_name = per_row ? "m" : "n";
    if (!call->bias_ptr)
        return pgemm_fail(ctx, PGEMM_ERROR_INVALID_ARGUMENT, "bias is NULL with a bias %s",
                          per_row ? "per row" : "per column");
    if (call->host) return PGEMM_SUCCESS;
    const pgemm_buffer *buf = call->bias_ptr;
    if (buf->ctx != ctx)
        return pgemm_fail(ctx, PGEMM_ERROR_INVALID_ARGUMENT,
                          "the bias buffer belongs to another context");
    size_t batch = call->batch_count ? call->batch_count : 1, end, extra,
           held = buf->bytes / sizeof(float);
    if (__builtin_mul_overflow(batch - 1, call->stride_bias, &extra) ||
        __builtin_add_overflow(call->bias_offset, extra, &end) ||
        __builtin_add_overflow(end, len, &end) || end > held) {
        if (batch > 1)
            return pgemm_fail(ctx, PGEMM_ERROR_INVALID_ARGUMENT,
                              "the bias buffer holds %zu floats, but bias_offset %zu + "
                              "(batch_count %zu - 1) * stride_bias %zu + %s %zu needs more",
                              held, call->bias_offset, batch, call->stride_bias, len_name, len);
        return pgemm_fail(ctx, PGEMM_ERROR_INVALID_ARGUMENT,
                          "the bias buffer holds %zu floats, but bias_offset %zu + %s %zu "
                          "(a bias %s) needs more",
                          held, call->bias_offset, len_name, len,
                          per_row ? "per row" : "per column");
    }
    if (end > PGEMM_MAX_INDEX)
        return pgemm_fail(ctx, PGEMM_ERROR_UNSUPPORTED,
                          "the bias vectors span %zu floats; kernels index at most %zu", end,
                          PGEMM_MAX_INDEX);
    return PGEMM_SUCCESS;
}

pgemm_status pgemm_check_gemm(pgemm_context *ctx, const pgemm_gemm_call *call,
                              pgemm_gemm_args *out)
{
    if (call->layout != PGEMM_ROW_MAJOR && call->layout != PGEMM_COL_MAJOR)
        return pgemm_fail(ctx, PGEMM_ERROR_INVALID_ARGUMENT,
                          "layout (%d) must be PGEMM_ROW_MAJOR (101) or PGEMM_COL_MAJOR (102)",
                          (int)call->layout);
    if (call->ta != PGEMM_NO_TRANS && call->ta != PGEMM_TRANS)
        return pgemm_fail(ctx, PGEMM_ERROR_INVALID_ARGUMENT,
                          "ta (%d) must be PGEMM_NO_TRANS (111) or PGEMM_TRANS (112)",
                          (int)call->ta);
    if (call->tb != PGEMM_NO_TRANS && call->tb != PGEMM_TRANS)
        return pgemm_fail(ctx, PGEMM_ERROR_INVALID_ARGUMENT,
                          "tb (%d) must be PGEMM_NO_TRANS (111) or PGEMM_TRANS (112)",
                          (int)call->tb);
    if (call->m > PGEMM_MAX_INDEX || call->n > PGEMM_MAX_INDEX || call->k > PGEMM_MAX_INDEX)
        return pgemm_fail(ctx, PGEMM_ERROR_UNSUPPORTED,
                          "m, n, k (%zu, %zu, %zu): each must be at most %zu", call->m, call->n,
                          call->k, PGEMM_MAX_INDEX);
    if (call->batch_count == 0 && !call->host)
        return pgemm_fail(ctx, PGEMM_ERROR_INVALID_ARGUMENT, "batch_count is 0");
    if ((call->a_type != PGEMM_F32 && call->a_type != PGEMM_F16) ||
        (call->b_type != PGEMM_F32 && call->b_type != PGEMM_F16))
        return pgemm_fail(ctx, PGEMM_ERROR_INVALID_ARGUMENT,
                          "a_type (%d) and b_type (%d) must be PGEMM_F32 (0) or PGEMM_F16 (1)",
                          (int)call->a_type, (int)call->b_type);

    int empty = call->m == 0 || call->n == 0;
    int reads_ab = !empty && call->k > 0 && call->alpha != 0.0f;
    operand a = {'A', call->m, call->k, "m", "k", call->lda, call->a_offset, call->stride_a,
                 call->a, call->ta, reads_ab, call->a_type};
    if (call->ta == PGEMM_TRANS) {
        a.rows = call->k; a.cols = call->m; a.rows_name = "k"; a.cols_name = "m";
    }
    operand b = {'B', call->k, call->n, "k", "n", call->ldb, call->b_offset, call->stride_b,
                 call->b, call->tb, reads_ab, call->b_type};
    if (call->tb == PGEMM_TRANS) {
        b.rows = call->n; b.cols = call->k; b.rows_name = "n"; b.cols_name = "k";
    }
    operand c = {'C', call->m, call->n, "m", "n", call->ldc, call->c_offset, call->stride_c,
                 call->c, PGEMM_NO_TRANS, !empty, PGEMM_F32};
    pgemm_status st;
    if ((st = check_operand(ctx, call, &a)) != PGEMM_SUCCESS) return st;
    if ((st = check_operand(ctx, call, &b)) != PGEMM_SUCCESS) return st;
    if ((st = check_operand(ctx, call, &c)) != PGEMM_SUCCESS) return st;
    if ((st = check_epilogue(ctx, call, empty)) != PGEMM_SUCCESS) return st;

    if (!empty && call->batch_count > 1) {
        int overflow = 0;
        size_t span = footprint(stored_of(&c, call->layout), &overflow);
        if (call->stride_c < span)
            return pgemm_fail(ctx, PGEMM_ERROR_INVALID_ARGUMENT,
                              "stride_c (%zu) < %zu elements spanned by each C: the C matrices"
                              " of the batch would overlap",
                              call->stride_c, span);
    }

    /* Column-major form: row-major C = op(A) op(B) is column-major
     * C^T = op(B)^T op(A)^T over the same memory. */
    memset(out, 0, sizeof *out);
    int row = call->layout == PGEMM_ROW_MAJOR;
    out->m = row ? call->n : call->m;
    out->n = row ? call->m : call->n;
    /* CBLAS: with k == 0 or alpha == 0, C = beta * C. A and B are not read,
     * and alpha multiplies nothing: a NaN or infinite alpha must not turn the
     * empty sum into NaN, as alpha * 0 would in a kernel's epilogue. */
    int scale_only = call->k == 0 || call->alpha == 0.0f;
    out->k = scale_only ? 0 : call->k;
    out->alpha = scale_only ? 0.0f : call->alpha;
    out->beta = call->beta;
    const operand *first = row ? &b : &a, *second = row ? &a : &b;
    out->a_type = first->type;
    out->b_type = second->type;
    out->trans_a = first->trans == PGEMM_TRANS;
    out->a = (void *)first->ptr; out->a_offset = first->offset;
    out->lda = first->ld; out->stride_a = first->stride;
    out->trans_b = second->trans == PGEMM_TRANS;
    out->b = (void *)second->ptr; out->b_offset = second->offset;
    out->ldb = second->ld; out->stride_b = second->stride;
    out->c = call->c; out->c_offset = call->c_offset;
    out->ldc = call->ldc; out->stride_c = call->stride_c;
    out->batch_count = call->batch_count ? call->batch_count : 1;
    /* A row of row-major C is a column of the column-major C^T. */
    out->activation = call->activation;
    out->bias_kind = call->bias;
    if (row && call->bias != PGEMM_BIAS_NONE)
        out->bias_kind =
            call->bias == PGEMM_BIAS_PER_ROW ? PGEMM_BIAS_PER_COLUMN : PGEMM_BIAS_PER_ROW;
    out->bias = call->bias == PGEMM_BIAS_NONE ? NULL : (void *)call->bias_ptr;
    out->bias_offset = out->bias ? call->bias_offset : 0;
    out->stride_bias = out->bias ? call->stride_bias : 0;
    return PGEMM_SUCCESS;
}

pgemm_stored pgemm_stored_a(const pgemm_gemm_args *g)
{
    pgemm_stored s = {g->trans_a ? g->k : g->m, g->trans_a ? g->m : g->k, g->lda};
    return s;
}

pgemm_stored pgemm_stored_b(const pgemm_gemm_args *g)
{
    pgemm_stored s = {g->trans_b ? g->n : g->k, g->trans_b ? g->k : g->n, g->ldb};
    return s;
}

pgemm_stored pgemm_stored_c(const pgemm_gemm_args *g)
{
    pgemm_stored s = {g->m, g->n, g->ldc};
    return s;
}
