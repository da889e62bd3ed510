/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A CPU stub backend plugin for the loader and core tests (like the OpenCL
 * ICD loader's stub drivers). Built several times as libpgemm_<name>.so,
 * one per test directory, with one of these modes:
 *
 *   STUB_MODE_OK           the whole vtable on host memory, with a plain
 *                          column-major sgemm (2 variants). It also checks
 *                          the contract of backend.h: every argument the core
 *                          passes must be valid (m, n > 0, ld large enough,
 *                          every matrix of the batch inside its buffer); a
 *                          violation fails the call with "stub: contract".
 *   STUB_MODE_BAD_VERSION  exports the entry, but with another api_version;
 *                          every function aborts (the core must not call it).
 *   STUB_MODE_NO_ENTRY     a valid shared object without the entry symbol.
 *   STUB_MODE_NO_DEVICE    loads fine, create() refuses: "stub: no device".
 *   STUB_MODE_FP16         STUB_MODE_OK plus two fp16 variants ("h16stub",
 *                          "h16stub_rev"; has_fp16_tiles = 1): a model of
 *                          the fp16 contract of docs/PRECISION.md on the
 *                          CPU. fp32 operands are rounded to binary16
 *                          (pgemm_ref_to_half: nearest even, inf above
 *                          65504, subnormals kept), fp16 operands read as
 *                          they are, products and sums in fp32. It lets
 *                          the fp16 paths of the tests run without a GPU.
 *
 * STUB_NAME is the backend name the table reports ("opencl" or "hip").
 * STUB_FAIL_BUFFERS_ABOVE=N in the environment makes buffer_create fail
 * for more than N bytes (out of memory).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"

#define STUB_MODE_OK 0
#define STUB_MODE_BAD_VERSION 1
#define STUB_MODE_NO_ENTRY 2
#define STUB_MODE_NO_DEVICE 3
#define STUB_MODE_FP16 4

#ifndef STUB_MODE
#error "define STUB_MODE"
#endif
#ifndef STUB_NAME
#define STUB_NAME "opencl"
#endif

#include "pgemm_ref.h"

#define EXPORT __attribute__((visibility("default")))

/* In BAD_VERSION mode the core must never call into the table. */
#if STUB_MODE == STUB_MODE_BAD_VERSION
#define GUARD() abort()
#else
#define GUARD() ((void)0)
#endif

#if STUB_MODE == STUB_MODE_NO_ENTRY

/* Something exported, so that this is a normal plugin-looking library. */
EXPORT int pgemm_stub_not_a_backend(void) { return 42; }

#else

static void set_err(pgemm_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_err(pgemm_err *err, const char *fmt, ...)
{
    if (!err) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
}

__attribute__((unused)) static void copy(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
}

/* Variants: a = plain i-j-p loops, b = the same summed in reverse k order. */
static const pgemm_variant_desc k_variants[] = {
    {"stub_a", "direct", 16, 16, 1, 16, 16, 1, 1, 1, 0, 0, 0, "fma", 0, 1, 1,
     PGEMM_TRAIT_SMALL_PROBLEMS},
    {"stub_b", "tile", 32, 32, 8, 16, 16, 2, 2, 1, 4096, 0, 0, "fma", 0, 0, 1,
     PGEMM_TRAIT_LOCAL_TILES},
#if STUB_MODE == STUB_MODE_FP16
    /* fp16 tiles: c = plain order, d = reverse K order (as stub_a, stub_b). */
    {"h16stub", "tile", 64, 64, 32, 16, 16, 4, 4, 1, 8192, 0, 1, "fma", 1, 0, 1,
     PGEMM_TRAIT_LOCAL_TILES},
    {"h16stub_rev", "tile", 64, 64, 32, 16, 16, 4, 4, 1, 8192, 0, 1, "fma", 2, 0, 1,
     PGEMM_TRAIT_LOCAL_TILES},
#endif
};
#define STUB_VARIANTS (sizeof k_variants / sizeof k_variants[0])

typedef struct stub_ctx {
    int magic;
    size_t live_buffers;
} stub_ctx;

typedef struct stub_buf {
    size_t bytes;
    float *data;
} stub_buf;

#define STUB_MAGIC 0x57ab

static void stub_describe(const pgemm_backend_config *cfg, char *text, size_t cap)
{
    GUARD();
    size_t used = strnlen(text, cap);
    if (used + 1 >= cap) return;
#if STUB_MODE == STUB_MODE_NO_DEVICE
    snprintf(text + used, cap - used, "  stub %s backend: no device\n", STUB_NAME);
#else
    snprintf(text + used, cap - used, "  stub %s backend: device 0: stub-cpu (filter %s)\n",
             STUB_NAME, cfg->opencl_platform ? cfg->opencl_platform : "none");
#endif
}

static pgemm_status stub_create(const pgemm_backend_config *cfg, void **out, pgemm_info *info,
                                pgemm_err *err)
{
    GUARD();
    *out = NULL;
#if STUB_MODE == STUB_MODE_NO_DEVICE
    (void)cfg;
    (void)info;
    set_err(err, "stub: no device");
    return PGEMM_ERROR_BACKEND_UNAVAILABLE;
#else
    if (!cfg || !cfg->log) {
        set_err(err, "stub: contract: config or log callback is NULL");
        return PGEMM_ERROR_INTERNAL;
    }
    if (cfg->interop) {
        set_err(err, "stub: no interop (it cannot run on a caller's queue)");
        return PGEMM_ERROR_UNSUPPORTED;
    }
    if (cfg->device_index > 0) {
        set_err(err, "stub: device index %d out of range: 1 device", cfg->device_index);
        return PGEMM_ERROR_BACKEND_UNAVAILABLE;
    }
    if (cfg->opencl_platform && *cfg->opencl_platform && !strstr("stub", cfg->opencl_platform)) {
        set_err(err, "stub: no platform matching \"%s\"", cfg->opencl_platform);
        return PGEMM_ERROR_BACKEND_UNAVAILABLE;
    }
    stub_ctx *s = calloc(1, sizeof *s);
    if (!s) {
        set_err(err, "stub: out of memory");
        return PGEMM_ERROR_OUT_OF_MEMORY;
    }
    s->magic = STUB_MAGIC;
    copy(info->platform, sizeof info->platform, "stub");
    copy(info->device, sizeof info->device, "stub-cpu");
    copy(info->driver, sizeof info->driver, "stub 1.0");
    copy(info->device_version, sizeof info->device_version, "stub");
    copy(info->arch, sizeof info->arch, "stub");
    info->device_is_cpu = 1;
    info->compute_units = 1;
    info->global_mem_bytes = (uint64_t)1 << 32;
    info->max_buffer_bytes = (uint64_t)1 << 30;
    info->local_mem_bytes = 32768;
    info->has_fp16_tiles = STUB_MODE == STUB_MODE_FP16;
    /* The tests read the cache directory the core chose from here. */
    snprintf(info->why, sizeof info->why, "stub device (cache=%s, device_index=%d)",
             cfg->cache_dir ? cfg->cache_dir : "(none)", cfg->device_index);
    *out = s;
    return PGEMM_SUCCESS;
#endif
}

static void stub_destroy(void *h)
{
    GUARD();
    stub_ctx *s = h;
    if (!s) return;
    if (s->magic != STUB_MAGIC) abort();
    if (s->live_buffers != 0) {
        fprintf(stderr, "stub: contract: context destroyed with %zu live buffers\n",
                s->live_buffers);
        abort();
    }
    s->magic = 0;
    free(s);
}

static size_t stub_variant_count(void *h)
{
    GUARD();
    (void)h;
    return STUB_VARIANTS;
}

static const pgemm_variant_desc *stub_variant(void *h, size_t i)
{
    GUARD();
    (void)h;
    return i < STUB_VARIANTS ? &k_variants[i] : NULL;
}

static pgemm_status stub_buffer_create(void *h, size_t bytes, void **out, pgemm_err *err)
{
    GUARD();
    stub_ctx *s = h;
    if (bytes == 0) {
        set_err(err, "stub: contract: buffer of 0 bytes");
        return PGEMM_ERROR_INTERNAL;
    }
    /* STUB_FAIL_BUFFERS_ABOVE=N: a device that has no room for more than N
     * bytes in one buffer (the tests of what a failed allocation leaves). */
    const char *limit = getenv("STUB_FAIL_BUFFERS_ABOVE");
    if (limit && *limit && bytes > strtoull(limit, NULL, 10)) {
        set_err(err, "stub: out of memory (STUB_FAIL_BUFFERS_ABOVE=%s)", limit);
        return PGEMM_ERROR_OUT_OF_MEMORY;
    }
    stub_buf *b = calloc(1, sizeof *b);
    if (b) b->data = malloc(bytes);
    if (!b || !b->data) {
        if (b) free(b);
        set_err(err, "stub: out of memory");
        return PGEMM_ERROR_OUT_OF_MEMORY;
    }
    /* Fresh buffers hold garbage, like device memory: a NaN pattern. */
    memset(b->data, 0xff, bytes);
    b->bytes = bytes;
    s->live_buffers++;
    *out = b;
    return PGEMM_SUCCESS;
}

static void stub_buffer_destroy(void *h, void *buf)
{
    GUARD();
    stub_ctx *s = h;
    stub_buf *b = buf;
    if (!b) return;
    s->live_buffers--;
    free(b->data);
    free(b);
}

static pgemm_status range_ok(const stub_buf *b, size_t offset, size_t bytes, pgemm_err *err)
{
    if (!b || offset > b->bytes || bytes > b->bytes - offset) {
        set_err(err, "stub: contract: %zu bytes at %zu outside a buffer of %zu", bytes, offset,
                b ? b->bytes : 0);
        return PGEMM_ERROR_INTERNAL;
    }
    return PGEMM_SUCCESS;
}

static pgemm_status stub_buffer_write(void *h, void *buf, size_t offset, size_t bytes,
                                      const void *src, pgemm_err *err)
{
    GUARD();
    (void)h;
    stub_buf *b = buf;
    pgemm_status st = range_ok(b, offset, bytes, err);
    if (st == PGEMM_SUCCESS) memcpy((char *)b->data + offset, src, bytes);
    return st;
}

static pgemm_status stub_buffer_read(void *h, void *buf, size_t offset, size_t bytes, void *dst,
                                     pgemm_err *err)
{
    GUARD();
    (void)h;
    stub_buf *b = buf;
    pgemm_status st = range_ok(b, offset, bytes, err);
    if (st == PGEMM_SUCCESS) memcpy(dst, (char *)b->data + offset, bytes);
    return st;
}

static pgemm_status rect_ok(const stub_buf *b, size_t buf_offset, size_t buf_pitch,
                            size_t row_bytes, size_t rows, pgemm_err *err)
{
    if (rows == 0 || row_bytes == 0) return PGEMM_SUCCESS;
    if (row_bytes > buf_pitch && rows > 1) {
        set_err(err, "stub: contract: rect rows of %zu bytes overlap (pitch %zu)", row_bytes,
                buf_pitch);
        return PGEMM_ERROR_INTERNAL;
    }
    return range_ok(b, buf_offset, (rows - 1) * buf_pitch + row_bytes, err);
}

static pgemm_status stub_buffer_write_rect(void *h, void *buf, size_t buf_offset,
                                           size_t buf_pitch, const void *src, size_t host_pitch,
                                           size_t row_bytes, size_t rows, pgemm_err *err)
{
    GUARD();
    (void)h;
    stub_buf *b = buf;
    pgemm_status st = rect_ok(b, buf_offset, buf_pitch, row_bytes, rows, err);
    if (st != PGEMM_SUCCESS) return st;
    for (size_t r = 0; r < rows; r++)
        memcpy((char *)b->data + buf_offset + r * buf_pitch, (const char *)src + r * host_pitch,
               row_bytes);
    return PGEMM_SUCCESS;
}

static pgemm_status stub_buffer_read_rect(void *h, void *buf, size_t buf_offset,
                                          size_t buf_pitch, void *dst, size_t host_pitch,
                                          size_t row_bytes, size_t rows, pgemm_err *err)
{
    GUARD();
    (void)h;
    stub_buf *b = buf;
    pgemm_status st = rect_ok(b, buf_offset, buf_pitch, row_bytes, rows, err);
    if (st != PGEMM_SUCCESS) return st;
    for (size_t r = 0; r < rows; r++)
        memcpy((char *)dst + r * host_pitch, (const char *)b->data + buf_offset + r * buf_pitch,
               row_bytes);
    return PGEMM_SUCCESS;
}

/* Checks that one operand of the batch lies inside its buffer. */
static pgemm_status operand_ok(char name, const stub_buf *b, size_t offset, size_t ld,
                               size_t stride, size_t batch, size_t run, size_t runs,
                               size_t elem, pgemm_err *err)
{
    if (!b) {
        set_err(err, "stub: contract: %c is NULL", name);
        return PGEMM_ERROR_INTERNAL;
    }
    if (ld < (run ? run : 1)) {
        set_err(err, "stub: contract: ld%c %zu < %zu", name + 32, ld, run);
        return PGEMM_ERROR_INTERNAL;
    }
    size_t span = (runs - 1) * ld + run;
    size_t end = offset + (batch - 1) * stride + span;
    if (end > b->bytes / elem) {
        set_err(err,
                "stub: contract: %c needs %zu elements of %zu bytes (offset %zu, stride %zu, "
                "batch %zu, span %zu) but its buffer holds %zu",
                name, end, elem, offset, stride, batch, span, b->bytes / elem);
        return PGEMM_ERROR_INTERNAL;
    }
    return PGEMM_SUCCESS;
}

static pgemm_status stub_sgemm(void *h, const pgemm_gemm_args *g, pgemm_err *err)
{
    GUARD();
    stub_ctx *s = h;
    if (!s || s->magic != STUB_MAGIC) {
        set_err(err, "stub: contract: bad backend context");
        return PGEMM_ERROR_INTERNAL;
    }
    if (g->m == 0 || g->n == 0 || g->batch_count == 0 || g->variant >= STUB_VARIANTS) {
        set_err(err, "stub: contract: m %zu n %zu batch %zu variant %zu", g->m, g->n,
                g->batch_count, g->variant);
        return PGEMM_ERROR_INTERNAL;
    }
    pgemm_status st;
    if (g->k > 0) {
        st = operand_ok('A', g->a, g->a_offset, g->lda, g->stride_a, g->batch_count,
                        g->trans_a ? g->k : g->m, g->trans_a ? g->m : g->k,
                        g->a_type == PGEMM_F16 ? 2 : 4, err);
        if (st != PGEMM_SUCCESS) return st;
        st = operand_ok('B', g->b, g->b_offset, g->ldb, g->stride_b, g->batch_count,
                        g->trans_b ? g->n : g->k, g->trans_b ? g->k : g->n,
                        g->b_type == PGEMM_F16 ? 2 : 4, err);
        if (st != PGEMM_SUCCESS) return st;
    }
    st = operand_ok('C', g->c, g->c_offset, g->ldc, g->stride_c, g->batch_count, g->m, g->n, 4,
                    err);
    if (st != PGEMM_SUCCESS) return st;
    if (g->batch_count > 1 && g->stride_c < (g->n - 1) * g->ldc + g->m) {
        set_err(err, "stub: contract: C matrices overlap (stride_c %zu)", g->stride_c);
        return PGEMM_ERROR_INTERNAL;
    }

    size_t bias_len = g->bias_kind == PGEMM_BIAS_PER_ROW ? g->m : g->n;
    if (g->bias_kind != PGEMM_BIAS_NONE) {
        st = operand_ok('V', g->bias, g->bias_offset, bias_len, g->stride_bias, g->batch_count,
                        bias_len, 1, 4, err);
        if (st != PGEMM_SUCCESS) return st;
    }
    if ((unsigned)g->activation > PGEMM_ACTIVATION_SILU ||
        (unsigned)g->bias_kind > PGEMM_BIAS_PER_COLUMN) {
        set_err(err, "stub: contract: epilogue %d/%d", (int)g->activation, (int)g->bias_kind);
        return PGEMM_ERROR_INTERNAL;
    }

    int fp16 = k_variants[g->variant].fp16;
    if ((g->a_type != PGEMM_F32 && g->a_type != PGEMM_F16) ||
        (g->b_type != PGEMM_F32 && g->b_type != PGEMM_F16) ||
        (!fp16 && (g->a_type != PGEMM_F32 || g->b_type != PGEMM_F32))) {
        set_err(err, "stub: contract: types %d/%d sent to variant %s", (int)g->a_type,
                (int)g->b_type, k_variants[g->variant].name);
        return PGEMM_ERROR_INTERNAL;
    }
    const void *A = g->k ? ((const stub_buf *)g->a)->data : NULL;
    const void *B = g->k ? ((const stub_buf *)g->b)->data : NULL;
    float *C = ((stub_buf *)g->c)->data;
    const float *bias = g->bias_kind ? ((const stub_buf *)g->bias)->data : NULL;
    int reverse = g->variant % 2 == 1;
    for (size_t z = 0; z < g->batch_count; z++) {
        size_t ao = g->a_offset + z * g->stride_a, bo = g->b_offset + z * g->stride_b;
        float *c = C + g->c_offset + z * g->stride_c;
        const float *bz = bias ? bias + g->bias_offset + z * g->stride_bias : NULL;
        for (size_t j = 0; j < g->n; j++)
            for (size_t i = 0; i < g->m; i++) {
                float acc = 0.0f;
                for (size_t q = 0; q < g->k; q++) {
                    size_t p = reverse ? g->k - 1 - q : q;
                    size_t ai = ao + (g->trans_a ? p + i * g->lda : i + p * g->lda);
                    size_t bi = bo + (g->trans_b ? j + p * g->ldb : p + j * g->ldb);
                    float av, bv;
#if STUB_MODE == STUB_MODE_FP16
                    if (g->a_type == PGEMM_F16)
                        av = pgemm_ref_from_half(((const uint16_t *)A)[ai]);
                    else
                        av = ((const float *)A)[ai];
                    if (g->b_type == PGEMM_F16)
                        bv = pgemm_ref_from_half(((const uint16_t *)B)[bi]);
                    else
                        bv = ((const float *)B)[bi];
                    if (fp16) { /* the tiles hold halves */
                        av = pgemm_ref_round_half(av);
                        bv = pgemm_ref_round_half(bv);
                    }
#else
                    av = ((const float *)A)[ai];
                    bv = ((const float *)B)[bi];
#endif
                    acc += av * bv;
                }
                float *dst = c + i + j * g->ldc;
                float v = g->beta == 0.0f ? g->alpha * acc : g->alpha * acc + g->beta * *dst;
                if (bz) v += bz[g->bias_kind == PGEMM_BIAS_PER_ROW ? i : j];
                *dst = g->activation ? (float)pgemm_ref_activate(g->activation, v) : v;
            }
    }
    return PGEMM_SUCCESS;
}

/* Split-K's sum (backend.h's contract), in the order it prescribes. */
static pgemm_status stub_sum_parts(void *h, const pgemm_sum_args *a, pgemm_err *err)
{
    GUARD();
    stub_ctx *s = h;
    if (!s || s->magic != STUB_MAGIC || a->m == 0 || a->n == 0 || a->parts < 2) {
        set_err(err, "stub: contract: sum_parts m %zu n %zu parts %zu", a->m, a->n, a->parts);
        return PGEMM_ERROR_INTERNAL;
    }
    size_t area = a->m * a->n;
    pgemm_status st = operand_ok('W', a->work, 0, area, area, a->parts, area, 1, 4, err);
    if (st == PGEMM_SUCCESS)
        st = operand_ok('C', a->c, a->c_offset, a->ldc, 0, 1, a->m, a->n, 4, err);
    if (st == PGEMM_SUCCESS && a->bias_kind != PGEMM_BIAS_NONE) {
        size_t len = a->bias_kind == PGEMM_BIAS_PER_ROW ? a->m : a->n;
        st = operand_ok('V', a->bias, a->bias_offset, len, 0, 1, len, 1, 4, err);
    }
    if (st != PGEMM_SUCCESS) return st;
    if (a->work == a->c) {
        set_err(err, "stub: contract: the partial sums are C itself");
        return PGEMM_ERROR_INTERNAL;
    }
    const float *w = ((const stub_buf *)a->work)->data;
    float *c = (float *)((stub_buf *)a->c)->data + a->c_offset;
    const float *bias =
        a->bias_kind ? (const float *)((const stub_buf *)a->bias)->data + a->bias_offset : NULL;
    for (size_t j = 0; j < a->n; j++)
        for (size_t i = 0; i < a->m; i++) {
            float acc = 0.0f;
            for (size_t p = 0; p < a->parts; p++) acc += w[p * area + i + j * a->m];
            float *dst = c + i + j * a->ldc;
            float v = a->beta == 0.0f ? a->alpha * acc : a->alpha * acc + a->beta * *dst;
            if (bias) v += bias[a->bias_kind == PGEMM_BIAS_PER_ROW ? i : j];
            *dst = a->activation ? (float)pgemm_ref_activate(a->activation, v) : v;
        }
    return PGEMM_SUCCESS;
}

static pgemm_status stub_synchronize(void *h, pgemm_err *err)
{
    GUARD();
    (void)h;
    (void)err;
    return PGEMM_SUCCESS;
}

static const pgemm_backend_iface k_iface = {
#if STUB_MODE == STUB_MODE_BAD_VERSION
    PGEMM_BACKEND_API_VERSION + 1,
#else
    PGEMM_BACKEND_API_VERSION,
#endif
    STUB_NAME,
    stub_describe,
    stub_create,
    stub_destroy,
    stub_variant_count,
    stub_variant,
    stub_buffer_create,
    stub_buffer_destroy,
    stub_buffer_write,
    stub_buffer_read,
    stub_buffer_write_rect,
    stub_buffer_read_rect,
    stub_sgemm,
    stub_synchronize,
    NULL, /* buffer_wrap: no native interop */
    NULL, /* native_queue */
    NULL, /* native_buffer */
    stub_sum_parts,
};

EXPORT const pgemm_backend_iface *pgemm_backend_entry(void) { return &k_iface; }

#endif
