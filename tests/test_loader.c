/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The plugin loader and backend choice, with stub plugins (no OpenCL):
 *
 *   test_loader ok DIR            DIR holds a working stub libpgemm_opencl.so
 *   test_loader refused DIR TEXT  DIR's libpgemm_opencl.so must be refused
 *                                 (or is absent); the reason contains TEXT
 *   test_loader hip_first DIR     working stubs for hip and opencl: AUTO
 *                                 takes hip
 *   test_loader hip_refuses DIR   a hip stub whose create() fails and a
 *                                 working opencl stub: AUTO falls back
 *
 * PGEMM_PLUGIN_DIR=DIR is set here; with it set, the library must load
 * plugins from DIR alone (the real OpenCL plugin next to libpgemm.so must
 * not be picked up).
 */
#define _POSIX_C_SOURCE 200809L
#include <elf.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test_util.h"

static const char *g_dir;

/* Creates a context with opts (may be NULL); returns the status and
 * destroys the context; *info receives its info on success. */
static pgemm_status try_create(const pgemm_options *opts, pgemm_info *info)
{
    pgemm_context *ctx = (pgemm_context *)(size_t)1;
    pgemm_status st = pgemm_context_create(opts, &ctx);
    g_test_checks++;
    if (st != PGEMM_SUCCESS && ctx != NULL)
        test_fail_at(__FILE__, __LINE__, "failed creation left *out non-NULL");
    if (st == PGEMM_SUCCESS) {
        if (info) CHECK_OK(ctx, pgemm_context_info(ctx, info));
        CHECK_MSG(pgemm_last_error(NULL)[0] == '\0',
                  "successful creation left a creation error: %s", pgemm_last_error(NULL));
        pgemm_context_destroy(ctx);
    }
    return st;
}

/* Creation must give `want`; the creation error must contain needle. */
#define EXPECT_CREATE(opts, want, needle) expect_create(__LINE__, opts, want, needle)
static void expect_create(int line, const pgemm_options *opts, pgemm_status want,
                          const char *needle)
{
    pgemm_status st = try_create(opts, NULL);
    const char *msg = pgemm_last_error(NULL);
    g_test_checks += 2;
    if (st != want)
        test_fail_at(__FILE__, line, "create: %s, want %s (%s)", pgemm_status_string(st),
                     pgemm_status_string(want), msg);
    if (needle && !strstr(msg, needle))
        test_fail_at(__FILE__, line, "creation error \"%s\" does not contain \"%s\"", msg,
                     needle);
}

static pgemm_options opts_backend(pgemm_backend backend)
{
    pgemm_options o;
    pgemm_options_init(&o);
    o.backend = backend;
    return o;
}

static void describe(char *text, size_t cap)
{
    size_t needed = 0;
    CHECK_OK(NULL, pgemm_describe_system(text, cap, &needed));
    CHECK(needed == strlen(text) + 1);
}

/* Environment variables that must be refused at creation. */
static void bad_environment(void)
{
    static const struct {
        const char *var, *value, *needle;
    } bad[] = {
        {"PGEMM_BACKEND", "bogus", "PGEMM_BACKEND=\"bogus\""},
        {"PGEMM_BACKEND", "cuda", "expected auto, hip or opencl"},
        {"PGEMM_DEVICE", "abc", "PGEMM_DEVICE=\"abc\""},
        {"PGEMM_DEVICE", "-1", "PGEMM_DEVICE"},
        {"PGEMM_DEVICE", "1x", "PGEMM_DEVICE"},
        {"PGEMM_LOG", "loud", "PGEMM_LOG=\"loud\""},
        {"PGEMM_LOG", "3", "PGEMM_LOG"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        test_setenv(bad[i].var, bad[i].value);
        EXPECT_CREATE(NULL, PGEMM_ERROR_INVALID_ARGUMENT, bad[i].needle);
        test_setenv(bad[i].var, NULL);
    }
    /* HIP forced: there is no HIP plugin in DIR. */
    test_setenv("PGEMM_BACKEND", "hip");
    EXPECT_CREATE(NULL, PGEMM_ERROR_BACKEND_UNAVAILABLE, "libpgemm_hip.so not found");
    test_setenv("PGEMM_BACKEND", NULL);
    pgemm_options o = opts_backend(PGEMM_BACKEND_HIP);
    EXPECT_CREATE(&o, PGEMM_ERROR_BACKEND_UNAVAILABLE, "backend hip requested but not usable");
}

static void *create_in_thread(void *arg)
{
    (void)arg;
    pgemm_options o = opts_backend(PGEMM_BACKEND_HIP);
    pgemm_context *ctx;
    pgemm_status st = pgemm_context_create(&o, &ctx);
    return (void *)(size_t)(st != PGEMM_SUCCESS && pgemm_last_error(NULL)[0] != '\0');
}

static void scenario_ok(void)
{
    pgemm_info info;
    CHECK_STATUS(NULL, PGEMM_SUCCESS, try_create(NULL, &info));
    CHECK(info.backend == PGEMM_BACKEND_OPENCL);
    CHECK(!strcmp(info.backend_name, "opencl"));
    CHECK(!strcmp(info.platform, "stub"));
    CHECK(info.variant_count == 2);
    CHECK_CONTAINS(info.why, "AUTO");
    CHECK_CONTAINS(info.why, "hip unavailable");
    CHECK_CONTAINS(info.why, "stub device");

    pgemm_options o = opts_backend(PGEMM_BACKEND_OPENCL);
    CHECK_STATUS(NULL, PGEMM_SUCCESS, try_create(&o, &info));
    CHECK_CONTAINS(info.why, "forced");
    /* The environment overrides the options, case-insensitively. */
    o = opts_backend(PGEMM_BACKEND_HIP);
    test_setenv("PGEMM_BACKEND", "OpenCL");
    CHECK_STATUS(NULL, PGEMM_SUCCESS, try_create(&o, &info));
    CHECK(info.backend == PGEMM_BACKEND_OPENCL);
    test_setenv("PGEMM_BACKEND", NULL);

    bad_environment();

    /* A failed creation's message belongs to its thread. */
    EXPECT_CREATE(NULL, PGEMM_SUCCESS, NULL);
    pthread_t th;
    void *thread_saw_error = NULL;
    REQUIRE(pthread_create(&th, NULL, create_in_thread, NULL) == 0);
    pthread_join(th, &thread_saw_error);
    CHECK(thread_saw_error != NULL);
    CHECK_MSG(pgemm_last_error(NULL)[0] == '\0',
              "another thread's creation error shows up here: %s", pgemm_last_error(NULL));

    /* Device and platform choices reach the backend (the stub has one device
     * on platform "stub"); the environment overrides the options. */
    test_setenv("PGEMM_DEVICE", "0");
    EXPECT_CREATE(NULL, PGEMM_SUCCESS, NULL);
    test_setenv("PGEMM_DEVICE", "1");
    EXPECT_CREATE(NULL, PGEMM_ERROR_NO_BACKEND, "device index 1 out of range");
    o = opts_backend(PGEMM_BACKEND_OPENCL);
    EXPECT_CREATE(&o, PGEMM_ERROR_BACKEND_UNAVAILABLE, "device index 1 out of range");
    test_setenv("PGEMM_DEVICE", "0");
    o.device_index = 1;
    EXPECT_CREATE(&o, PGEMM_SUCCESS, NULL);
    test_setenv("PGEMM_DEVICE", NULL);
    EXPECT_CREATE(&o, PGEMM_ERROR_BACKEND_UNAVAILABLE, "device index 1 out of range");

    pgemm_options_init(&o);
    o.opencl_platform = "xyz";
    EXPECT_CREATE(&o, PGEMM_ERROR_NO_BACKEND, "no platform matching \"xyz\"");
    test_setenv("PGEMM_OPENCL_PLATFORM", "stub");
    EXPECT_CREATE(&o, PGEMM_SUCCESS, NULL);
    test_setenv("PGEMM_OPENCL_PLATFORM", "xyz");
    EXPECT_CREATE(NULL, PGEMM_ERROR_NO_BACKEND, "no platform matching \"xyz\"");
    test_setenv("PGEMM_OPENCL_PLATFORM", NULL);

    /* Logging levels by name and number are accepted. */
    test_setenv("PGEMM_LOG", "off");
    EXPECT_CREATE(NULL, PGEMM_SUCCESS, NULL);
    test_setenv("PGEMM_LOG", "0");
    EXPECT_CREATE(NULL, PGEMM_SUCCESS, NULL);
    test_setenv("PGEMM_LOG", NULL);

    /* The kernel cache directory the core hands to the backend. */
    static const struct {
        const char *cache, *xdg, *home, *want;
    } cache[] = {
        {"/tmp/pgemm-test-cache", NULL, NULL, "cache=/tmp/pgemm-test-cache"},
        {"off", "/tmp/xdg", "/tmp/home", "cache=(none)"},
        {"OFF", NULL, NULL, "cache=(none)"},
        {NULL, "/tmp/xdg", "/tmp/home", "cache=/tmp/xdg/pgemm"},
        {NULL, NULL, "/tmp/home", "cache=/tmp/home/.cache/pgemm"},
    };
    const char *home = getenv("HOME");
    char *saved_home = home ? strdup(home) : NULL;
    for (size_t i = 0; i < sizeof cache / sizeof cache[0]; i++) {
        test_setenv("PGEMM_CACHE_DIR", cache[i].cache);
        test_setenv("XDG_CACHE_HOME", cache[i].xdg);
        test_setenv("HOME", cache[i].home);
        CHECK_STATUS(NULL, PGEMM_SUCCESS, try_create(NULL, &info));
        CHECK_CONTAINS(info.why, cache[i].want);
    }
    test_setenv("PGEMM_CACHE_DIR", NULL);
    test_setenv("XDG_CACHE_HOME", NULL);
    test_setenv("HOME", saved_home);
    free(saved_home);

    /* PGEMM_VARIANT forces a variant for the whole context. */
    test_setenv("PGEMM_VARIANT", "stub_b");
    pgemm_context *ctx = NULL;
    CHECK_OK(NULL, pgemm_context_create(NULL, &ctx));
    REQUIRE(ctx);
    float a[4] = {1, 2, 3, 4}, b[4] = {5, 6, 7, 8}, c[4] = {0};
    CHECK_OK(ctx, pgemm_sgemm_host(ctx, PGEMM_ROW_MAJOR, PGEMM_NO_TRANS, PGEMM_NO_TRANS, 2, 2, 2,
                                   1.0f, a, 2, b, 2, 0.0f, c, 2));
    CHECK(c[0] == 19 && c[1] == 22 && c[2] == 43 && c[3] == 50);
    pgemm_call_info call;
    CHECK_OK(ctx, pgemm_last_call(ctx, &call));
    CHECK(!strcmp(call.variant, "stub_b"));
    CHECK_CONTAINS(call.why, "forced");
    pgemm_context_destroy(ctx);
    test_setenv("PGEMM_VARIANT", NULL);

    char text[4096];
    describe(text, sizeof text);
    CHECK_CONTAINS(text, "opencl: loaded");
    CHECK_CONTAINS(text, g_dir);
    CHECK_CONTAINS(text, "stub opencl backend: device 0: stub-cpu");
    CHECK_CONTAINS(text, "hip: unavailable");
    CHECK_CONTAINS(text, "libpgemm_hip.so not found");
    CHECK_CONTAINS(text, "cache (kernels, models): ");

    /* A cache folder others can write is not used, and the report says why. */
    char open_dir[] = "/tmp/pgemm-open-cache-XXXXXX";
    REQUIRE(mkdtemp(open_dir) != NULL);
    REQUIRE(chmod(open_dir, 0777) == 0);
    test_setenv("PGEMM_CACHE_DIR", open_dir);
    describe(text, sizeof text);
    CHECK_CONTAINS(text, "cache (kernels, models): not used: ");
    CHECK_CONTAINS(text, "is writable by every user (mode 0777)");
    test_setenv("PGEMM_CACHE_DIR", NULL);
    rmdir(open_dir);
}

static void scenario_refused(const char *reason)
{
    pgemm_info info;
    EXPECT_CREATE(NULL, PGEMM_ERROR_NO_BACKEND, "AUTO tried every backend");
    CHECK_CONTAINS(pgemm_last_error(NULL), "opencl unavailable");
    CHECK_CONTAINS(pgemm_last_error(NULL), reason);
    pgemm_options o = opts_backend(PGEMM_BACKEND_OPENCL);
    EXPECT_CREATE(&o, PGEMM_ERROR_BACKEND_UNAVAILABLE, "backend opencl requested but not usable");
    CHECK_CONTAINS(pgemm_last_error(NULL), reason);
    test_setenv("PGEMM_BACKEND", "opencl");
    EXPECT_CREATE(NULL, PGEMM_ERROR_BACKEND_UNAVAILABLE, reason);
    test_setenv("PGEMM_BACKEND", NULL);
    (void)info;
    bad_environment();

    char text[4096];
    describe(text, sizeof text);
    CHECK_CONTAINS(text, "opencl: unavailable");
    CHECK_CONTAINS(text, reason);
    CHECK_CONTAINS(text, "hip: unavailable");
}

static void scenario_hip_first(void)
{
    pgemm_info info;
    CHECK_STATUS(NULL, PGEMM_SUCCESS, try_create(NULL, &info));
    CHECK(info.backend == PGEMM_BACKEND_HIP);
    CHECK(!strcmp(info.backend_name, "hip"));
    CHECK_CONTAINS(info.why, "AUTO");
    CHECK_MSG(strstr(info.why, "unavailable") == NULL, "why: %s", info.why);
    pgemm_options o = opts_backend(PGEMM_BACKEND_OPENCL);
    CHECK_STATUS(NULL, PGEMM_SUCCESS, try_create(&o, &info));
    CHECK(info.backend == PGEMM_BACKEND_OPENCL);
    char text[4096];
    describe(text, sizeof text);
    CHECK_CONTAINS(text, "hip: loaded");
    CHECK_CONTAINS(text, "opencl: loaded");
    CHECK_CONTAINS(text, "stub hip backend: device 0");
}

static void scenario_hip_refuses(void)
{
    pgemm_info info;
    CHECK_STATUS(NULL, PGEMM_SUCCESS, try_create(NULL, &info));
    CHECK(info.backend == PGEMM_BACKEND_OPENCL);
    CHECK_CONTAINS(info.why, "hip unavailable (stub: no device)");
    pgemm_options o = opts_backend(PGEMM_BACKEND_HIP);
    EXPECT_CREATE(&o, PGEMM_ERROR_BACKEND_UNAVAILABLE, "stub: no device");
    char text[4096];
    describe(text, sizeof text);
    CHECK_CONTAINS(text, "stub hip backend: no device");
    CHECK_CONTAINS(text, "opencl: loaded");
}

/* Copies the first `keep` bytes of src to dst (keep 0: all), then flips
 * byte `flip` (-1: none). */
static void copy_file(const char *src, const char *dst, long keep, long flip)
{
    FILE *in = fopen(src, "rb"), *out = fopen(dst, "wb");
    REQUIRE(in && out);
    long n = 0;
    int ch;
    while ((ch = fgetc(in)) != EOF && (keep == 0 || n < keep)) {
        fputc(n == flip ? ch ^ 0x03 : ch, out);
        n++;
    }
    fclose(in);
    REQUIRE(fclose(out) == 0);
}

/* Damaged plugins, made from the working stub in ok_dir under scratch:
 * each is refused with its reason, and nothing crashes (a truncated shared
 * object used to kill the process with SIGBUS inside dlopen). */
static void scenario_damaged(const char *ok_dir, const char *scratch)
{
    char src[1024];
    snprintf(src, sizeof src, "%s/libpgemm_opencl.so", ok_dir);
    struct stat st;
    REQUIRE(stat(src, &st) == 0 && st.st_size > 8192);
    mkdir(scratch, 0755);
    static const struct {
        const char *name, *reason;
    } cases[] = {
        {"half", "is truncated"},           {"header", "is truncated or damaged"},
        {"empty", "is not an ELF file (0 bytes)"}, {"class", "for another machine"},
        {"fifo", "not a regular file (a FIFO)"},   {"dir", "not a regular file (a directory)"},
        {"zero", "not a regular file (a character device)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char dir[1100], lib[1200];
        snprintf(dir, sizeof dir, "%s/%s", scratch, cases[i].name);
        snprintf(lib, sizeof lib, "%s/libpgemm_opencl.so", dir);
        mkdir(dir, 0755);
        unlink(lib);
        rmdir(lib);
        const char *what = cases[i].name;
        if (!strcmp(what, "half")) copy_file(src, lib, (long)st.st_size / 2, -1);
        else if (!strcmp(what, "header")) copy_file(src, lib, 100, -1);
        else if (!strcmp(what, "empty")) copy_file(src, lib, 0, -1), truncate(lib, 0);
        else if (!strcmp(what, "class")) copy_file(src, lib, 0, EI_CLASS);
        else if (!strcmp(what, "fifo")) REQUIRE(mkfifo(lib, 0644) == 0);
        else if (!strcmp(what, "dir")) REQUIRE(mkdir(lib, 0755) == 0);
        else REQUIRE(symlink("/dev/zero", lib) == 0);
        test_setenv("PGEMM_PLUGIN_DIR", dir);
        pgemm_options o = opts_backend(PGEMM_BACKEND_OPENCL);
        EXPECT_CREATE(&o, PGEMM_ERROR_BACKEND_UNAVAILABLE, cases[i].reason);
        printf("test_loader damaged: %-6s -> %s\n", what, pgemm_last_error(NULL));
    }
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: test_loader ok|refused|hip_first|hip_refuses DIR [REASON]\n"
                        "       test_loader damaged OK_DIR SCRATCH\n");
        return 2;
    }
    static char name[64];
    snprintf(name, sizeof name, "test_loader %s", argv[1]);
    test_begin(name);
    g_dir = argv[2];
    test_setenv("PGEMM_PLUGIN_DIR", g_dir);
    printf("%s: PGEMM_PLUGIN_DIR=%s\n", name, g_dir);
    if (!strcmp(argv[1], "ok")) scenario_ok();
    else if (!strcmp(argv[1], "refused") && argc > 3) scenario_refused(argv[3]);
    else if (!strcmp(argv[1], "hip_first")) scenario_hip_first();
    else if (!strcmp(argv[1], "hip_refuses")) scenario_hip_refuses();
    else if (!strcmp(argv[1], "damaged") && argc > 3) scenario_damaged(argv[2], argv[3]);
    else {
        fprintf(stderr, "test_loader: unknown scenario %s\n", argv[1]);
        return 2;
    }
    return test_finish();
}
