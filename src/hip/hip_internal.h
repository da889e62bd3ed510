/* SPDX-License-Identifier: BSD-3-Clause */
/* Private to the HIP plugin. */
#ifndef PGEMM_HIP_INTERNAL_H
#define PGEMM_HIP_INTERNAL_H

#include <stddef.h>

#include "backend.h"
#include "hip_variants.h"
#include "pgemm_hip_platform.h"

#if defined(PGEMM_HIP_NVIDIA)
#define PGEMM_HIP_IS_NVIDIA 1
#else
#define PGEMM_HIP_IS_NVIDIA 0
#endif

/* "out of memory (hipErrorOutOfMemory)": the runtime's description and the
 * error's name (thread-local storage, valid until the next call). */
const char *pgemm_hip_error_text(hipError_t code);
/* Maps a HIP error to the closest pgemm status. */
pgemm_status pgemm_hip_status(hipError_t code);
/* Writes "<what>: <error text>" into err unless code is hipSuccess; returns
 * the mapped status. `what` names the call ("hipMalloc(1024 bytes)"). */
pgemm_status pgemm_hip_check(hipError_t code, const char *what, pgemm_err *err);

/* A device chosen by pgemm_hip_pick_device. */
typedef struct hip_pick {
    int index;                  /* HIP device ordinal */
    hipDeviceProp_t props;
    int arch;                   /* see pgemm_hip_device_arch */
    char why[PGEMM_REASON_LEN];
} hip_pick;

/* Device cfg->device_index, or the first one (-1). Fails with
 * PGEMM_ERROR_BACKEND_UNAVAILABLE and the runtime's reason when there is
 * none. */
pgemm_status pgemm_hip_pick_device(const pgemm_backend_config *cfg, hip_pick *out,
                                   pgemm_err *err);

/* The number pgemm_hip_isa_present takes: NVIDIA major * 10 + minor,
 * AMD the gfx target number (pgemm_hip_gfx_number). */
int pgemm_hip_device_arch(const hipDeviceProp_t *props);

/* Whether variant v runs on device `arch`: the device has the
 * instructions its kernel needs (pgemm_hip_isa_present), and the build has
 * the code target they need (pgemm_hip_isa_target). */
int pgemm_hip_variant_runs(const hip_variant *v, int arch);

/* Fills the device fields of info; has_fp16 says whether any fp16 variant
 * runs on it. */
void pgemm_hip_device_info(const hip_pick *pick, int has_fp16, pgemm_info *info);

/* Appends one line per HIP device, or why there is none. */
void pgemm_hip_describe(const pgemm_backend_config *cfg, char *text, size_t cap);

/* A device allocation, or the caller's memory (borrowed: never freed).
 * bytes == 0: ptr is NULL, the handle still exists. */
typedef struct hip_buffer {
    void *ptr;
    size_t bytes;
    int borrowed;
} hip_buffer;

typedef struct hip_backend {
    int device;
    hipStream_t stream;
    int external_stream; /* the caller's stream (interop): not destroyed */
    int arch;
    /* The variants this device runs, in table order: what the core indexes. */
    const hip_variant *variants[PGEMM_MAX_VARIANTS];
    size_t variant_count;
    /* Packed fp16 operands (pgemm_hip_run_hgemm), grown on demand. */
    void *workspace;
    size_t workspace_bytes;
    pgemm_log_fn log;
    int log_level;
} hip_backend;

/* Makes b's device current for the calling thread (hip_device.c): HIP keeps the current
 * device per thread, and the core may call from any thread. */
pgemm_status pgemm_hip_bind(hip_backend *b, pgemm_err *err);

/* The element address of a buffer handle plus an offset in elements; NULL
 * for a NULL handle (an operand the call does not read). */
void *pgemm_hip_element(void *buf, size_t offset, size_t element_bytes);

/* The kernels' form of the call's epilogue, offsets applied. */
static inline pgemm_hip_epilogue pgemm_hip_epilogue_of(const pgemm_gemm_args *g)
{
    pgemm_hip_epilogue e = {(int)g->activation, (int)g->bias_kind,
                            pgemm_hip_element(g->bias, g->bias_offset, sizeof(float)),
                            (long long)g->stride_bias};
    return e;
}

/* The backend table's buffer entries (hip_buffer.c, pgemm_backend_iface). */
pgemm_status pgemm_hip_buffer_create(void *handle, size_t bytes, void **out, pgemm_err *err);
void pgemm_hip_buffer_destroy(void *handle, void *buf);
pgemm_status pgemm_hip_buffer_write(void *handle, void *buf, size_t offset, size_t bytes,
                                    const void *src, pgemm_err *err);
pgemm_status pgemm_hip_buffer_read(void *handle, void *buf, size_t offset, size_t bytes, void *dst,
                                   pgemm_err *err);
pgemm_status pgemm_hip_buffer_write_rect(void *handle, void *buf, size_t buf_offset,
                                         size_t buf_pitch, const void *src, size_t host_pitch,
                                         size_t row_bytes, size_t rows, pgemm_err *err);
pgemm_status pgemm_hip_buffer_read_rect(void *handle, void *buf, size_t buf_offset,
                                        size_t buf_pitch, void *dst, size_t host_pitch,
                                        size_t row_bytes, size_t rows, pgemm_err *err);

/* The interop entries (hip_buffer.c): a buffer over the caller's device
 * memory (*bytes: its size, which must lie inside ptr's allocation on b's
 * device), and a buffer's device address. */
pgemm_status pgemm_hip_buffer_wrap(void *handle, void *native, size_t *bytes, void **out,
                                   pgemm_err *err);
void *pgemm_hip_buffer_pointer(void *handle, void *buf);

/* Runs an fp16 variant: packs A and B where the caller's layout is not
 * already the packed one, then launches. */
pgemm_status pgemm_hip_run_hgemm(hip_backend *b, const hip_variant *v,
                                 const pgemm_gemm_args *g, pgemm_err *err);

/* Frees the fp16 workspace (after the stream has drained). */
void pgemm_hip_free_workspace(hip_backend *b);

#endif
