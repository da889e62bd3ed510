/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * HIP interop (include/pgemm_hip.h) as a HIP or CUDA program uses it: the
 * program allocates with the runtime, queues its own kernel, then pgemm's
 * GEMM on the same stream, then its own kernel again, and synchronises once
 * at the end. The test proves the order (pgemm read what the first kernel
 * wrote, the last kernel read what pgemm wrote), that pgemm returned without
 * waiting for the stream, and that the work ran on the HIP backend; then the
 * epilogue, fp16-mixed (packing on the same stream), the null stream, the
 * host-pointer call on such a context, and the refusals.
 *
 *   test_hip_interop        needs a HIP device (skipped, 77, without one)
 */
#include <stdlib.h>

#include "interop_kernels.h"
#include "pgemm_hip.h"
#include "pgemm_ref.h"
#include "test_util.h"

/* Clock cycles the first kernel spins: about 0.25 s at 2 GHz, far longer
 * than pgemm's host side takes to queue a call. */
#define SPIN_CYCLES 500000000LL

enum { M = 301, N = 203, K = 257, LDA = M + 3, LDB = K + 1, LDC = M + 5 };

typedef struct device_arrays {
    float *a, *b, *c, *d, *bias;
} device_arrays;

static size_t a_count(void) { return (size_t)LDA * K; }
static size_t b_count(void) { return (size_t)LDB * N; }
static size_t c_count(void) { return (size_t)LDC * N; }

static void host_fill(float *x, size_t n, int seed)
{
    for (size_t i = 0; i < n; i++) x[i] = interop_value((long long)i, seed);
}

static int check_hip(hipError_t rc, const char *what)
{
    CHECK_MSG(rc == hipSuccess, "%s: %s", what, hipGetErrorString(rc));
    return rc == hipSuccess;
}

/* The caller's kernels before pgemm: A, B, C and the bias filled on
 * `stream`, the first after a long spin. */
static void queue_fills(const device_arrays *d, hipStream_t stream, long long spin)
{
    check_hip((hipError_t)interop_fill(d->a, (long long)a_count(), 1, spin, stream), "fill A");
    check_hip((hipError_t)interop_fill(d->b, (long long)b_count(), 2, 0, stream), "fill B");
    check_hip((hipError_t)interop_fill(d->c, (long long)c_count(), 3, 0, stream), "fill C");
    check_hip((hipError_t)interop_fill(d->bias, N, 4, 0, stream), "fill bias");
}

/* The expected C (and D, its copy) of C = act(alpha A B + beta C0 + bias). */
static size_t compare_result(const float *got, float alpha, float beta, pgemm_activation act,
                             int with_bias, const char *what)
{
    float *a = malloc(a_count() * sizeof *a), *b = malloc(b_count() * sizeof *b);
    float *c0 = malloc(c_count() * sizeof *c0), bias[N];
    double *ref = malloc((size_t)M * N * sizeof *ref), *mag = malloc((size_t)M * N * sizeof *mag);
    size_t bad = (size_t)-1;
    if (a && b && c0 && ref && mag) {
        host_fill(a, a_count(), 1);
        host_fill(b, b_count(), 2);
        host_fill(c0, c_count(), 3);
        host_fill(bias, N, 4);
        pgemm_ref_gemm(PGEMM_COL_MAJOR, PGEMM_NO_TRANS, PGEMM_NO_TRANS, M, N, K, alpha, a, LDA, b,
                       LDB, beta, c0, LDC, ref, mag);
        for (size_t j = 0; j < N; j++)
            for (size_t i = 0; i < M; i++)
                pgemm_ref_epilogue(act, with_bias ? bias[j] : 0.0, &ref[i + j * M],
                                   &mag[i + j * M]);
        pgemm_ref_report rep = {0};
        bad = pgemm_ref_compare(PGEMM_COL_MAJOR, M, N, K, got, LDC, ref, mag, 2.0, &rep);
        CHECK_MSG(bad == 0, "%s: %zu of %zu elements wrong, first (%zu, %zu) = %g, want %g", what,
                  bad, rep.checked, rep.first_bad_i, rep.first_bad_j, rep.first_bad_got,
                  rep.first_bad_want);
    } else {
        CHECK_MSG(0, "%s: out of host memory", what);
    }
    free(a), free(b), free(c0), free(ref), free(mag);
    return bad;
}

/* D copied to the host after one synchronisation of the stream. */
static void read_back(float *host, const float *device, size_t count, hipStream_t stream)
{
    check_hip(hipStreamSynchronize(stream), "hipStreamSynchronize");
    check_hip(hipMemcpy(host, device, count * sizeof *host, hipMemcpyDeviceToHost),
              "hipMemcpy D to host");
}

typedef struct wrapped {
    pgemm_buffer *a, *b, *c, *d, *bias;
} wrapped;

static int wrap_all(pgemm_context *ctx, const device_arrays *d, wrapped *w)
{
    CHECK_OK(ctx, pgemm_buffer_wrap_hip(ctx, d->a, a_count() * sizeof(float), &w->a));
    CHECK_OK(ctx, pgemm_buffer_wrap_hip(ctx, d->b, b_count() * sizeof(float), &w->b));
    CHECK_OK(ctx, pgemm_buffer_wrap_hip(ctx, d->c, c_count() * sizeof(float), &w->c));
    CHECK_OK(ctx, pgemm_buffer_wrap_hip(ctx, d->d, c_count() * sizeof(float), &w->d));
    CHECK_OK(ctx, pgemm_buffer_wrap_hip(ctx, d->bias, N * sizeof(float), &w->bias));
    return w->a && w->b && w->c && w->d && w->bias;
}

static void unwrap_all(wrapped *w)
{
    pgemm_buffer_destroy(w->a), pgemm_buffer_destroy(w->b), pgemm_buffer_destroy(w->c);
    pgemm_buffer_destroy(w->d), pgemm_buffer_destroy(w->bias);
}

/* Kernel, pgemm, kernel on one stream; returns 1 when pgemm left the stream
 * busy (it did not wait for the spinning kernel). */
static int ordered_call(pgemm_context *ctx, const device_arrays *d, const wrapped *w,
                        hipStream_t stream, const pgemm_epilogue *epi, long long spin)
{
    queue_fills(d, stream, spin);
    CHECK_OK(ctx, pgemm_gemm_epilogue(ctx, PGEMM_COL_MAJOR, PGEMM_NO_TRANS, PGEMM_NO_TRANS, M, N, K,
                                      0.75f, w->a, PGEMM_F32, 0, LDA, w->b, PGEMM_F32, 0, LDB, 0.5f,
                                      w->c, 0, LDC, epi));
    int busy = hipStreamQuery(stream) == hipErrorNotReady;
    check_hip((hipError_t)interop_copy(d->c, d->d, (long long)c_count(), stream), "copy C to D");
    return busy;
}

static void check_last_call(pgemm_context *ctx, int want_fp16, int want_epilogue)
{
    pgemm_call_info info;
    CHECK_OK(ctx, pgemm_last_call(ctx, &info));
    CHECK_MSG(info.backend == PGEMM_BACKEND_HIP, "the call ran on backend %d, not HIP",
              (int)info.backend);
    CHECK_MSG(info.precision_used ==
                  (want_fp16 ? PGEMM_PRECISION_FP16_MIXED : PGEMM_PRECISION_FP32),
              "precision used %d (variant %s)", (int)info.precision_used, info.variant);
    CHECK_MSG(info.epilogue_fused == want_epilogue, "epilogue_fused %d, want %d",
              info.epilogue_fused, want_epilogue);
}

static void test_on_stream(pgemm_context *ctx, const device_arrays *d, hipStream_t stream)
{
    wrapped w = {0};
    if (!wrap_all(ctx, d, &w)) return;
    void *ptr = NULL;
    CHECK_OK(ctx, pgemm_buffer_hip_pointer(w.c, &ptr));
    CHECK_MSG(ptr == d->c, "pgemm_buffer_hip_pointer gives %p, not the wrapped %p", ptr,
              (void *)d->c);
    CHECK(pgemm_buffer_size(w.c) == c_count() * sizeof(float));
    float *host = malloc(c_count() * sizeof *host);
    if (!host) return;

    /* Once unspun, so that every kernel's code is loaded before the timed
     * order check. */
    ordered_call(ctx, d, &w, stream, NULL, 0);
    read_back(host, d->d, c_count(), stream);
    compare_result(host, 0.75f, 0.5f, PGEMM_ACTIVATION_NONE, 0, "warm-up call");

    int busy = ordered_call(ctx, d, &w, stream, NULL, SPIN_CYCLES);
    CHECK_MSG(busy, "the stream was idle when pgemm_gemm returned: pgemm waited for the "
                    "caller's kernel (or ran elsewhere)");
    read_back(host, d->d, c_count(), stream);
    compare_result(host, 0.75f, 0.5f, PGEMM_ACTIVATION_NONE, 0, "kernel, pgemm, kernel");
    check_last_call(ctx, 0, 0);

    pgemm_epilogue epi;
    pgemm_epilogue_init(&epi);
    epi.activation = PGEMM_ACTIVATION_GELU_TANH;
    epi.bias = PGEMM_BIAS_PER_COLUMN;
    epi.bias_buffer = w.bias;
    busy = ordered_call(ctx, d, &w, stream, &epi, SPIN_CYCLES);
    CHECK_MSG(busy, "the stream was idle when the epilogue call returned");
    read_back(host, d->d, c_count(), stream);
    compare_result(host, 0.75f, 0.5f, PGEMM_ACTIVATION_GELU_TANH, 1, "GELU + bias");
    check_last_call(ctx, 0, 1);

    pgemm_info info;
    CHECK_OK(ctx, pgemm_context_info(ctx, &info));
    if (info.has_fp16_tiles) {
        /* fp32 operands under FP16_MIXED: the packing pass runs on the
         * stream too. The values are exact in fp16. */
        CHECK_OK(ctx, pgemm_set_precision(ctx, PGEMM_PRECISION_FP16_MIXED));
        ordered_call(ctx, d, &w, stream, NULL, 0);
        read_back(host, d->d, c_count(), stream);
        busy = ordered_call(ctx, d, &w, stream, NULL, SPIN_CYCLES);
        CHECK_MSG(busy, "the stream was idle when the fp16-mixed call returned");
        read_back(host, d->d, c_count(), stream);
        compare_result(host, 0.75f, 0.5f, PGEMM_ACTIVATION_NONE, 0, "fp16-mixed");
        check_last_call(ctx, 1, 0);
        CHECK_OK(ctx, pgemm_set_precision(ctx, PGEMM_PRECISION_FP32));
    } else {
        printf("test_hip_interop: no fp16 tiles on this device; fp16-mixed not checked\n");
    }

    /* An extent check against the size the caller gave: C wrapped one
     * column short is refused, and C is left as it was. */
    pgemm_buffer *short_c = NULL;
    CHECK_OK(ctx, pgemm_buffer_wrap_hip(ctx, d->c, (c_count() - LDC) * sizeof(float), &short_c));
    queue_fills(d, stream, 0);
    CHECK_STATUS(ctx, PGEMM_ERROR_INVALID_ARGUMENT,
                 pgemm_sgemm(ctx, PGEMM_COL_MAJOR, PGEMM_NO_TRANS, PGEMM_NO_TRANS, M, N, K, 1.0f,
                             w.a, 0, LDA, w.b, 0, LDB, 0.0f, short_c, 0, LDC));
    read_back(host, d->c, c_count(), stream);
    size_t changed = 0;
    for (size_t i = 0; i < c_count(); i++) changed += host[i] != interop_value((long long)i, 3);
    CHECK_MSG(changed == 0, "a refused call changed %zu elements of C", changed);
    pgemm_buffer_destroy(short_c);
    free(host);
    unwrap_all(&w);
}

/* What pgemm_buffer_wrap_hip refuses. */
static void test_refusals(pgemm_context *ctx, const device_arrays *d)
{
    pgemm_buffer *buf = NULL;
    size_t bytes = c_count() * sizeof(float);
    CHECK_STATUS(ctx, PGEMM_ERROR_INVALID_ARGUMENT, pgemm_buffer_wrap_hip(ctx, NULL, 64, &buf));
    CHECK_STATUS(ctx, PGEMM_ERROR_INVALID_ARGUMENT, pgemm_buffer_wrap_hip(ctx, d->c, 0, &buf));
    float *host = malloc(bytes);
    CHECK_STATUS(ctx, PGEMM_ERROR_INVALID_ARGUMENT, pgemm_buffer_wrap_hip(ctx, host, bytes, &buf));
    CHECK_MSG(strstr(pgemm_last_error(ctx), "not device memory") != NULL,
              "host memory refused with \"%s\"", pgemm_last_error(ctx));
    free(host);
    CHECK_STATUS(ctx, PGEMM_ERROR_INVALID_ARGUMENT,
                 pgemm_buffer_wrap_hip(ctx, d->c, bytes + (1u << 20), &buf));
    CHECK_MSG(strstr(pgemm_last_error(ctx), "past the end") != NULL,
              "a range past the allocation refused with \"%s\"", pgemm_last_error(ctx));
    CHECK_STATUS(ctx, PGEMM_ERROR_INVALID_ARGUMENT,
                 pgemm_buffer_wrap_hip(ctx, d->c + c_count() / 2, bytes, &buf));
    CHECK(buf == NULL);
    /* A range inside the allocation is a buffer of that size. */
    CHECK_OK(ctx, pgemm_buffer_wrap_hip(ctx, d->c + 16, bytes - 16 * sizeof(float), &buf));
    CHECK(pgemm_buffer_size(buf) == bytes - 16 * sizeof(float));
    pgemm_buffer_destroy(buf);

    int count = 0;
    hipGetDeviceCount(&count);
    pgemm_context *bad = NULL;
    CHECK_STATUS(NULL, PGEMM_ERROR_INVALID_ARGUMENT,
                 pgemm_context_create_hip(count, NULL, NULL, &bad));
    CHECK_STATUS(NULL, PGEMM_ERROR_INVALID_ARGUMENT,
                 pgemm_context_create_hip(-1, NULL, NULL, &bad));
    CHECK(bad == NULL);
}

/* The null stream, and pgemm_sgemm_host on an interop context. */
static void test_null_stream(const device_arrays *d)
{
    pgemm_context *ctx = NULL;
    CHECK_OK(NULL, pgemm_context_create_hip(0, NULL, NULL, &ctx));
    if (!ctx) return;
    pgemm_hip_stream_t s = (pgemm_hip_stream_t)1;
    CHECK_OK(ctx, pgemm_hip_stream(ctx, &s));
    CHECK(s == NULL);
    wrapped w = {0};
    float *host = malloc(c_count() * sizeof *host);
    if (host && wrap_all(ctx, d, &w)) {
        ordered_call(ctx, d, &w, NULL, NULL, 0);
        read_back(host, d->d, c_count(), NULL);
        compare_result(host, 0.75f, 0.5f, PGEMM_ACTIVATION_NONE, 0, "null stream");

        float *a = malloc(a_count() * sizeof *a), *b = malloc(b_count() * sizeof *b);
        if (a && b) {
            host_fill(a, a_count(), 1), host_fill(b, b_count(), 2), host_fill(host, c_count(), 3);
            CHECK_OK(ctx, pgemm_sgemm_host(ctx, PGEMM_COL_MAJOR, PGEMM_NO_TRANS, PGEMM_NO_TRANS, M,
                                           N, K, 0.75f, a, LDA, b, LDB, 0.5f, host, LDC));
            compare_result(host, 0.75f, 0.5f, PGEMM_ACTIVATION_NONE, 0, "pgemm_sgemm_host");
        }
        free(a), free(b);
    }
    free(host);
    unwrap_all(&w);
    pgemm_context_destroy(ctx);
}

int main(void)
{
    test_begin("test_hip_interop");
    int count = 0;
    if (hipGetDeviceCount(&count) != hipSuccess || count == 0) {
        printf("test_hip_interop: SKIP: no HIP device (%s)\n",
               count == 0 ? "none found" : "the runtime reports an error");
        return TEST_SKIP;
    }
    check_hip(hipSetDevice(0), "hipSetDevice(0)");
    hipStream_t stream = NULL;
    device_arrays d = {0};
    if (!check_hip(hipStreamCreateWithFlags(&stream, hipStreamNonBlocking), "stream") ||
        !check_hip(hipMalloc((void **)&d.a, a_count() * sizeof(float)), "hipMalloc A") ||
        !check_hip(hipMalloc((void **)&d.b, b_count() * sizeof(float)), "hipMalloc B") ||
        !check_hip(hipMalloc((void **)&d.c, c_count() * sizeof(float)), "hipMalloc C") ||
        !check_hip(hipMalloc((void **)&d.d, c_count() * sizeof(float)), "hipMalloc D") ||
        !check_hip(hipMalloc((void **)&d.bias, N * sizeof(float)), "hipMalloc bias"))
        return test_finish();

    pgemm_context *ctx = NULL;
    CHECK_OK(NULL, pgemm_context_create_hip(0, stream, NULL, &ctx));
    if (ctx) {
        pgemm_hip_stream_t s = NULL;
        CHECK_OK(ctx, pgemm_hip_stream(ctx, &s));
        CHECK_MSG(s == stream, "pgemm_hip_stream gives another stream than the caller's");
        pgemm_info info;
        CHECK_OK(ctx, pgemm_context_info(ctx, &info));
        printf("test_hip_interop: %s on %s (%s)\n", info.backend_name, info.device, info.why);
        test_on_stream(ctx, &d, stream);
        test_refusals(ctx, &d);
        pgemm_context_destroy(ctx);
        /* The caller's stream outlives the context. */
        check_hip((hipError_t)interop_fill(d.d, 16, 5, 0, stream), "a launch after destroy");
        check_hip(hipStreamSynchronize(stream), "the stream after pgemm_context_destroy");
    }
    test_null_stream(&d);
    hipFree(d.a), hipFree(d.b), hipFree(d.c), hipFree(d.d), hipFree(d.bias);
    hipStreamDestroy(stream);
    return test_finish();
}
