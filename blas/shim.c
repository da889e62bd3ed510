/* SPDX-License-Identifier: BSD-3-Clause */
/* libpgemm_blas.so's settings, shared context, counters and log (shim.h). */
#include "shim.h"

#include <errno.h>
#include <fenv.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/text.h"
#include "cpu_blas.h"
#include "common/log.h"

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
    int level = pgemm_log_parse_level(getenv("PGEMM_LOG"));
    c->log_level = level < 0 ? 0 : level;
    const char *v;

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

/* Contexts: one per calling thread, in the order of their first SGEMM, up
 * to MAX_CONTEXTS; later threads share them round robin. Measured on an
 * H200 (bench/blas_threads, docs/BLAS.md): 2 to 4 threads on contexts of
 * their own make 1.2x to 2.1x the products of one shared context (its calls
 * are serialised), 8 threads no more than 4; PoCL gains 1.1x with 2. */
enum { MAX_CONTEXTS = 4 };

/* A mutex and flags rather than pthread_once: a child of fork() resets
 * them. Its copies of the parent's contexts are not usable (the driver's
 * threads stayed in the parent), and neither is the driver itself once the
 * parent started it: OpenCL and HIP drivers keep process-wide state that
 * fork() leaves half-copied (PoCL's new context in such a child waits
 * forever). So a child of a parent that used pgemm runs its SGEMMs on the
 * CPU BLAS; one whose parent never did starts pgemm as any process. */
static pthread_mutex_t context_lock = PTHREAD_MUTEX_INITIALIZER;
static int context_tried[MAX_CONTEXTS], started, forked_after_start;
static pgemm_context *contexts[MAX_CONTEXTS];
static unsigned next_slot, generation;
static char context_name[2 * PGEMM_NAME_LEN + 8] = "no pgemm context";
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

/* This thread's slot, valid while its generation is the process's (a fork
 * starts a new one). */
static _Thread_local int my_slot = -1;
static _Thread_local unsigned my_generation;

static void after_fork_child(void)
{
    pthread_mutex_init(&context_lock, NULL);
    forked_after_start |= started;
    started = 0;
    for (int i = 0; i < MAX_CONTEXTS; i++) {
        context_tried[i] = 0;
        contexts[i] = NULL; /* the parent's, left alone */
    }
    next_slot = 0;
    __atomic_store_n(&generation, generation + 1, __ATOMIC_RELEASE);
    pgemm_text_copy(context_name, sizeof context_name, "no pgemm context");
}

static void register_atfork(void) { pthread_atfork(NULL, NULL, after_fork_child); }

static pgemm_context *create_context(void)
{
    const pgemm_blas_config *cfg = pgemm_blas_settings();
    if (forked_after_start) {
        pgemm_blas_log(1, "a child of fork() after pgemm started: SGEMMs run on the CPU BLAS");
        return NULL;
    }
    started = 1;
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
        return NULL;
    }
    pgemm_info info;
    pgemm_context_info(ctx, &info);
    if (!strcmp(context_name, "no pgemm context"))
        pgemm_text_format(context_name, sizeof context_name, "%s, %s", info.backend_name,
                          info.device);
    if (cfg->precision == PGEMM_PRECISION_FP16_MIXED && !info.has_fp16_tiles)
        pgemm_blas_log(1, "PGEMM_BLAS_PRECISION=fp16: %s has no fp16 tiles; SGEMMs run in fp32",
                       info.device);
    pgemm_blas_log(1, "pgemm context on %s, %s", info.backend_name, info.device);
    return ctx;
}

/* The context this thread got, for calls after its first without the lock
 * (valid while my_ctx_generation is generation + 1). */
static _Thread_local pgemm_context *my_ctx;
static _Thread_local unsigned my_ctx_generation;

pgemm_context *pgemm_blas_context(void)
{
    if (my_ctx_generation == __atomic_load_n(&generation, __ATOMIC_ACQUIRE) + 1) return my_ctx;
    pthread_once(&atfork_once, register_atfork);
    pthread_mutex_lock(&context_lock);
    if (my_slot < 0 || my_generation != generation) {
        my_slot = (int)(next_slot++ % MAX_CONTEXTS);
        my_generation = generation;
    }
    if (!context_tried[my_slot]) {
        /* Opening a driver is not the caller's arithmetic: its flags stay. */
        fenv_t caller;
        feholdexcept(&caller);
        context_tried[my_slot] = 1;
        contexts[my_slot] = create_context();
        fesetenv(&caller);
    }
    pgemm_context *ctx = contexts[my_slot];
    my_ctx = ctx;
    my_ctx_generation = generation + 1;
    pthread_mutex_unlock(&context_lock);
    return ctx;
}

const char *pgemm_blas_context_name(void) { return context_name; }

/* ---------------------------------------------------------------- counts */

static atomic_ullong counts[PGEMM_BLAS_OUTCOMES];

void pgemm_blas_count(pgemm_blas_outcome outcome) { atomic_fetch_add(&counts[outcome], 1); }

/* The counts, when PGEMM_BLAS_STATS=1, as the process ends. The context is
 * not destroyed here: the driver may already be shutting down. */
__attribute__((destructor)) static void print_stats(void)
{
    const char *v = getenv("PGEMM_BLAS_STATS");
    if (!v || strcmp(v, "1")) return;
    unsigned long long total = 0;
    for (int i = 0; i < PGEMM_BLAS_OUTCOMES; i++) total += atomic_load(&counts[i]);
    if (!total) return; /* a process that made no SGEMM call (a compiler a driver runs) */
    fprintf(stderr,
            "pgemm_blas: sgemm calls: %llu on pgemm (%s), %llu on the CPU BLAS, %llu refused, "
            "%llu with nothing to do\n",
            (unsigned long long)atomic_load(&counts[PGEMM_BLAS_RAN_PGEMM]), context_name,
            (unsigned long long)atomic_load(&counts[PGEMM_BLAS_RAN_CPU]),
            (unsigned long long)atomic_load(&counts[PGEMM_BLAS_REFUSED]),
            (unsigned long long)atomic_load(&counts[PGEMM_BLAS_NOTHING_TO_DO]));
}
