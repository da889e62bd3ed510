/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Building kernels, with compiled programs cached on disk (cl_cache.h): a
 * cached binary the driver refuses is rebuilt from source and rewritten.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cl_internal.h"
#include "common/text.h"
#include "opencl/cl_cache.h"

extern const char pgemm_cl_common[];
extern const char pgemm_cl_direct[];
extern const char pgemm_cl_tiled[];
extern const char pgemm_cl_vector[];
extern const char pgemm_cl_sum_parts[];

static const char *family_source(cl_family_source s)
{
    switch (s) {
    case CL_SOURCE_DIRECT: return pgemm_cl_direct;
    case CL_SOURCE_TILED: return pgemm_cl_tiled;
    case CL_SOURCE_VECTOR: return pgemm_cl_vector;
    case CL_SOURCE_SUM: return pgemm_cl_sum_parts;
    }
    return pgemm_cl_direct;
}

static void log_line(const cl_build_target *t, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void log_line(const cl_build_target *t, int level, const char *fmt, ...)
{
    char line[PGEMM_REASON_LEN * 2];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    t->log(level, line);
}

/* The program's binary for its one device; NULL if the driver offers none. */
static unsigned char *program_binary(cl_program prog, size_t *len)
{
    size_t size = 0;
    if (clGetProgramInfo(prog, CL_PROGRAM_BINARY_SIZES, sizeof size, &size, NULL) != CL_SUCCESS ||
        size == 0)
        return NULL;
    unsigned char *bin = malloc(size);
    if (!bin) return NULL;
    if (clGetProgramInfo(prog, CL_PROGRAM_BINARIES, sizeof bin, &bin, NULL) != CL_SUCCESS) {
        free(bin);
        return NULL;
    }
    *len = size;
    return bin;
}

static cl_int build(cl_program prog, cl_device_id dev, const char *options)
{
    return clBuildProgram(prog, 1, &dev, options, NULL, NULL);
}

pgemm_status pgemm_cl_build_kernel(const cl_build_target *t, const cl_variant *v, int trans_a,
                                   int trans_b, unsigned flags, cl_kernel *out, pgemm_err *err)
{
    char options[512];
    int aligned = (flags & PGEMM_CL_BUILD_ALIGNED) != 0;
    pgemm_cl_build_options(v, trans_a, trans_b, flags | (t->gpu ? PGEMM_CL_BUILD_GPU : 0u), options,
                           sizeof options);
    const char *sources[2] = {pgemm_cl_common, family_source(v->source)};
    uint64_t src_hash = pgemm_fnv1a64(sources[0], strlen(sources[0]), PGEMM_FNV_SEED);
    src_hash = pgemm_fnv1a64(sources[1], strlen(sources[1]), src_hash);
    char key[1024];
    pgemm_text_format(key, sizeof key, "%s\n%s\nsource %016llx", t->device_key, options,
                      (unsigned long long)src_hash);

    char path[1100] = "";
    cl_program prog = NULL;
    cl_int rc;
    if (t->cache) {
        pgemm_cl_cache_path(t->cache, key, path, sizeof path);
        size_t len = 0;
        char why[PGEMM_REASON_LEN];
        unsigned char *bin = pgemm_cl_cache_load(t->cache, key, &len, why, sizeof why);
        if (bin) {
            const unsigned char *bins[1] = {bin};
            cl_int status = CL_SUCCESS;
            prog = clCreateProgramWithBinary(t->context, 1, &t->device, &len, bins, &status, &rc);
            free(bin);
            if (prog && (rc != CL_SUCCESS || status != CL_SUCCESS ||
                         build(prog, t->device, options) != CL_SUCCESS)) {
                clReleaseProgram(prog);
                prog = NULL;
            }
            if (prog)
                log_line(t, 2, "%s (TRANS_A=%d TRANS_B=%d%s): loaded from %s", v->desc.name,
                         trans_a, trans_b, aligned ? ", aligned" : "", path);
            else
                log_line(t, 1, "kernel cache: driver refused %s; rebuilding", path);
        } else if (strcmp(why, "absent") != 0) {
            log_line(t, 1, "kernel cache: %s: %s; rebuilding", path, why);
        }
    }

    int from_source = prog == NULL;
    if (from_source) {
        prog = clCreateProgramWithSource(t->context, 2, sources, NULL, &rc);
        if (!prog) {
            pgemm_err_set(err, "clCreateProgramWithSource: %s", pgemm_cl_error_name(rc));
            return pgemm_cl_status(rc);
        }
        rc = build(prog, t->device, options);
        if (rc != CL_SUCCESS) {
            char log[2048] = "";
            clGetProgramBuildInfo(prog, t->device, CL_PROGRAM_BUILD_LOG, sizeof log - 1, log,
                                  NULL);
            log[sizeof log - 1] = '\0';
            pgemm_err_set(err, "building %s with \"%s\": %s: %.300s", v->desc.name, options,
                          pgemm_cl_error_name(rc), log);
            clReleaseProgram(prog);
            return PGEMM_ERROR_BUILD;
        }
        log_line(t, 2, "%s (TRANS_A=%d TRANS_B=%d%s): built from source", v->desc.name,
                 trans_a, trans_b, aligned ? ", aligned" : "");
    }

    cl_kernel k = clCreateKernel(prog, "pgemm_gemm", &rc);
    if (!k) {
        pgemm_err_set(err, "clCreateKernel(%s): %s", v->desc.name, pgemm_cl_error_name(rc));
        clReleaseProgram(prog);
        return pgemm_cl_status(rc);
    }
    if (from_source && t->cache) {
        size_t len = 0;
        char why[PGEMM_REASON_LEN];
        unsigned char *bin = program_binary(prog, &len);
        if (!bin) log_line(t, 2, "kernel cache: the driver offers no program binary; not cached");
        else if (pgemm_cl_cache_store(t->cache, key, bin, len, why, sizeof why) != 0)
            log_line(t, 1, "kernel cache: %s", why);
        free(bin);
    }
    clReleaseProgram(prog); /* the kernel keeps it alive */
    *out = k;
    return PGEMM_SUCCESS;
}
