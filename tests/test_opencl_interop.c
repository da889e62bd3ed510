/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * OpenCL interop (include/pgemm_opencl.h): pgemm running on the program's
 * own command queue and multiplying matrices in the program's own cl_mem
 * buffers, ordered with the program's commands on that queue.
 */
#include <stdlib.h>

#include "pgemm_opencl.h"
#include "pgemm_ref.h"
#include "test_util.h"

/* Reference counts read through the API are stale by definition (queued
 * commands hold references too), so ownership is tested by behaviour: a
 * destructor callback says when the driver really frees a cl_mem. */
static volatile int g_freed;

static void CL_CALLBACK on_free(cl_mem m, void *flag)
{
    (void)m;
    *(volatile int *)flag = 1;
}

/* Waits up to 2 s for an asynchronous destructor callback. */
static int wait_for(volatile int *flag)
{
    double t0 = pgemm_now_seconds();
    while (!*flag && pgemm_now_seconds() - t0 < 2.0) {
    }
    return *flag;
}

static cl_mem make_mem(cl_context c, size_t bytes)
{
    cl_int rc;
    cl_mem m = clCreateBuffer(c, CL_MEM_READ_WRITE, bytes, NULL, &rc);
    REQUIRE(rc == CL_SUCCESS && m);
    return m;
}

/* Row-major C(m x n) = alpha A(m x k) B^T + beta C, all three in the
 * caller's buffers at element offsets, the inputs written with
 * non-blocking writes just before pgemm runs on the same queue. */
static void gemm_on_caller_queue(cl_context clctx, cl_command_queue q, pgemm_context *ctx)
{
    const size_t m = 37, n = 29, k = 45, off = 5, lda = k + 3, ldb = k + 1, ldc = n + 2;
    const size_t na = off + m * lda, nb = off + n * ldb, nc = off + m * ldc;
    float *a = malloc(na * sizeof *a), *b = malloc(nb * sizeof *b), *c0 = malloc(nc * sizeof *c0);
    float *c = malloc(nc * sizeof *c);
    double *ref = malloc(m * n * sizeof *ref), *mag = malloc(m * n * sizeof *mag);
    REQUIRE(a && b && c0 && c && ref && mag);
    uint64_t seed = 42;
    pgemm_fill_random(a, na, &seed);
    pgemm_fill_random(b, nb, &seed);
    pgemm_fill_random(c0, nc, &seed);

    cl_mem ma = make_mem(clctx, na * sizeof *a), mb = make_mem(clctx, nb * sizeof *b);
    cl_mem mc = make_mem(clctx, nc * sizeof *c);
    REQUIRE(clEnqueueWriteBuffer(q, ma, CL_FALSE, 0, na * sizeof *a, a, 0, NULL, NULL) == 0);
    REQUIRE(clEnqueueWriteBuffer(q, mb, CL_FALSE, 0, nb * sizeof *b, b, 0, NULL, NULL) == 0);
    REQUIRE(clEnqueueWriteBuffer(q, mc, CL_FALSE, 0, nc * sizeof *c, c0, 0, NULL, NULL) == 0);

    pgemm_buffer *pa = NULL, *pb = NULL, *pc = NULL;
    CHECK_OK(ctx, pgemm_buffer_wrap_opencl(ctx, ma, &pa));
    CHECK_OK(ctx, pgemm_buffer_wrap_opencl(ctx, mb, &pb));
    CHECK_OK(ctx, pgemm_buffer_wrap_opencl(ctx, mc, &pc));
    REQUIRE(pa && pb && pc);
    CHECK(pgemm_buffer_size(pa) == na * sizeof(float));
    /* From here on only pgemm's reference keeps A alive. */
    g_freed = 0;
    REQUIRE(clSetMemObjectDestructorCallback(ma, on_free, (void *)&g_freed) == CL_SUCCESS);
    clReleaseMemObject(ma);
    cl_mem back = NULL;
    CHECK_OK(ctx, pgemm_buffer_opencl_mem(pb, &back));
    CHECK(back == mb);

    CHECK_OK(ctx, pgemm_sgemm(ctx, PGEMM_ROW_MAJOR, PGEMM_NO_TRANS, PGEMM_TRANS, m, n, k, 1.5f, pa,
                              off, lda, pb, off, ldb, -0.5f, pc, off, ldc));
    /* The caller's own blocking read on the same queue sees pgemm's result. */
    REQUIRE(clEnqueueReadBuffer(q, mc, CL_TRUE, 0, nc * sizeof *c, c, 0, NULL, NULL) == 0);

    REQUIRE(pgemm_ref_gemm(PGEMM_ROW_MAJOR, PGEMM_NO_TRANS, PGEMM_TRANS, m, n, k, 1.5f, a + off,
                           lda, b + off, ldb, -0.5f, c0 + off, ldc, ref, mag) == 0);
    pgemm_ref_report rep;
    size_t bad = pgemm_ref_compare(PGEMM_ROW_MAJOR, m, n, k, c + off, ldc, ref, mag, 2.0, &rep);
    CHECK_MSG(bad == 0, "%zu entries outside the bound, first (%zu, %zu): got %g want %g", bad,
              rep.first_bad_i, rep.first_bad_j, rep.first_bad_got, rep.first_bad_want);
    for (size_t i = 0; i < off; i++) CHECK(test_same_bits(c[i], c0[i]));
    for (size_t i = 0; i < m; i++)
        for (size_t j = n; j < ldc; j++)
            CHECK(test_same_bits(c[off + i * ldc + j], c0[off + i * ldc + j]));
    printf("interop gemm: max error %.3g of the bound, relative Frobenius %.3g\n",
           rep.max_scaled_err, rep.rel_fro_err);

    /* The wrapped size bounds the call like any pgemm buffer's. */
    CHECK_STATUS(ctx, PGEMM_ERROR_INVALID_ARGUMENT,
                 pgemm_sgemm(ctx, PGEMM_ROW_MAJOR, PGEMM_NO_TRANS, PGEMM_TRANS, m + 1, n, k, 1.0f,
                             pa, off, lda, pb, off, ldb, 0.0f, pc, off, ldc));
    CHECK_CONTAINS(pgemm_last_error(ctx), "buffer A holds");

    CHECK(!g_freed); /* still held by pgemm's buffer */
    pgemm_buffer_destroy(pa);
    pgemm_buffer_destroy(pb);
    pgemm_buffer_destroy(pc);
    clFinish(q);
    CHECK_MSG(wait_for(&g_freed), "A was not freed after pgemm_buffer_destroy: a reference leaked");
    clReleaseMemObject(mb);
    clReleaseMemObject(mc);
    free(a); free(b); free(c0); free(c); free(ref); free(mag);
}

/* Column-major C = A B + C in the caller's CL_MEM_USE_HOST_PTR buffers
 * whose host memory starts 4 bytes past a 16-byte boundary: offsets and
 * leading dimensions are multiples of 4 floats, yet the operands are not
 * 16-byte aligned, so pgemm must not run the float4 (aligned) build of the
 * forced variant there (PoCL uses the host memory in place, and a
 * misaligned vector load faults). */
static void gemm_in_misaligned_host_memory(cl_context clctx, cl_command_queue q,
                                           pgemm_context *ctx)
{
    const size_t n = 64, count = n * n;
    float *store = aligned_alloc(64, 3 * (count + 16) * sizeof(float));
    double *ref = malloc(count * sizeof *ref), *mag = malloc(count * sizeof *mag);
    float *c = malloc(count * sizeof *c);
    REQUIRE(store && ref && mag && c);
    float *a = store + 1, *b = store + count + 17, *c0 = store + 2 * count + 33;
    uint64_t seed = 7;
    pgemm_fill_random(a, count, &seed);
    pgemm_fill_random(b, count, &seed);
    pgemm_fill_random(c0, count, &seed);
    REQUIRE(pgemm_ref_gemm(PGEMM_COL_MAJOR, PGEMM_NO_TRANS, PGEMM_NO_TRANS, n, n, n, 1.0f, a, n,
                           b, n, 1.0f, c0, n, ref, mag) == 0);
    cl_int rc;
    cl_mem m[3];
    float *host[3] = {a, b, c0};
    for (int i = 0; i < 3; i++) {
        m[i] = clCreateBuffer(clctx, CL_MEM_READ_WRITE | CL_MEM_USE_HOST_PTR,
                              count * sizeof(float), host[i], &rc);
        REQUIRE(rc == CL_SUCCESS && m[i]);
    }
    pgemm_buffer *p[3] = {NULL, NULL, NULL};
    for (int i = 0; i < 3; i++) CHECK_OK(ctx, pgemm_buffer_wrap_opencl(ctx, m[i], &p[i]));
    CHECK_OK(ctx, pgemm_force_variant(ctx, "tile24"));
    CHECK_OK(ctx, pgemm_sgemm(ctx, PGEMM_COL_MAJOR, PGEMM_NO_TRANS, PGEMM_NO_TRANS, n, n, n, 1.0f,
                              p[0], 0, n, p[1], 0, n, 1.0f, p[2], 0, n));
    REQUIRE(clEnqueueReadBuffer(q, m[2], CL_TRUE, 0, count * sizeof *c, c, 0, NULL, NULL) == 0);
    pgemm_ref_report rep;
    size_t bad = pgemm_ref_compare(PGEMM_COL_MAJOR, n, n, n, c, n, ref, mag, 2.0, &rep);
    CHECK_MSG(bad == 0, "misaligned host memory: %zu entries outside the bound", bad);
    printf("gemm in misaligned host memory: max error %.3g of the bound\n", rep.max_scaled_err);
    CHECK_OK(ctx, pgemm_force_variant(ctx, NULL));
    for (int i = 0; i < 3; i++) {
        pgemm_buffer_destroy(p[i]);
        clReleaseMemObject(m[i]);
    }
    clFinish(q);
    free(store); free(ref); free(mag); free(c);
}

int main(void)
{
    test_begin("test_opencl_interop");
    /* The device the environment picks, through a plain context. */
    pgemm_context *plain = test_context();
    cl_command_queue plain_q = NULL;
    CHECK_OK(plain, pgemm_opencl_queue(plain, &plain_q));
    REQUIRE(plain_q);
    cl_device_id dev;
    REQUIRE(clGetCommandQueueInfo(plain_q, CL_QUEUE_DEVICE, sizeof dev, &dev, NULL) == 0);

    /* The program's own OpenCL context and queue on that device. */
    cl_int rc;
    cl_context clctx = clCreateContext(NULL, 1, &dev, NULL, NULL, &rc);
    REQUIRE(rc == CL_SUCCESS);
    cl_command_queue q = clCreateCommandQueue(clctx, dev, 0, &rc);
    REQUIRE(rc == CL_SUCCESS);

    pgemm_context *ctx = NULL;
    CHECK_OK(NULL, pgemm_context_create_opencl(q, NULL, &ctx));
    REQUIRE(ctx);
    pgemm_info info;
    CHECK_OK(ctx, pgemm_context_info(ctx, &info));
    CHECK_CONTAINS(info.why, "caller's command queue");
    cl_command_queue got = NULL;
    CHECK_OK(ctx, pgemm_opencl_queue(ctx, &got));
    CHECK(got == q);

    gemm_on_caller_queue(clctx, q, ctx);
    gemm_in_misaligned_host_memory(clctx, q, ctx);

    /* A cl_mem of another OpenCL context is refused, and nothing is kept. */
    cl_context other = clCreateContext(NULL, 1, &dev, NULL, NULL, &rc);
    REQUIRE(rc == CL_SUCCESS);
    cl_mem foreign = make_mem(other, 256);
    pgemm_buffer *wrapped = (pgemm_buffer *)1;
    CHECK_STATUS(ctx, PGEMM_ERROR_INVALID_ARGUMENT, pgemm_buffer_wrap_opencl(ctx, foreign, &wrapped));
    CHECK(wrapped == NULL);
    CHECK_CONTAINS(pgemm_last_error(ctx), "another OpenCL context");
    g_freed = 0;
    REQUIRE(clSetMemObjectDestructorCallback(foreign, on_free, (void *)&g_freed) == CL_SUCCESS);
    CHECK_STATUS(ctx, PGEMM_ERROR_INVALID_ARGUMENT, pgemm_buffer_wrap_opencl(ctx, NULL, &wrapped));
    CHECK_CONTAINS(pgemm_last_error(ctx), "mem is NULL");
    clReleaseMemObject(foreign);
    CHECK_MSG(wait_for(&g_freed), "a refused cl_mem was not freed: the refusal kept a reference");
    clReleaseContext(other);

    /* Buffers pgemm creates are cl_mem objects of the caller's context too. */
    pgemm_buffer *own = NULL;
    CHECK_OK(ctx, pgemm_buffer_create(ctx, 1024, &own));
    cl_mem own_mem = NULL;
    CHECK_OK(ctx, pgemm_buffer_opencl_mem(own, &own_mem));
    cl_context own_ctx = NULL;
    clGetMemObjectInfo(own_mem, CL_MEM_CONTEXT, sizeof own_ctx, &own_ctx, NULL);
    CHECK(own_ctx == clctx);
    pgemm_buffer_destroy(own);

    pgemm_context_destroy(ctx);
    /* The caller's queue lives on after the pgemm context is gone. */
    cl_mem after = make_mem(clctx, 64);
    float probe[16] = {0};
    CHECK(clEnqueueWriteBuffer(q, after, CL_TRUE, 0, sizeof probe, probe, 0, NULL, NULL) ==
          CL_SUCCESS);
    CHECK(clFinish(q) == CL_SUCCESS);
    clReleaseMemObject(after);

    /* Bad queues. */
    pgemm_context *bad = (pgemm_context *)1;
    CHECK_STATUS(NULL, PGEMM_ERROR_INVALID_ARGUMENT, pgemm_context_create_opencl(NULL, NULL, &bad));
    CHECK(bad == NULL);
    CHECK_CONTAINS(pgemm_last_error(NULL), "queue is NULL");
    cl_command_queue_properties props = 0;
    clGetDeviceInfo(dev, CL_DEVICE_QUEUE_PROPERTIES, sizeof props, &props, NULL);
    if (props & CL_QUEUE_OUT_OF_ORDER_EXEC_MODE_ENABLE) {
        cl_command_queue ooo =
            clCreateCommandQueue(clctx, dev, CL_QUEUE_OUT_OF_ORDER_EXEC_MODE_ENABLE, &rc);
        REQUIRE(rc == CL_SUCCESS);
        CHECK_STATUS(NULL, PGEMM_ERROR_UNSUPPORTED, pgemm_context_create_opencl(ooo, NULL, &bad));
        CHECK_CONTAINS(pgemm_last_error(NULL), "out-of-order");
        clReleaseCommandQueue(ooo);
    } else {
        printf("the device has no out-of-order queues: that refusal is not exercised here\n");
    }

    clReleaseCommandQueue(q);
    clReleaseContext(clctx);
    pgemm_context_destroy(plain);
    return test_finish();
}
