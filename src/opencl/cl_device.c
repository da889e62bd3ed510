/* SPDX-License-Identifier: BSD-3-Clause */
/* OpenCL platform and device discovery and choice. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "cl_arch.h"
#include "cl_internal.h"
#include "common/log.h"
#include "common/text.h"

#define MAX_PLATFORMS 16
#define MAX_DEVICES 64

typedef struct cl_device_entry {
    cl_platform_id platform;
    cl_device_id device;
    size_t platform_index;
    int is_cpu;
} cl_device_entry;

static int all_digits(const char *s)
{
    if (!s || !*s) return 0;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s)) return 0;
    return 1;
}

static void platform_string(cl_platform_id p, cl_platform_info what, char *buf, size_t cap)
{
    if (clGetPlatformInfo(p, what, cap, buf, NULL) != CL_SUCCESS) pgemm_text_copy(buf, cap, "?");
    buf[cap - 1] = '\0';
}

static void platform_name(cl_platform_id p, char *buf, size_t cap)
{
    platform_string(p, CL_PLATFORM_NAME, buf, cap);
}

static void device_string(cl_device_id d, cl_device_info what, char *buf, size_t cap)
{
    if (clGetDeviceInfo(d, what, cap, buf, NULL) != CL_SUCCESS) pgemm_text_copy(buf, cap, "?");
    buf[cap - 1] = '\0';
}

/* The filter is an index, or a substring of the platform's name or vendor
 * ("pocl" matches PoCL's vendor, "The pocl project"). */
static int platform_matches(const char *filter, size_t index, cl_platform_id p)
{
    if (!filter || !*filter) return 1;
    if (all_digits(filter)) return (size_t)atol(filter) == index;
    char name[PGEMM_NAME_LEN], vendor[PGEMM_NAME_LEN];
    platform_string(p, CL_PLATFORM_NAME, name, sizeof name);
    platform_string(p, CL_PLATFORM_VENDOR, vendor, sizeof vendor);
    return pgemm_text_icontains(name, filter) || pgemm_text_icontains(vendor, filter);
}

/* Mesa's rusticl lists no device unless RUSTICL_ENABLE names its drivers.
 * Asked for rusticl by name with RUSTICL_ENABLE unset, the process gets
 * every driver Mesa builds rusticl for; rusticl reads the variable once,
 * at the process's first OpenCL call, so this runs before each of pgemm's.
 * (setenv: a program that reads its environment from other threads while
 * a context is created should set RUSTICL_ENABLE itself.) */
static void enable_rusticl(const char *filter)
{
    static const char drivers[] = "radeonsi,iris,nouveau,panfrost,llvmpipe";
    if (!filter || !pgemm_text_icontains(filter, "rusticl") || getenv("RUSTICL_ENABLE")) return;
    setenv("RUSTICL_ENABLE", drivers, 0);
    pgemm_log(PGEMM_LOG_INFO, "opencl: rusticl asked for and RUSTICL_ENABLE unset: set to %s",
              drivers);
}

/* Lists usable devices of matching platforms: GPUs/accelerators first. */
static cl_int list_devices(const char *filter, cl_device_entry *out, size_t *count,
                           cl_uint *platforms_seen)
{
    cl_platform_id platforms[MAX_PLATFORMS];
    cl_uint np = 0;
    *count = 0;
    cl_int rc = clGetPlatformIDs(MAX_PLATFORMS, platforms, &np);
    if (rc != CL_SUCCESS) np = 0;
    if (np > MAX_PLATFORMS) np = MAX_PLATFORMS;
    *platforms_seen = np;
    for (int pass = 0; pass < 2; pass++) {
        for (cl_uint p = 0; p < np; p++) {
            if (!platform_matches(filter, p, platforms[p])) continue;
            cl_device_id devs[MAX_DEVICES];
            cl_uint nd = 0;
            cl_device_type want = pass == 0 ? (CL_DEVICE_TYPE_GPU | CL_DEVICE_TYPE_ACCELERATOR)
                                            : CL_DEVICE_TYPE_CPU;
            if (clGetDeviceIDs(platforms[p], want, MAX_DEVICES, devs, &nd) != CL_SUCCESS) continue;
            if (nd > MAX_DEVICES) nd = MAX_DEVICES;
            for (cl_uint d = 0; d < nd && *count < MAX_DEVICES; d++) {
                cl_bool available = CL_FALSE;
                clGetDeviceInfo(devs[d], CL_DEVICE_AVAILABLE, sizeof available, &available, NULL);
                if (!available) continue;
                out[*count] = (cl_device_entry){platforms[p], devs[d], p, pass == 1};
                (*count)++;
            }
        }
    }
    return rc;
}

pgemm_status pgemm_cl_pick_device(const pgemm_backend_config *cfg, cl_pick *out, pgemm_err *err)
{
    memset(out, 0, sizeof *out);
    cl_device_entry devs[MAX_DEVICES];
    size_t count;
    cl_uint np;
    enable_rusticl(cfg->opencl_platform);
    cl_int rc = list_devices(cfg->opencl_platform, devs, &count, &np);
    if (np == 0) {
        pgemm_err_set(err, "no OpenCL platform found (%s): is an ICD installed under "
                           "/etc/OpenCL/vendors?",
                      rc == CL_SUCCESS ? "none listed" : pgemm_cl_error_name(rc));
        return PGEMM_ERROR_BACKEND_UNAVAILABLE;
    }
    if (count == 0) {
        if (cfg->opencl_platform && *cfg->opencl_platform)
            pgemm_err_set(err, "no available device on an OpenCL platform matching \"%s\" "
                               "(%u platforms present)",
                          cfg->opencl_platform, (unsigned)np);
        else
            pgemm_err_set(err, "%u OpenCL platforms, but no available device", (unsigned)np);
        return PGEMM_ERROR_BACKEND_UNAVAILABLE;
    }
    size_t pick = 0;
    if (cfg->device_index >= 0) {
        if ((size_t)cfg->device_index >= count) {
            pgemm_err_set(err, "device index %d out of range: %zu OpenCL devices match",
                          cfg->device_index, count);
            return PGEMM_ERROR_BACKEND_UNAVAILABLE;
        }
        pick = (size_t)cfg->device_index;
    }
    out->platform = devs[pick].platform;
    out->device = devs[pick].device;
    platform_name(out->platform, out->platform_name, sizeof out->platform_name);
    char dev[PGEMM_NAME_LEN];
    device_string(out->device, CL_DEVICE_NAME, dev, sizeof dev);
    const char *reason = cfg->device_index >= 0 ? "requested index"
                         : devs[pick].is_cpu    ? "first device; no GPU found"
                                                : "first GPU found";
    pgemm_text_format(out->why, sizeof out->why, "platform \"%s\", device %zu \"%s\" (%s%s%s)",
                      out->platform_name, pick, dev, reason,
                      cfg->opencl_platform ? ", platform filter " : "",
                      cfg->opencl_platform ? cfg->opencl_platform : "");
    return PGEMM_SUCCESS;
}

int pgemm_cl_platform_caches_builds(cl_platform_id platform)
{
    char vendor[PGEMM_NAME_LEN];
    platform_string(platform, CL_PLATFORM_VENDOR, vendor, sizeof vendor);
    return pgemm_text_icontains(vendor, "The pocl project");
}

void pgemm_cl_device_info(const cl_pick *pick, pgemm_info *info)
{
    cl_device_id d = pick->device;
    pgemm_text_copy(info->platform, sizeof info->platform, pick->platform_name);
    device_string(d, CL_DEVICE_NAME, info->device, sizeof info->device);
    device_string(d, CL_DRIVER_VERSION, info->driver, sizeof info->driver);
    device_string(d, CL_DEVICE_VERSION, info->device_version, sizeof info->device_version);
    /* NVIDIA's compute capability, where the driver has the extension. */
    char extensions[4096];
    device_string(d, CL_DEVICE_EXTENSIONS, extensions, sizeof extensions);
    cl_uint nv_major = 0, nv_minor = 0;
    int nv = strstr(extensions, "cl_nv_device_attribute_query") &&
             clGetDeviceInfo(d, 0x4000 /* CL_DEVICE_COMPUTE_CAPABILITY_MAJOR_NV */, sizeof nv_major,
                             &nv_major, NULL) == CL_SUCCESS &&
             clGetDeviceInfo(d, 0x4001 /* CL_DEVICE_COMPUTE_CAPABILITY_MINOR_NV */, sizeof nv_minor,
                             &nv_minor, NULL) == CL_SUCCESS;
    pgemm_cl_arch(info->device, nv ? (int)nv_major : -1, (int)nv_minor,
                  pgemm_text_icontains(pick->platform_name, "Portable Computing Language"),
                  info->arch, sizeof info->arch);
    cl_device_type type = 0;
    clGetDeviceInfo(d, CL_DEVICE_TYPE, sizeof type, &type, NULL);
    info->device_is_cpu = (type & CL_DEVICE_TYPE_CPU) != 0;
    /* llvmpipe (rusticl, Clover's software path) runs work-items as SIMD
     * lanes, like a GPU; other CPU drivers loop over them. */
    info->work_items_as_loops =
        info->device_is_cpu && !pgemm_text_icontains(info->device, "llvmpipe");
    cl_uint cu = 0;
    clGetDeviceInfo(d, CL_DEVICE_MAX_COMPUTE_UNITS, sizeof cu, &cu, NULL);
    info->compute_units = cu;
    cl_ulong v = 0;
    clGetDeviceInfo(d, CL_DEVICE_GLOBAL_MEM_SIZE, sizeof v, &v, NULL);
    info->global_mem_bytes = v;
    v = 0;
    clGetDeviceInfo(d, CL_DEVICE_MAX_MEM_ALLOC_SIZE, sizeof v, &v, NULL);
    info->max_buffer_bytes = v;
    v = 0;
    clGetDeviceInfo(d, CL_DEVICE_LOCAL_MEM_SIZE, sizeof v, &v, NULL);
    info->local_mem_bytes = v;
    info->has_fp16_tiles = 0;
    pgemm_text_copy(info->why, sizeof info->why, pick->why);
}

void pgemm_cl_describe(const pgemm_backend_config *cfg, char *text, size_t cap)
{
    cl_device_entry devs[MAX_DEVICES];
    size_t count;
    cl_uint np;
    enable_rusticl(cfg->opencl_platform);
    cl_int rc = list_devices(NULL, devs, &count, &np);
    if (np == 0) {
        pgemm_text_append(text, cap, "  no OpenCL platform (%s)\n",
                          rc == CL_SUCCESS ? "none listed" : pgemm_cl_error_name(rc));
        return;
    }
    /* All platforms, then the devices PGEMM_DEVICE indexes under the filter. */
    cl_platform_id platforms[MAX_PLATFORMS];
    clGetPlatformIDs(MAX_PLATFORMS, platforms, NULL);
    for (cl_uint p = 0; p < np && p < MAX_PLATFORMS; p++) {
        char name[PGEMM_NAME_LEN];
        platform_name(platforms[p], name, sizeof name);
        cl_uint nd = 0;
        clGetDeviceIDs(platforms[p], CL_DEVICE_TYPE_ALL, 0, NULL, &nd);
        pgemm_text_append(text, cap, "  platform %u: %s (%u device%s)%s\n", (unsigned)p, name,
                          (unsigned)nd, nd == 1 ? "" : "s",
                          platform_matches(cfg->opencl_platform, p, platforms[p]) ? "" : " [filtered out]");
    }
    size_t matched;
    list_devices(cfg->opencl_platform, devs, &matched, &np);
    for (size_t i = 0; i < matched; i++) {
        char dev[PGEMM_NAME_LEN], drv[PGEMM_NAME_LEN], ver[PGEMM_NAME_LEN];
        device_string(devs[i].device, CL_DEVICE_NAME, dev, sizeof dev);
        device_string(devs[i].device, CL_DRIVER_VERSION, drv, sizeof drv);
        device_string(devs[i].device, CL_DEVICE_VERSION, ver, sizeof ver);
        cl_uint cu = 0;
        clGetDeviceInfo(devs[i].device, CL_DEVICE_MAX_COMPUTE_UNITS, sizeof cu, &cu, NULL);
        pgemm_text_append(text, cap, "  device %zu: %s [%s, platform %zu, %u compute units, "
                                     "driver %s, %s]\n",
                          i, dev, devs[i].is_cpu ? "CPU" : "GPU", devs[i].platform_index,
                          (unsigned)cu, drv, ver);
    }
}
