/* SPDX-License-Identifier: BSD-3-Clause */
/* The core's private structures. */
#ifndef PGEMM_INTERNAL_H
#define PGEMM_INTERNAL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "autotune.h"
#include "backend.h"
#include "pgemm.h"
#include "selector/selector.h"

/* A loaded backend plugin. */
typedef struct pgemm_plugin {
    const pgemm_backend_iface *iface;
    void *dl_handle;
} pgemm_plugin;

/* A context's own device buffers, grown on demand (staging.h): what
 * pgemm_sgemm_host copies the caller's A, B, C and bias vector into, and
 * split-K's partial sums (split_k.h). */
enum {
    PGEMM_STAGE_A,
    PGEMM_STAGE_B,
    PGEMM_STAGE_C,
    PGEMM_STAGE_BIAS,
    PGEMM_STAGE_SPLIT_K,
    PGEMM_STAGE_SLOTS
};
typedef struct pgemm_staging {
    pgemm_buffer *buf[PGEMM_STAGE_SLOTS];
} pgemm_staging;

struct pgemm_context {
    pthread_mutex_t lock;
    pgemm_plugin plugin;
    void *bctx;                  /* the backend's own context */
    pgemm_info info;
    pgemm_precision precision;
    long forced_variant;         /* -1: selector chooses */
    size_t split_k;              /* 0: automatic; 1: never; N: N parts (split_k.h) */
    int log_level;
    uint64_t serial;             /* names the context in the calling threads'
                                    records (records.h): error, last call */
    pgemm_staging staging;
    pgemm_selector selector;     /* models per precision, decision cache */
    pgemm_autotune autotune;     /* PGEMM_AUTOTUNE=1: measured winners per shape */
};

struct pgemm_buffer {
    pgemm_context *ctx;
    void *bbuf;
    size_t bytes;
};

/* Where an interop context runs: the caller's queue (a cl_command_queue, a
 * HIP stream) on `backend`, on HIP device `device` (OpenCL: -1, the queue
 * decides). */
typedef struct pgemm_native_target {
    pgemm_backend backend;
    void *queue;
    int device;
} pgemm_native_target;

/* pgemm_context_create, or with native non-NULL on the caller's queue. */
pgemm_status pgemm_context_create_on(const pgemm_options *opts, const pgemm_native_target *native,
                                     pgemm_context **out);

/* Interop (interop.c): PGEMM_SUCCESS when ctx runs on `backend` and that
 * backend has interop; else fails naming `api` ("OpenCL", "HIP"). */
pgemm_status pgemm_interop_check(const pgemm_context *ctx, pgemm_backend backend, const char *api);
/* A pgemm buffer over the caller's native memory (a cl_mem; a device
 * pointer of `bytes` bytes; bytes 0: the native object says). `what` names
 * the object in messages ("a cl_mem"). */
pgemm_status pgemm_interop_wrap(pgemm_context *ctx, pgemm_backend backend, const char *api,
                                void *native, size_t bytes, const char *what, pgemm_buffer **out);

/* Records a detailed error for the calling thread on ctx (or the thread's
 * creation error when ctx is NULL) and returns status, so callers can
 * `return pgemm_fail(...)`. */
pgemm_status pgemm_fail(pgemm_context *ctx, pgemm_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Clears the calling thread's error text on ctx at the start of a call. */
void pgemm_clear_error(pgemm_context *ctx);

#endif
