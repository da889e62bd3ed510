/* SPDX-License-Identifier: BSD-3-Clause */
/* The OpenCL backend: its function table, buffers, and kernel launches. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cl_internal.h"
#include "opencl/cl_cache.h"
#include "common/text.h"

/* Kernel slots per variant: aligned or not x (TRANS_A, TRANS_B). */
/* Per variant: aligned x transposes x epilogues. */
#define KERNEL_SLOTS (8 * PGEMM_CL_EPILOGUES)

typedef struct cl_backend {
    cl_context context;
    cl_command_queue queue;
    cl_device_id device;
    size_t max_work_group;
    /* Built lazily, per variant, alignment and (TRANS_A, TRANS_B). */
    cl_kernel kernels[PGEMM_MAX_VARIANTS][KERNEL_SLOTS];
    cl_kernel sums[PGEMM_CL_EPILOGUES]; /* split-K's second pass, per epilogue */
    int vectors_aligned;         /* buffers start on 16-byte boundaries */
    int gpu;                     /* not a CPU device */
    char device_key[1024];
    cl_cache cache;
    int has_cache;
    int external_queue;          /* the caller's queue (interop) */
    pgemm_log_fn log;
} cl_backend;

static void cl_describe(const pgemm_backend_config *cfg, char *text, size_t cap)
{
    pgemm_cl_describe(cfg, text, cap);
}

static void cl_destroy(void *handle)
{
    cl_backend *b = handle;
    if (!b) return;
    for (size_t v = 0; v < PGEMM_MAX_VARIANTS; v++)
        for (size_t t = 0; t < KERNEL_SLOTS; t++)
            if (b->kernels[v][t]) clReleaseKernel(b->kernels[v][t]);
    for (size_t e = 0; e < PGEMM_CL_EPILOGUES; e++)
        if (b->sums[e]) clReleaseKernel(b->sums[e]);
    if (b->queue) {
        /* A queue of our own is drained; the caller's queue goes on with
         * its own work (enqueued commands keep their buffers alive). */
        if (!b->external_queue) clFinish(b->queue);
        clReleaseCommandQueue(b->queue);
    }
    if (b->context) clReleaseContext(b->context);
    free(b);
}

/* A context and in-order queue of our own on the device cfg picks. */
static pgemm_status own_queue(cl_backend *b, const pgemm_backend_config *cfg, cl_pick *pick,
                              pgemm_err *err)
{
    pgemm_status st = pgemm_cl_pick_device(cfg, pick, err);
    if (st != PGEMM_SUCCESS) return st;
    b->device = pick->device;
    cl_int rc;
    cl_context_properties props[] = {CL_CONTEXT_PLATFORM, (cl_context_properties)pick->platform,
                                     0};
    b->context = clCreateContext(props, 1, &b->device, NULL, NULL, &rc);
    if (!b->context) {
        pgemm_err_set(err, "clCreateContext on %s: %s", pick->why, pgemm_cl_error_name(rc));
        return PGEMM_ERROR_BACKEND_UNAVAILABLE;
    }
    b->queue = clCreateCommandQueue(b->context, b->device, 0, &rc);
    if (!b->queue) {
        pgemm_err_set(err, "clCreateCommandQueue on %s: %s", pick->why, pgemm_cl_error_name(rc));
        return PGEMM_ERROR_BACKEND_UNAVAILABLE;
    }
    return PGEMM_SUCCESS;
}

/* The caller's queue, with its context and device (interop). */
static pgemm_status adopt_queue(cl_backend *b, void *native, cl_pick *pick, pgemm_err *err)
{
    cl_command_queue q = native;
    cl_command_queue_properties props = 0;
    cl_int rc = clGetCommandQueueInfo(q, CL_QUEUE_CONTEXT, sizeof b->context, &b->context, NULL);
    if (rc == CL_SUCCESS)
        rc = clGetCommandQueueInfo(q, CL_QUEUE_DEVICE, sizeof b->device, &b->device, NULL);
    if (rc == CL_SUCCESS)
        rc = clGetCommandQueueInfo(q, CL_QUEUE_PROPERTIES, sizeof props, &props, NULL);
    if (rc != CL_SUCCESS) {
        b->context = NULL;
        pgemm_err_set(err, "queue is not a usable cl_command_queue: %s", pgemm_cl_error_name(rc));
        return PGEMM_ERROR_INVALID_ARGUMENT;
    }
    if (props & CL_QUEUE_OUT_OF_ORDER_EXEC_MODE_ENABLE) {
        b->context = NULL;
        pgemm_err_set(err, "queue is out-of-order; pgemm needs an in-order queue");
        return PGEMM_ERROR_UNSUPPORTED;
    }
    clRetainContext(b->context);
    clRetainCommandQueue(q);
    b->queue = q;
    b->external_queue = 1;
    memset(pick, 0, sizeof *pick);
    pick->device = b->device;
    clGetDeviceInfo(b->device, CL_DEVICE_PLATFORM, sizeof pick->platform, &pick->platform, NULL);
    if (clGetPlatformInfo(pick->platform, CL_PLATFORM_NAME, sizeof pick->platform_name,
                          pick->platform_name, NULL) != CL_SUCCESS)
        pgemm_text_copy(pick->platform_name, sizeof pick->platform_name, "?");
    pick->platform_name[sizeof pick->platform_name - 1] = '\0';
    char dev[PGEMM_NAME_LEN] = "?";
    clGetDeviceInfo(b->device, CL_DEVICE_NAME, sizeof dev - 1, dev, NULL);
    pgemm_text_format(pick->why, sizeof pick->why, "the caller's command queue (platform \"%s\", "
                      "device \"%s\")", pick->platform_name, dev);
    return PGEMM_SUCCESS;
}

static pgemm_status cl_create(const pgemm_backend_config *cfg, void **out, pgemm_info *info,
                              pgemm_err *err)
{
    *out = NULL;
    if (pgemm_cl_variant_count() > PGEMM_MAX_VARIANTS) {
        pgemm_err_set(err, "internal: more variants than PGEMM_MAX_VARIANTS (%d)",
                      PGEMM_MAX_VARIANTS);
        return PGEMM_ERROR_INTERNAL;
    }
    cl_backend *b = calloc(1, sizeof *b);
    if (!b) {
        pgemm_err_set(err, "cannot allocate the OpenCL backend");
        return PGEMM_ERROR_OUT_OF_MEMORY;
    }
    b->log = cfg->log;
    cl_pick pick;
    pgemm_status st = cfg->interop ? adopt_queue(b, cfg->native_queue, &pick, err)
                                   : own_queue(b, cfg, &pick, err);
    if (st != PGEMM_SUCCESS) {
        cl_destroy(b);
        return st;
    }
    clGetDeviceInfo(b->device, CL_DEVICE_MAX_WORK_GROUP_SIZE, sizeof b->max_work_group,
                    &b->max_work_group, NULL);
    cl_uint align_bits = 0;
    clGetDeviceInfo(b->device, CL_DEVICE_MEM_BASE_ADDR_ALIGN, sizeof align_bits, &align_bits,
                    NULL);
    b->vectors_aligned = align_bits >= 128;
    pgemm_cl_device_info(&pick, info);
    b->gpu = !info->device_is_cpu;
    char vendor[PGEMM_NAME_LEN] = "";
    clGetDeviceInfo(b->device, CL_DEVICE_VENDOR, sizeof vendor - 1, vendor, NULL);
    pgemm_text_format(b->device_key, sizeof b->device_key, "%s\n%s\n%s\n%s\n%s", info->platform,
                      vendor, info->device, info->device_version, info->driver);
    if (cfg->cache_dir && pgemm_cl_platform_caches_builds(pick.platform)) {
        /* PoCL keeps every build in its own cache (POCL_CACHE_DIR), and asking
         * it for a program binary compiles each kernel once more for any
         * work-group size: 40% of a cold build's time (18 s -> 30 s for
         * reg64x128), for an entry that saves nothing PoCL's does not. */
        char line[PGEMM_REASON_LEN];
        b->log(2, pgemm_text_format(line, sizeof line,
                                    "kernel cache: not used on %s, which caches its own builds",
                                    info->platform));
    } else if (cfg->cache_dir) {
        char why[PGEMM_REASON_LEN], line[PGEMM_REASON_LEN + 64];
        b->has_cache = pgemm_cl_cache_open(&b->cache, cfg->cache_dir, why, sizeof why) == 0;
        if (!b->has_cache)
            b->log(1, pgemm_text_format(line, sizeof line, "kernel cache: not used: %s", why));
    }
    *out = b;
    return PGEMM_SUCCESS;
}

static size_t cl_variant_count(void *handle)
{
    (void)handle;
    return pgemm_cl_variant_count();
}

static const pgemm_variant_desc *cl_variant_desc(void *handle, size_t index)
{
    (void)handle;
    const cl_variant *v = pgemm_cl_variant(index);
    return v ? &v->desc : NULL;
}

static pgemm_status cl_buffer_create(void *handle, size_t bytes, void **out, pgemm_err *err)
{
    cl_backend *b = handle;
    cl_int rc;
    cl_mem mem = clCreateBuffer(b->context, CL_MEM_READ_WRITE, bytes, NULL, &rc);
    if (!mem) {
        pgemm_err_set(err, "clCreateBuffer: %s", pgemm_cl_error_name(rc));
        return pgemm_cl_status(rc);
    }
    *out = mem;
    return PGEMM_SUCCESS;
}

static void cl_buffer_destroy(void *handle, void *buf)
{
    (void)handle;
    if (buf) clReleaseMemObject((cl_mem)buf);
}

static pgemm_status cl_check(cl_int rc, const char *what, pgemm_err *err)
{
    if (rc == CL_SUCCESS) return PGEMM_SUCCESS;
    pgemm_err_set(err, "%s: %s", what, pgemm_cl_error_name(rc));
    return pgemm_cl_status(rc);
}

static pgemm_status cl_buffer_write(void *handle, void *buf, size_t offset, size_t bytes,
                                    const void *src, pgemm_err *err)
{
    cl_backend *b = handle;
    cl_int rc = clEnqueueWriteBuffer(b->queue, (cl_mem)buf, CL_TRUE, offset, bytes, src, 0, NULL,
                                     NULL);
    return cl_check(rc, "clEnqueueWriteBuffer", err);
}

static pgemm_status cl_buffer_read(void *handle, void *buf, size_t offset, size_t bytes,
                                   void *dst, pgemm_err *err)
{
    cl_backend *b = handle;
    cl_int rc = clEnqueueReadBuffer(b->queue, (cl_mem)buf, CL_TRUE, offset, bytes, dst, 0, NULL,
                                    NULL);
    return cl_check(rc, "clEnqueueReadBuffer", err);
}

static pgemm_status cl_buffer_write_rect(void *handle, void *buf, size_t buf_offset,
                                         size_t buf_pitch, const void *src, size_t host_pitch,
                                         size_t row_bytes, size_t rows, pgemm_err *err)
{
    cl_backend *b = handle;
    size_t buf_origin[3] = {buf_offset, 0, 0}, host_origin[3] = {0, 0, 0};
    size_t region[3] = {row_bytes, rows, 1};
    cl_int rc = clEnqueueWriteBufferRect(b->queue, (cl_mem)buf, CL_TRUE, buf_origin, host_origin,
                                         region, buf_pitch, 0, host_pitch, 0, src, 0, NULL, NULL);
    return cl_check(rc, "clEnqueueWriteBufferRect", err);
}

static pgemm_status cl_buffer_read_rect(void *handle, void *buf, size_t buf_offset,
                                        size_t buf_pitch, void *dst, size_t host_pitch,
                                        size_t row_bytes, size_t rows, pgemm_err *err)
{
    cl_backend *b = handle;
    size_t buf_origin[3] = {buf_offset, 0, 0}, host_origin[3] = {0, 0, 0};
    size_t region[3] = {row_bytes, rows, 1};
    cl_int rc = clEnqueueReadBufferRect(b->queue, (cl_mem)buf, CL_TRUE, buf_origin, host_origin,
                                        region, buf_pitch, 0, host_pitch, 0, dst, 0, NULL, NULL);
    return cl_check(rc, "clEnqueueReadBufferRect", err);
}

/* Builds v's kernel for (alignment, transposes, epilogue) into *slot on
 * first use. */
static pgemm_status build_once(cl_backend *b, const cl_variant *v, int aligned, int ta, int tb,
                               unsigned epilogue, cl_kernel *slot, pgemm_err *err)
{
    if (*slot) return PGEMM_SUCCESS;
    cl_build_target target = {b->context,    b->device, b->has_cache ? &b->cache : NULL,
                              b->device_key, b->gpu,    b->log};
    unsigned build = (aligned ? PGEMM_CL_BUILD_ALIGNED : 0u) |
                     PGEMM_CL_BUILD_EPILOGUE(epilogue & 3u, epilogue >> 2);
    return pgemm_cl_build_kernel(&target, v, ta, tb, build, slot, err);
}

/* The kernel for (variant, alignment, transposes, epilogue). */
static pgemm_status kernel_for(cl_backend *b, size_t index, int aligned, int ta, int tb,
                               unsigned epilogue, cl_kernel *out, pgemm_err *err)
{
    cl_kernel *slot = &b->kernels[index][epilogue * 8 + aligned * 4 + ta * 2 + tb];
    pgemm_status st = build_once(b, pgemm_cl_variant(index), aligned, ta, tb, epilogue, slot, err);
    *out = *slot;
    return st;
}

/* Every access the aligned build makes as a float4 is at a multiple of 4
 * floats from the buffer's start, and the buffer starts on a 16-byte
 * boundary: driver allocations do (CL_DEVICE_MEM_BASE_ADDR_ALIGN), but a
 * CL_MEM_USE_HOST_PTR buffer may live in the caller's memory wherever that
 * is (PoCL uses it in place, where a misaligned float4 load faults). */
static int vector_ready(cl_mem mem, size_t offset, size_t ld, size_t stride, size_t batch)
{
    if (!pgemm_operand_vectors_fit(offset, ld, stride, batch)) return 0;
    /* The driver is asked only when the arithmetic allows the aligned build. */
    void *host = NULL;
    if (clGetMemObjectInfo(mem, CL_MEM_HOST_PTR, sizeof host, &host, NULL) != CL_SUCCESS)
        return 0;
    return ((uintptr_t)host & 15u) == 0;
}

static unsigned epilogue_of(pgemm_activation activation, pgemm_bias bias)
{
    return (unsigned)activation | (unsigned)bias << 2;
}

/* Whether the device takes v's work-groups. */
static pgemm_status fits_device(const cl_backend *b, const cl_variant *v, pgemm_err *err)
{
    size_t items = (size_t)v->desc.wg_m * v->desc.wg_n;
    if (items <= b->max_work_group) return PGEMM_SUCCESS;
    pgemm_err_set(err, "%s needs work-groups of %zu items; the device allows %zu", v->desc.name,
                  items, b->max_work_group);
    return PGEMM_ERROR_UNSUPPORTED;
}

static pgemm_status launch(cl_backend *b, const cl_variant *v, cl_kernel k,
                           const pgemm_gemm_args *g, pgemm_err *err);

static pgemm_status cl_sgemm(void *handle, const pgemm_gemm_args *g, pgemm_err *err)
{
    cl_backend *b = handle;
    const cl_variant *v = pgemm_cl_variant(g->variant);
    if (!v) {
        pgemm_err_set(err, "no variant %zu", g->variant);
        return PGEMM_ERROR_INTERNAL;
    }
    pgemm_status st = fits_device(b, v, err);
    if (st != PGEMM_SUCCESS) return st;
    /* On CPU drivers vload4 is already one unaligned vector load: PoCL and
     * llvmpipe ran both builds at the same speed (tile24, reg64, reg64x128,
     * n = 512 and 1024), so there the aligned build would only double the
     * compile time of each (variant, transposes). */
    int aligned = b->gpu && b->vectors_aligned && pgemm_cl_variant_has_aligned_build(v) &&
                  vector_ready(g->a, g->a_offset, g->lda, g->stride_a, g->batch_count) &&
                  vector_ready(g->b, g->b_offset, g->ldb, g->stride_b, g->batch_count) &&
                  vector_ready(g->c, g->c_offset, g->ldc, g->stride_c, g->batch_count);
    cl_kernel k;
    st = kernel_for(b, g->variant, aligned, g->trans_a, g->trans_b,
                    epilogue_of(g->activation, g->bias_kind), &k, err);
    if (st != PGEMM_SUCCESS) return st;
    return launch(b, v, k, g, err);
}

/* Sets k's arguments from g and queues it over v's NDRange. */
static pgemm_status launch(cl_backend *b, const cl_variant *v, cl_kernel k,
                           const pgemm_gemm_args *g, pgemm_err *err)
{
    cl_int m = (cl_int)g->m, n = (cl_int)g->n, kk = (cl_int)g->k;
    cl_int lda = (cl_int)g->lda, ldb = (cl_int)g->ldb, ldc = (cl_int)g->ldc;
    cl_ulong a_off = g->a_offset, b_off = g->b_offset, c_off = g->c_offset;
    cl_ulong sa = g->stride_a, sb = g->stride_b, sc = g->stride_c;
    cl_mem a = g->a, bm = g->b, c = g->c, bias = g->bias;
    cl_ulong bias_off = g->bias_offset, sbias = g->stride_bias;
    cl_int rc = CL_SUCCESS;
    cl_uint i = 0, buffers = 3;
#define ARG(x) rc |= clSetKernelArg(k, i++, sizeof(x), &(x))
    cl_uint buffer_args[4];
    ARG(m); ARG(n); ARG(kk); ARG(g->alpha); ARG(g->beta);
    buffer_args[0] = i; ARG(a); ARG(a_off); ARG(lda); ARG(sa);
    buffer_args[1] = i; ARG(bm); ARG(b_off); ARG(ldb); ARG(sb);
    buffer_args[2] = i; ARG(c); ARG(c_off); ARG(ldc); ARG(sc);
    if (g->bias_kind != PGEMM_BIAS_NONE) {
        buffer_args[buffers++] = i;
        ARG(bias);
        ARG(bias_off);
        ARG(sbias);
    }
#undef ARG
    if (rc != CL_SUCCESS) {
        pgemm_err_set(err, "clSetKernelArg failed for %s", v->desc.name);
        return PGEMM_ERROR_INTERNAL;
    }
    size_t global[3], local[3];
    pgemm_cl_ndrange(v, g->m, g->n, g->batch_count, global, local);
    rc = clEnqueueNDRangeKernel(b->queue, k, 3, NULL, global, local, 0, NULL, NULL);
    /* Some drivers (Mesa rusticl) hold a reference to every buffer set as a
     * kernel argument until it is replaced: clear them, so that pgemm never
     * keeps a caller's buffer alive past its own use. */
    for (size_t j = 0; j < buffers; j++) clSetKernelArg(k, buffer_args[j], sizeof(cl_mem), NULL);
    if (rc == CL_SUCCESS) rc = clFlush(b->queue);
    return cl_check(rc, "clEnqueueNDRangeKernel", err);
}

/* The partial sums as the A of a K = parts "product" of the sum kernel. */
static pgemm_status cl_sum_parts(void *handle, const pgemm_sum_args *s, pgemm_err *err)
{
    cl_backend *b = handle;
    const cl_variant *v = pgemm_cl_sum_kernel();
    pgemm_status st = fits_device(b, v, err);
    if (st != PGEMM_SUCCESS) return st;
    unsigned epilogue = epilogue_of(s->activation, s->bias_kind);
    st = build_once(b, v, 0, 0, 0, epilogue, &b->sums[epilogue], err);
    if (st != PGEMM_SUCCESS) return st;
    pgemm_gemm_args g = {.m = s->m,
                         .n = s->n,
                         .k = s->parts,
                         .alpha = s->alpha,
                         .beta = s->beta,
                         .a = s->work,
                         .lda = s->m,
                         .stride_a = s->m * s->n,
                         .b = s->work, /* not read */
                         .ldb = 1,
                         .c = s->c,
                         .c_offset = s->c_offset,
                         .ldc = s->ldc,
                         .a_type = PGEMM_F32,
                         .b_type = PGEMM_F32,
                         .batch_count = 1,
                         .activation = s->activation,
                         .bias_kind = s->bias_kind,
                         .bias = s->bias,
                         .bias_offset = s->bias_offset};
    return launch(b, v, b->sums[epilogue], &g, err);
}

static pgemm_status cl_buffer_wrap(void *handle, void *native, size_t *bytes, void **out,
                                   pgemm_err *err)
{
    cl_backend *b = handle;
    cl_mem mem = native;
    cl_context owner = NULL;
    size_t size = 0;
    cl_int rc = clGetMemObjectInfo(mem, CL_MEM_CONTEXT, sizeof owner, &owner, NULL);
    if (rc == CL_SUCCESS) rc = clGetMemObjectInfo(mem, CL_MEM_SIZE, sizeof size, &size, NULL);
    if (rc != CL_SUCCESS) {
        pgemm_err_set(err, "mem is not a usable cl_mem: %s", pgemm_cl_error_name(rc));
        return PGEMM_ERROR_INVALID_ARGUMENT;
    }
    if (owner != b->context) {
        pgemm_err_set(err, "mem belongs to another OpenCL context than this pgemm context's queue");
        return PGEMM_ERROR_INVALID_ARGUMENT;
    }
    if (*bytes != 0 && *bytes != size) {
        pgemm_err_set(err, "internal: a cl_mem's size comes from the cl_mem (%zu bytes), not %zu",
                      size, *bytes);
        return PGEMM_ERROR_INTERNAL;
    }
    clRetainMemObject(mem);
    *bytes = size;
    *out = mem;
    return PGEMM_SUCCESS;
}

static void *cl_native_queue(void *handle) { return ((cl_backend *)handle)->queue; }

static void *cl_native_buffer(void *handle, void *buf)
{
    (void)handle;
    return buf; /* buffers are cl_mem objects */
}

/* Waits on a marker event rather than clFinish alone: Mesa rusticl 22.3's
 * clFinish can return while kernels are still queued. */
static pgemm_status cl_synchronize(void *handle, pgemm_err *err)
{
    cl_backend *b = handle;
    cl_event marker = NULL;
    cl_int rc = clEnqueueMarker(b->queue, &marker);
    if (rc == CL_SUCCESS) rc = clWaitForEvents(1, &marker);
    if (marker) clReleaseEvent(marker);
    if (rc == CL_SUCCESS) rc = clFinish(b->queue);
    return cl_check(rc, "waiting for the queue", err);
}

static const pgemm_backend_iface k_iface = {
    /* .api_version       = */ PGEMM_BACKEND_API_VERSION,
    /* .name              = */ "opencl",
    /* .describe          = */ cl_describe,
    /* .create            = */ cl_create,
    /* .destroy           = */ cl_destroy,
    /* .variant_count     = */ cl_variant_count,
    /* .variant           = */ cl_variant_desc,
    /* .buffer_create     = */ cl_buffer_create,
    /* .buffer_destroy    = */ cl_buffer_destroy,
    /* .buffer_write      = */ cl_buffer_write,
    /* .buffer_read       = */ cl_buffer_read,
    /* .buffer_write_rect = */ cl_buffer_write_rect,
    /* .buffer_read_rect  = */ cl_buffer_read_rect,
    /* .sgemm             = */ cl_sgemm,
    /* .synchronize       = */ cl_synchronize,
    /* .buffer_wrap       = */ cl_buffer_wrap,
    /* .native_queue      = */ cl_native_queue,
    /* .native_buffer     = */ cl_native_buffer,
    /* .sum_parts         = */ cl_sum_parts,
};

__attribute__((visibility("default"))) const pgemm_backend_iface *pgemm_backend_entry(void)
{
    return &k_iface;
}
