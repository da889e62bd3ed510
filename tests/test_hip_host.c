/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The HIP plugin's host side on a machine without a HIP device (CTest
 * labels hip, cpu): built only with PGEMM_WITH_HIP.
 *
 *   - the variant table (pure data): invariants, unique names, the fp16
 *     tiers; which fp16 units each device has; the gfx target numbers; which build targets cover a device.
 *   - libpgemm_hip.so (argv[1]) loads, has API version 2 and no interop
 *     entries; describe() and create() name the reason there is no device
 *     ("HIP runtime: ..." with the runtime's error name), and create()
 *     returns PGEMM_ERROR_BACKEND_UNAVAILABLE without a context.
 *   - through libpgemm: PGEMM_BACKEND=hip fails cleanly with that reason;
 *     AUTO falls back to OpenCL (argv[2] == "opencl": the build has it),
 *     and the context's info.why says why HIP was skipped; without OpenCL
 *     AUTO fails with PGEMM_ERROR_NO_BACKEND naming both.
 *   - typed GEMM arguments on the fallback context: an invalid datatype is
 *     an invalid argument, fp16 operands are unsupported there.
 *
 * Where a HIP device is present the test is skipped (exit 77): the GPU
 * tests cover the plugin there.
 */
#define _POSIX_C_SOURCE 200809L
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "hip/hip_variants.h"
#include "test_util.h"
/* Streams as opaque pointers: this test has no HIP runtime of its own. */
#define PGEMM_HIP_STREAM_OPAQUE 1
#include "pgemm_hip.h"

static void quiet_log(int level, const char *msg)
{
    (void)level;
    (void)msg;
}

static void variant_table(void)
{
    size_t count = pgemm_hip_variant_count();
    REQUIRE(count > 0);
    CHECK(pgemm_hip_variant(count) == NULL);
    int fp32 = 0, fp16 = 0;
    for (size_t i = 0; i < count; i++) {
        const hip_variant *v = pgemm_hip_variant(i);
        const char *why = pgemm_hip_variant_invalid(v);
        CHECK_MSG(why == NULL, "variant %zu: %s", i, why);
        for (size_t j = 0; j < i; j++)
            CHECK_MSG(strcmp(v->desc.name, pgemm_hip_variant(j)->desc.name) != 0,
                      "two variants named %s", v->desc.name);
        if (v->desc.fp16) fp16++;
        else fp32++;
    }
    CHECK_MSG(fp32 == PGEMM_HIP_SGEMM_COUNT, "%d fp32 variants for %d sgemm kernels", fp32,
              (int)PGEMM_HIP_SGEMM_COUNT);
    CHECK_MSG(fp16 == PGEMM_HIP_HGEMM_COUNT, "%d fp16 variants for %d hgemm kernels", fp16,
              (int)PGEMM_HIP_HGEMM_COUNT);
    /* Each launcher has exactly one variant. */
    for (int k = 0; k < PGEMM_HIP_SGEMM_COUNT + PGEMM_HIP_HGEMM_COUNT; k++) {
        int is16 = k >= PGEMM_HIP_SGEMM_COUNT, kernel = is16 ? k - PGEMM_HIP_SGEMM_COUNT : k;
        int seen = 0;
        for (size_t i = 0; i < count; i++)
            seen += pgemm_hip_variant(i)->desc.fp16 == is16 &&
                    pgemm_hip_variant(i)->kernel == kernel;
        CHECK_MSG(seen == 1, "%s kernel %d has %d variants", is16 ? "hgemm" : "sgemm", kernel,
                  seen);
    }
}

/* The fp16 variants a device gets, as "h16mfma h16dot2 h16fma". */
static const char *fp16_for(int nvidia, int arch, char *buf, size_t cap)
{
    buf[0] = '\0';
    for (size_t i = 0; i < pgemm_hip_variant_count(); i++) {
        const hip_variant *v = pgemm_hip_variant(i);
        if (v->desc.fp16 && pgemm_hip_isa_present(v->isa, nvidia, arch)) {
            size_t len = strlen(buf);
            snprintf(buf + len, cap - len, "%s%s", len ? " " : "", v->desc.name);
        }
    }
    return buf;
}

/* Which units each device has: matrix cores only where the instructions
 * exist, the storage-only tile everywhere. */
static void fp16_units(void)
{
    static const struct {
        int nvidia, arch;
        const char *want;
    } cases[] = {
        {0, 803, "h16fma"},
        {0, 900, "h16fma"},
        {0, 906, "h16dot2 h16fma"},
        {0, 908, "h16mfma h16dot2 h16fma"},
        {0, 910, "h16mfma h16dot2 h16fma"},
        {0, 1010, "h16fma"},
        {0, 1030, "h16dot2 h16fma"},
        {1, 75, "h16dot2 h16fma"},
        {1, 80, "h16mma128 h16mma256 h16dot2 h16fma"},
        {1, 90, "h16wgmma h16mma128 h16mma256 h16dot2 h16fma"},
    };
    char got[256];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECK_MSG(!strcmp(fp16_for(cases[i].nvidia, cases[i].arch, got, sizeof got),
                          cases[i].want),
                  "%s %d: fp16 variants \"%s\", want \"%s\"",
                  cases[i].nvidia ? "sm" : "gfx", cases[i].arch, got, cases[i].want);
    CHECK(!pgemm_hip_isa_present((pgemm_hip_isa)99, 1, 90));
    /* The fp32 tiles run everywhere; only wgmma needs a code target of its own. */
    for (size_t i = 0; i < pgemm_hip_variant_count(); i++) {
        const hip_variant *v = pgemm_hip_variant(i);
        const char *target = pgemm_hip_isa_target(v->isa);
        if (!v->desc.fp16) CHECK_MSG(v->isa == PGEMM_HIP_ISA_ANY, "%s needs an isa", v->desc.name);
        CHECK_MSG(v->desc.traits == PGEMM_TRAIT_LOCAL_TILES && v->desc.local_bytes > 0,
                  "%s: traits %#x", v->desc.name, v->desc.traits);
        CHECK_MSG(!strcmp(v->desc.name, "h16wgmma") ? target && !strcmp(target, "90a") : !target,
                  "%s: code target %s", v->desc.name, target ? target : "none");
    }
}

static void gfx_numbers(void)
{
    static const struct {
        const char *name;
        int number;
    } cases[] = {
        {"gfx803", 803},   {"gfx900", 900},   {"gfx906", 906},
        {"gfx908", 908},   {"gfx90a", 910},   {"gfx90a:sramecc+:xnack-", 910},
        {"gfx90c", 912},   {"gfx1010", 1010}, {"gfx1030", 1030},
        {"gfx1100", 1100}, {"gfx942", 942},   {"gfx1151", 1151},
        {"", 0},           {"sm_90", 0},      {"gfx", 0},
        {"gfx9", 0},       {"gfx12345", 0},   {"gfxa0a", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int got = pgemm_hip_gfx_number(cases[i].name);
        CHECK_MSG(got == cases[i].number, "pgemm_hip_gfx_number(\"%s\") = %d, want %d",
                  cases[i].name, got, cases[i].number);
    }
    CHECK(pgemm_hip_gfx_number(NULL) == 0);
}

static void targets(void)
{
    const char *amd = "gfx803,gfx900;gfx906,gfx90a";
    CHECK(pgemm_hip_targets_cover(amd, 0, 0, "gfx90a:sramecc+:xnack-"));
    CHECK(pgemm_hip_targets_cover(amd, 0, 0, "gfx803"));
    CHECK(!pgemm_hip_targets_cover(amd, 0, 0, "gfx1030"));
    CHECK(!pgemm_hip_targets_cover(amd, 0, 0, "gfx90"));
    CHECK(!pgemm_hip_targets_cover(amd, 0, 0, ""));
    CHECK(pgemm_hip_targets_cover("gfx90a:xnack+", 0, 0, "gfx90a:xnack-"));
    const char *nv = "80,90a";
    CHECK(pgemm_hip_targets_cover(nv, 1, 80, NULL));
    CHECK(pgemm_hip_targets_cover(nv, 1, 86, NULL));  /* sm_80 code runs on 8.6 */
    CHECK(pgemm_hip_targets_cover(nv, 1, 90, NULL));  /* sm_90a on 9.0 exactly */
    CHECK(!pgemm_hip_targets_cover(nv, 1, 75, NULL));
    CHECK(!pgemm_hip_targets_cover(nv, 1, 100, NULL));
    CHECK(!pgemm_hip_targets_cover("90a", 1, 91, NULL));
    CHECK(pgemm_hip_targets_cover("90", 1, 91, NULL));
    CHECK(pgemm_hip_targets_include(nv, "90a"));
    CHECK(!pgemm_hip_targets_include(nv, "90"));
    CHECK(!pgemm_hip_targets_include(nv, NULL));
}

/* The plugin on its own. Returns 0 when a device is present (skip), else
 * 1 with the reason create() gave in `reason`. */
static int plugin_alone(const char *path, char *reason, size_t cap)
{
    void *dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!dl) {
        test_fail_at(__FILE__, __LINE__, "dlopen(%s): %s", path, dlerror());
        test_exit();
    }
    pgemm_backend_entry_fn entry = (pgemm_backend_entry_fn)dlsym(dl, PGEMM_BACKEND_ENTRY_SYMBOL);
    REQUIRE(entry != NULL);
    const pgemm_backend_iface *be = entry();
    REQUIRE(be != NULL);
    CHECK(be->api_version == PGEMM_BACKEND_API_VERSION);
    CHECK(!strcmp(be->name, "hip"));
    /* HIP interop (include/pgemm_hip.h) goes through these. */
    CHECK(be->buffer_wrap != NULL && be->native_queue != NULL && be->native_buffer != NULL);

    pgemm_backend_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.device_index = -1;
    cfg.log = quiet_log;
    pgemm_err err = {{0}};
    pgemm_info info;
    memset(&info, 0, sizeof info);
    void *bctx = (void *)&cfg;
    pgemm_status st = be->create(&cfg, &bctx, &info, &err);
    if (st == PGEMM_SUCCESS) {
        printf("test_hip_host: skipped: a HIP device is present (%s: %s); the GPU tests cover "
               "the plugin there\n",
               info.platform, info.device);
        be->destroy(bctx);
        return 0;
    }
    CHECK_MSG(st == PGEMM_ERROR_BACKEND_UNAVAILABLE, "create: %s, want backend unavailable (%s)",
              pgemm_status_string(st), err.msg);
    CHECK_MSG(bctx == NULL, "a failed create left *ctx = %p", bctx);
    CHECK_CONTAINS(err.msg, "HIP runtime: ");
    /* The runtime's own error name: hipError... (AMD) or cudaError... (NVIDIA). */
    CHECK_MSG(strstr(err.msg, "(hipError") || strstr(err.msg, "(cudaError"),
              "reason \"%s\" names no HIP error", err.msg);
    snprintf(reason, cap, "%s", err.msg);

    /* A requested index fails the same way, not with a crash. */
    cfg.device_index = 3;
    pgemm_err err2 = {{0}};
    CHECK(be->create(&cfg, &bctx, &info, &err2) == PGEMM_ERROR_BACKEND_UNAVAILABLE);
    CHECK_CONTAINS(err2.msg, "HIP runtime: ");
    /* And so does a context on a caller's stream (interop): no device is
     * no device, not a bad argument. */
    cfg.interop = 1;
    cfg.device_index = 0;
    pgemm_err err3 = {{0}};
    CHECK(be->create(&cfg, &bctx, &info, &err3) == PGEMM_ERROR_BACKEND_UNAVAILABLE);
    CHECK_CONTAINS(err3.msg, "HIP runtime: ");
    cfg.interop = 0;
    cfg.device_index = 3;

    char text[1024] = "";
    be->describe(&cfg, text, sizeof text);
    CHECK_CONTAINS(text, reason);
    dlclose(dl);
    return 1;
}

static void through_library(const char *reason, int have_opencl)
{
    pgemm_options o;
    pgemm_options_init(&o);
    o.backend = PGEMM_BACKEND_HIP;
    pgemm_context *ctx = (pgemm_context *)&o;
    CHECK_STATUS(NULL, PGEMM_ERROR_BACKEND_UNAVAILABLE, pgemm_context_create(&o, &ctx));
    CHECK(ctx == NULL);
    CHECK_CONTAINS(pgemm_last_error(NULL), "backend hip requested but not usable");
    CHECK_CONTAINS(pgemm_last_error(NULL), reason);
    /* A context on a caller's stream fails for the same reason. */
    ctx = (pgemm_context *)&o;
    CHECK_STATUS(NULL, PGEMM_ERROR_BACKEND_UNAVAILABLE,
                 pgemm_context_create_hip(0, NULL, NULL, &ctx));
    CHECK(ctx == NULL);
    CHECK_CONTAINS(pgemm_last_error(NULL), reason);

    char text[16384];
    CHECK_OK(NULL, pgemm_describe_system(text, sizeof text, NULL));
    CHECK_CONTAINS(text, "hip: loaded");
    CHECK_CONTAINS(text, reason);

    pgemm_options_init(&o);
    pgemm_status st = pgemm_context_create(&o, &ctx);
    if (!have_opencl) {
        CHECK_STATUS(NULL, PGEMM_ERROR_NO_BACKEND, st);
        CHECK_CONTAINS(pgemm_last_error(NULL), reason);
        return;
    }
    if (st != PGEMM_SUCCESS) {
        test_fail_at(__FILE__, __LINE__, "AUTO found no backend: %s", pgemm_last_error(NULL));
        return;
    }
    pgemm_info info;
    CHECK_OK(ctx, pgemm_context_info(ctx, &info));
    CHECK(info.backend == PGEMM_BACKEND_OPENCL);
    CHECK_CONTAINS(info.why, "AUTO: hip unavailable (");
    CHECK_CONTAINS(info.why, reason);
    CHECK_CONTAINS(info.why, "; opencl: ");
    printf("test_hip_host: AUTO chose %s: %s\n", info.backend_name, info.why);

    /* Typed operands on the fallback: checked before any backend work. */
    enum { M = 8, N = 8, K = 8 };
    pgemm_buffer *a = NULL, *b = NULL, *c = NULL;
    CHECK_OK(ctx, pgemm_buffer_create(ctx, M * K * sizeof(float), &a));
    CHECK_OK(ctx, pgemm_buffer_create(ctx, K * N * sizeof(float), &b));
    CHECK_OK(ctx, pgemm_buffer_create(ctx, M * N * sizeof(float), &c));
    REQUIRE(a && b && c);
    CHECK_STATUS(ctx, PGEMM_ERROR_INVALID_ARGUMENT,
                 pgemm_gemm_ex(ctx, PGEMM_COL_MAJOR, PGEMM_NO_TRANS, PGEMM_NO_TRANS, M, N, K,
                               1.0f, a, (pgemm_datatype)7, 0, M, b, PGEMM_F32, 0, K, 0.0f, c, 0,
                               M));
    CHECK_CONTAINS(pgemm_last_error(ctx), "a_type (7)");
    if (!info.has_fp16_tiles) {
        CHECK_STATUS(ctx, PGEMM_ERROR_UNSUPPORTED,
                     pgemm_gemm_ex(ctx, PGEMM_COL_MAJOR, PGEMM_NO_TRANS, PGEMM_NO_TRANS, M, N, K,
                                   1.0f, a, PGEMM_F16, 0, M, b, PGEMM_F16, 0, K, 0.0f, c, 0, M));
        CHECK_CONTAINS(pgemm_last_error(ctx), "fp16");
    }
    pgemm_buffer_destroy(a);
    pgemm_buffer_destroy(b);
    pgemm_buffer_destroy(c);
    pgemm_context_destroy(ctx);
}

int main(int argc, char **argv)
{
    test_begin("test_hip_host");
    if (argc != 3) {
        fprintf(stderr, "usage: %s PATH/libpgemm_hip.so opencl|no-opencl\n", argv[0]);
        return 2;
    }
    variant_table();
    fp16_units();
    gfx_numbers();
    targets();
    char reason[PGEMM_REASON_LEN];
    if (!plugin_alone(argv[1], reason, sizeof reason)) return TEST_SKIP;
    through_library(reason, !strcmp(argv[2], "opencl"));
    return test_finish();
}
