/* SPDX-License-Identifier: BSD-3-Clause */
/* The HIP backend's buffers: device allocations and the caller's device
 * memory (interop), element addresses, and the copies between them and the
 * host, each finished before it returns. */
#include <stdint.h>
#include <stdlib.h>

#if defined(PGEMM_HIP_NVIDIA)
#include <cuda.h> /* the driver's types, for cuMemGetAddressRange */
#endif

#include "common/text.h"
#include "hip_internal.h"

void *pgemm_hip_element(void *buf, size_t offset, size_t element_bytes)
{
    hip_buffer *hb = buf;
    if (!hb || !hb->ptr) return NULL;
    return (char *)hb->ptr + offset * element_bytes;
}

pgemm_status pgemm_hip_buffer_create(void *handle, size_t bytes, void **out, pgemm_err *err)
{
    hip_backend *b = handle;
    pgemm_status st = pgemm_hip_bind(b, err);
    if (st != PGEMM_SUCCESS) return st;
    hip_buffer *hb = calloc(1, sizeof *hb);
    if (!hb) {
        pgemm_err_set(err, "cannot allocate a buffer handle");
        return PGEMM_ERROR_OUT_OF_MEMORY;
    }
    if (bytes > 0) {
        char what[64];
        pgemm_text_format(what, sizeof what, "hipMalloc(%zu bytes)", bytes);
        st = pgemm_hip_check(hipMalloc(&hb->ptr, bytes), what, err);
        if (st != PGEMM_SUCCESS) {
            free(hb);
            return st;
        }
    }
    hb->bytes = bytes;
    *out = hb;
    return PGEMM_SUCCESS;
}

void pgemm_hip_buffer_destroy(void *handle, void *buf)
{
    hip_backend *b = handle;
    hip_buffer *hb = buf;
    if (!hb) return;
    /* Kernels queued on the stream may still use the buffer. */
    if (hb->ptr && !hb->borrowed && hipSetDevice(b->device) == hipSuccess) {
        hipStreamSynchronize(b->stream);
        hipFree(hb->ptr);
    }
    free(hb);
}

/* Where ptr lives: 1 for memory of a device (its ordinal in *device) that
 * kernels can address, 0 with the reason in err otherwise. */
static int device_memory(const void *ptr, int *device, pgemm_err *err)
{
#if PGEMM_HIP_IS_NVIDIA
    struct cudaPointerAttributes attr;
    cudaError_t rc = cudaPointerGetAttributes(&attr, ptr);
    if (rc != cudaSuccess) {
        pgemm_err_set(err, "cudaPointerGetAttributes: %s", pgemm_hip_error_text(rc));
        return 0;
    }
    int on_device = attr.type == cudaMemoryTypeDevice || attr.type == cudaMemoryTypeManaged;
    const char *kind = attr.type == cudaMemoryTypeHost ? "host memory" : "not CUDA memory";
#else
    hipPointerAttribute_t attr;
    hipError_t rc = hipPointerGetAttributes(&attr, ptr);
    if (rc != hipSuccess) {
        /* HIP says hipErrorInvalidValue for memory it did not allocate. */
        (void)hipGetLastError();
        pgemm_err_set(err, "not HIP memory (hipPointerGetAttributes: %s)",
                      pgemm_hip_error_text(rc));
        return 0;
    }
    int on_device = attr.memoryType == hipMemoryTypeDevice || attr.isManaged;
    const char *kind = attr.memoryType == hipMemoryTypeHost ? "host memory" : "not HIP memory";
#endif
    if (!on_device) {
        pgemm_err_set(err,
                      "ptr is %s, not device memory (the host-pointer calls, "
                      "pgemm_sgemm_host..., take host memory)",
                      kind);
        return 0;
    }
    *device = attr.device;
    return 1;
}

/* The allocation holding ptr: its start and size. 0 where the runtime
 * cannot tell (then only the pointer's device is checked). */
static int allocation_of(const void *ptr, uintptr_t *base, size_t *size)
{
#if PGEMM_HIP_IS_NVIDIA && CUDART_VERSION < 12050
    (void)ptr, (void)base, (void)size;
    return 0;
#elif PGEMM_HIP_IS_NVIDIA
    /* The runtime API has no twin of the driver's cuMemGetAddressRange; the
     * plugin reaches it through the runtime without linking the driver. */
    typedef CUresult (*range_fn)(CUdeviceptr *, size_t *, CUdeviceptr);
    void *fn = NULL;
    enum cudaDriverEntryPointQueryResult found;
    if (cudaGetDriverEntryPointByVersion("cuMemGetAddressRange", &fn, 12000, cudaEnableDefault,
                                         &found) != cudaSuccess ||
        found != cudaDriverEntryPointSuccess)
        return 0;
    range_fn range = (range_fn)fn;
    CUdeviceptr start = 0;
    if (range(&start, size, (CUdeviceptr)(uintptr_t)ptr) != CUDA_SUCCESS) return 0;
    *base = (uintptr_t)start;
    return 1;
#else
    hipDeviceptr_t start = NULL;
    if (hipMemGetAddressRange(&start, size, (hipDeviceptr_t)ptr) != hipSuccess) {
        (void)hipGetLastError();
        return 0;
    }
    *base = (uintptr_t)start;
    return 1;
#endif
}

pgemm_status pgemm_hip_buffer_wrap(void *handle, void *native, size_t *bytes, void **out,
                                   pgemm_err *err)
{
    hip_backend *b = handle;
    pgemm_status st = pgemm_hip_bind(b, err);
    if (st != PGEMM_SUCCESS) return st;
    int device = -1;
    if (!device_memory(native, &device, err)) return PGEMM_ERROR_INVALID_ARGUMENT;
    if (device != b->device) {
        pgemm_err_set(err, "ptr is memory of device %d; this context runs on device %d", device,
                      b->device);
        return PGEMM_ERROR_INVALID_ARGUMENT;
    }
    uintptr_t base = 0, at = (uintptr_t)native;
    size_t size = 0;
    if (allocation_of(native, &base, &size) && (at - base > size || *bytes > size - (at - base))) {
        pgemm_err_set(err,
                      "ptr + %zu bytes runs past the end of its allocation (%zu bytes "
                      "from ptr)",
                      *bytes, size - (at - base));
        return PGEMM_ERROR_INVALID_ARGUMENT;
    }
    hip_buffer *hb = calloc(1, sizeof *hb);
    if (!hb) {
        pgemm_err_set(err, "cannot allocate a buffer handle");
        return PGEMM_ERROR_OUT_OF_MEMORY;
    }
    hb->ptr = native;
    hb->bytes = *bytes;
    hb->borrowed = 1;
    *out = hb;
    return PGEMM_SUCCESS;
}

void *pgemm_hip_buffer_pointer(void *handle, void *buf)
{
    (void)handle;
    return pgemm_hip_element(buf, 0, 1);
}

/* Waits for the copy just queued (and all work before it). */
static pgemm_status finish_copy(hip_backend *b, hipError_t rc, const char *what, pgemm_err *err)
{
    pgemm_status st = pgemm_hip_check(rc, what, err);
    if (st != PGEMM_SUCCESS) return st;
    return pgemm_hip_check(hipStreamSynchronize(b->stream), what, err);
}

pgemm_status pgemm_hip_buffer_write(void *handle, void *buf, size_t offset, size_t bytes,
                                    const void *src, pgemm_err *err)
{
    hip_backend *b = handle;
    if (bytes == 0) return PGEMM_SUCCESS;
    pgemm_status st = pgemm_hip_bind(b, err);
    if (st != PGEMM_SUCCESS) return st;
    hipError_t rc = hipMemcpyAsync(pgemm_hip_element(buf, offset, 1), src, bytes,
                                   hipMemcpyHostToDevice, b->stream);
    return finish_copy(b, rc, "hipMemcpyAsync (host to device)", err);
}

pgemm_status pgemm_hip_buffer_read(void *handle, void *buf, size_t offset, size_t bytes, void *dst,
                                   pgemm_err *err)
{
    hip_backend *b = handle;
    if (bytes == 0) return PGEMM_SUCCESS;
    pgemm_status st = pgemm_hip_bind(b, err);
    if (st != PGEMM_SUCCESS) return st;
    hipError_t rc = hipMemcpyAsync(dst, pgemm_hip_element(buf, offset, 1), bytes,
                                   hipMemcpyDeviceToHost, b->stream);
    return finish_copy(b, rc, "hipMemcpyAsync (device to host)", err);
}

pgemm_status pgemm_hip_buffer_write_rect(void *handle, void *buf, size_t buf_offset,
                                         size_t buf_pitch, const void *src, size_t host_pitch,
                                         size_t row_bytes, size_t rows, pgemm_err *err)
{
    hip_backend *b = handle;
    if (row_bytes == 0 || rows == 0) return PGEMM_SUCCESS;
    pgemm_status st = pgemm_hip_bind(b, err);
    if (st != PGEMM_SUCCESS) return st;
    hipError_t rc = hipMemcpy2DAsync(pgemm_hip_element(buf, buf_offset, 1), buf_pitch, src,
                                     host_pitch, row_bytes, rows, hipMemcpyHostToDevice, b->stream);
    return finish_copy(b, rc, "hipMemcpy2DAsync (host to device)", err);
}

pgemm_status pgemm_hip_buffer_read_rect(void *handle, void *buf, size_t buf_offset,
                                        size_t buf_pitch, void *dst, size_t host_pitch,
                                        size_t row_bytes, size_t rows, pgemm_err *err)
{
    hip_backend *b = handle;
    if (row_bytes == 0 || rows == 0) return PGEMM_SUCCESS;
    pgemm_status st = pgemm_hip_bind(b, err);
    if (st != PGEMM_SUCCESS) return st;
    hipError_t rc = hipMemcpy2DAsync(dst, host_pitch, pgemm_hip_element(buf, buf_offset, 1),
                                     buf_pitch, row_bytes, rows, hipMemcpyDeviceToHost, b->stream);
    return finish_copy(b, rc, "hipMemcpy2DAsync (device to host)", err);
}
