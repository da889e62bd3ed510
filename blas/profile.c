/* SPDX-License-Identifier: BSD-3-Clause */
/* The two sides' measured speed, kept per machine (profile.h). */
#include "profile.h"

#include <fenv.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/cache_dir.h"
#include "common/file_io.h"
#include "common/text.h"
#include "cpu_blas.h"
#include "shim.h"

enum { MAX_POINTS = 8, FORMAT_VERSION = 1 };

typedef struct profile {
    size_t count;               /* points measured; 0: no profile */
    double size[MAX_POINTS];    /* square products of this size */
    double gflops[MAX_POINTS];  /* CPU: the product's rate; pgemm: its kernel's */
    double latency, bandwidth;  /* pgemm: seconds of a call's fixed cost, bytes/s */
} profile;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* The rate at size s: log-log interpolation between the measured points,
 * the end points' rates beyond them. */
static double rate_at(const profile *p, double s)
{
    if (s <= p->size[0]) return p->gflops[0];
    for (size_t i = 1; i < p->count; i++)
        if (s <= p->size[i]) {
            double t = log(s / p->size[i - 1]) / log(p->size[i] / p->size[i - 1]);
            return exp(log(p->gflops[i - 1]) + t * (log(p->gflops[i]) - log(p->gflops[i - 1])));
        }
    return p->gflops[p->count - 1];
}

static double flops(double m, double n, double k) { return 2.0 * m * n * k; }

/* ---------------------------------------------------------- cache files */

/* <cache>/blas/<kind>-<hash of key>.profile, the folder made; 0 when there
 * is no trusted cache (why says so). */
static int cache_path(const char *kind, const char *key, char *path, size_t cap, char *why,
                      size_t why_cap)
{
    char dir[4096];
    if (!pgemm_cache_dir_trusted(dir, sizeof dir, why, why_cap)) return 0;
    pgemm_text_append(dir, sizeof dir, "/blas");
    if (pgemm_make_dirs(dir, 0700) != 0) {
        pgemm_text_format(why, why_cap, "cannot make %s", dir);
        return 0;
    }
    pgemm_text_format(path, cap, "%s/%s-%016llx.profile", dir, kind,
                      (unsigned long long)pgemm_fnv1a64(key, strlen(key), PGEMM_FNV_SEED));
    return 1;
}

/* A positive finite number filling the whole word, or 0. */
static int positive(const char *s, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !isfinite(v) || !(v > 0) || v > 1e15) return 0;
    *out = v;
    return 1;
}

/* Reads a profile written for exactly this key; 0 (and p untouched) when
 * the file is missing, another key's, or not sound. */
static int load(const char *path, const char *key, int pgemm_side, profile *p)
{
    char why[256];
    size_t len;
    char *text = pgemm_file_read_trusted(path, 1 << 16, &len, why, sizeof why);
    if (!text) return 0;
    profile q = {0};
    int ok = 1, line_no = 0, have_latency = 0, have_bandwidth = 0;
    char *save = NULL; /* strtok_r: the program may be using strtok's own state */
    for (char *line = strtok_r(text, "\n", &save); line && ok;
         line = strtok_r(NULL, "\n", &save), line_no++) {
        char word[16], a[64], b[64];
        if (line_no == 0) {
            char expect[32];
            pgemm_text_format(expect, sizeof expect, "pgemm-blas-profile %d", FORMAT_VERSION);
            ok = !strcmp(line, expect);
        } else if (line_no == 1) {
            ok = !strncmp(line, "key ", 4) && !strcmp(line + 4, key);
        } else if (sscanf(line, "%15s %63s %63s", word, a, b) == 3 && !strcmp(word, "point")) {
            ok = q.count < MAX_POINTS && positive(a, &q.size[q.count]) &&
                 positive(b, &q.gflops[q.count]) &&
                 (q.count == 0 || q.size[q.count] > q.size[q.count - 1]);
            q.count++;
        } else if (sscanf(line, "%15s %63s", word, a) == 2 && pgemm_side &&
                   !strcmp(word, "latency")) {
            ok = positive(a, &q.latency) && q.latency < 10;
            have_latency = 1;
        } else if (sscanf(line, "%15s %63s", word, a) == 2 && pgemm_side &&
                   !strcmp(word, "bandwidth")) {
            ok = positive(a, &q.bandwidth);
            have_bandwidth = 1;
        } else {
            ok = 0;
        }
    }
    free(text);
    if (!ok || q.count == 0 || (pgemm_side && (!have_latency || !have_bandwidth))) {
        pgemm_blas_log(1, "profile %s is not sound; measuring again", path);
        return 0;
    }
    *p = q;
    return 1;
}

static void save(const char *path, const char *key, int pgemm_side, const profile *p)
{
    char text[4096 + 2048];
    pgemm_text_format(text, sizeof text, "pgemm-blas-profile %d\nkey %s\n", FORMAT_VERSION, key);
    if (pgemm_side)
        pgemm_text_append(text, sizeof text, "latency %.6g\nbandwidth %.6g\n", p->latency,
                          p->bandwidth);
    for (size_t i = 0; i < p->count; i++)
        pgemm_text_append(text, sizeof text, "point %.0f %.6g\n", p->size[i], p->gflops[i]);
    pgemm_file_part part = {text, strlen(text)};
    char why[256];
    if (pgemm_file_write_atomic(path, &part, 1, why, sizeof why) != 0)
        pgemm_blas_log(1, "cannot keep the profile in %s: %s", path, why);
}

/* The profile for key: read from the cache, else measured and kept. */
static void obtain(const char *kind, const char *key, int pgemm_side,
                   void (*measure)(profile *), profile *p)
{
    char path[4400], why[256];
    int cached = cache_path(kind, key, path, sizeof path, why, sizeof why);
    if (cached && load(path, key, pgemm_side, p)) {
        pgemm_blas_log(1, "%s profile from %s", kind, path);
        return;
    }
    if (!cached) pgemm_blas_log(1, "no cache for the %s profile (%s): measured in each process", kind, why);
    double t0 = now();
    /* The caller's floating-point flags stay as they were: the measurement
     * is not the caller's arithmetic. */
    fenv_t caller;
    feholdexcept(&caller);
    measure(p);
    fesetenv(&caller);
    char points[512] = "";
    for (size_t i = 0; i < p->count; i++)
        pgemm_text_append(points, sizeof points, " %.0f:%.3g", p->size[i], p->gflops[i]);
    pgemm_blas_log(1, "%s profile measured in %.2f s (size:GFLOP/s%s)%s%s", kind, now() - t0,
                   points, cached ? ", kept in " : "", cached ? path : "");
    if (cached && p->count) save(path, key, pgemm_side, p);
}

/* ------------------------------------------------------------ CPU side */

static void fill(float *x, size_t count)
{
    for (size_t i = 0; i < count; i++) x[i] = (float)((i * 7 % 13) - 6) * 0.125f;
}

static void measure_cpu(profile *p)
{
    pgemm_blas_sgemm_fn fn = pgemm_blas_cpu_sgemm();
    p->count = 0;
    if (!fn) return;
    for (int i = 0; i < MAX_POINTS; i++) {
        int s = 32 << i;
        size_t count = (size_t)s * (size_t)s;
        float *a = malloc(count * sizeof *a), *b = malloc(count * sizeof *b),
              *c = malloc(count * sizeof *c);
        if (!a || !b || !c) {
            free(a), free(b), free(c);
            break;
        }
        fill(a, count), fill(b, count), fill(c, count);
        float alpha = 1, beta = 0;
        char nn = 'N';
        double t = now();
        fn(&nn, &nn, &s, &s, &s, &alpha, a, &s, b, &s, &beta, c, &s, 1, 1);
        double first = now() - t, best = INFINITY;
        int reps = first > 0 ? (int)fmin(1000, fmax(1, 0.02 / first)) : 1000;
        for (int round = 0; round < 3; round++) {
            t = now();
            for (int r = 0; r < reps; r++)
                fn(&nn, &nn, &s, &s, &s, &alpha, a, &s, b, &s, &beta, c, &s, 1, 1);
            best = fmin(best, (now() - t) / reps);
        }
        free(a), free(b), free(c);
        p->size[p->count] = s;
        p->gflops[p->count++] = flops(s, s, s) / fmax(best, 1e-9) / 1e9;
        if (first > 0.05) break;
    }
}

static profile cpu_profile;
static pthread_once_t cpu_once = PTHREAD_ONCE_INIT;

/* What makes the CPU BLAS faster or slower: the library file, the thread
 * settings the common BLAS libraries read, the processor. */
static void cpu_key(char *key, size_t cap)
{
    const char *lib = pgemm_blas_cpu_sgemm_origin();
    struct stat st = {0};
    stat(lib, &st);
    char model[256] = "unknown processor";
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (f) {
        char line[512];
        while (fgets(line, sizeof line, f))
            if (!strncmp(line, "model name", 10) && strchr(line, ':')) {
                pgemm_text_copy(model, sizeof model, strchr(line, ':') + 2);
                model[strcspn(model, "\n")] = '\0';
                break;
            }
        fclose(f);
    }
    const char *vars[] = {"OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "BLIS_NUM_THREADS",
                          "GOTO_NUM_THREADS"};
    char threads[256] = "";
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        const char *v = getenv(vars[i]);
        if (v) pgemm_text_append(threads, sizeof threads, " %s=%.16s", vars[i], v);
    }
    pgemm_text_format(key, cap, "cpu; %s %lld bytes %lld; %ld cpus; %s;%s", lib,
                      (long long)st.st_size, (long long)st.st_mtime, sysconf(_SC_NPROCESSORS_ONLN),
                      model, threads);
    for (char *c = key; *c; c++)
        if (*c == '\n') *c = ' ';
}

static void obtain_cpu(void)
{
    char key[2048];
    cpu_key(key, sizeof key);
    obtain("cpu", key, 0, measure_cpu, &cpu_profile);
}

double pgemm_blas_cpu_seconds(size_t m, size_t n, size_t k)
{
    pthread_once(&cpu_once, obtain_cpu);
    if (!cpu_profile.count) return INFINITY;
    double mnk = (double)m * (double)n * (double)k;
    return flops(m, n, k) / (rate_at(&cpu_profile, cbrt(mnk)) * 1e9);
}

/* ---------------------------------------------------------- pgemm side */

/* The context to measure on: the calling thread's, for the thread that runs
 * the measurement under pthread_once. */
static _Thread_local pgemm_context *measured_ctx;

/* Best seconds of one host call on s x s x s (beta 1: C is uploaded too),
 * or a negative number when pgemm refuses it. *single gets a call's time
 * after the warm-up (which builds the kernels). */
static double time_pgemm(pgemm_context *ctx, size_t s, double *single)
{
    size_t count = s * s;
    float *a = malloc(count * sizeof *a), *b = malloc(count * sizeof *b),
          *c = malloc(count * sizeof *c);
    double best = -1;
    if (a && b && c) {
        fill(a, count), fill(b, count), fill(c, count);
#define CALL() pgemm_sgemm_host(ctx, PGEMM_COL_MAJOR, PGEMM_NO_TRANS, PGEMM_NO_TRANS, s, s, s, \
                                1.0f, a, s, b, s, 1.0f, c, s)
        if (CALL() == PGEMM_SUCCESS) {
            double t = now();
            CALL();
            *single = now() - t;
            int reps = *single > 0 ? (int)fmin(200, fmax(1, 0.02 / *single)) : 200;
            best = INFINITY;
            for (int round = 0; round < 3; round++) {
                t = now();
                for (int r = 0; r < reps; r++) CALL();
                best = fmin(best, (now() - t) / reps);
            }
        }
#undef CALL
    }
    free(a), free(b), free(c);
    return best;
}

static void measure_pgemm(profile *p)
{
    pgemm_context *ctx = measured_ctx;
    p->count = 0;
    double single;
    p->latency = time_pgemm(ctx, 8, &single);
    if (p->latency <= 0) return;
    /* Bandwidth: a 32 MiB write and read, the best of three. */
    size_t bytes = (size_t)32 << 20;
    void *host = calloc(1, bytes);
    pgemm_buffer *buf = NULL;
    double best = INFINITY;
    if (host && pgemm_buffer_create(ctx, bytes, &buf) == PGEMM_SUCCESS) {
        for (int round = 0; round < 3; round++) {
            double t = now();
            if (pgemm_buffer_write(buf, 0, bytes, host) != PGEMM_SUCCESS ||
                pgemm_buffer_read(buf, 0, bytes, host) != PGEMM_SUCCESS)
                break;
            best = fmin(best, now() - t);
        }
        pgemm_buffer_destroy(buf);
    }
    free(host);
    if (!isfinite(best)) return;
    p->bandwidth = 2.0 * (double)bytes / best;
    for (int i = 0; i < MAX_POINTS - 1; i++) {
        size_t s = (size_t)64 << i;
        double t = time_pgemm(ctx, s, &single);
        if (t <= 0) break;
        /* What the kernel took: the call less its fixed cost and the
         * transfers of A, B and C up and C down; never less than a tenth of
         * the call, so that a rounding of the fixed cost does not make an
         * infinite rate. */
        double moved = 4.0 * 4.0 * (double)(s * s);
        double kernel = fmax(t - p->latency - moved / p->bandwidth, 0.1 * t);
        p->size[p->count] = (double)s;
        p->gflops[p->count++] = flops(s, s, s) / kernel / 1e9;
        if (single > 0.2) break;
    }
}

static profile pgemm_profile;
static pthread_once_t pgemm_once = PTHREAD_ONCE_INIT;

static void obtain_pgemm(void)
{
    pgemm_info info;
    pgemm_context_info(measured_ctx, &info);
    char key[2048];
    pgemm_text_format(key, sizeof key, "pgemm %s; %s; %s; %s; %u units; %s", pgemm_version_string(),
                      info.backend_name, info.device, info.driver, info.compute_units,
                      pgemm_blas_settings()->precision == PGEMM_PRECISION_FP16_MIXED ? "fp16"
                                                                                     : "fp32");
    for (char *c = key; *c; c++)
        if (*c == '\n') *c = ' ';
    obtain("pgemm", key, 1, measure_pgemm, &pgemm_profile);
}

double pgemm_blas_pgemm_seconds(pgemm_context *ctx, size_t m, size_t n, size_t k, int reads_c)
{
    measured_ctx = ctx;
    pthread_once(&pgemm_once, obtain_pgemm);
    const profile *p = &pgemm_profile;
    if (!p->count) return INFINITY;
    double mnk = (double)m * (double)n * (double)k;
    double moved = 4.0 * ((double)m * (double)k + (double)k * (double)n +
                          (double)m * (double)n * (reads_c ? 2 : 1));
    return p->latency + moved / p->bandwidth + flops(m, n, k) / (rate_at(p, cbrt(mnk)) * 1e9);
}
