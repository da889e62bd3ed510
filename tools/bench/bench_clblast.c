/* SPDX-License-Identifier: BSD-3-Clause */
/* bench_clblast.c: CLBlast for `pgemm bench`: dlopen, its OpenCL device, context and buffers. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

/* ------------------------------------------------------------- CLBlast */

/* A platform or device string in full, truncated like pgemm_info's fields. */
static void cl_text(int is_platform, void *obj, cl_uint what, char *dst, size_t cap)
{
    size_t need = 0;
    dst[0] = '\0';
    cl_int rc = is_platform ? bench_cl.GetPlatformInfo((cl_platform_id)obj, what, 0, NULL, &need)
                            : bench_cl.GetDeviceInfo((cl_device_id)obj, what, 0, NULL, &need);
    if (rc != CL_SUCCESS || need == 0) return;
    char *buf = malloc(need + 1);
    if (!buf) return;
    rc = is_platform ? bench_cl.GetPlatformInfo((cl_platform_id)obj, what, need, buf, NULL)
                     : bench_cl.GetDeviceInfo((cl_device_id)obj, what, need, buf, NULL);
    if (rc == CL_SUCCESS) {
        buf[need] = '\0';
        snprintf(dst, cap, "%s", buf);
    }
    free(buf);
}

/* Finds the OpenCL device pgemm runs on, by platform, device and driver
 * names. Returns 1 and fills *dev, or 0 with a reason. */
static int find_cl_device(const pgemm_info *info, cl_device_id *dev, char *why, size_t cap)
{
    cl_platform_id plats[32];
    cl_uint np = 0;
    if (bench_cl.GetPlatformIDs(32, plats, &np) != CL_SUCCESS || np == 0) {
        snprintf(why, cap, "no OpenCL platform visible to the bench");
        return 0;
    }
    if (np > 32) np = 32;
    size_t found = 0;
    for (cl_uint p = 0; p < np; p++) {
        char name[PGEMM_NAME_LEN];
        cl_text(1, plats[p], CL_PLATFORM_NAME, name, sizeof name);
        if (strcmp(name, info->platform)) continue;
        cl_device_id devs[64];
        cl_uint nd = 0;
        if (bench_cl.GetDeviceIDs(plats[p], CL_DEVICE_TYPE_ALL, 64, devs, &nd) != CL_SUCCESS)
            continue;
        if (nd > 64) nd = 64;
        for (cl_uint d = 0; d < nd; d++) {
            char dname[PGEMM_NAME_LEN], driver[PGEMM_NAME_LEN];
            cl_text(0, devs[d], CL_DEVICE_NAME, dname, sizeof dname);
            cl_text(0, devs[d], CL_DRIVER_VERSION, driver, sizeof driver);
            if (strcmp(dname, info->device) || strcmp(driver, info->driver)) continue;
            if (found++ == 0) *dev = devs[d];
        }
    }
    if (found == 0) {
        snprintf(why, cap, "no OpenCL device named \"%s\" on a platform named \"%s\"",
                 info->device, info->platform);
        return 0;
    }
    if (found > 1)
        fprintf(stderr,
                "pgemm bench: warning: %zu identical devices named \"%s\"; CLBlast runs on the "
                "first, which may not be the one pgemm uses\n",
                found, info->device);
    return 1;
}

const char *clblast_status_text(int st)
{
    switch (st) {
    case -11: return "OpenCL build failure";
    case -4: return "buffer allocation failure";
    case -5: return "out of resources";
    case -54: return "invalid work-group size";
    case -1024: return "not implemented";
    case -2046: return "not enough local memory";
    case -2041: return "device database error";
    case -2040: return "unknown error";
    case -2039: return "unexpected error";
    default: return st > -1000 ? "OpenCL error" : "CLBlast error";
    }
}

/* Loads CLBlast and makes its context and queue. Returns 1, or 0 with a reason. */
int clblast_open(clblast_state *s, const pgemm_info *info, char *why, size_t cap)
{
    memset(s, 0, sizeof *s);
    if (info->backend != PGEMM_BACKEND_OPENCL) {
        snprintf(why, cap, "pgemm runs on %s, CLBlast needs OpenCL", info->backend_name);
        return 0;
    }
    if (!bench_cl_load(why, cap)) return 0;
    const char *names[] = {"libclblast.so.1", "libclblast.so", "libclblast.dylib"};
    for (size_t i = 0; i < sizeof names / sizeof names[0] && !s->lib; i++)
        s->lib = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
    if (!s->lib) {
        snprintf(why, cap, "libclblast.so.1 not found (%s); install libclblast1", dlerror());
        return 0;
    }
    s->sgemm = (clblast_sgemm_fn)dlsym(s->lib, "CLBlastSgemm");
    s->clear_cache = (clblast_clear_cache_fn)dlsym(s->lib, "CLBlastClearCache");
    if (!s->sgemm) {
        snprintf(why, cap, "libclblast has no CLBlastSgemm");
        dlclose(s->lib);
        s->lib = NULL;
        return 0;
    }
    if (!find_cl_device(info, &s->device, why, cap)) {
        dlclose(s->lib);
        s->lib = NULL;
        return 0;
    }
    cl_int rc;
    s->context = bench_cl.CreateContext(NULL, 1, &s->device, NULL, NULL, &rc);
    if (rc == CL_SUCCESS) s->queue = bench_cl.CreateCommandQueue(s->context, s->device, 0, &rc);
    if (rc != CL_SUCCESS) {
        snprintf(why, cap, "cannot create an OpenCL context/queue for CLBlast (error %d)", rc);
        if (s->context) bench_cl.ReleaseContext(s->context);
        dlclose(s->lib);
        memset(s, 0, sizeof *s);
        return 0;
    }
    Dl_info dl;
    if (dladdr((void *)s->sgemm, &dl) && dl.dli_fname)
        snprintf(why, cap, "%s", dl.dli_fname);
    else
        snprintf(why, cap, "libclblast.so.1");
    return 1;
}

void clblast_free_buffers(clblast_state *s)
{
    if (s->a) bench_cl.ReleaseMemObject(s->a);
    if (s->b) bench_cl.ReleaseMemObject(s->b);
    if (s->c) bench_cl.ReleaseMemObject(s->c);
    s->a = s->b = s->c = NULL;
}

void clblast_close(clblast_state *s)
{
    if (!s->lib) return;
    clblast_free_buffers(s);
    if (s->clear_cache) s->clear_cache();
    bench_cl.ReleaseCommandQueue(s->queue);
    bench_cl.ReleaseContext(s->context);
    /* libclblast is left loaded: its static destructors run at exit. */
    memset(s, 0, sizeof *s);
}

int clblast_buffer(clblast_state *s, cl_mem *out, const float *src, size_t count, char *err,
                   size_t cap)
{
    cl_int rc;
    *out = bench_cl.CreateBuffer(s->context, CL_MEM_READ_WRITE, count * sizeof(float), NULL, &rc);
    if (rc == CL_SUCCESS)
        rc = bench_cl.EnqueueWriteBuffer(s->queue, *out, CL_TRUE, 0, count * sizeof(float), src, 0,
                                         NULL, NULL);
    if (rc != CL_SUCCESS) {
        snprintf(err, cap, "OpenCL buffer of %zu floats for CLBlast: error %d", count, rc);
        return 0;
    }
    return 1;
}
