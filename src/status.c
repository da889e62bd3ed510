/* SPDX-License-Identifier: BSD-3-Clause */
/* Status texts, names, and the per-context error record. */
#include <stdarg.h>
#include <stdio.h>

#include "internal.h"
#include "common/log.h"
#include "records.h"

#define PGEMM_STR2(x) #x
#define PGEMM_STR(x) PGEMM_STR2(x)

const char *pgemm_status_string(pgemm_status status)
{
    switch (status) {
    case PGEMM_SUCCESS: return "success";
    case PGEMM_ERROR_INVALID_ARGUMENT: return "invalid argument";
    case PGEMM_ERROR_NO_BACKEND: return "no usable backend";
    case PGEMM_ERROR_BACKEND_UNAVAILABLE: return "requested backend unavailable";
    case PGEMM_ERROR_OUT_OF_MEMORY: return "out of memory";
    case PGEMM_ERROR_DEVICE: return "device error";
    case PGEMM_ERROR_BUILD: return "kernel build failed";
    case PGEMM_ERROR_UNSUPPORTED: return "unsupported";
    case PGEMM_ERROR_INTERNAL: return "internal error";
    }
    return "unknown status";
}

const char *pgemm_version_string(void)
{
    return PGEMM_STR(PGEMM_VERSION_MAJOR) "." PGEMM_STR(PGEMM_VERSION_MINOR) "." PGEMM_STR(
        PGEMM_VERSION_PATCH);
}

/* Creation errors have no context to live in: keep them per thread. */
static _Thread_local char g_creation_error[PGEMM_ERROR_LEN];

/* The calling thread's error text on ctx (records.h); NULL when it has none
 * and `create` is 0, or when memory runs out. */
static char *error_text(const pgemm_context *ctx, int create)
{
    if (!ctx) return g_creation_error;
    pgemm_record *r = pgemm_record_find(ctx->serial, create);
    return r ? r->error : NULL;
}

pgemm_status pgemm_fail(pgemm_context *ctx, pgemm_status status, const char *fmt, ...)
{
    char lost[PGEMM_ERROR_LEN];
    char *dst = error_text(ctx, 1);
    if (!dst) dst = lost; /* still logged */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(dst, PGEMM_ERROR_LEN, fmt, ap);
    va_end(ap);
    pgemm_log(PGEMM_LOG_INFO, "error (%s): %s", pgemm_status_string(status), dst);
    return status;
}

void pgemm_clear_error(pgemm_context *ctx)
{
    char *text = error_text(ctx, 0);
    if (text) text[0] = '\0';
}

const char *pgemm_last_error(const pgemm_context *ctx)
{
    const char *text = error_text(ctx, 0);
    return text ? text : "";
}

const char *pgemm_datatype_name(pgemm_datatype type)
{
    switch (type) {
    case PGEMM_F32: return "f32";
    case PGEMM_F16: return "f16";
    }
    return NULL;
}
