/*
 * pgemm_bench: times every pgemm kernel variant, pgemm's own choice and
 * CLBlast on one device, for a sweep of GEMM shapes.
 *
 * Method, per shape and kernel:
 *   1. one untimed call from a known C (triggers kernel compilation / cache
 *      loading); its result is checked on a sample of C entries against the
 *      fp64 reference (pgemm_ref_element). A wrong result is reported loudly
 *      and the kernel gets no time for this shape.
 *   2. calibration: groups of back-to-back calls, growing until one group
 *      takes at least --min-time seconds (small problems are timed as a
 *      group so launch latency does not dominate). These are warm-ups too.
 *   3. --repeat timed samples of that many calls each: host wall clock
 *      around (enqueue all ... pgemm_synchronize / clFinish). The median
 *      per-call time is reported; GFLOP/s = 2 m n k / median.
 *
 * CLBlast is loaded at run time (dlopen libclblast.so.1) and runs in its own
 * OpenCL context on the device pgemm chose, found by matching the platform
 * and device names of pgemm_context_info().
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pgemm.h"
#include "pgemm_ref.h"

#ifdef PGEMM_BENCH_OPENCL
#include <dlfcn.h>
#ifdef __APPLE__
#include <OpenCL/cl.h>
#else
#include <CL/cl.h>
#endif
#endif

#define MAX_SHAPES 256
#define MAX_KERNELS 128
#define MAX_SAMPLES 1000
#define MAX_GROUP 100000

/* ------------------------------------------------------------- options */

typedef struct shape {
    size_t m, n, k;
} shape;

typedef struct bench_args {
    shape shapes[MAX_SHAPES];
    size_t nshapes;
    size_t repeat;          /* 0: default for the device */
    const char *variants;   /* "all" or a comma list */
    int clblast;
    const char *csv;
    double time_budget;     /* seconds per call; 0: none */
    double min_time;        /* seconds per timed sample */
    pgemm_layout layout;
    pgemm_transpose ta, tb;
    float alpha, beta;
    size_t pad;
    size_t check_samples;
    uint64_t seed;
    int list;
    int interleave;         /* round-robin timed samples across kernels */
} bench_args;

static void usage(FILE *f)
{
    fprintf(f,
            "usage: pgemm_bench [options]\n"
            "  --sizes N,N,...          square sizes (default 256,512,1024 on a CPU device,\n"
            "                           256,512,1024,2048,4096 otherwise; none if --shapes)\n"
            "  --shapes MxNxK,...       further shapes, e.g. 1023x1023x1023,4096x64x4096\n"
            "  --repeat R               timed samples per kernel; median reported\n"
            "                           (default 3 on a CPU device, 10 otherwise)\n"
            "  --min-time S             seconds one timed sample lasts at least: small\n"
            "                           problems are timed as groups of calls (default 0.05)\n"
            "  --variants all|A,B,...   pgemm variants to force (default all)\n"
            "  --no-clblast             do not run CLBlast\n"
            "  --no-interleave          time each kernel's samples back to back (default:\n"
            "                           after every kernel is checked and warmed up, take the\n"
            "                           samples round-robin over the kernels)\n"
            "  --csv FILE               one row per (shape, kernel)\n"
            "  --time-budget S          a kernel whose single call takes more than S seconds\n"
            "                           gets one timed call only, and forced variants predicted\n"
            "                           (from their best GFLOP/s so far) to exceed S are\n"
            "                           skipped on later shapes (default: no budget)\n"
            "  --layout row|col         storage order (default col)\n"
            "  --trans NN|NT|TN|TT      op(A), op(B) (default NN)\n"
            "  --alpha X --beta Y       scalars (default 1 and 0)\n"
            "  --pad P                  add P to every leading dimension (default 0)\n"
            "  --check-samples N        C entries checked per kernel (default 64)\n"
            "  --seed S                 random seed (default 1)\n"
            "  --list                   list the device and variants, then exit\n"
            "Device: PGEMM_BACKEND, PGEMM_OPENCL_PLATFORM (pocl, rusticl, nvidia, or an\n"
            "index), PGEMM_DEVICE (index), PGEMM_LOG; see pgemm.h.\n");
}

static int parse_size(const char *s, size_t *out)
{
    char *end;
    if (!s || !isdigit((unsigned char)s[0])) return 0;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end) return 0;
    *out = (size_t)v;
    return 1;
}

static int parse_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(v)) return 0;
    *out = v;
    return 1;
}

static int add_shape(bench_args *a, size_t m, size_t n, size_t k)
{
    if (a->nshapes >= MAX_SHAPES) {
        fprintf(stderr, "pgemm_bench: more than %d shapes\n", MAX_SHAPES);
        return 0;
    }
    if (m == 0 || n == 0 || k == 0) {
        fprintf(stderr, "pgemm_bench: sizes must be positive\n");
        return 0;
    }
    a->shapes[a->nshapes++] = (shape){m, n, k};
    return 1;
}

/* "256,512" (square) or "MxNxK,..." */
static int parse_shape_list(bench_args *a, const char *text, int square)
{
    char *copy = strdup(text), *save = NULL;
    if (!copy) return 0;
    int ok = 1;
    for (char *tok = strtok_r(copy, ",", &save); tok && ok; tok = strtok_r(NULL, ",", &save)) {
        size_t d[3];
        if (square) {
            ok = parse_size(tok, &d[0]) && add_shape(a, d[0], d[0], d[0]);
        } else {
            char *x1 = strchr(tok, 'x'), *x2 = x1 ? strchr(x1 + 1, 'x') : NULL;
            if (!x1 || !x2) {
                ok = 0;
                break;
            }
            *x1 = *x2 = '\0';
            ok = parse_size(tok, &d[0]) && parse_size(x1 + 1, &d[1]) &&
                 parse_size(x2 + 1, &d[2]) && add_shape(a, d[0], d[1], d[2]);
        }
    }
    free(copy);
    return ok;
}

static int parse_args(int argc, char **argv, bench_args *a)
{
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        if (!strcmp(o, "--help") || !strcmp(o, "-h")) {
            usage(stdout);
            exit(0);
        }
        if (!strcmp(o, "--no-clblast")) {
            a->clblast = 0;
            continue;
        }
        if (!strcmp(o, "--no-interleave")) {
            a->interleave = 0;
            continue;
        }
        if (!strcmp(o, "--list")) {
            a->list = 1;
            continue;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "pgemm_bench: unknown option or missing value: %s\n", o);
            return 0;
        }
        const char *v = argv[++i];
        int ok = 1;
        if (!strcmp(o, "--sizes")) ok = parse_shape_list(a, v, 1);
        else if (!strcmp(o, "--shapes")) ok = parse_shape_list(a, v, 0);
        else if (!strcmp(o, "--repeat"))
            ok = parse_size(v, &a->repeat) && a->repeat > 0 && a->repeat <= MAX_SAMPLES;
        else if (!strcmp(o, "--min-time")) ok = parse_double(v, &a->min_time) && a->min_time >= 0;
        else if (!strcmp(o, "--variants")) a->variants = v;
        else if (!strcmp(o, "--csv")) a->csv = v;
        else if (!strcmp(o, "--time-budget"))
            ok = parse_double(v, &a->time_budget) && a->time_budget >= 0;
        else if (!strcmp(o, "--layout")) {
            ok = !strcmp(v, "row") || !strcmp(v, "col");
            a->layout = !strcmp(v, "row") ? PGEMM_ROW_MAJOR : PGEMM_COL_MAJOR;
        } else if (!strcmp(o, "--trans")) {
            ok = strlen(v) == 2 && strchr("NTnt", v[0]) && strchr("NTnt", v[1]);
            if (ok) {
                a->ta = toupper((unsigned char)v[0]) == 'T' ? PGEMM_TRANS : PGEMM_NO_TRANS;
                a->tb = toupper((unsigned char)v[1]) == 'T' ? PGEMM_TRANS : PGEMM_NO_TRANS;
            }
        } else if (!strcmp(o, "--alpha") || !strcmp(o, "--beta")) {
            double d;
            ok = parse_double(v, &d);
            *(o[2] == 'a' ? &a->alpha : &a->beta) = (float)d;
        } else if (!strcmp(o, "--pad")) ok = parse_size(v, &a->pad);
        else if (!strcmp(o, "--check-samples"))
            ok = parse_size(v, &a->check_samples) && a->check_samples > 0;
        else if (!strcmp(o, "--seed")) {
            size_t s;
            ok = parse_size(v, &s);
            a->seed = s;
        } else {
            fprintf(stderr, "pgemm_bench: unknown option %s (see --help)\n", o);
            return 0;
        }
        if (!ok) {
            fprintf(stderr, "pgemm_bench: bad value for %s: \"%s\"\n", o, v);
            return 0;
        }
    }
    return 1;
}

/* ------------------------------------------------------------- CLBlast */

#ifdef PGEMM_BENCH_OPENCL
/*
 * The few CLBlast declarations used here, written after CLBlast's public C
 * header clblast_c.h (CLBlast 1.5 / 1.6): CLBlastSgemm takes layout and
 * transposes as enums whose values equal CBLAS's (row major 101, column
 * major 102, no transpose 111, transpose 112), returns a CLBlastStatusCode
 * (0 = success, negative = error; OpenCL codes above -1000, CLBlast's own
 * below), and takes the queue and an (output) event by pointer.
 * CLBlastClearCache() drops CLBlast's cached programs.
 */
typedef int (*clblast_sgemm_fn)(int layout, int a_transpose, int b_transpose, size_t m, size_t n,
                                size_t k, float alpha, cl_mem a_buffer, size_t a_offset,
                                size_t a_ld, cl_mem b_buffer, size_t b_offset, size_t b_ld,
                                float beta, cl_mem c_buffer, size_t c_offset, size_t c_ld,
                                cl_command_queue *queue, cl_event *event);
typedef int (*clblast_clear_cache_fn)(void);

typedef struct clblast_state {
    void *lib;
    clblast_sgemm_fn sgemm;
    clblast_clear_cache_fn clear_cache;
    cl_context context;
    cl_command_queue queue;
    cl_device_id device;
    cl_mem a, b, c;
} clblast_state;

/* A platform or device string in full, truncated like pgemm_info's fields. */
static void cl_text(int is_platform, void *obj, cl_uint what, char *dst, size_t cap)
{
    size_t need = 0;
    dst[0] = '\0';
    cl_int rc = is_platform ? clGetPlatformInfo((cl_platform_id)obj, what, 0, NULL, &need)
                            : clGetDeviceInfo((cl_device_id)obj, what, 0, NULL, &need);
    if (rc != CL_SUCCESS || need == 0) return;
    char *buf = malloc(need + 1);
    if (!buf) return;
    rc = is_platform ? clGetPlatformInfo((cl_platform_id)obj, what, need, buf, NULL)
                     : clGetDeviceInfo((cl_device_id)obj, what, need, buf, NULL);
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
    if (clGetPlatformIDs(32, plats, &np) != CL_SUCCESS || np == 0) {
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
        if (clGetDeviceIDs(plats[p], CL_DEVICE_TYPE_ALL, 64, devs, &nd) != CL_SUCCESS) continue;
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
                "pgemm_bench: warning: %zu identical devices named \"%s\"; CLBlast runs on the "
                "first, which may not be the one pgemm uses\n",
                found, info->device);
    return 1;
}

static const char *clblast_status_text(int st)
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
static int clblast_open(clblast_state *s, const pgemm_info *info, char *why, size_t cap)
{
    memset(s, 0, sizeof *s);
    if (info->backend != PGEMM_BACKEND_OPENCL) {
        snprintf(why, cap, "pgemm runs on %s, CLBlast needs OpenCL", info->backend_name);
        return 0;
    }
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
    s->context = clCreateContext(NULL, 1, &s->device, NULL, NULL, &rc);
    if (rc == CL_SUCCESS) s->queue = clCreateCommandQueue(s->context, s->device, 0, &rc);
    if (rc != CL_SUCCESS) {
        snprintf(why, cap, "cannot create an OpenCL context/queue for CLBlast (error %d)", rc);
        if (s->context) clReleaseContext(s->context);
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

static void clblast_free_buffers(clblast_state *s)
{
    if (s->a) clReleaseMemObject(s->a);
    if (s->b) clReleaseMemObject(s->b);
    if (s->c) clReleaseMemObject(s->c);
    s->a = s->b = s->c = NULL;
}

static void clblast_close(clblast_state *s)
{
    if (!s->lib) return;
    clblast_free_buffers(s);
    if (s->clear_cache) s->clear_cache();
    clReleaseCommandQueue(s->queue);
    clReleaseContext(s->context);
    /* libclblast is left loaded: its static destructors run at exit. */
    memset(s, 0, sizeof *s);
}

static int clblast_buffer(clblast_state *s, cl_mem *out, const float *src, size_t count, char *err,
                          size_t cap)
{
    cl_int rc;
    *out = clCreateBuffer(s->context, CL_MEM_READ_WRITE, count * sizeof(float), NULL, &rc);
    if (rc == CL_SUCCESS)
        rc = clEnqueueWriteBuffer(s->queue, *out, CL_TRUE, 0, count * sizeof(float), src, 0, NULL,
                                  NULL);
    if (rc != CL_SUCCESS) {
        snprintf(err, cap, "OpenCL buffer of %zu floats for CLBlast: error %d", count, rc);
        return 0;
    }
    return 1;
}
#else
typedef struct clblast_state {
    void *lib;
} clblast_state;
#endif

/* ------------------------------------------------------------ kernels */

typedef enum kernel_kind { KIND_VARIANT, KIND_CHOICE, KIND_CLBLAST } kernel_kind;

typedef struct kernel {
    kernel_kind kind;
    char name[PGEMM_NAME_LEN]; /* the variant, "pgemm choice" or "CLBlast" */
    double best_gflops;        /* best so far, for the time budget */
} kernel;

typedef enum result_state { RES_OK, RES_WRONG, RES_ERROR, RES_SKIPPED } result_state;

typedef struct result {
    result_state state;
    double median, min, first; /* seconds per call; first: the untimed checked call */
    size_t samples, group;
    double gflops;
    double max_scaled_err;
    char ran[PGEMM_NAME_LEN];  /* variant pgemm reported */
    char why[PGEMM_REASON_LEN]; /* pgemm's reason for its choice */
    double sample[MAX_SAMPLES]; /* seconds per call, in the order taken */
    double cal;                /* seconds per call in the last warm-up group */
    int single;                /* over the time budget: one sample only */
    char note[PGEMM_REASON_LEN + 128];
} result;

/* Everything about one shape's problem. */
typedef struct problem {
    size_t m, n, k, lda, ldb, ldc, na, nb, nc;
    pgemm_layout layout;
    pgemm_transpose ta, tb;
    float alpha, beta;
    float *a, *b, *c0, *c;
    /* check sample */
    size_t nsample;
    size_t *si, *sj;
    double *want, *mag;
    /* device */
    pgemm_context *ctx;
    pgemm_buffer *da, *db, *dc;
    clblast_state *cb;
} problem;

static const char *layout_name(pgemm_layout l) { return l == PGEMM_ROW_MAJOR ? "row" : "col"; }

static void trans_name(pgemm_transpose ta, pgemm_transpose tb, char out[3])
{
    out[0] = ta == PGEMM_TRANS ? 'T' : 'N';
    out[1] = tb == PGEMM_TRANS ? 'T' : 'N';
    out[2] = '\0';
}

static size_t stored_ld(pgemm_layout layout, size_t rows, size_t cols, size_t pad)
{
    return (layout == PGEMM_COL_MAJOR ? rows : cols) + pad;
}

static size_t stored_elems(pgemm_layout layout, size_t rows, size_t cols, size_t ld)
{
    return ld * (layout == PGEMM_COL_MAJOR ? cols : rows);
}

/* One GEMM call, enqueued. */
static int k_enqueue(problem *p, const kernel *k, char *err, size_t cap)
{
    if (k->kind != KIND_CLBLAST) {
        pgemm_status st = pgemm_sgemm(p->ctx, p->layout, p->ta, p->tb, p->m, p->n, p->k, p->alpha,
                                      p->da, 0, p->lda, p->db, 0, p->ldb, p->beta, p->dc, 0, p->ldc);
        if (st != PGEMM_SUCCESS) {
            snprintf(err, cap, "pgemm_sgemm: %s: %s", pgemm_status_string(st),
                     pgemm_last_error(p->ctx));
            return 0;
        }
        return 1;
    }
#ifdef PGEMM_BENCH_OPENCL
    clblast_state *s = p->cb;
    cl_event ev = NULL;
    int st = s->sgemm((int)p->layout, (int)p->ta, (int)p->tb, p->m, p->n, p->k, p->alpha, s->a, 0,
                      p->lda, s->b, 0, p->ldb, p->beta, s->c, 0, p->ldc, &s->queue, &ev);
    if (ev) clReleaseEvent(ev);
    if (st != 0) {
        snprintf(err, cap, "CLBlastSgemm: status %d (%s)", st, clblast_status_text(st));
        return 0;
    }
    return 1;
#else
    snprintf(err, cap, "built without OpenCL");
    return 0;
#endif
}

static int k_sync(problem *p, const kernel *k, char *err, size_t cap)
{
    if (k->kind != KIND_CLBLAST) {
        pgemm_status st = pgemm_synchronize(p->ctx);
        if (st != PGEMM_SUCCESS) {
            snprintf(err, cap, "pgemm_synchronize: %s: %s", pgemm_status_string(st),
                     pgemm_last_error(p->ctx));
            return 0;
        }
        return 1;
    }
#ifdef PGEMM_BENCH_OPENCL
    /* The same wait as pgemm_synchronize: Mesa rusticl 22.3's clFinish can
     * return while kernels are still queued; a marker event cannot. */
    cl_event marker = NULL;
    cl_int rc = clEnqueueMarker(p->cb->queue, &marker);
    if (rc == CL_SUCCESS) rc = clWaitForEvents(1, &marker);
    if (marker) clReleaseEvent(marker);
    if (rc == CL_SUCCESS) rc = clFinish(p->cb->queue);
    if (rc != CL_SUCCESS) {
        snprintf(err, cap, "waiting for CLBlast: error %d", rc);
        return 0;
    }
#endif
    return 1;
}

/* Copies host C0 into the kernel's C buffer. */
static int k_write_c(problem *p, const kernel *k, char *err, size_t cap)
{
    if (k->kind != KIND_CLBLAST) {
        pgemm_status st = pgemm_buffer_write(p->dc, 0, p->nc * sizeof(float), p->c0);
        if (st != PGEMM_SUCCESS) {
            snprintf(err, cap, "pgemm_buffer_write: %s", pgemm_last_error(p->ctx));
            return 0;
        }
        return 1;
    }
#ifdef PGEMM_BENCH_OPENCL
    cl_int rc = clEnqueueWriteBuffer(p->cb->queue, p->cb->c, CL_TRUE, 0, p->nc * sizeof(float),
                                     p->c0, 0, NULL, NULL);
    if (rc != CL_SUCCESS) {
        snprintf(err, cap, "clEnqueueWriteBuffer: error %d", rc);
        return 0;
    }
#endif
    return 1;
}

static int k_read_c(problem *p, const kernel *k, char *err, size_t cap)
{
    if (k->kind != KIND_CLBLAST) {
        pgemm_status st = pgemm_buffer_read(p->dc, 0, p->nc * sizeof(float), p->c);
        if (st != PGEMM_SUCCESS) {
            snprintf(err, cap, "pgemm_buffer_read: %s", pgemm_last_error(p->ctx));
            return 0;
        }
        return 1;
    }
#ifdef PGEMM_BENCH_OPENCL
    cl_int rc = clEnqueueReadBuffer(p->cb->queue, p->cb->c, CL_TRUE, 0, p->nc * sizeof(float),
                                    p->c, 0, NULL, NULL);
    if (rc != CL_SUCCESS) {
        snprintf(err, cap, "clEnqueueReadBuffer: error %d", rc);
        return 0;
    }
#endif
    return 1;
}

/* Seconds for `calls` back-to-back calls and one final wait; < 0 on error. */
static double time_group(problem *p, const kernel *k, size_t calls, char *err, size_t cap)
{
    double t0 = pgemm_now_seconds();
    for (size_t i = 0; i < calls; i++)
        if (!k_enqueue(p, k, err, cap)) return -1.0;
    if (!k_sync(p, k, err, cap)) return -1.0;
    return pgemm_now_seconds() - t0;
}

/* Checks the m x n window of p->c: the sample against the fp64 reference,
 * and every entry for NaN / Inf (inputs are in [-1, 1), so none is expected). */
static int check_result(problem *p, result *r)
{
    pgemm_ref_report rep;
    memset(&rep, 0, sizeof rep);
    for (size_t s = 0; s < p->nsample; s++) {
        size_t i = p->si[s], j = p->sj[s];
        pgemm_ref_compare_one(i, j, p->k, p->c[pgemm_ref_index(p->layout, i, j, p->ldc)],
                              p->want[s], p->mag[s], 1.0, &rep);
    }
    pgemm_ref_finish(&rep);
    r->max_scaled_err = rep.max_scaled_err;
    if (rep.bad) {
        snprintf(r->note, sizeof r->note,
                 "WRONG: %zu of %zu sampled entries off; C(%zu,%zu) = %.7g, want %.7g", rep.bad,
                 rep.checked, rep.first_bad_i, rep.first_bad_j, rep.first_bad_got,
                 rep.first_bad_want);
        return 0;
    }
    for (size_t j = 0; j < p->n; j++)
        for (size_t i = 0; i < p->m; i++) {
            float v = p->c[pgemm_ref_index(p->layout, i, j, p->ldc)];
            if (!isfinite(v)) {
                snprintf(r->note, sizeof r->note, "WRONG: C(%zu,%zu) = %g (not finite)", i, j,
                         (double)v);
                return 0;
            }
        }
    return 1;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int force_for(problem *p, const kernel *k, char *err, size_t cap)
{
    if (k->kind == KIND_CLBLAST) return 1;
    pgemm_status st = pgemm_force_variant(p->ctx, k->kind == KIND_VARIANT ? k->name : NULL);
    if (st != PGEMM_SUCCESS) {
        snprintf(err, cap, "pgemm_force_variant: %s", pgemm_last_error(p->ctx));
        return 0;
    }
    return 1;
}

/* Steps 1 and 2 for one kernel: the checked first call, then warm-up groups
 * growing until one lasts min_time. Leaves r->state RES_OK (ready for
 * samples), RES_WRONG or RES_ERROR. A kernel over the time budget gets its
 * warm calibration call as its only sample (r->single). */
static void measure_prepare(problem *p, const kernel *k, const bench_args *args, result *r)
{
    char err[PGEMM_REASON_LEN + 64];
    memset(r, 0, sizeof *r);
    if (!force_for(p, k, err, sizeof err)) goto fail;

    /* 1. The first call from C0, checked; its time is shown, never used. */
    if (!k_write_c(p, k, err, sizeof err)) goto fail;
    double t0 = pgemm_now_seconds();
    if (!k_enqueue(p, k, err, sizeof err) || !k_sync(p, k, err, sizeof err)) goto fail;
    r->first = pgemm_now_seconds() - t0;
    if (k->kind != KIND_CLBLAST) {
        pgemm_call_info ci;
        if (pgemm_last_call(p->ctx, &ci) == PGEMM_SUCCESS) {
            snprintf(r->ran, sizeof r->ran, "%s", ci.variant);
            if (k->kind == KIND_CHOICE) snprintf(r->why, sizeof r->why, "%s", ci.why);
        }
        if (k->kind == KIND_VARIANT && strcmp(r->ran, k->name))
            fprintf(stderr, "pgemm_bench: warning: forced \"%s\" but pgemm reports \"%s\" ran\n",
                    k->name, r->ran);
    }
    if (!k_read_c(p, k, err, sizeof err)) goto fail;
    if (!check_result(p, r)) {
        r->state = RES_WRONG;
        return;
    }

    /* 2. Calibration (warm): grow the group until it lasts min_time. */
    size_t group = 1;
    double t;
    for (;;) {
        t = time_group(p, k, group, err, sizeof err);
        if (t < 0) goto fail;
        if (t >= args->min_time || group >= MAX_GROUP) break;
        if (args->time_budget > 0 && t > args->time_budget) break;
        double want = (double)group * args->min_time / (t > 1e-9 ? t : 1e-9) * 1.2;
        size_t next = want > (double)(group * 16) ? group * 16 : (size_t)want + 1;
        if (next <= group) next = group + 1;
        group = next > MAX_GROUP ? MAX_GROUP : next;
    }
    r->group = group;
    r->cal = t / (double)group;
    r->state = RES_OK;
    if (args->time_budget > 0 && t / (double)group > args->time_budget) {
        r->single = 1;
        r->sample[r->samples++] = t / (double)group; /* the warm calibration call */
        snprintf(r->note + strlen(r->note), sizeof r->note - strlen(r->note),
                 "%sone timed call only: %.2f s > budget %.2f s", r->note[0] ? "; " : "",
                 t / (double)group, args->time_budget);
    }
    return;

fail:
    r->state = RES_ERROR;
    snprintf(r->note, sizeof r->note, "ERROR: %s", err);
}

/* Step 3: one timed sample of r->group calls. */
static void measure_sample(problem *p, const kernel *k, result *r)
{
    char err[PGEMM_REASON_LEN + 64];
    if (r->state != RES_OK || r->single || r->samples >= MAX_SAMPLES) return;
    double t = -1.0;
    if (force_for(p, k, err, sizeof err)) t = time_group(p, k, r->group, err, sizeof err);
    if (t < 0) {
        r->state = RES_ERROR;
        snprintf(r->note, sizeof r->note, "ERROR: %s", err);
        return;
    }
    r->sample[r->samples++] = t / (double)r->group;
}

/* Median, min and GFLOP/s from the samples. */
static void measure_finish(const problem *p, kernel *k, result *r)
{
    if (r->state != RES_OK) return;
    if (r->samples == 0) {
        r->state = RES_ERROR;
        snprintf(r->note, sizeof r->note, "ERROR: no timed sample");
        return;
    }
    double sorted[MAX_SAMPLES];
    size_t ns = r->samples;
    memcpy(sorted, r->sample, ns * sizeof sorted[0]);
    qsort(sorted, ns, sizeof sorted[0], cmp_double);
    r->min = sorted[0];
    r->median = ns % 2 ? sorted[ns / 2] : 0.5 * (sorted[ns / 2 - 1] + sorted[ns / 2]);
    r->gflops = 2.0 * (double)p->m * (double)p->n * (double)p->k / r->median * 1e-9;
    if (r->gflops > k->best_gflops) k->best_gflops = r->gflops;
}

/* ------------------------------------------------------------- output */

static void print_time(char *dst, size_t cap, double s)
{
    if (s <= 0) snprintf(dst, cap, "-");
    else if (s < 1e-3) snprintf(dst, cap, "%.1f us", s * 1e6);
    else if (s < 1.0) snprintf(dst, cap, "%.2f ms", s * 1e3);
    else snprintf(dst, cap, "%.2f s", s);
}

static void csv_field(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

typedef struct summary_row {
    shape s;
    char best[PGEMM_NAME_LEN];
    double best_gflops;
    char choice[PGEMM_NAME_LEN];
    double choice_gflops;
    double clblast_gflops;
    int failures;
} summary_row;

static void print_shape_table(const problem *p, const kernel *ks, const result *rs, size_t nk,
                              const result *clb, summary_row *sum)
{
    char tn[3];
    trans_name(p->ta, p->tb, tn);
    double flops = 2.0 * (double)p->m * (double)p->n * (double)p->k;
    printf("\n== %zux%zux%zu  (%s-major, %s, alpha %g, beta %g, lda %zu ldb %zu ldc %zu; "
           "%.3f GFLOP per call)\n",
           p->m, p->n, p->k, layout_name(p->layout), tn, (double)p->alpha, (double)p->beta, p->lda,
           p->ldb, p->ldc, flops * 1e-9);
    printf("  %-20s %10s %10s %10s %10s %11s %9s  %s\n", "kernel", "GFLOP/s", "median", "min",
           "1st call", "calls x n", "/CLBlast", "check / note");
    double clg = clb && clb->state == RES_OK ? clb->gflops : 0.0;
    for (size_t i = 0; i < nk; i++) {
        const result *r = &rs[i];
        char label[PGEMM_NAME_LEN + 16], med[32], mn[32], first[32], calls[32], ratio[16];
        if (ks[i].kind == KIND_CHOICE)
            snprintf(label, sizeof label, "choice[%s]", r->ran[0] ? r->ran : "?");
        else
            snprintf(label, sizeof label, "%s", ks[i].name);
        if (r->state == RES_OK) {
            print_time(med, sizeof med, r->median);
            print_time(mn, sizeof mn, r->min);
            print_time(first, sizeof first, r->first);
            snprintf(calls, sizeof calls, "%zu x %zu", r->group, r->samples);
            if (clg > 0) snprintf(ratio, sizeof ratio, "%.2f", r->gflops / clg);
            else snprintf(ratio, sizeof ratio, "-");
            char check[64];
            snprintf(check, sizeof check, "ok (err %.3f of bound)", r->max_scaled_err);
            printf("  %-20s %10.2f %10s %10s %10s %11s %9s  %s%s%s\n", label, r->gflops, med, mn,
                   first, calls, ratio, check, r->note[0] ? "; " : "", r->note);
        } else {
            const char *tag = r->state == RES_WRONG     ? "WRONG"
                              : r->state == RES_SKIPPED ? "skipped"
                                                        : "ERROR";
            printf("  %-20s %10s %10s %10s %10s %11s %9s  %s\n", label, tag, "-", "-", "-", "-",
                   "-", r->note);
        }
    }
    for (size_t i = 0; i < nk; i++)
        if (ks[i].kind == KIND_CHOICE && rs[i].why[0])
            printf("  pgemm chose %s: %s\n", rs[i].ran[0] ? rs[i].ran : "?", rs[i].why);

    /* summary row */
    memset(sum, 0, sizeof *sum);
    sum->s = (shape){p->m, p->n, p->k};
    sum->clblast_gflops = clg;
    for (size_t i = 0; i < nk; i++) {
        const result *r = &rs[i];
        if (ks[i].kind != KIND_CLBLAST && (r->state == RES_WRONG || r->state == RES_ERROR))
            sum->failures++;
        if (r->state != RES_OK) continue;
        if (ks[i].kind == KIND_VARIANT && r->gflops > sum->best_gflops) {
            sum->best_gflops = r->gflops;
            snprintf(sum->best, sizeof sum->best, "%s", ks[i].name);
        }
        if (ks[i].kind == KIND_CHOICE) {
            sum->choice_gflops = r->gflops;
            snprintf(sum->choice, sizeof sum->choice, "%s", r->ran);
        }
    }
    fflush(stdout);
}

static void write_csv_rows(FILE *f, const pgemm_info *info, const problem *p, const kernel *ks,
                           const result *rs, size_t nk, const result *clb)
{
    char tn[3];
    trans_name(p->ta, p->tb, tn);
    double clg = clb && clb->state == RES_OK ? clb->gflops : 0.0;
    for (size_t i = 0; i < nk; i++) {
        const result *r = &rs[i];
        const char *kind = ks[i].kind == KIND_VARIANT  ? "variant"
                           : ks[i].kind == KIND_CHOICE ? "choice"
                                                       : "clblast";
        const char *state = r->state == RES_OK      ? "ok"
                            : r->state == RES_WRONG ? "wrong"
                            : r->state == RES_SKIPPED ? "skipped"
                                                      : "error";
        csv_field(f, info->platform);
        fputc(',', f);
        csv_field(f, info->device);
        fprintf(f, ",%s,%s,%zu,%zu,%zu,", layout_name(p->layout), tn, p->m, p->n, p->k);
        csv_field(f, ks[i].kind == KIND_CHOICE ? "pgemm choice" : ks[i].name);
        fprintf(f, ",%s,", kind);
        csv_field(f, r->ran);
        fprintf(f, ",%s,", state);
        if (r->state == RES_OK) {
            fprintf(f, "%.4f,%.9g,%.9g,%.9g,%zu,%zu,", r->gflops, r->median, r->min, r->first,
                    r->samples, r->group);
            if (clg > 0) fprintf(f, "%.4f", r->gflops / clg);
        } else {
            fprintf(f, ",,,,,,");
        }
        fputc(',', f);
        csv_field(f, r->note);
        fputc(',', f);
        csv_field(f, r->why);
        fputc('\n', f);
    }
    fflush(f);
}

/* ------------------------------------------------------------- problem */

static void problem_free(problem *p)
{
    if (p->da) pgemm_buffer_destroy(p->da);
    if (p->db) pgemm_buffer_destroy(p->db);
    if (p->dc) pgemm_buffer_destroy(p->dc);
#ifdef PGEMM_BENCH_OPENCL
    if (p->cb && p->cb->lib) clblast_free_buffers(p->cb);
#endif
    free(p->a);
    free(p->b);
    free(p->c0);
    free(p->c);
    free(p->si);
    free(p->sj);
    free(p->want);
    free(p->mag);
    p->da = p->db = p->dc = NULL;
    p->a = p->b = p->c0 = p->c = NULL;
    p->si = p->sj = NULL;
    p->want = p->mag = NULL;
}

/* Host data, the check sample and device buffers for one shape. Returns 0
 * with a message on failure. clblast_ok is cleared if only CLBlast's
 * buffers failed. */
static int problem_setup(problem *p, const bench_args *args, shape s, int *clblast_ok,
                         char *err, size_t cap)
{
    p->m = s.m;
    p->n = s.n;
    p->k = s.k;
    p->layout = args->layout;
    p->ta = args->ta;
    p->tb = args->tb;
    p->alpha = args->alpha;
    p->beta = args->beta;
    size_t ar = p->ta == PGEMM_TRANS ? p->k : p->m, ac = p->ta == PGEMM_TRANS ? p->m : p->k;
    size_t br = p->tb == PGEMM_TRANS ? p->n : p->k, bc = p->tb == PGEMM_TRANS ? p->k : p->n;
    p->lda = stored_ld(p->layout, ar, ac, args->pad);
    p->ldb = stored_ld(p->layout, br, bc, args->pad);
    p->ldc = stored_ld(p->layout, p->m, p->n, args->pad);
    p->na = stored_elems(p->layout, ar, ac, p->lda);
    p->nb = stored_elems(p->layout, br, bc, p->ldb);
    p->nc = stored_elems(p->layout, p->m, p->n, p->ldc);

    p->a = malloc(p->na * sizeof(float));
    p->b = malloc(p->nb * sizeof(float));
    p->c0 = malloc(p->nc * sizeof(float));
    p->c = malloc(p->nc * sizeof(float));
    size_t ns = args->check_samples + 4;
    p->si = malloc(ns * sizeof(size_t));
    p->sj = malloc(ns * sizeof(size_t));
    p->want = malloc(ns * sizeof(double));
    p->mag = malloc(ns * sizeof(double));
    if (!p->a || !p->b || !p->c0 || !p->c || !p->si || !p->sj || !p->want || !p->mag) {
        snprintf(err, cap, "out of host memory");
        return 0;
    }
    uint64_t state = args->seed * 0x9e3779b97f4a7c15ull + s.m * 1000003u + s.n * 10007u + s.k;
    if (!state) state = 1;
    pgemm_fill_random(p->a, p->na, &state);
    pgemm_fill_random(p->b, p->nb, &state);
    pgemm_fill_random(p->c0, p->nc, &state);

    /* The four corners (ragged edges) and random entries. */
    size_t corner_i[4] = {0, p->m - 1, 0, p->m - 1}, corner_j[4] = {0, 0, p->n - 1, p->n - 1};
    p->nsample = 0;
    for (size_t q = 0; q < ns; q++) {
        p->si[q] = q < 4 ? corner_i[q] : (size_t)pgemm_random_below(&state, p->m);
        p->sj[q] = q < 4 ? corner_j[q] : (size_t)pgemm_random_below(&state, p->n);
        p->want[q] = pgemm_ref_element(p->layout, p->ta, p->tb, p->si[q], p->sj[q], p->k,
                                       p->alpha, p->a, p->lda, p->b, p->ldb, p->beta, p->c0,
                                       p->ldc, &p->mag[q]);
        p->nsample++;
    }

    pgemm_status st;
    if ((st = pgemm_buffer_create(p->ctx, p->na * sizeof(float), &p->da)) != PGEMM_SUCCESS ||
        (st = pgemm_buffer_create(p->ctx, p->nb * sizeof(float), &p->db)) != PGEMM_SUCCESS ||
        (st = pgemm_buffer_create(p->ctx, p->nc * sizeof(float), &p->dc)) != PGEMM_SUCCESS ||
        (st = pgemm_buffer_write(p->da, 0, p->na * sizeof(float), p->a)) != PGEMM_SUCCESS ||
        (st = pgemm_buffer_write(p->db, 0, p->nb * sizeof(float), p->b)) != PGEMM_SUCCESS) {
        snprintf(err, cap, "device buffers: %s: %s", pgemm_status_string(st),
                 pgemm_last_error(p->ctx));
        return 0;
    }
#ifdef PGEMM_BENCH_OPENCL
    if (*clblast_ok) {
        char why[256];
        clblast_state *c = p->cb;
        if (!clblast_buffer(c, &c->a, p->a, p->na, why, sizeof why) ||
            !clblast_buffer(c, &c->b, p->b, p->nb, why, sizeof why) ||
            !clblast_buffer(c, &c->c, p->c0, p->nc, why, sizeof why)) {
            fprintf(stderr, "pgemm_bench: CLBlast skipped for this shape: %s\n", why);
            clblast_free_buffers(c);
            *clblast_ok = 0;
        }
    }
#else
    *clblast_ok = 0;
#endif
    return 1;
}

/* ------------------------------------------------------------- main */

static int select_kernels(pgemm_context *ctx, const char *list, kernel *ks, size_t *nk)
{
    size_t nv = pgemm_variant_count(ctx);
    *nk = 0;
    if (!list || !strcmp(list, "all")) {
        for (size_t i = 0; i < nv && *nk < MAX_KERNELS - 2; i++) {
            ks[*nk].kind = KIND_VARIANT;
            snprintf(ks[*nk].name, sizeof ks[*nk].name, "%s", pgemm_variant_name(ctx, i));
            ks[(*nk)++].best_gflops = 0;
        }
        return 1;
    }
    if (!strcmp(list, "none")) return 1;
    char *copy = strdup(list), *save = NULL;
    if (!copy) return 0;
    int ok = 1;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        size_t i;
        for (i = 0; i < nv; i++)
            if (!strcmp(tok, pgemm_variant_name(ctx, i))) break;
        if (i == nv) {
            fprintf(stderr, "pgemm_bench: no variant \"%s\"; this backend has:", tok);
            for (i = 0; i < nv; i++) fprintf(stderr, " %s", pgemm_variant_name(ctx, i));
            fprintf(stderr, "\n");
            ok = 0;
            break;
        }
        if (*nk >= MAX_KERNELS - 2) break;
        ks[*nk].kind = KIND_VARIANT;
        snprintf(ks[*nk].name, sizeof ks[*nk].name, "%s", tok);
        ks[(*nk)++].best_gflops = 0;
    }
    free(copy);
    return ok;
}

int main(int argc, char **argv)
{
    static bench_args args; /* large: static */
    args.variants = "all";
    args.clblast = 1;
    args.interleave = 1;
    args.min_time = 0.05;
    args.layout = PGEMM_COL_MAJOR;
    args.ta = args.tb = PGEMM_NO_TRANS;
    args.alpha = 1.0f;
    args.beta = 0.0f;
    args.check_samples = 64;
    args.seed = 1;
    if (!parse_args(argc, argv, &args)) return 2;

    pgemm_context *ctx = NULL;
    pgemm_status st = pgemm_context_create(NULL, &ctx);
    if (st != PGEMM_SUCCESS) {
        fprintf(stderr, "pgemm_bench: no pgemm context: %s: %s\n", pgemm_status_string(st),
                pgemm_last_error(NULL));
        return 1;
    }
    pgemm_info info;
    if (pgemm_context_info(ctx, &info) != PGEMM_SUCCESS) {
        fprintf(stderr, "pgemm_bench: pgemm_context_info: %s\n", pgemm_last_error(ctx));
        pgemm_context_destroy(ctx);
        return 1;
    }
    if (args.nshapes == 0) {
        parse_shape_list(&args, info.device_is_cpu ? "256,512,1024" : "256,512,1024,2048,4096",
                         1);
    }
    if (args.repeat == 0) args.repeat = info.device_is_cpu ? 3 : 10;

    static kernel ks[MAX_KERNELS];
    size_t nk;
    if (!select_kernels(ctx, args.variants, ks, &nk)) {
        pgemm_context_destroy(ctx);
        return 2;
    }
    ks[nk].kind = KIND_CHOICE;
    snprintf(ks[nk++].name, sizeof ks[0].name, "pgemm choice");

    /* Header: what, where, when. */
    char date[64], host[128] = "?";
    time_t now = time(NULL);
    struct tm tmv;
    strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S %Z", localtime_r(&now, &tmv));
    gethostname(host, sizeof host - 1);
    printf("pgemm_bench  pgemm %s  %s  host %s\n", pgemm_version_string(), date, host);
    printf("backend   %s\nplatform  %s\ndevice    %s (%s, %u compute units, %.1f GiB)\n"
           "driver    %s\nchosen    %s\n",
           info.backend_name, info.platform, info.device, info.device_is_cpu ? "CPU" : "GPU/accel",
           info.compute_units, (double)info.global_mem_bytes / 1073741824.0, info.driver,
           info.why);
    printf("variants ");
    for (size_t i = 0; i < pgemm_variant_count(ctx); i++) printf(" %s", pgemm_variant_name(ctx, i));
    printf("\n");
    if (args.list) {
        pgemm_context_destroy(ctx);
        return 0;
    }

    clblast_state cb;
    memset(&cb, 0, sizeof cb);
    int have_clblast = 0;
    if (args.clblast) {
#ifdef PGEMM_BENCH_OPENCL
        char why[512];
        have_clblast = clblast_open(&cb, &info, why, sizeof why);
        printf("CLBlast   %s%s\n", have_clblast ? "" : "not run: ", why);
#else
        printf("CLBlast   not run: pgemm_bench was built without OpenCL\n");
#endif
    } else {
        printf("CLBlast   not run (--no-clblast)\n");
    }
    if (have_clblast) {
        ks[nk].kind = KIND_CLBLAST;
        snprintf(ks[nk++].name, sizeof ks[0].name, "CLBlast");
    }
    char tn[3];
    trans_name(args.ta, args.tb, tn);
    printf("method    %s-major %s, alpha %g beta %g, inputs uniform in [-1,1); per kernel: one "
           "checked\n          untimed call (%zu sampled entries vs fp64), warm-up groups, then "
           "%zu timed\n          samples of >= %.3g s each (calls grouped; %s); median "
           "reported;\n          wall clock around enqueue ... synchronize/clFinish\n",
           layout_name(args.layout), tn, (double)args.alpha, (double)args.beta,
           args.check_samples + 4, args.repeat, args.min_time,
           args.interleave ? "round-robin over the kernels" : "kernel after kernel");
    if (args.time_budget > 0)
        printf("budget    %.3g s per call (slower kernels: one timed call; forced variants "
               "predicted slower are skipped)\n",
               args.time_budget);
    fflush(stdout);

    FILE *csv = NULL;
    if (args.csv) {
        csv = fopen(args.csv, "w");
        if (!csv) {
            fprintf(stderr, "pgemm_bench: cannot write %s: %s\n", args.csv, strerror(errno));
#ifdef PGEMM_BENCH_OPENCL
            clblast_close(&cb);
#endif
            pgemm_context_destroy(ctx);
            return 2;
        }
        fprintf(csv, "platform,device,layout,trans,m,n,k,kernel,kind,variant_run,status,gflops,"
                     "median_s,min_s,first_call_s,samples,calls_per_sample,ratio_clblast,note,"
                     "choice_why\n");
    }

    static summary_row sums[MAX_SHAPES];
    static result rs[MAX_KERNELS];
    int failures = 0;
    for (size_t si = 0; si < args.nshapes; si++) {
        shape s = args.shapes[si];
        problem p;
        memset(&p, 0, sizeof p);
        p.ctx = ctx;
        p.cb = &cb;
        int clb_ok = have_clblast;
        char err[PGEMM_REASON_LEN + 64];
        double flops = 2.0 * (double)s.m * (double)s.n * (double)s.k;
        if (!problem_setup(&p, &args, s, &clb_ok, err, sizeof err)) {
            fprintf(stderr, "pgemm_bench: %zux%zux%zu: %s\n", s.m, s.n, s.k, err);
            printf("\n== %zux%zux%zu  not run: %s\n", s.m, s.n, s.k, err);
            problem_free(&p);
            memset(&sums[si], 0, sizeof sums[si]);
            sums[si].s = s;
            sums[si].failures = 1;
            failures++;
            continue;
        }
        const result *clb = NULL;
        for (size_t ki = 0; ki < nk; ki++) {
            kernel *k = &ks[ki];
            result *r = &rs[ki];
            if (k->kind == KIND_CLBLAST && !clb_ok) {
                memset(r, 0, sizeof *r);
                r->state = RES_ERROR;
                snprintf(r->note, sizeof r->note, "no CLBlast buffers for this shape");
                continue;
            }
            if (k->kind == KIND_VARIANT && args.time_budget > 0 && k->best_gflops > 0 &&
                flops / (k->best_gflops * 1e9) > args.time_budget) {
                memset(r, 0, sizeof *r);
                r->state = RES_SKIPPED;
                snprintf(r->note, sizeof r->note,
                         "skipped: at its best %.2f GFLOP/s so far, one call would take %.1f s "
                         "> budget %.3g s",
                         k->best_gflops, flops / (k->best_gflops * 1e9), args.time_budget);
                fprintf(stderr, "[%zux%zux%zu] %-12s %s\n", s.m, s.n, s.k, k->name, r->note);
                continue;
            }
            fprintf(stderr, "[%zux%zux%zu] %-12s ...", s.m, s.n, s.k, k->name);
            fflush(stderr);
            measure_prepare(&p, k, &args, r);
            if (r->state == RES_OK) {
                char first[32], cal[32];
                print_time(first, sizeof first, r->first);
                print_time(cal, sizeof cal, r->cal);
                fprintf(stderr, " checked; first call %s, warm call ~%s (~%.2f GFLOP/s)%s%s\n",
                        first, cal, flops / r->cal * 1e-9,
                        k->kind == KIND_CHOICE ? ", chose " : "",
                        k->kind == KIND_CHOICE ? r->ran : "");
                if (!args.interleave) {
                    for (size_t rep = 0; rep < args.repeat; rep++) measure_sample(&p, k, r);
                    measure_finish(&p, k, r);
                }
            } else {
                fprintf(stderr, " %s\n", r->note);
            }
            if (r->state == RES_WRONG)
                fprintf(stderr, "pgemm_bench: *** %s gives WRONG results for %zux%zux%zu: %s\n",
                        k->kind == KIND_CHOICE ? "pgemm's choice" : k->name, s.m, s.n, s.k,
                        r->note);
            if (k->kind == KIND_CLBLAST) clb = r;
        }
        if (args.interleave) {
            /* Round-robin samples: a load change on a shared machine hits
             * every kernel alike instead of a few. */
            for (size_t rep = 0; rep < args.repeat; rep++) {
                fprintf(stderr, "[%zux%zux%zu] timed round %zu/%zu\n", s.m, s.n, s.k, rep + 1,
                        args.repeat);
                for (size_t ki = 0; ki < nk; ki++) measure_sample(&p, &ks[ki], &rs[ki]);
            }
            for (size_t ki = 0; ki < nk; ki++) measure_finish(&p, &ks[ki], &rs[ki]);
        }
        print_shape_table(&p, ks, rs, nk, clb, &sums[si]);
        failures += sums[si].failures;
        if (csv) write_csv_rows(csv, &info, &p, ks, rs, nk, clb);
        problem_free(&p);
    }

    /* Summary. */
    printf("\nSummary (GFLOP/s; %s %s, %s; %s-major %s)\n", info.platform, info.device,
           info.driver, layout_name(args.layout), tn);
    printf("%-18s | %-23s | %-23s | %9s | %14s | %11s\n", "shape", "best variant",
           "pgemm choice", "CLBlast", "choice/CLBlast", "choice/best");
    for (size_t si = 0; si < args.nshapes; si++) {
        const summary_row *r = &sums[si];
        char shp[64], best[160], choice[160], clg[32], ratio[32], rbest[32];
        snprintf(shp, sizeof shp, "%zux%zux%zu", r->s.m, r->s.n, r->s.k);
        if (r->best_gflops > 0) snprintf(best, sizeof best, "%-14s %8.2f", r->best, r->best_gflops);
        else snprintf(best, sizeof best, "-");
        if (r->choice_gflops > 0)
            snprintf(choice, sizeof choice, "%-14s %8.2f", r->choice, r->choice_gflops);
        else snprintf(choice, sizeof choice, "-");
        if (r->clblast_gflops > 0) snprintf(clg, sizeof clg, "%.2f", r->clblast_gflops);
        else snprintf(clg, sizeof clg, "-");
        if (r->clblast_gflops > 0 && r->choice_gflops > 0)
            snprintf(ratio, sizeof ratio, "%.2f", r->choice_gflops / r->clblast_gflops);
        else snprintf(ratio, sizeof ratio, "-");
        if (r->best_gflops > 0 && r->choice_gflops > 0)
            snprintf(rbest, sizeof rbest, "%.2f", r->choice_gflops / r->best_gflops);
        else snprintf(rbest, sizeof rbest, "-");
        printf("%-18s | %-23s | %-23s | %9s | %14s | %11s%s\n", shp, best, choice, clg, ratio,
               rbest, r->failures ? "  (failures: see above)" : "");
    }
    if (failures)
        printf("\n%d pgemm kernel run(s) were WRONG or failed: see the tables above\n", failures);

    if (csv) fclose(csv);
#ifdef PGEMM_BENCH_OPENCL
    clblast_close(&cb);
#endif
    pgemm_context_destroy(ctx);
    return failures ? 1 : 0;
}
