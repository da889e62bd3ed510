/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pgemm — dense matrix multiplication on GPUs.
 *
 *     C = alpha * op(A) * op(B) + beta * C
 *
 * with CBLAS argument order and meaning. The library picks a backend at run
 * time (HIP, then OpenCL) and, for every call, a kernel variant suited to the
 * shape. Every function returns a pgemm_status (0 = success); on failure the
 * context keeps a detailed message, read with pgemm_last_error().
 *
 * Thread safety: a context may be used from several threads at once; its
 * GEMMs and buffer operations are serialised internally. What a call leaves
 * to read afterwards (pgemm_last_error, pgemm_last_call) is kept per calling
 * thread, so threads sharing a context never see each other's. Different
 * contexts are independent. docs/API.md has the whole contract.
 */
#ifndef PGEMM_H
#define PGEMM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define PGEMM_API
#else
#define PGEMM_API __attribute__((visibility("default")))
#endif

#define PGEMM_VERSION_MAJOR 0
#define PGEMM_VERSION_MINOR 1
#define PGEMM_VERSION_PATCH 0

/* ---------------------------------------------------------------- status */

typedef enum pgemm_status {
    PGEMM_SUCCESS = 0,
    PGEMM_ERROR_INVALID_ARGUMENT = 1,   /* a bad argument; nothing was changed */
    PGEMM_ERROR_NO_BACKEND = 2,         /* AUTO found no usable backend */
    PGEMM_ERROR_BACKEND_UNAVAILABLE = 3,/* the requested backend cannot run here */
    PGEMM_ERROR_OUT_OF_MEMORY = 4,      /* host or device allocation failed */
    PGEMM_ERROR_DEVICE = 5,             /* the device or its driver reported an error */
    PGEMM_ERROR_BUILD = 6,              /* a kernel failed to compile */
    PGEMM_ERROR_UNSUPPORTED = 7,        /* valid, but beyond what this backend supports */
    PGEMM_ERROR_INTERNAL = 8
} pgemm_status;

/* A fixed English description of a status ("invalid argument"). Never NULL. */
PGEMM_API const char *pgemm_status_string(pgemm_status status);

/* "0.1.0" */
PGEMM_API const char *pgemm_version_string(void);

/* ----------------------------------------------------------------- enums */

/* Values match CBLAS (CblasRowMajor, CblasNoTrans, ...). */
typedef enum pgemm_layout {
    PGEMM_ROW_MAJOR = 101,
    PGEMM_COL_MAJOR = 102
} pgemm_layout;

typedef enum pgemm_transpose {
    PGEMM_NO_TRANS = 111,
    PGEMM_TRANS = 112
} pgemm_transpose;

typedef enum pgemm_precision {
    PGEMM_PRECISION_FP32 = 0,
    /* Permission to round A and B to fp16 inside the tiles, accumulating in
     * fp32 (see docs/PRECISION.md). A backend without fp16 tiles runs FP32;
     * pgemm_last_call() reports what ran. */
    PGEMM_PRECISION_FP16_MIXED = 1
} pgemm_precision;

typedef enum pgemm_backend {
    PGEMM_BACKEND_AUTO = 0,   /* HIP if a HIP device is present, else OpenCL */
    PGEMM_BACKEND_HIP = 1,
    PGEMM_BACKEND_OPENCL = 2
} pgemm_backend;

/* "auto", "hip", "opencl" ("unknown" for another value) */
PGEMM_API const char *pgemm_backend_name(pgemm_backend backend);

/* Sets *out to the backend called name ("auto", "hip" or "opencl", in any
 * case) and returns 1; returns 0, leaving *out alone, for any other name. */
PGEMM_API int pgemm_backend_from_name(const char *name, pgemm_backend *out);

/* The names pgemm_backend_from_name takes, as a message lists them:
 * "auto, hip or opencl". */
PGEMM_API const char *pgemm_backend_names(void);

/* --------------------------------------------------------------- context */

typedef struct pgemm_context pgemm_context;
typedef struct pgemm_buffer pgemm_buffer;

typedef struct pgemm_options {
    pgemm_backend backend;      /* AUTO by default; env PGEMM_BACKEND overrides */
    int device_index;           /* -1: first usable device; env PGEMM_DEVICE overrides */
    const char *opencl_platform;/* NULL: any; index ("1") or case-insensitive name
                                   substring ("pocl", "rusticl", "nvidia");
                                   env PGEMM_OPENCL_PLATFORM overrides */
    const char *model_dir;      /* selector models; NULL: default; env PGEMM_MODEL_DIR */
    pgemm_precision precision;  /* initial precision, FP32 by default */
    int log_level;              /* 0 quiet, 1 info, 2 debug; env PGEMM_LOG overrides */
} pgemm_options;

/* Fills *opts with the defaults (AUTO, device -1, FP32, quiet). */
PGEMM_API void pgemm_options_init(pgemm_options *opts);

/* Creates a context on the chosen backend and device. opts may be NULL for
 * the defaults. On failure *out is NULL and pgemm_last_error(NULL) says why. */
PGEMM_API pgemm_status pgemm_context_create(const pgemm_options *opts, pgemm_context **out);
PGEMM_API void pgemm_context_destroy(pgemm_context *ctx);

/* The detailed message of this thread's last call on ctx if it failed ("" if
 * it succeeded, or if this thread has made none). The string stays valid
 * until this thread's next pgemm call. ctx may be NULL: then the message of
 * this thread's last failed pgemm_context_create(). */
PGEMM_API const char *pgemm_last_error(const pgemm_context *ctx);

/* Precision for the following calls on ctx. */
PGEMM_API pgemm_status pgemm_set_precision(pgemm_context *ctx, pgemm_precision precision);

enum {
    PGEMM_NAME_LEN = 128,
    PGEMM_REASON_LEN = 512
};

typedef struct pgemm_info {
    pgemm_backend backend;              /* never AUTO */
    char backend_name[32];              /* "opencl" */
    char platform[PGEMM_NAME_LEN];      /* OpenCL platform, or "HIP" */
    char device[PGEMM_NAME_LEN];
    char driver[PGEMM_NAME_LEN];
    char device_version[PGEMM_NAME_LEN];
    /* The device's architecture, as models of other devices are matched to
     * it (docs/TUNING.md): "sm_90" (NVIDIA compute capability), "gfx803"
     * (AMD target, also for a chip Clover names "polaris10"), "cpu-<LLVM
     * CPU>" (PoCL), "llvmpipe-<bits>"; "" when unknown. */
    char arch[64];
    int device_is_cpu;
    /* 1 when the driver runs a work-group's items as a loop on one core
     * (PoCL): kernels must then carry their own vectors. 0 on GPUs and on
     * drivers that map work-items onto SIMD lanes (Mesa llvmpipe). */
    int work_items_as_loops;
    unsigned compute_units;
    uint64_t global_mem_bytes;
    uint64_t max_buffer_bytes;          /* largest single buffer */
    uint64_t local_mem_bytes;
    int has_fp16_tiles;                 /* FP16_MIXED runs fp16 tiles here */
    size_t variant_count;               /* kernel variants the selector chooses from */
    char why[PGEMM_REASON_LEN];         /* why this backend and device were chosen */
} pgemm_info;

PGEMM_API pgemm_status pgemm_context_info(const pgemm_context *ctx, pgemm_info *out);

/* ------------------------------------------------------------ discovery */

/* One line per backend and per device found, for `pgemm info`-style reports:
 * which backend plugins loaded (or why not) and which devices they see.
 * Writes at most cap bytes (NUL-terminated) to text; *needed (if not NULL)
 * receives the full length + 1. */
PGEMM_API pgemm_status pgemm_describe_system(char *text, size_t cap, size_t *needed);

/* --------------------------------------------------------------- buffers */

/* Device memory owned by ctx. Buffers must be destroyed before their context. */
PGEMM_API pgemm_status pgemm_buffer_create(pgemm_context *ctx, size_t bytes, pgemm_buffer **out);
/* Blocking: returns when src may be reused. */
PGEMM_API pgemm_status pgemm_buffer_write(pgemm_buffer *buf, size_t offset, size_t bytes, const void *src);
/* Blocking: waits for earlier work on the context, returns with the data. */
PGEMM_API pgemm_status pgemm_buffer_read(pgemm_buffer *buf, size_t offset, size_t bytes, void *dst);
PGEMM_API size_t pgemm_buffer_size(const pgemm_buffer *buf);
PGEMM_API void pgemm_buffer_destroy(pgemm_buffer *buf);

/* Waits for all work queued on ctx; reports errors of asynchronous work. */
PGEMM_API pgemm_status pgemm_synchronize(pgemm_context *ctx);

/* ------------------------------------------------------------------ GEMM */

/* Host pointers; blocking. CBLAS semantics exactly: beta == 0 means C is not
 * read (NaN in C does not propagate); alpha == 0 means A and B are not read;
 * m == 0 or n == 0 is a no-op; k == 0 scales C by beta (alpha is not used:
 * a NaN or infinite alpha leaves beta * C). Only the m x n window
 * of C is written: padding between columns (rows) stays untouched. */
PGEMM_API pgemm_status pgemm_sgemm_host(pgemm_context *ctx, pgemm_layout layout,
                                        pgemm_transpose ta, pgemm_transpose tb,
                                        size_t m, size_t n, size_t k, float alpha,
                                        const float *a, size_t lda,
                                        const float *b, size_t ldb, float beta,
                                        float *c, size_t ldc);

/* Device buffers; offsets in elements (floats). May run asynchronously:
 * pgemm_synchronize() or pgemm_buffer_read() waits for it. */
PGEMM_API pgemm_status pgemm_sgemm(pgemm_context *ctx, pgemm_layout layout,
                                   pgemm_transpose ta, pgemm_transpose tb,
                                   size_t m, size_t n, size_t k, float alpha,
                                   const pgemm_buffer *a, size_t a_offset, size_t lda,
                                   const pgemm_buffer *b, size_t b_offset, size_t ldb,
                                   float beta,
                                   pgemm_buffer *c, size_t c_offset, size_t ldc);

/* batch_count independent products; matrix i of X starts at
 * x_offset + i * stride_x elements. Strides of A and B may be 0 (the same
 * operand for every product); the C matrices must not overlap. */
PGEMM_API pgemm_status pgemm_sgemm_strided_batched(pgemm_context *ctx, pgemm_layout layout,
                                                   pgemm_transpose ta, pgemm_transpose tb,
                                                   size_t m, size_t n, size_t k, float alpha,
                                                   const pgemm_buffer *a, size_t a_offset,
                                                   size_t lda, size_t stride_a,
                                                   const pgemm_buffer *b, size_t b_offset,
                                                   size_t ldb, size_t stride_b, float beta,
                                                   pgemm_buffer *c, size_t c_offset,
                                                   size_t ldc, size_t stride_c,
                                                   size_t batch_count);

/* Element types of the operands of pgemm_gemm_ex. */
typedef enum pgemm_datatype {
    PGEMM_F32 = 0,   /* IEEE binary32 */
    PGEMM_F16 = 1    /* IEEE binary16 (half) */
} pgemm_datatype;

/* "f32", "f16" (NULL for an unknown value). */
PGEMM_API const char *pgemm_datatype_name(pgemm_datatype type);

/* pgemm_sgemm with typed A and B (in the spirit of cublasGemmEx); C is always
 * fp32. Offsets and leading dimensions count elements of each operand's own
 * type. fp16 operands run on fp16 tiles whatever the context's precision:
 * their values are exact, and products accumulate in fp32, so no rounding
 * beyond FP32's happens (docs/PRECISION.md). fp32 operands follow the
 * context's precision. A backend without fp16 tiles refuses fp16 operands
 * with PGEMM_ERROR_UNSUPPORTED. */
PGEMM_API pgemm_status pgemm_gemm_ex(pgemm_context *ctx, pgemm_layout layout,
                                     pgemm_transpose ta, pgemm_transpose tb,
                                     size_t m, size_t n, size_t k, float alpha,
                                     const pgemm_buffer *a, pgemm_datatype a_type,
                                     size_t a_offset, size_t lda,
                                     const pgemm_buffer *b, pgemm_datatype b_type,
                                     size_t b_offset, size_t ldb, float beta,
                                     pgemm_buffer *c, size_t c_offset, size_t ldc);

/* The strided batched form of pgemm_gemm_ex (see pgemm_sgemm_strided_batched;
 * strides count elements of each operand's type). */
PGEMM_API pgemm_status pgemm_gemm_strided_batched_ex(
    pgemm_context *ctx, pgemm_layout layout, pgemm_transpose ta, pgemm_transpose tb,
    size_t m, size_t n, size_t k, float alpha,
    const pgemm_buffer *a, pgemm_datatype a_type, size_t a_offset, size_t lda, size_t stride_a,
    const pgemm_buffer *b, pgemm_datatype b_type, size_t b_offset, size_t ldb, size_t stride_b,
    float beta, pgemm_buffer *c, size_t c_offset, size_t ldc, size_t stride_c,
    size_t batch_count);

/* ------------------------------------------------------------- epilogues */

/* The activation an epilogue applies to each element of C (docs/API.md,
 * "Epilogues"; docs/PRECISION.md gives the accuracy). */
typedef enum pgemm_activation {
    PGEMM_ACTIVATION_NONE = 0,
    PGEMM_ACTIVATION_RELU = 1,      /* x < 0 ? 0 : x (NaN stays NaN) */
    PGEMM_ACTIVATION_GELU_TANH = 2, /* x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) */
    PGEMM_ACTIVATION_SILU = 3       /* x / (1 + exp(-x)) */
} pgemm_activation;

/* "none", "relu", "gelu_tanh", "silu" (NULL for an unknown value). */
PGEMM_API const char *pgemm_activation_name(pgemm_activation activation);

/* Which bias vector an epilogue adds, in the caller's terms (layout does not
 * change its meaning): a value per row of C (m values, bias[i] added to row
 * i) or per column (n values, bias[j] added to column j). */
typedef enum pgemm_bias {
    PGEMM_BIAS_NONE = 0,
    PGEMM_BIAS_PER_ROW = 1,
    PGEMM_BIAS_PER_COLUMN = 2
} pgemm_bias;

/* "none", "per_row", "per_column" (NULL for an unknown value). */
PGEMM_API const char *pgemm_bias_name(pgemm_bias bias);

/* What a GEMM does to each element of C before storing it:
 *
 *     C = act(alpha * op(A) * op(B) + beta * C + bias)
 *
 * computed in fp32 inside the GEMM kernel's own store (one pass over C).
 * The bias vector is fp32, contiguous, in a buffer of the same context; in
 * a strided batch, product z adds bias_offset + z * stride_bias onwards
 * (stride_bias 0: one vector for every product). */
typedef struct pgemm_epilogue {
    pgemm_activation activation;
    pgemm_bias bias;
    const pgemm_buffer *bias_buffer; /* fp32; unused (may be NULL) with PGEMM_BIAS_NONE */
    size_t bias_offset;              /* elements (floats) */
    size_t stride_bias;              /* elements between the batch's vectors */
} pgemm_epilogue;

/* Fills *epilogue with nothing to do (no activation, no bias). */
PGEMM_API void pgemm_epilogue_init(pgemm_epilogue *epilogue);

/* pgemm_gemm_ex with an epilogue; epilogue NULL means none. The CBLAS rules
 * of pgemm_sgemm_host hold for the sum (beta == 0 does not read C, k == 0
 * or alpha == 0 does not read A and B), and the epilogue then applies to
 * every element of the m x n window, also when k == 0 and beta == 1. */
PGEMM_API pgemm_status pgemm_gemm_epilogue(
    pgemm_context *ctx, pgemm_layout layout, pgemm_transpose ta, pgemm_transpose tb, size_t m,
    size_t n, size_t k, float alpha, const pgemm_buffer *a, pgemm_datatype a_type, size_t a_offset,
    size_t lda, const pgemm_buffer *b, pgemm_datatype b_type, size_t b_offset, size_t ldb,
    float beta, pgemm_buffer *c, size_t c_offset, size_t ldc, const pgemm_epilogue *epilogue);

/* The strided batched form (see pgemm_gemm_strided_batched_ex). */
PGEMM_API pgemm_status pgemm_gemm_strided_batched_epilogue(
    pgemm_context *ctx, pgemm_layout layout, pgemm_transpose ta, pgemm_transpose tb, size_t m,
    size_t n, size_t k, float alpha, const pgemm_buffer *a, pgemm_datatype a_type, size_t a_offset,
    size_t lda, size_t stride_a, const pgemm_buffer *b, pgemm_datatype b_type, size_t b_offset,
    size_t ldb, size_t stride_b, float beta, pgemm_buffer *c, size_t c_offset, size_t ldc,
    size_t stride_c, size_t batch_count, const pgemm_epilogue *epilogue);

/* pgemm_sgemm_host with an epilogue whose bias vector is in host memory
 * (m floats per row, n per column; NULL with PGEMM_BIAS_NONE). */
PGEMM_API pgemm_status pgemm_sgemm_host_epilogue(pgemm_context *ctx, pgemm_layout layout,
                                                 pgemm_transpose ta, pgemm_transpose tb, size_t m,
                                                 size_t n, size_t k, float alpha, const float *a,
                                                 size_t lda, const float *b, size_t ldb, float beta,
                                                 float *c, size_t ldc, pgemm_activation activation,
                                                 pgemm_bias bias, const float *bias_host);

/* ------------------------------------------------------ what ran, variants */

typedef struct pgemm_call_info {
    pgemm_backend backend;
    char variant[PGEMM_NAME_LEN];       /* kernel variant, e.g. "tile16" ("" if no kernel ran) */
    pgemm_precision precision_requested;
    pgemm_precision precision_used;
    char why[PGEMM_REASON_LEN];         /* why this variant (and precision) */
    /* The epilogue the call ran, fused into the GEMM kernel's store
     * (epilogue_fused 1), or none (NONE, NONE, 0). */
    pgemm_activation activation;
    pgemm_bias bias;
    int epilogue_fused;
    /* Split-K (pgemm_set_split_k): the number of partial products along K
     * that `variant` computed before a second pass summed them; 1 for an
     * unsplit call (0 where no kernel ran). */
    size_t split_k;
} pgemm_call_info;

/* What this thread's last successful GEMM call on ctx ran; INVALID_ARGUMENT
 * (and *out zeroed) when this thread has had none on ctx. */
PGEMM_API pgemm_status pgemm_last_call(const pgemm_context *ctx, pgemm_call_info *out);

/* The most kernel variants a backend lists; one that lists more is
 * refused at context creation. */
#define PGEMM_MAX_VARIANTS 64

/* The kernel variants of ctx's backend, by index 0 .. count-1
 * (count <= PGEMM_MAX_VARIANTS). */
PGEMM_API size_t pgemm_variant_count(const pgemm_context *ctx);
PGEMM_API const char *pgemm_variant_name(const pgemm_context *ctx, size_t index);

/* Forces every following GEMM on ctx to use the named variant (NULL: let
 * the selector choose again). Env PGEMM_VARIANT sets it at creation. */
PGEMM_API pgemm_status pgemm_force_variant(pgemm_context *ctx, const char *name);

/* Split-K: a product whose m x n tile grid would leave most of a GPU's
 * compute units idle while k is large runs as several partial products
 * along K, summed in a fixed order in a second pass (the same inputs give
 * the same bits on every run; docs/PRECISION.md). parts: 0 (the default)
 * lets pgemm decide per call (GPUs only); 1 never splits; 2 ..
 * PGEMM_SPLIT_K_MAX splits every non-batched call with k >= 2 into about
 * that many parts (the backends without a second pass never split). Env
 * PGEMM_SPLIT_K (auto, off or a count) sets it at creation. */
#define PGEMM_SPLIT_K_MAX 64
PGEMM_API pgemm_status pgemm_set_split_k(pgemm_context *ctx, size_t parts);

#ifdef __cplusplus
}
#endif

#endif /* PGEMM_H */
