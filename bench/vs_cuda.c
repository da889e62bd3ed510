/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vs_cuda.c: the CUDA runtime and cuBLAS for pgemm_vs_cublas, loaded with
 * dlopen at run time, so the bench builds (and says clearly why it cannot
 * run) on machines without CUDA; and the loader helpers epilogue_vs_cublaslt
 * opens cuBLASLt with.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vs_cublas.h"

/* Where the CUDA libraries are looked for after the loader's own search path. */
static const char *const cuda_dirs[] = {"/usr/local/cuda/lib64", "/usr/local/cuda/lib",
                                        "/usr/lib/x86_64-linux-gnu"};
#define N_CUDA_DIRS (sizeof cuda_dirs / sizeof cuda_dirs[0])

void *vs_cuda_load_library(const char *what, const char *stem, char *path, size_t cap, char *why,
                           size_t why_cap)
{
    static const char *const suffixes[] = {".so.13", ".so.12", ".so"};
    char first_error[512] = "";
    for (size_t d = 0; d <= N_CUDA_DIRS; d++)
        for (size_t i = 0; i < 3; i++) {
            char full[512];
            if (d == 0)
                snprintf(full, sizeof full, "%s%s", stem, suffixes[i]);
            else
                snprintf(full, sizeof full, "%s/%s%s", cuda_dirs[d - 1], stem, suffixes[i]);
            void *h = dlopen(full, RTLD_NOW | RTLD_LOCAL);
            if (h) {
                snprintf(path, cap, "%s", full);
                return h;
            }
            if (!first_error[0]) snprintf(first_error, sizeof first_error, "%s", dlerror());
        }
    snprintf(why, why_cap, "cannot load %s (%s.so.13/.12/.so, also under %s): %s", what, stem,
             cuda_dirs[0], first_error);
    return NULL;
}

int vs_cuda_symbol(void *lib, const char *path, const char *symbol, void *fn, int required,
                   char *why, size_t cap)
{
    /* POSIX guarantees the conversion of dlsym's result to a function pointer. */
    void *sym = dlsym(lib, symbol);
    memcpy(fn, &sym, sizeof sym);
    if (sym || !required) return 1;
    snprintf(why, cap, "%s has no %s", path, symbol);
    return 0;
}

/* dlsym into c->field, leaving vs_cuda_open through `fail` when a required symbol is missing. */
#define LOAD(lib, field, symbol, required)                                                         \
    do {                                                                                           \
        if (!vs_cuda_symbol(c->lib, c->lib##_path, symbol, &c->field, required, why, cap))         \
            goto fail;                                                                             \
    } while (0)

int vs_cuda_ok(const vs_cuda *c, int rc, const char *what, char *err, size_t cap)
{
    if (rc == 0) return 1;
    const char *text = c->get_error_string ? c->get_error_string(rc) : NULL;
    snprintf(err, cap, "%s: CUDA error %d (%s)", what, rc, text ? text : "?");
    return 0;
}

int vs_cublas_ok(const vs_cuda *c, int st, const char *what, char *err, size_t cap)
{
    if (st == 0) return 1;
    const char *text = c->status_string ? c->status_string(st) : NULL;
    snprintf(err, cap, "%s: cuBLAS status %d (%s)", what, st, text ? text : "?");
    return 0;
}

int vs_cuda_upload(vs_cuda *c, void **dptr, const void *src, size_t bytes, char *err,
                   size_t cap)
{
    char what[96];
    *dptr = NULL;
    snprintf(what, sizeof what, "cudaMalloc(%zu bytes)", bytes);
    if (!vs_cuda_ok(c, c->malloc_(dptr, bytes), what, err, cap)) {
        *dptr = NULL;
        return 0;
    }
    if (src && !vs_cuda_ok(c, c->memcpy_(*dptr, src, bytes, VS_CUDA_MEMCPY_H2D),
                           "cudaMemcpy to the device", err, cap))
        return 0;
    return 1;
}

int vs_cuda_open(vs_cuda *c, int device, int pedantic, char *why, size_t cap)
{
    memset(c, 0, sizeof *c);
    c->cudart = vs_cuda_load_library("the CUDA runtime", "libcudart", c->cudart_path,
                                     sizeof c->cudart_path, why, cap);
    if (!c->cudart) return 0;
    c->cublas = vs_cuda_load_library("cuBLAS", "libcublas", c->cublas_path, sizeof c->cublas_path,
                                     why, cap);
    if (!c->cublas) goto fail;
    LOAD(cudart, malloc_, "cudaMalloc", 1);
    LOAD(cudart, free_, "cudaFree", 1);
    LOAD(cudart, memcpy_, "cudaMemcpy", 1);
    LOAD(cudart, device_synchronize, "cudaDeviceSynchronize", 1);
    LOAD(cudart, set_device, "cudaSetDevice", 1);
    LOAD(cudart, get_device_properties, "cudaGetDeviceProperties_v2", 0);
    if (!c->get_device_properties)
        LOAD(cudart, get_device_properties, "cudaGetDeviceProperties", 1);
    LOAD(cudart, runtime_get_version, "cudaRuntimeGetVersion", 1);
    LOAD(cudart, driver_get_version, "cudaDriverGetVersion", 1);
    LOAD(cudart, get_error_string, "cudaGetErrorString", 1);
    LOAD(cudart, event_create, "cudaEventCreate", 1);
    LOAD(cudart, event_destroy, "cudaEventDestroy", 1);
    LOAD(cudart, event_record, "cudaEventRecord", 1);
    LOAD(cudart, event_synchronize, "cudaEventSynchronize", 1);
    LOAD(cudart, event_elapsed_time, "cudaEventElapsedTime", 1);
    LOAD(cublas, create, "cublasCreate_v2", 1);
    LOAD(cublas, destroy, "cublasDestroy_v2", 1);
    LOAD(cublas, set_math_mode, "cublasSetMathMode", 1);
    LOAD(cublas, get_version, "cublasGetVersion_v2", 1);
    LOAD(cublas, status_string, "cublasGetStatusString", 0);
    LOAD(cublas, sgemm, "cublasSgemm_v2", 1);
    LOAD(cublas, gemm_ex, "cublasGemmEx", 1);
    LOAD(cublas, sgemm_strided_batched, "cublasSgemmStridedBatched", 1);
    LOAD(cublas, gemm_strided_batched_ex, "cublasGemmStridedBatchedEx", 1);

    c->device = device;
    char err[256];
    if (!vs_cuda_ok(c, c->set_device(device), "cudaSetDevice", err, sizeof err) ||
        !vs_cuda_ok(c, c->runtime_get_version(&c->runtime_version), "cudaRuntimeGetVersion", err,
                    sizeof err) ||
        !vs_cuda_ok(c, c->driver_get_version(&c->driver_version), "cudaDriverGetVersion", err,
                    sizeof err)) {
        snprintf(why, cap, "%s", err);
        goto fail;
    }
    /* struct cudaDeviceProp begins with char name[256] in every CUDA
     * version; the struct grows between versions, so the buffer is far
     * larger than any of them (about 1 KB in CUDA 13). */
    char *prop = calloc(1, 1 << 16);
    if (!prop) {
        snprintf(why, cap, "out of host memory");
        goto fail;
    }
    int rc = c->get_device_properties(prop, device);
    if (rc == 0) snprintf(c->device_name, sizeof c->device_name, "%.255s", prop);
    free(prop);
    if (!vs_cuda_ok(c, rc, "cudaGetDeviceProperties", err, sizeof err) ||
        !vs_cublas_ok(c, c->create(&c->handle), "cublasCreate", err, sizeof err)) {
        snprintf(why, cap, "%s", err);
        goto fail;
    }
    c->math_mode = pedantic ? VS_CUBLAS_PEDANTIC_MATH : VS_CUBLAS_DEFAULT_MATH;
    if (!vs_cublas_ok(c, c->set_math_mode(c->handle, c->math_mode), "cublasSetMathMode", err,
                      sizeof err) ||
        !vs_cublas_ok(c, c->get_version(c->handle, &c->cublas_version), "cublasGetVersion", err,
                      sizeof err) ||
        !vs_cuda_ok(c, c->event_create(&c->ev_start), "cudaEventCreate", err, sizeof err) ||
        !vs_cuda_ok(c, c->event_create(&c->ev_stop), "cudaEventCreate", err, sizeof err)) {
        snprintf(why, cap, "%s", err);
        goto fail;
    }
    return 1;

fail:
    vs_cuda_close(c);
    return 0;
}

void vs_cuda_close(vs_cuda *c)
{
    if (c->ev_start) c->event_destroy(c->ev_start);
    if (c->ev_stop) c->event_destroy(c->ev_stop);
    if (c->handle) c->destroy(c->handle);
    /* The libraries stay loaded: CUDA's own exit handlers run at exit. */
    memset(c, 0, sizeof *c);
}
