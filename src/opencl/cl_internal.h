/* SPDX-License-Identifier: BSD-3-Clause */
/* Private to the OpenCL plugin. */
#ifndef PGEMM_CL_INTERNAL_H
#define PGEMM_CL_INTERNAL_H

#include <CL/cl.h>
#include <stddef.h>

#include "backend.h"
#include "opencl/cl_variants.h"

/* "CL_OUT_OF_RESOURCES (-5)". */
const char *pgemm_cl_error_name(cl_int code);
/* Maps an OpenCL error to the closest pgemm status. */
pgemm_status pgemm_cl_status(cl_int code);

/* A device chosen by pgemm_cl_pick_device. */
typedef struct cl_pick {
    cl_platform_id platform;
    cl_device_id device;
    char platform_name[PGEMM_NAME_LEN];
    char why[PGEMM_REASON_LEN];
} cl_pick;

/*
 * Chooses the device: the platforms matching cfg->opencl_platform (index or
 * case-insensitive name substring; NULL = all), their devices listed GPUs
 * and accelerators first, then CPUs, in platform order; cfg->device_index
 * picks from that list (-1 = the first).
 */
pgemm_status pgemm_cl_pick_device(const pgemm_backend_config *cfg, cl_pick *out, pgemm_err *err);

/* Appends the platform/device listing (with indices as PGEMM_DEVICE sees them). */
void pgemm_cl_describe(const pgemm_backend_config *cfg, char *text, size_t cap);

/* Whether the platform's driver keeps its own disk cache of program builds
 * (PoCL), so that pgemm's cache of program binaries adds nothing. */
int pgemm_cl_platform_caches_builds(cl_platform_id platform);

/* Fills the device fields of info. */
void pgemm_cl_device_info(const cl_pick *pick, pgemm_info *info);

/* Builds (or loads from the disk cache) one variant for one transpose pair,
 * with the PGEMM_CL_BUILD_ALIGNED and PGEMM_CL_BUILD_EPILOGUE bits of `build`
 * (pgemm_cl_build_options; the target adds PGEMM_CL_BUILD_GPU). */
typedef struct cl_build_target {
    cl_context context;
    cl_device_id device;
    const struct cl_cache *cache; /* NULL: no disk cache */
    const char *device_key;     /* platform, device and driver identity */
    int gpu;                    /* not a CPU device (PGEMM_CL_BUILD_GPU) */
    pgemm_log_fn log;
} cl_build_target;

pgemm_status pgemm_cl_build_kernel(const cl_build_target *target, const cl_variant *v, int trans_a,
                                   int trans_b, unsigned build, cl_kernel *out, pgemm_err *err);

#endif
