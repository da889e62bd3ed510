/* libpgemm_blas.so's settings, shared context, counters and log (shim.h). */
#include "shim.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/text.h"
#include "cpu_blas.h"

/* ------------------------------------------------------------- settings */

static pgemm_blas_config settings;
static pthread_once_t settings_once = PTHREAD_ONCE_INIT;

/* A whole decimal number in [0, max], or -1. */
static long long whole(const char *s, long long max)
{
    if (!s || !*s) return -1;
    long long v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9') return -1;
        if (v > (max - (*p - '0')) / 10) return -1;
        v = v * 10 + (*p - '0');
    }
    return v;
}

static void read_settings(void)
{
    pgemm_blas_config *c = &settings;
    c->mode = PGEMM_BLAS_AUTO;
    c->precision = PGEMM_PRECISION_FP32;
    const char *v = getenv("PGEMM_LOG");
    long long level = whole(v, 9);
    c->log_level = level < 0 ? 0 : (int)level;

    v = getenv("PGEMM_BLAS");
    if (v && *v) {
        if (!strcmp(v, "auto")) c->mode = PGEMM_BLAS_AUTO;
        else if (!strcmp(v, "gpu")) c->mode = PGEMM_BLAS_GPU;
        else if (!strcmp(v, "cpu")) c->mode = PGEMM_BLAS_CPU;
        else fprintf(stderr, "pgemm_blas: PGEMM_BLAS=%s: expected auto, gpu or cpu; using auto\n", v);
    }
    v = getenv("PGEMM_BLAS_THRESHOLD");
    if (v && *v) {
        long long n = whole(v, 1LL << 31);
        if (n < 0)
            fprintf(stderr,
                    "pgemm_blas: PGEMM_BLAS_THRESHOLD=%s: expected a whole number from 0 to "
                    "2147483648; ignored\n",
                    v);
        else c->threshold = (double)n;
    }
    v = getenv("PGEMM_BLAS_PRECISION");
    if (v && *v) {
        if (!strcmp(v, "fp32")) c->precision = PGEMM_PRECISION_FP32;
        else if (!strcmp(v, "fp16") || !strcmp(v, "fp16-mixed"))
            c->precision = PGEMM_PRECISION_FP16_MIXED;
        else
            fprintf(stderr, "pgemm_blas: PGEMM_BLAS_PRECISION=%s: expected fp32 or fp16; using fp32\n",
                    v);
    }
    v = getenv("PGEMM_BLAS_STATS");
    c->stats = v && !strcmp(v, "1");
}

const pgemm_blas_config *pgemm_blas_settings(void)
{
    pthread_once(&settings_once, read_settings);
    return &settings;
}

/* ------------------------------------------------------------------ log */

void pgemm_blas_log(int level, const char *fmt, ...)
{
    if (pgemm_blas_settings()->log_level < level) return;
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    fprintf(stderr, "pgemm_blas: %s\n", line);
}

/* -------------------------------------------------------------- context */

/* A mutex and a flag rather than pthread_once: a child of fork() resets
 * them. Its copy of the parent's context is not usable (the driver's
 * threads stayed in the parent), and neither is the driver itself once the
 * parent started it: OpenCL and HIP drivers keep process-wide state that
 * fork() leaves half-copied (PoCL's new context in such a child waits
 * forever). So a child of a parent that used pgemm runs its SGEMMs on the
 * CPU BLAS; one whose parent never did starts pgemm as any process. */
static pthread_mutex_t context_lock = PTHREAD_MUTEX_INITIALIZER;
static int context_tried, forked_after_start;
static pgemm_context *context;
static char context_name[2 * PGEMM_NAME_LEN + 8] = "no pgemm context";
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

static void after_fork_child(void)
{
    pthread_mutex_init(&context_lock, NULL);
    forked_after_start |= context_tried;
    context_tried = 0;
    context = NULL; /* the parent's, left alone */
    pgemm_text_copy(context_name, sizeof context_name, "no pgemm context");
}

static void register_atfork(void) { pthread_atfork(NULL, NULL, after_fork_child); }

static void create_context(void)
{
    const pgemm_blas_config *cfg = pgemm_blas_settings();
    if (forked_after_start) {
        pgemm_blas_log(1, "a child of fork() after pgemm started: SGEMMs run on the CPU BLAS");
        return;
    }
    pgemm_options o;
    pgemm_options_init(&o);
    o.precision = cfg->precision;
    pgemm_context *ctx = NULL;
    pgemm_status st = pgemm_context_create(&o, &ctx);
    if (st != PGEMM_SUCCESS) {
        const char *why = pgemm_last_error(NULL);
        if (cfg->mode == PGEMM_BLAS_GPU || cfg->log_level >= 1)
            fprintf(stderr, "pgemm_blas: no pgemm context (%s: %s); SGEMMs run on the CPU BLAS\n",
                    pgemm_status_string(st), why && *why ? why : "no reason given");
        return;
    }
    pgemm_info info;
    pgemm_context_info(ctx, &info);
    pgemm_text_format(context_name, sizeof context_name, "%s, %s", info.backend_name, info.device);
    if (cfg->precision == PGEMM_PRECISION_FP16_MIXED && !info.has_fp16_tiles)
        pgemm_blas_log(1, "PGEMM_BLAS_PRECISION=fp16: %s has no fp16 tiles; SGEMMs run in fp32",
                       info.device);
    pgemm_blas_log(1, "pgemm context on %s", context_name);
    context = ctx;
}

pgemm_context *pgemm_blas_context(void)
{
    pthread_once(&atfork_once, register_atfork);
    pthread_mutex_lock(&context_lock);
    if (!context_tried) {
        context_tried = 1;
        create_context();
    }
    pgemm_context *ctx = context;
    pthread_mutex_unlock(&context_lock);
    return ctx;
}

const char *pgemm_blas_context_name(void) { return context_name; }

/* ---------------------------------------------------------------- counts */

static atomic_ullong counts[3];

void pgemm_blas_count(pgemm_blas_outcome outcome) { atomic_fetch_add(&counts[outcome], 1); }

/* The counts, when PGEMM_BLAS_STATS=1, as the process ends. The context is
 * not destroyed here: the driver may already be shutting down. */
__attribute__((destructor)) static void print_stats(void)
{
    const char *v = getenv("PGEMM_BLAS_STATS");
    if (!v || strcmp(v, "1")) return;
    unsigned long long total = 0;
    for (int i = 0; i < 3; i++) total += atomic_load(&counts[i]);
    if (!total) return; /* a process that made no SGEMM call (a compiler a driver runs) */
    fprintf(stderr, "pgemm_blas: sgemm calls: %llu on pgemm (%s), %llu on the CPU BLAS, %llu refused\n",
            (unsigned long long)atomic_load(&counts[PGEMM_BLAS_RAN_PGEMM]), context_name,
            (unsigned long long)atomic_load(&counts[PGEMM_BLAS_RAN_CPU]),
            (unsigned long long)atomic_load(&counts[PGEMM_BLAS_REFUSED]));
}
