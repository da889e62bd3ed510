/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fp16 variants: the operands in the packed K-major layout the hgemm
 * kernels read (hip_launch.h), then the launch.
 *
 * An operand the caller already holds in that layout is read in place:
 * fp16, K-major (op(A) row i, or op(B) column j, contiguous along K), a
 * leading dimension equal to the packed row length with no K padding (the
 * kernels expect zeros there, and a caller's padding holds anything), a row
 * count that is a multiple of the kernel's row alignment, 16-byte aligned,
 * and batch matrices exactly one packed matrix apart. Anything else is
 * packed by pgemm_hip_pack into a workspace the backend keeps between calls.
 */
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "common/text.h"
#include "hip_internal.h"

/* Alignment of the packed B after the packed A in the workspace. */
#define WORKSPACE_ALIGN 256u

typedef struct packed_operand {
    const void *data;        /* what the kernel reads (set later when packing) */
    long long stride;        /* halves between consecutive matrices of the batch */
    int pack;                /* 1: pgemm_hip_pack writes it into the workspace */
    pgemm_hip_pack_args args;
    size_t bytes;            /* workspace bytes it needs when packed */
} packed_operand;

static size_t round_up(size_t x, size_t a) { return (x + a - 1) / a * a; }

/* The source of one operand, as the caller stores it. */
typedef struct operand_src {
    char name;               /* 'A' or 'B' */
    void *buf;
    size_t offset, ld, stride;
    pgemm_datatype type;
    int k_major;             /* the run along K is contiguous */
    size_t rows, row_align;  /* m (A) or n (B) */
} operand_src;

static pgemm_status plan_operand(const operand_src *s, size_t k, size_t kp, size_t batch,
                                 packed_operand *out, pgemm_err *err)
{
    memset(out, 0, sizeof *out);
    int half = s->type == PGEMM_F16;
    const char *src = pgemm_hip_element(s->buf, s->offset, half ? 2 : 4);
    size_t rows_p = round_up(s->rows, s->row_align), per_matrix;
    if (__builtin_mul_overflow(rows_p, kp, &per_matrix) || per_matrix > INT_MAX) {
        pgemm_err_set(err, "packed %c would be %zu x %zu halves; the fp16 kernels index at most "
                           "%d per matrix",
                      s->name, rows_p, kp, INT_MAX);
        return PGEMM_ERROR_UNSUPPORTED;
    }
    /* A stride of 0 gives every product the same matrix: pack it once. */
    size_t matrices = batch == 1 || s->stride == 0 ? 1 : batch;
    if (half && s->k_major && k == kp && s->ld == kp && s->rows == rows_p &&
        (uintptr_t)src % 16 == 0 &&
        (matrices == 1 || (s->stride == per_matrix && per_matrix % 8 == 0))) {
        out->data = src;
        out->stride = matrices == 1 ? 0 : (long long)per_matrix;
        return PGEMM_SUCCESS;
    }
    if (__builtin_mul_overflow(per_matrix * 2, matrices, &out->bytes)) {
        pgemm_err_set(err, "packed %c: %zu matrices of %zu halves overflow size_t", s->name,
                      matrices, per_matrix);
        return PGEMM_ERROR_UNSUPPORTED;
    }
    out->pack = 1;
    out->stride = matrices == 1 ? 0 : (long long)per_matrix;
    pgemm_hip_pack_args *p = &out->args;
    p->src = src;
    p->src_is_half = half;
    /* Element (r, p) of op(A) (r < m) or of op(B)^T (r < n), p < k. */
    p->rs = s->k_major ? (long long)s->ld : 1;
    p->ks = s->k_major ? 1 : (long long)s->ld;
    p->src_stride = matrices == 1 ? 0 : (long long)s->stride;
    p->rows = (int)s->rows;
    p->k = (int)k;
    p->rows_p = (int)rows_p;
    p->kp = (int)kp;
    p->dst_stride = (long long)per_matrix;
    p->batch = (int)matrices;
    return PGEMM_SUCCESS;
}

void pgemm_hip_free_workspace(hip_backend *b)
{
    if (b->workspace) hipFree(b->workspace);
    b->workspace = NULL;
    b->workspace_bytes = 0;
}

/* Makes the workspace hold at least `bytes`. */
static pgemm_status grow_workspace(hip_backend *b, size_t bytes, pgemm_err *err)
{
    if (b->workspace_bytes >= bytes) return PGEMM_SUCCESS;
    /* Kernels queued earlier may still read the old workspace. */
    pgemm_status st = pgemm_hip_check(hipStreamSynchronize(b->stream),
                                      "waiting for the stream before growing the fp16 workspace",
                                      err);
    if (st != PGEMM_SUCCESS) return st;
    pgemm_hip_free_workspace(b);
    /* Whole MiB, so that slowly growing shapes do not reallocate each call. */
    size_t want = bytes <= SIZE_MAX - (1u << 20) ? round_up(bytes, 1u << 20) : bytes;
    char what[96];
    pgemm_text_format(what, sizeof what, "hipMalloc(%zu bytes) for packed fp16 operands", want);
    st = pgemm_hip_check(hipMalloc(&b->workspace, want), what, err);
    if (st != PGEMM_SUCCESS) {
        b->workspace = NULL;
        return st;
    }
    b->workspace_bytes = want;
    if (b->log_level >= 2) {
        char line[128];
        pgemm_text_format(line, sizeof line, "hip: fp16 workspace now %zu bytes", want);
        b->log(2, line);
    }
    return PGEMM_SUCCESS;
}

static pgemm_status pack(hip_backend *b, const hip_variant *v, char name, packed_operand *op,
                         void *dst, pgemm_err *err)
{
    op->args.dst = dst;
    op->data = dst;
    int rc = pgemm_hip_pack(&op->args, b->stream);
    char what[96];
    pgemm_text_format(what, sizeof what, "packing %c to fp16 for %s", name, v->desc.name);
    return pgemm_hip_check((hipError_t)rc, what, err);
}

/* Packs what needs packing; fills a and b's data pointers. */
static pgemm_status prepare(hip_backend *b, const hip_variant *v, packed_operand *a,
                            packed_operand *bo, pgemm_err *err)
{
    size_t a_bytes = a->pack ? round_up(a->bytes, WORKSPACE_ALIGN) : 0;
    size_t total;
    if (__builtin_add_overflow(a_bytes, bo->pack ? bo->bytes : 0, &total)) {
        pgemm_err_set(err, "packed fp16 operands overflow size_t");
        return PGEMM_ERROR_UNSUPPORTED;
    }
    if (total == 0) return PGEMM_SUCCESS;
    pgemm_status st = grow_workspace(b, total, err);
    if (st == PGEMM_SUCCESS && a->pack) st = pack(b, v, 'A', a, b->workspace, err);
    if (st == PGEMM_SUCCESS && bo->pack)
        st = pack(b, v, 'B', bo, (char *)b->workspace + a_bytes, err);
    return st;
}

static void log_operands(hip_backend *b, const hip_variant *v, const packed_operand *a,
                         const packed_operand *bo)
{
    char line[160];
    pgemm_text_format(line, sizeof line, "hip: %s: A %s, B %s", v->desc.name,
                      a->pack ? "packed" : "read in place", bo->pack ? "packed" : "read in place");
    b->log(2, line);
}

pgemm_status pgemm_hip_run_hgemm(hip_backend *b, const hip_variant *v, const pgemm_gemm_args *g,
                                 pgemm_err *err)
{
    pgemm_hip_hgemm_kernel kernel = (pgemm_hip_hgemm_kernel)v->kernel;
    /* The packed operands' padding: A's rows to whole tiles along M, B's
     * along N, K to whole steps (hip_launch.h). */
    size_t row_align_a = v->desc.tile_m, row_align_b = v->desc.tile_n, k_align = v->desc.tile_k;
    float *c = pgemm_hip_element(g->c, g->c_offset, sizeof(float));
    pgemm_hip_hgemm_args h = {
        .m = (int)g->m,
        .n = (int)g->n,
        .k = (int)g->k,
        .kp = 0,
        .alpha = g->alpha,
        .beta = g->beta,
        .a = c,
        .stride_a = 0,
        .b = c,
        .stride_b = 0, /* k == 0: A and B are not read */
        .c = c,
        .ldc = (long long)g->ldc,
        .stride_c = (long long)g->stride_c,
        .batch = (int)g->batch_count,
        .epi = pgemm_hip_epilogue_of(g),
    };
    if (g->k > 0) {
        size_t kp = round_up(g->k, k_align);
        if (kp > INT_MAX) {
            pgemm_err_set(err, "k (%zu) padded to %zu exceeds the fp16 kernels' range", g->k, kp);
            return PGEMM_ERROR_UNSUPPORTED;
        }
        /* op(A) row i runs along K when A is transposed (column-major);
         * op(B) column j does when B is not. */
        operand_src sa = {'A', g->a, g->a_offset, g->lda, g->stride_a, g->a_type, g->trans_a,
                          g->m, row_align_a};
        operand_src sb = {'B', g->b, g->b_offset, g->ldb, g->stride_b, g->b_type, !g->trans_b,
                          g->n, row_align_b};
        packed_operand pa, pb;
        pgemm_status st = plan_operand(&sa, g->k, kp, g->batch_count, &pa, err);
        if (st == PGEMM_SUCCESS) st = plan_operand(&sb, g->k, kp, g->batch_count, &pb, err);
        if (st == PGEMM_SUCCESS) st = prepare(b, v, &pa, &pb, err);
        if (st != PGEMM_SUCCESS) return st;
        if (b->log_level >= 2) log_operands(b, v, &pa, &pb);
        h.kp = (int)kp;
        h.a = pa.data;
        h.stride_a = pa.stride;
        h.b = pb.data;
        h.stride_b = pb.stride;
    }
    int rc = pgemm_hip_hgemm(kernel, &h, b->stream);
    char what[64];
    pgemm_text_format(what, sizeof what, "launching %s", v->desc.name);
    return pgemm_hip_check((hipError_t)rc, what, err);
}
