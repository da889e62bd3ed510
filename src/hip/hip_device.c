/* SPDX-License-Identifier: BSD-3-Clause */
/* HIP device discovery, choice and description. */
#include <string.h>

#include "common/text.h"
#include "hip_internal.h"

int pgemm_hip_device_arch(const hipDeviceProp_t *props)
{
#if PGEMM_HIP_IS_NVIDIA
    return props->major * 10 + props->minor;
#else
    return pgemm_hip_gfx_number(props->gcnArchName);
#endif
}

/* The code targets this plugin was built with (CMake passes them). */
#ifndef PGEMM_HIP_TARGETS
#error "PGEMM_HIP_TARGETS (the build's code targets) must be defined by the build"
#endif

static int build_covers(const hipDeviceProp_t *props)
{
#if PGEMM_HIP_IS_NVIDIA
    return pgemm_hip_targets_cover(PGEMM_HIP_TARGETS, 1, pgemm_hip_device_arch(props), NULL);
#else
    return pgemm_hip_targets_cover(PGEMM_HIP_TARGETS, 0, 0, props->gcnArchName);
#endif
}

int pgemm_hip_variant_runs(const hip_variant *v, int arch)
{
    const char *target = pgemm_hip_isa_target(v->isa);
    if (target && !pgemm_hip_targets_include(PGEMM_HIP_TARGETS, target)) return 0;
    return pgemm_hip_isa_present(v->isa, PGEMM_HIP_IS_NVIDIA, arch);
}

/* "gfx90a:sramecc+:xnack-" on AMD, "sm_90" on NVIDIA. */
static const char *arch_label(const hipDeviceProp_t *props, char *buf, size_t cap)
{
#if PGEMM_HIP_IS_NVIDIA
    return pgemm_text_format(buf, cap, "sm_%d%d", props->major, props->minor);
#else
    pgemm_text_copy(buf, cap, props->gcnArchName);
    return buf;
#endif
}

/* Version numbers as the runtime encodes them: CUDA 1000 * major + 10 *
 * minor; HIP 10000000 * major + 100000 * minor + patch. */
static const char *version_text(int v, char *buf, size_t cap)
{
    if (v <= 0) return pgemm_text_format(buf, cap, "?");
#if PGEMM_HIP_IS_NVIDIA
    return pgemm_text_format(buf, cap, "%d.%d", v / 1000, v % 1000 / 10);
#else
    return pgemm_text_format(buf, cap, "%d.%d.%d", v / 10000000, v / 100000 % 100, v % 100000);
#endif
}

/* "HIP driver 5.2.21153, runtime 5.2.21153" / "CUDA driver 13.0, runtime 13.0". */
static const char *driver_text(char *buf, size_t cap)
{
    int drv = 0, rt = 0;
    char d[32], r[32];
    if (hipDriverGetVersion(&drv) != hipSuccess) drv = 0;
    if (hipRuntimeGetVersion(&rt) != hipSuccess) rt = 0;
    return pgemm_text_format(buf, cap, "%s driver %s, runtime %s",
                             PGEMM_HIP_IS_NVIDIA ? "CUDA" : "HIP",
                             version_text(drv, d, sizeof d), version_text(rt, r, sizeof r));
}

/* The device count, or why there is no device (into err). */
static int device_count(pgemm_err *err)
{
    int count = 0;
    hipError_t rc = hipGetDeviceCount(&count);
    if (rc == hipErrorNoDevice) {
        pgemm_err_set(err, "HIP runtime: %s", pgemm_hip_error_text(rc));
        return 0;
    }
    if (rc != hipSuccess) {
        char hint[96] = "", rt[32];
        int v = 0;
        if (rc == hipErrorInsufficientDriver && hipRuntimeGetVersion(&v) == hipSuccess)
            pgemm_text_format(hint, sizeof hint, "; the %s driver is missing or older than %s %s",
                              PGEMM_HIP_IS_NVIDIA ? "NVIDIA" : "AMD",
                              PGEMM_HIP_IS_NVIDIA ? "CUDA" : "HIP", version_text(v, rt, sizeof rt));
        pgemm_err_set(err, "HIP runtime: no usable device: %s%s", pgemm_hip_error_text(rc), hint);
        return 0;
    }
    if (count <= 0) {
        pgemm_err_set(err, "HIP runtime: no device (hipGetDeviceCount found none)");
        return 0;
    }
    return count;
}

/* Reads device i's properties; on failure says why in err. */
static int read_props(int i, hipDeviceProp_t *props, pgemm_err *err)
{
    hipError_t rc = hipGetDeviceProperties(props, i);
    if (rc == hipSuccess) return 1;
    pgemm_err_set(err, "hipGetDeviceProperties(%d): %s", i, pgemm_hip_error_text(rc));
    return 0;
}

static void no_code(int i, const hipDeviceProp_t *props, pgemm_err *err)
{
    char arch[PGEMM_NAME_LEN];
    pgemm_err_set(err, "HIP device %d \"%s\" is %s, and this build has code for %s only (%s)", i,
                  props->name, arch_label(props, arch, sizeof arch), PGEMM_HIP_TARGETS,
                  PGEMM_HIP_IS_NVIDIA ? "PGEMM_NVIDIA_ARCHS" : "PGEMM_HIP_ARCHS");
}

pgemm_status pgemm_hip_pick_device(const pgemm_backend_config *cfg, hip_pick *out,
                                   pgemm_err *err)
{
    memset(out, 0, sizeof *out);
    int count = device_count(err);
    if (count == 0) return PGEMM_ERROR_BACKEND_UNAVAILABLE;
    int index = -1;
    if (cfg->device_index >= 0) {
        if (cfg->device_index >= count) {
            pgemm_err_set(err, "device index %d out of range: %d HIP device%s", cfg->device_index,
                          count, count == 1 ? "" : "s");
            /* The caller's device (interop) names one that does not exist. */
            return cfg->interop ? PGEMM_ERROR_INVALID_ARGUMENT : PGEMM_ERROR_BACKEND_UNAVAILABLE;
        }
        index = cfg->device_index;
        if (!read_props(index, &out->props, err)) return PGEMM_ERROR_BACKEND_UNAVAILABLE;
        if (!build_covers(&out->props)) {
            no_code(index, &out->props, err);
            return PGEMM_ERROR_BACKEND_UNAVAILABLE;
        }
    } else {
        /* The first device this build has code for; else why the first is
         * unusable. */
        pgemm_err first = {{0}};
        for (int i = 0; i < count && index < 0; i++) {
            pgemm_err *why = i == 0 ? &first : NULL;
            if (!read_props(i, &out->props, why)) continue;
            if (build_covers(&out->props)) index = i;
            else if (why) no_code(i, &out->props, why);
        }
        if (index < 0) {
            pgemm_err_set(err, "%s", first.msg);
            return PGEMM_ERROR_BACKEND_UNAVAILABLE;
        }
    }
    out->index = index;
    out->arch = pgemm_hip_device_arch(&out->props);
    char arch[PGEMM_NAME_LEN];
    pgemm_text_format(out->why, sizeof out->why, "HIP (%s) device %d \"%s\" (%s, %s; %d device%s)",
                      PGEMM_HIP_PLATFORM_NAME, index, out->props.name,
                      arch_label(&out->props, arch, sizeof arch),
                      cfg->interop             ? "the caller's device"
                      : cfg->device_index >= 0 ? "requested index"
                      : index == 0             ? "first device"
                                               : "first device this build has code for",
                      count, count == 1 ? "" : "s");
    return PGEMM_SUCCESS;
}

void pgemm_hip_device_info(const hip_pick *pick, int has_fp16, pgemm_info *info)
{
    const hipDeviceProp_t *p = &pick->props;
    pgemm_text_format(info->platform, sizeof info->platform, "HIP (%s)", PGEMM_HIP_PLATFORM_NAME);
    pgemm_text_copy(info->device, sizeof info->device, p->name);
    driver_text(info->driver, sizeof info->driver);
#if PGEMM_HIP_IS_NVIDIA
    pgemm_text_format(info->device_version, sizeof info->device_version,
                      "compute capability %d.%d (sm_%d%d)", p->major, p->minor, p->major, p->minor);
    pgemm_text_format(info->arch, sizeof info->arch, "sm_%d%d", p->major, p->minor);
#else
    pgemm_text_copy(info->device_version, sizeof info->device_version, p->gcnArchName);
    /* "gfx90a:sramecc+:xnack-": the target without its features. */
    pgemm_text_format(info->arch, sizeof info->arch, "%.*s", (int)strcspn(p->gcnArchName, ":"),
                      p->gcnArchName);
#endif
    info->device_is_cpu = 0;
    info->work_items_as_loops = 0;
    info->compute_units = p->multiProcessorCount > 0 ? (unsigned)p->multiProcessorCount : 0;
    info->global_mem_bytes = p->totalGlobalMem;
    /* HIP has no per-allocation limit below the device's memory. */
    info->max_buffer_bytes = p->totalGlobalMem;
    info->local_mem_bytes = p->sharedMemPerBlock;
    info->has_fp16_tiles = has_fp16;
    pgemm_text_copy(info->why, sizeof info->why, pick->why);
}

/* The fp16 variants device `arch` runs, as "h16dot2, h16fma" ("none"). */
static const char *fp16_list(int arch, char *buf, size_t cap)
{
    buf[0] = '\0';
    for (size_t i = 0; i < pgemm_hip_variant_count(); i++) {
        const hip_variant *v = pgemm_hip_variant(i);
        if (v->desc.fp16 && pgemm_hip_variant_runs(v, arch))
            pgemm_text_append(buf, cap, "%s%s", buf[0] ? ", " : "", v->desc.name);
    }
    if (!buf[0]) pgemm_text_copy(buf, cap, "none");
    return buf;
}

void pgemm_hip_describe(const pgemm_backend_config *cfg, char *text, size_t cap)
{
    (void)cfg;
    pgemm_err err = {{0}};
    char drv[PGEMM_NAME_LEN];
    int count = device_count(&err);
    if (count == 0) {
        pgemm_text_append(text, cap, "  %s\n", err.msg);
        return;
    }
    pgemm_text_append(text, cap, "  HIP (%s): %s, %d device%s\n", PGEMM_HIP_PLATFORM_NAME,
                      driver_text(drv, sizeof drv), count, count == 1 ? "" : "s");
    for (int i = 0; i < count; i++) {
        hipDeviceProp_t p;
        hipError_t rc = hipGetDeviceProperties(&p, i);
        if (rc != hipSuccess) {
            pgemm_text_append(text, cap, "  device %d: hipGetDeviceProperties: %s\n", i,
                              pgemm_hip_error_text(rc));
            continue;
        }
        char arch[PGEMM_NAME_LEN], fp16[PGEMM_NAME_LEN];
        pgemm_text_append(text, cap, "  device %d: %s [%s, %d compute units, %.1f GiB, ", i,
                          p.name, arch_label(&p, arch, sizeof arch), p.multiProcessorCount,
                          (double)p.totalGlobalMem / (1024.0 * 1024.0 * 1024.0));
        if (build_covers(&p))
            pgemm_text_append(text, cap, "fp16 tiles: %s]\n",
                              fp16_list(pgemm_hip_device_arch(&p), fp16, sizeof fp16));
        else
            pgemm_text_append(text, cap, "no code in this build: built for %s]\n",
                              PGEMM_HIP_TARGETS);
    }
}

pgemm_status pgemm_hip_bind(hip_backend *b, pgemm_err *err)
{
    return pgemm_hip_check(hipSetDevice(b->device), "hipSetDevice", err);
}
