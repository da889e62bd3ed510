/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The interface between the pgemm core and a backend plugin.
 *
 * A backend is a shared object (libpgemm_opencl.so, libpgemm_hip.so) that
 * exports one function, PGEMM_BACKEND_ENTRY_SYMBOL, returning a static table
 * of functions. The core checks api_version before using anything else in
 * the table, so a plugin built against another version is refused with a log
 * line instead of crashing.
 *
 * The core has already validated every argument and reduced the call to
 * column-major form before any gemm entry is reached: backends never see
 * row-major layouts, NULL buffers, or leading dimensions that are too small.
 * Every function that can fail writes a one-line reason into `err`.
 */
#ifndef PGEMM_BACKEND_H
#define PGEMM_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "common/text.h"
#include "common/variant.h"
#include "pgemm.h"

#define PGEMM_BACKEND_API_VERSION 8u
#define PGEMM_BACKEND_ENTRY_SYMBOL "pgemm_backend_entry"

typedef void (*pgemm_log_fn)(int level, const char *msg);

/* What the core tells a backend when creating it. */
typedef struct pgemm_backend_config {
    int device_index;            /* -1: first usable */
    const char *opencl_platform; /* NULL: any; index or name substring */
    const char *cache_dir;       /* kernel binary cache; NULL: no disk cache */
    int log_level;
    pgemm_log_fn log;            /* never NULL */
    /* Interop: nonzero to run on the caller's queue, native_queue. OpenCL:
     * a cl_command_queue (never NULL; device_index is -1). HIP: a stream of
     * device device_index (NULL: that device's null stream). */
    int interop;
    void *native_queue;
} pgemm_backend_config;

/*
 * A GEMM in column-major form: C(m x n) = alpha * op(A)(m x k) * op(B)(k x n)
 * + beta * C. op(X) = X^T when trans_x. Offsets, leading dimensions and
 * strides are in elements. k == 0 means "scale C by beta" (A and B are not
 * read, and alpha is 0: the core sends alpha == 0 as k == 0 and a NaN or
 * infinite alpha with k == 0 as alpha == 0); m and n are never 0. beta == 0
 * means C must not be read.
 * A and B hold a_type / b_type elements (offsets, leading dimensions and
 * strides count those); C is always fp32. The core sends fp16 operands only
 * to fp16 variants.
 * The epilogue then gives each element of C its final value,
 * act(sum + bias), before it is stored: bias_kind says whether bias (fp32,
 * bias_offset elements in, product z at bias_offset + z * stride_bias) holds
 * a value per row of this column-major C (m values) or per column (n); the
 * core has turned the caller's row-major terms into these. With an
 * epilogue, k == 0 and beta == 1 still reaches the backend.
 */
typedef struct pgemm_gemm_args {
    int trans_a, trans_b;
    size_t m, n, k;
    float alpha, beta;
    void *a; size_t a_offset, lda, stride_a;
    void *b; size_t b_offset, ldb, stride_b;
    void *c; size_t c_offset, ldc, stride_c;
    pgemm_datatype a_type, b_type;
    size_t batch_count;      /* >= 1 */
    size_t variant;          /* index into the backend's variant list */
    pgemm_activation activation;
    pgemm_bias bias_kind; /* PER_ROW: m values; PER_COLUMN: n values */
    void *bias;
    size_t bias_offset, stride_bias;
} pgemm_gemm_args;

/* Whether args carry an epilogue. */
static inline int pgemm_args_have_epilogue(const pgemm_gemm_args *g)
{
    return g->activation != PGEMM_ACTIVATION_NONE || g->bias_kind != PGEMM_BIAS_NONE;
}

/*
 * The second pass of a split-K product (src/split_k.c): the column-major
 * m x n partial sums W_0 .. W_{parts-1}, W_z at element z * m * n of `work`
 * with leading dimension m, become
 *
 *     C = act(alpha * (W_0 + W_1 + ... + W_{parts-1}) + beta * C + bias)
 *
 * summed in that order for every element, so that the result does not
 * depend on timing. beta == 0: C is not read. The epilogue is that of
 * pgemm_gemm_args (bias: m values per row or n per column at bias_offset).
 */
typedef struct pgemm_sum_args {
    size_t m, n, parts;
    float alpha, beta;
    void *work;
    void *c; size_t c_offset, ldc;
    pgemm_activation activation;
    pgemm_bias bias_kind;
    void *bias; size_t bias_offset;
} pgemm_sum_args;

/* Whether an operand at `offset` (elements) with leading dimension ld and,
 * batched, batch stride `stride` keeps every group of 4 elements a kernel
 * loads together at a multiple of 4 from the buffer's start: what the
 * kernels' vector accesses need, and what the selector weighs
 * (pgemm_shape.vectors). */
static inline int pgemm_operand_vectors_fit(size_t offset, size_t ld, size_t stride,
                                            size_t batch)
{
    return offset % 4 == 0 && ld % 4 == 0 && (batch <= 1 || stride % 4 == 0);
}

typedef struct pgemm_backend_iface {
    uint32_t api_version;    /* PGEMM_BACKEND_API_VERSION */
    const char *name;        /* "opencl", "hip" */

    /* Appends a human-readable report of platforms/devices to text (at most
     * cap bytes, NUL-terminated). Never fails: problems are part of the text. */
    void (*describe)(const pgemm_backend_config *cfg, char *text, size_t cap);

    pgemm_status (*create)(const pgemm_backend_config *cfg, void **backend_ctx,
                           pgemm_info *info, pgemm_err *err);
    void (*destroy)(void *backend_ctx);

    size_t (*variant_count)(void *backend_ctx);
    const pgemm_variant_desc *(*variant)(void *backend_ctx, size_t index);

    pgemm_status (*buffer_create)(void *backend_ctx, size_t bytes, void **buf, pgemm_err *err);
    void (*buffer_destroy)(void *backend_ctx, void *buf);
    pgemm_status (*buffer_write)(void *backend_ctx, void *buf, size_t offset, size_t bytes,
                                 const void *src, pgemm_err *err);
    pgemm_status (*buffer_read)(void *backend_ctx, void *buf, size_t offset, size_t bytes,
                                void *dst, pgemm_err *err);
    /* 2-D copies: `rows` runs of `row_bytes` bytes, `buf_pitch` apart in the
     * buffer (starting at buf_offset) and `host_pitch` apart in host memory. */
    pgemm_status (*buffer_write_rect)(void *backend_ctx, void *buf, size_t buf_offset,
                                      size_t buf_pitch, const void *src, size_t host_pitch,
                                      size_t row_bytes, size_t rows, pgemm_err *err);
    pgemm_status (*buffer_read_rect)(void *backend_ctx, void *buf, size_t buf_offset,
                                     size_t buf_pitch, void *dst, size_t host_pitch,
                                     size_t row_bytes, size_t rows, pgemm_err *err);

    /* May return before the work is done. */
    pgemm_status (*sgemm)(void *backend_ctx, const pgemm_gemm_args *args, pgemm_err *err);
    pgemm_status (*synchronize)(void *backend_ctx, pgemm_err *err);

    /* Interop (optional: NULL where the backend has none). buffer_wrap makes
     * a buffer of the caller's native memory after checking that it belongs
     * to this backend's device (and context): OpenCL takes a reference to a
     * cl_mem and reports its size in *bytes; HIP takes a device pointer and
     * the size the caller gives in *bytes, which must lie inside that
     * pointer's allocation. buffer_destroy drops the reference and never
     * frees the caller's memory. native_queue and native_buffer return the
     * queue (stream) the backend runs on and a buffer's native object (a
     * cl_mem; a device pointer), not retained. */
    pgemm_status (*buffer_wrap)(void *backend_ctx, void *native, size_t *bytes, void **buf,
                                pgemm_err *err);
    void *(*native_queue)(void *backend_ctx);
    void *(*native_buffer)(void *backend_ctx, void *buf);

    /* Split-K's second pass (optional: NULL where the backend has none, and
     * the core never splits K there). May return before the work is done. */
    pgemm_status (*sum_parts)(void *backend_ctx, const pgemm_sum_args *args, pgemm_err *err);
} pgemm_backend_iface;

typedef const pgemm_backend_iface *(*pgemm_backend_entry_fn)(void);

#endif /* PGEMM_BACKEND_H */
