/* SPDX-License-Identifier: BSD-3-Clause */
/* HIP error text and statuses. */
#include <stdio.h>
#include <string.h>

#include "common/text.h"
#include "hip_internal.h"

/* Short descriptions where the runtime gives none: HIP 5.2's
 * hipGetErrorString returns the error's name again. */
static const char *own_description(hipError_t code)
{
    if (code == hipErrorOutOfMemory) return "out of memory";
    if (code == hipErrorNoDevice) return "no device";
    if (code == hipErrorInsufficientDriver) return "driver missing or too old";
    if (code == hipErrorInvalidValue) return "invalid value";
    if (code == hipErrorInvalidDeviceFunction) return "no kernel code for this device";
    return NULL;
}

const char *pgemm_hip_error_text(hipError_t code)
{
    static _Thread_local char buf[192];
    const char *name = hipGetErrorName(code);
    const char *text = hipGetErrorString(code);
    if (!name) name = "unknown HIP error";
    if (!text || !strcmp(text, name)) text = own_description(code);
    if (text)
        snprintf(buf, sizeof buf, "%s (%s)", text, name);
    else
        snprintf(buf, sizeof buf, "%s (%d)", name, (int)code);
    return buf;
}

pgemm_status pgemm_hip_status(hipError_t code)
{
    /* Ifs, not a switch: on NVIDIA both out-of-memory names are one value. */
    if (code == hipSuccess) return PGEMM_SUCCESS;
    if (code == hipErrorOutOfMemory || code == hipErrorMemoryAllocation)
        return PGEMM_ERROR_OUT_OF_MEMORY;
    if (code == hipErrorNoDevice || code == hipErrorInsufficientDriver)
        return PGEMM_ERROR_BACKEND_UNAVAILABLE;
    return PGEMM_ERROR_DEVICE;
}

pgemm_status pgemm_hip_check(hipError_t code, const char *what, pgemm_err *err)
{
    if (code == hipSuccess) return PGEMM_SUCCESS;
    pgemm_err_set(err, "%s: %s", what, pgemm_hip_error_text(code));
    return pgemm_hip_status(code);
}
