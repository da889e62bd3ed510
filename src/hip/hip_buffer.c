/* SPDX-License-Identifier: BSD-3-Clause */
/* The HIP backend's buffers: device allocations, element addresses and
 * the copies between them and the host, each finished before it returns. */
#include <stdlib.h>

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
    if (hb->ptr && hipSetDevice(b->device) == hipSuccess) {
        hipStreamSynchronize(b->stream);
        hipFree(hb->ptr);
    }
    free(hb);
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
