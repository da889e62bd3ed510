/* SPDX-License-Identifier: BSD-3-Clause */
/* The CPU BLAS and LAPACK that calls are forwarded to (cpu_blas.h). */
#include "cpu_blas.h"

#include <dlfcn.h>
#include <link.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/text.h"

#ifndef PGEMM_BLAS_MULTIARCH
#define PGEMM_BLAS_MULTIARCH "x86_64-linux-gnu"
#endif
#define LIBDIR "/usr/lib/" PGEMM_BLAS_MULTIARCH

/* Debian's BLAS packages, best first after the selected alternative; each
 * folder holds a libblas.so.3 and, for most, a liblapack.so.3. */
static const char *const blas_folders[] = {"openblas-pthread", "openblas-openmp",
                                           "openblas-serial",  "blis-pthread",
                                           "blis-openmp",      "blis-serial",
                                           "atlas",            "blas"};

static struct {
    pthread_once_t once;
    void *blas, *lapack;   /* dlopen handles (step 1 or 3), or NULL */
    char blas_path[4096], lapack_path[4096];
    char describe[8400];
} cpu = {PTHREAD_ONCE_INIT};

/* 1 when addr lies in this library (its own exported entry points). */
static int inside_self(const void *addr)
{
    Dl_info self, other;
    if (!dladdr((const void *)&inside_self, &self) || !dladdr(addr, &other)) return 0;
    return self.dli_fbase == other.dli_fbase;
}

/* dlopen(path), refused when it is this library under another name (the
 * libblas.so.3 alternative pointing here). */
static void *open_other(const char *path)
{
    if (access(path, R_OK) != 0) return NULL;
    void *h = dlopen(path, RTLD_LAZY | RTLD_LOCAL);
    if (!h) return NULL;
    void *probe = dlsym(h, "sgemm_");
    if (probe && inside_self(probe)) {
        dlclose(h);
        return NULL;
    }
    return h;
}

/* liblapack.so.3 for the BLAS in folder `dir`: beside it, else the selected
 * alternative, else the reference LAPACK. */
static void open_lapack_for(const char *dir)
{
    char path[4200];
    pgemm_text_format(path, sizeof path, "%s/liblapack.so.3", dir);
    const char *const tries[] = {path, LIBDIR "/liblapack.so.3", LIBDIR "/lapack/liblapack.so.3"};
    for (size_t i = 0; i < sizeof tries / sizeof tries[0] && !cpu.lapack; i++)
        if ((cpu.lapack = open_other(tries[i])))
            pgemm_text_copy(cpu.lapack_path, sizeof cpu.lapack_path, tries[i]);
}

static void dir_of(const char *path, char *dir, size_t cap)
{
    pgemm_text_copy(dir, cap, path);
    char *slash = strrchr(dir, '/');
    if (slash) *slash = '\0';
    else pgemm_text_copy(dir, cap, ".");
}

static void load(void)
{
    const char *env = getenv("PGEMM_BLAS_CPU");
    char dir[4096];
    if (env && *env) {
        pgemm_text_copy(cpu.blas_path, sizeof cpu.blas_path, env);
        cpu.blas = open_other(env);
        const char *lapack = getenv("PGEMM_BLAS_CPU_LAPACK");
        if (lapack && *lapack) {
            if ((cpu.lapack = open_other(lapack)))
                pgemm_text_copy(cpu.lapack_path, sizeof cpu.lapack_path, lapack);
        } else {
            dir_of(env, dir, sizeof dir);
            char path[4200];
            pgemm_text_format(path, sizeof path, "%s/liblapack.so.3", dir);
            if ((cpu.lapack = open_other(path)))
                pgemm_text_copy(cpu.lapack_path, sizeof cpu.lapack_path, path);
        }
        pgemm_text_format(cpu.describe, sizeof cpu.describe, "PGEMM_BLAS_CPU=%s%s%s%s", env,
                          cpu.blas ? "" : " (does not load)", cpu.lapack ? " and " : "",
                          cpu.lapack ? cpu.lapack_path : "");
        if (!cpu.blas) {
            const char *why = dlerror();
            fprintf(stderr, "pgemm_blas: PGEMM_BLAS_CPU=%s does not load: %s\n", env,
                    why ? why : "no such file, not readable, or this library itself");
        }
        return;
    }
    /* The selected alternative first (the user's choice), then the folders. */
    if ((cpu.blas = open_other(LIBDIR "/libblas.so.3"))) {
        pgemm_text_copy(cpu.blas_path, sizeof cpu.blas_path, LIBDIR "/libblas.so.3");
        open_lapack_for(LIBDIR);
    }
    for (size_t i = 0; i < sizeof blas_folders / sizeof blas_folders[0] && !cpu.blas; i++) {
        pgemm_text_format(dir, sizeof dir, "%s/%s", LIBDIR, blas_folders[i]);
        char path[4200];
        pgemm_text_format(path, sizeof path, "%s/libblas.so.3", dir);
        if ((cpu.blas = open_other(path))) {
            pgemm_text_copy(cpu.blas_path, sizeof cpu.blas_path, path);
            open_lapack_for(dir);
        }
    }
    if (!cpu.lapack) open_lapack_for(LIBDIR);
    pgemm_text_format(cpu.describe, sizeof cpu.describe,
                      "the libraries loaded before the first call, then %s and %s",
                      cpu.blas ? cpu.blas_path : "no CPU BLAS (none found)",
                      cpu.lapack ? cpu.lapack_path : "no LAPACK (none found)");
}

static void *from_handle(void *h, const char *name)
{
    if (!h) return NULL;
    void *fn = dlsym(h, name);
    return fn && !inside_self(fn) ? fn : NULL;
}

/* The first library already loaded, in load order, that defines name,
 * local ones included: Python loads its extension modules with RTLD_LOCAL,
 * so numpy's libblas.so.3 is loaded but invisible to RTLD_NEXT, and a
 * second BLAS loaded beside it (another OpenBLAS build, say) can crash the
 * process. */
typedef struct loaded_search {
    const char *name;
    void *fn;
} loaded_search;

static int search_loaded(struct dl_phdr_info *info, size_t size, void *data)
{
    loaded_search *s = data;
    const char *path = info->dlpi_name;
    if (!path || !*path || strstr(path, "linux-vdso")) return 0;
    void *h = dlopen(path, RTLD_LAZY | RTLD_NOLOAD);
    if (!h) return 0;
    void *fn = dlsym(h, s->name);
    /* The handle's own reference is dropped: the library stays loaded by
     * whoever loaded it, which the process still holds. */
    dlclose(h);
    if (fn && !inside_self(fn)) {
        s->fn = fn;
        return 1;
    }
    return 0;
}

static void *from_loaded(const char *name)
{
    loaded_search s = {name, NULL};
    dl_iterate_phdr(search_loaded, &s);
    return s.fn;
}

/* Step 1's library, or none: read once. */
static pthread_once_t explicit_once = PTHREAD_ONCE_INIT;
static int explicit_lib;
static void read_explicit(void)
{
    const char *env = getenv("PGEMM_BLAS_CPU");
    explicit_lib = env && *env;
}

void *pgemm_blas_cpu_symbol(const char *name)
{
    pthread_once(&explicit_once, read_explicit);
    void *fn = NULL;
    if (!explicit_lib) {
        fn = dlsym(RTLD_NEXT, name);
        if (fn && inside_self(fn)) fn = NULL;
        if (!fn) fn = from_loaded(name);
        if (fn) return fn;
    }
    /* Step 1, or step 3: loaded only now, so that a program whose BLAS is
     * already there never gets a second one beside it. */
    pthread_once(&cpu.once, load);
    fn = from_handle(cpu.blas, name);
    if (!fn) fn = from_handle(cpu.lapack, name);
    return fn;
}

static pgemm_blas_sgemm_fn cpu_sgemm;
static pthread_once_t cpu_sgemm_once = PTHREAD_ONCE_INIT;

static void find_sgemm(void)
{
    void *p = pgemm_blas_cpu_symbol("sgemm_");
    memcpy(&cpu_sgemm, &p, sizeof p); /* object to function pointer, as dlsym's users do */
}

pgemm_blas_sgemm_fn pgemm_blas_cpu_sgemm(void)
{
    pthread_once(&cpu_sgemm_once, find_sgemm);
    return cpu_sgemm;
}

const char *pgemm_blas_cpu_describe(void)
{
    pthread_once(&cpu.once, load);
    return cpu.describe;
}

const char *pgemm_blas_cpu_sgemm_origin(void)
{
    pgemm_blas_sgemm_fn fn = pgemm_blas_cpu_sgemm();
    Dl_info info;
    void *p;
    memcpy(&p, &fn, sizeof p);
    if (!fn || !dladdr(p, &info) || !info.dli_fname) return "none";
    return info.dli_fname;
}
