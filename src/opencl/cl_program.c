/*
 * Building kernels, with compiled programs cached on disk.
 *
 * A cache entry is one file, <cache_dir>/opencl/<hash>.bin:
 *
 *   "PGEMMCL1" | u64 key length | key | u64 binary length | u64 FNV-1a of binary | binary
 *
 * The key holds the platform, device and driver identity, the build options
 * and a hash of the kernel source, and is compared in full on load (the file
 * name is only its hash). A file that is short, has another key, fails its
 * checksum, or that the driver refuses, is rebuilt from source and rewritten;
 * it is never trusted. Files are written to a temporary name and renamed, so
 * a reader never sees half an entry.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cl_internal.h"
#include "common/text.h"

extern const char pgemm_cl_common[];
extern const char pgemm_cl_direct[];
extern const char pgemm_cl_tiled[];
extern const char pgemm_cl_vector[];

static const char k_magic[8] = {'P', 'G', 'E', 'M', 'M', 'C', 'L', '1'};

static const char *family_source(cl_family_source s)
{
    switch (s) {
    case CL_SOURCE_DIRECT: return pgemm_cl_direct;
    case CL_SOURCE_TILED: return pgemm_cl_tiled;
    case CL_SOURCE_VECTOR: return pgemm_cl_vector;
    }
    return pgemm_cl_direct;
}

static void log_line(const cl_build_target *t, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void log_line(const cl_build_target *t, int level, const char *fmt, ...)
{
    char line[PGEMM_REASON_LEN * 2];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    t->log(level, line);
}

/* mkdir -p; returns 0 on success. */
static int make_dirs(const char *path)
{
    char buf[1024];
    pgemm_text_copy(buf, sizeof buf, path);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(buf, 0755) != 0 && errno != EEXIST) return -1;
        *p = '/';
    }
    return mkdir(buf, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

static int read_exact(FILE *f, void *dst, size_t n) { return fread(dst, 1, n, f) == n; }

/* Loads the binary stored under `key`; NULL (with `why`) if absent or damaged. */
static unsigned char *cache_load(const char *path, const char *key, size_t *len, const char **why)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        *why = "absent";
        return NULL;
    }
    unsigned char *bin = NULL;
    char magic[8];
    uint64_t key_len, bin_len, sum;
    *why = "damaged header";
    if (!read_exact(f, magic, 8) || memcmp(magic, k_magic, 8) || !read_exact(f, &key_len, 8) ||
        key_len != strlen(key))
        goto out;
    char *stored = malloc(key_len + 1);
    if (!stored) goto out;
    int same = read_exact(f, stored, key_len) && !memcmp(stored, key, key_len);
    free(stored);
    *why = "key mismatch";
    if (!same) goto out;
    *why = "damaged length";
    if (!read_exact(f, &bin_len, 8) || !read_exact(f, &sum, 8) || bin_len == 0 ||
        bin_len > ((uint64_t)1 << 31))
        goto out;
    bin = malloc(bin_len);
    *why = "truncated";
    if (!bin || !read_exact(f, bin, bin_len) || fgetc(f) != EOF) goto fail;
    *why = "checksum mismatch";
    if (pgemm_fnv1a64(bin, bin_len, PGEMM_FNV_SEED) != sum) goto fail;
    *len = bin_len;
    fclose(f);
    return bin;
fail:
    free(bin);
    bin = NULL;
out:
    fclose(f);
    return NULL;
}

static void cache_store(const cl_build_target *t, const char *dir, const char *path,
                        const char *key, const unsigned char *bin, size_t len)
{
    if (make_dirs(dir) != 0) {
        log_line(t, 1, "kernel cache: cannot create %s: %s", dir, strerror(errno));
        return;
    }
    char tmp[1100];
    pgemm_text_format(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        log_line(t, 1, "kernel cache: cannot write %s: %s", tmp, strerror(errno));
        return;
    }
    uint64_t key_len = strlen(key), bin_len = len, sum = pgemm_fnv1a64(bin, len, PGEMM_FNV_SEED);
    int ok = fwrite(k_magic, 1, 8, f) == 8 && fwrite(&key_len, 8, 1, f) == 1 &&
             fwrite(key, 1, key_len, f) == key_len && fwrite(&bin_len, 8, 1, f) == 1 &&
             fwrite(&sum, 8, 1, f) == 1 && fwrite(bin, 1, len, f) == len;
    ok = (fclose(f) == 0) && ok;
    if (!ok || rename(tmp, path) != 0) {
        log_line(t, 1, "kernel cache: writing %s failed", path);
        remove(tmp);
    }
}

/* The program's binary for its one device; NULL if the driver offers none. */
static unsigned char *program_binary(cl_program prog, size_t *len)
{
    size_t size = 0;
    if (clGetProgramInfo(prog, CL_PROGRAM_BINARY_SIZES, sizeof size, &size, NULL) != CL_SUCCESS ||
        size == 0)
        return NULL;
    unsigned char *bin = malloc(size);
    if (!bin) return NULL;
    if (clGetProgramInfo(prog, CL_PROGRAM_BINARIES, sizeof bin, &bin, NULL) != CL_SUCCESS) {
        free(bin);
        return NULL;
    }
    *len = size;
    return bin;
}

static cl_int build(cl_program prog, cl_device_id dev, const char *options)
{
    return clBuildProgram(prog, 1, &dev, options, NULL, NULL);
}

pgemm_status pgemm_cl_build_kernel(const cl_build_target *t, const cl_variant *v, int trans_a,
                                   int trans_b, int aligned, cl_kernel *out, pgemm_err *err)
{
    char options[512];
    pgemm_cl_build_options(v, trans_a, trans_b,
                           (aligned ? PGEMM_CL_BUILD_ALIGNED : 0u) |
                               (t->gpu ? PGEMM_CL_BUILD_GPU : 0u),
                           options, sizeof options);
    const char *sources[2] = {pgemm_cl_common, family_source(v->source)};
    uint64_t src_hash = pgemm_fnv1a64(sources[0], strlen(sources[0]), PGEMM_FNV_SEED);
    src_hash = pgemm_fnv1a64(sources[1], strlen(sources[1]), src_hash);
    char key[1024];
    pgemm_text_format(key, sizeof key, "%s\n%s\nsource %016llx", t->device_key, options,
                      (unsigned long long)src_hash);

    char dir[1024], path[1100];
    cl_program prog = NULL;
    cl_int rc;
    if (t->cache_dir) {
        pgemm_text_format(dir, sizeof dir, "%s/opencl", t->cache_dir);
        pgemm_text_format(path, sizeof path, "%s/%016llx.bin", dir,
                          (unsigned long long)pgemm_fnv1a64(key, strlen(key), PGEMM_FNV_SEED));
        size_t len = 0;
        const char *why = "";
        unsigned char *bin = cache_load(path, key, &len, &why);
        if (bin) {
            const unsigned char *bins[1] = {bin};
            cl_int status = CL_SUCCESS;
            prog = clCreateProgramWithBinary(t->context, 1, &t->device, &len, bins, &status, &rc);
            free(bin);
            if (prog && (rc != CL_SUCCESS || status != CL_SUCCESS ||
                         build(prog, t->device, options) != CL_SUCCESS)) {
                clReleaseProgram(prog);
                prog = NULL;
            }
            if (prog)
                log_line(t, 2, "%s (TRANS_A=%d TRANS_B=%d%s): loaded from %s", v->desc.name,
                         trans_a, trans_b, aligned ? ", aligned" : "", path);
            else
                log_line(t, 1, "kernel cache: driver refused %s; rebuilding", path);
        } else if (strcmp(why, "absent") != 0) {
            log_line(t, 1, "kernel cache: %s is %s; rebuilding", path, why);
        }
    }

    int from_source = prog == NULL;
    if (from_source) {
        prog = clCreateProgramWithSource(t->context, 2, sources, NULL, &rc);
        if (!prog) {
            pgemm_err_set(err, "clCreateProgramWithSource: %s", pgemm_cl_error_name(rc));
            return pgemm_cl_status(rc);
        }
        rc = build(prog, t->device, options);
        if (rc != CL_SUCCESS) {
            char log[2048] = "";
            clGetProgramBuildInfo(prog, t->device, CL_PROGRAM_BUILD_LOG, sizeof log - 1, log,
                                  NULL);
            log[sizeof log - 1] = '\0';
            pgemm_err_set(err, "building %s with \"%s\": %s: %.300s", v->desc.name, options,
                          pgemm_cl_error_name(rc), log);
            clReleaseProgram(prog);
            return PGEMM_ERROR_BUILD;
        }
        log_line(t, 2, "%s (TRANS_A=%d TRANS_B=%d%s): built from source", v->desc.name,
                 trans_a, trans_b, aligned ? ", aligned" : "");
    }

    cl_kernel k = clCreateKernel(prog, "pgemm_gemm", &rc);
    if (!k) {
        pgemm_err_set(err, "clCreateKernel(%s): %s", v->desc.name, pgemm_cl_error_name(rc));
        clReleaseProgram(prog);
        return pgemm_cl_status(rc);
    }
    if (from_source && t->cache_dir) {
        size_t len = 0;
        unsigned char *bin = program_binary(prog, &len);
        if (bin) cache_store(t, dir, path, key, bin, len);
        else log_line(t, 2, "kernel cache: the driver offers no program binary; not cached");
        free(bin);
    }
    clReleaseProgram(prog); /* the kernel keeps it alive */
    *out = k;
    return PGEMM_SUCCESS;
}
