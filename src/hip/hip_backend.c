/* SPDX-License-Identifier: BSD-3-Clause */
/* The HIP backend: its function table and launches (buffers: hip_buffer.c). */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "common/text.h"
#include "hip_internal.h"

static void hip_describe(const pgemm_backend_config *cfg, char *text, size_t cap)
{
    pgemm_hip_describe(cfg, text, cap);
}

static void hip_destroy(void *handle)
{
    hip_backend *b = handle;
    if (!b) return;
    if ((b->stream || b->external_stream) && hipSetDevice(b->device) == hipSuccess) {
        /* Queued kernels may still read the workspace. */
        hipStreamSynchronize(b->stream);
        pgemm_hip_free_workspace(b);
        if (!b->external_stream) hipStreamDestroy(b->stream);
    }
    free(b);
}

/* The table's variants this device runs: every FP32 tile, and the fp16
 * tiles whose instructions it has and whose code the build holds. */
static void list_variants(hip_backend *b)
{
    b->variant_count = 0;
    for (size_t i = 0; i < pgemm_hip_variant_count(); i++) {
        const hip_variant *v = pgemm_hip_variant(i);
        if (pgemm_hip_variant_runs(v, b->arch)) b->variants[b->variant_count++] = v;
    }
}

/* The caller's stream (interop), after the runtime says, where it can, that
 * it belongs to the chosen device. */
static pgemm_status adopt_stream(hip_backend *b, void *native, hip_pick *pick, pgemm_err *err)
{
    hipStream_t stream = native;
#if PGEMM_HIP_IS_NVIDIA && CUDART_VERSION >= 12080
    int owner = -1;
    if (stream && cudaStreamGetDevice(stream, &owner) == cudaSuccess && owner != b->device) {
        pgemm_err_set(err, "the stream belongs to device %d, not device %d", owner, b->device);
        return PGEMM_ERROR_INVALID_ARGUMENT;
    }
#endif
    b->stream = stream;
    b->external_stream = 1;
    pgemm_text_append(pick->why, sizeof pick->why, " on the caller's %s",
                      stream ? "stream" : "null stream");
    return PGEMM_SUCCESS;
}

static pgemm_status hip_create(const pgemm_backend_config *cfg, void **out, pgemm_info *info,
                               pgemm_err *err)
{
    *out = NULL;
    if (pgemm_hip_variant_count() > PGEMM_MAX_VARIANTS) {
        pgemm_err_set(err, "internal: more variants than PGEMM_MAX_VARIANTS (%d)",
                      PGEMM_MAX_VARIANTS);
        return PGEMM_ERROR_INTERNAL;
    }
    hip_pick pick;
    pgemm_status st = pgemm_hip_pick_device(cfg, &pick, err);
    if (st != PGEMM_SUCCESS) return st;
    hip_backend *b = calloc(1, sizeof *b);
    if (!b) {
        pgemm_err_set(err, "cannot allocate the HIP backend");
        return PGEMM_ERROR_OUT_OF_MEMORY;
    }
    b->device = pick.index;
    b->arch = pick.arch;
    b->log = cfg->log;
    b->log_level = cfg->log_level;
    st = pgemm_hip_bind(b, err);
    if (st == PGEMM_SUCCESS && cfg->interop)
        st = adopt_stream(b, cfg->native_queue, &pick, err);
    else if (st == PGEMM_SUCCESS)
        st = pgemm_hip_check(hipStreamCreateWithFlags(&b->stream, hipStreamNonBlocking),
                             "hipStreamCreateWithFlags", err);
    if (st != PGEMM_SUCCESS) {
        hip_destroy(b);
        /* A stream of another device is the caller's mistake; a device that
         * cannot take a stream is not usable: AUTO moves on. */
        if (st == PGEMM_ERROR_INVALID_ARGUMENT || st == PGEMM_ERROR_OUT_OF_MEMORY) return st;
        return PGEMM_ERROR_BACKEND_UNAVAILABLE;
    }
    list_variants(b);
    int has_fp16 = 0;
    for (size_t i = 0; i < b->variant_count; i++) has_fp16 |= b->variants[i]->desc.fp16;
    pgemm_hip_device_info(&pick, has_fp16, info);
    *out = b;
    return PGEMM_SUCCESS;
}

static size_t hip_variant_count(void *handle) { return ((hip_backend *)handle)->variant_count; }

static const pgemm_variant_desc *hip_variant_desc(void *handle, size_t index)
{
    hip_backend *b = handle;
    return index < b->variant_count ? &b->variants[index]->desc : NULL;
}

/* An FP32 tile kernel: pointers with the offsets applied, sizes as ints
 * (the core keeps m, n, k and the leading dimensions within INT_MAX). */
static pgemm_status run_sgemm(hip_backend *b, const hip_variant *v, const pgemm_gemm_args *g,
                              pgemm_err *err)
{
    pgemm_hip_sgemm_args s = {
        .trans_a = g->trans_a,
        .trans_b = g->trans_b,
        .m = (int)g->m,
        .n = (int)g->n,
        .k = (int)g->k,
        .alpha = g->alpha,
        .beta = g->beta,
        .a = pgemm_hip_element(g->a, g->a_offset, sizeof(float)),
        .lda = (long long)g->lda,
        .stride_a = (long long)g->stride_a,
        .b = pgemm_hip_element(g->b, g->b_offset, sizeof(float)),
        .ldb = (long long)g->ldb,
        .stride_b = (long long)g->stride_b,
        .c = pgemm_hip_element(g->c, g->c_offset, sizeof(float)),
        .ldc = (long long)g->ldc,
        .stride_c = (long long)g->stride_c,
        .batch = (int)g->batch_count,
        .epi = pgemm_hip_epilogue_of(g),
    };
    int rc = pgemm_hip_sgemm((pgemm_hip_sgemm_kernel)v->kernel, &s, b->stream);
    char what[64];
    pgemm_text_format(what, sizeof what, "launching %s", v->desc.name);
    return pgemm_hip_check((hipError_t)rc, what, err);
}

static pgemm_status hip_sgemm(void *handle, const pgemm_gemm_args *g, pgemm_err *err)
{
    hip_backend *b = handle;
    if (g->variant >= b->variant_count) {
        pgemm_err_set(err, "no variant %zu", g->variant);
        return PGEMM_ERROR_INTERNAL;
    }
    const hip_variant *v = b->variants[g->variant];
    if (g->batch_count > INT_MAX) {
        pgemm_err_set(err, "batch_count %zu: the HIP kernels take at most %d", g->batch_count,
                      INT_MAX);
        return PGEMM_ERROR_UNSUPPORTED;
    }
    pgemm_status st = pgemm_hip_bind(b, err);
    if (st != PGEMM_SUCCESS) return st;
    if (v->desc.fp16) return pgemm_hip_run_hgemm(b, v, g, err);
    if (g->a_type != PGEMM_F32 || g->b_type != PGEMM_F32) {
        pgemm_err_set(err, "%s has fp32 tiles and cannot read fp16 operands", v->desc.name);
        return PGEMM_ERROR_INTERNAL;
    }
    return run_sgemm(b, v, g, err);
}

static pgemm_status hip_sum_parts(void *handle, const pgemm_sum_args *a, pgemm_err *err)
{
    hip_backend *b = handle;
    if (a->parts > INT_MAX) {
        pgemm_err_set(err, "split-K into %zu parts: the HIP sum takes at most %d", a->parts,
                      INT_MAX);
        return PGEMM_ERROR_UNSUPPORTED;
    }
    pgemm_status st = pgemm_hip_bind(b, err);
    if (st != PGEMM_SUCCESS) return st;
    pgemm_hip_sum_args s = {
        .m = (int)a->m,
        .n = (int)a->n,
        .parts = (int)a->parts,
        .alpha = a->alpha,
        .beta = a->beta,
        .work = pgemm_hip_element(a->work, 0, sizeof(float)),
        .c = pgemm_hip_element(a->c, a->c_offset, sizeof(float)),
        .ldc = (long long)a->ldc,
        .epi = {(int)a->activation, (int)a->bias_kind,
                pgemm_hip_element(a->bias, a->bias_offset, sizeof(float)), 0},
    };
    return pgemm_hip_check((hipError_t)pgemm_hip_sum_parts(&s, b->stream),
                           "launching the split-K sum", err);
}

static pgemm_status hip_synchronize(void *handle, pgemm_err *err)
{
    hip_backend *b = handle;
    pgemm_status st = pgemm_hip_bind(b, err);
    if (st != PGEMM_SUCCESS) return st;
    return pgemm_hip_check(hipStreamSynchronize(b->stream), "waiting for the stream", err);
}

static void *hip_native_queue(void *handle) { return ((hip_backend *)handle)->stream; }

static const pgemm_backend_iface k_iface = {
    /* .api_version       = */ PGEMM_BACKEND_API_VERSION,
    /* .name              = */ "hip",
    /* .describe          = */ hip_describe,
    /* .create            = */ hip_create,
    /* .destroy           = */ hip_destroy,
    /* .variant_count     = */ hip_variant_count,
    /* .variant           = */ hip_variant_desc,
    /* .buffer_create     = */ pgemm_hip_buffer_create,
    /* .buffer_destroy    = */ pgemm_hip_buffer_destroy,
    /* .buffer_write      = */ pgemm_hip_buffer_write,
    /* .buffer_read       = */ pgemm_hip_buffer_read,
    /* .buffer_write_rect = */ pgemm_hip_buffer_write_rect,
    /* .buffer_read_rect  = */ pgemm_hip_buffer_read_rect,
    /* .sgemm             = */ hip_sgemm,
    /* .synchronize       = */ hip_synchronize,
    /* .buffer_wrap       = */ pgemm_hip_buffer_wrap,
    /* .native_queue      = */ hip_native_queue,
    /* .native_buffer     = */ pgemm_hip_buffer_pointer,
    /* .sum_parts         = */ hip_sum_parts,
};

__attribute__((visibility("default"))) const pgemm_backend_iface *pgemm_backend_entry(void)
{
    return &k_iface;
}
