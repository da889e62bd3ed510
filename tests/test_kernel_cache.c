/*
 * The OpenCL kernel binary cache (src/opencl/cl_program.c):
 *
 *  1. PGEMM_CACHE_DIR=<fresh dir>: GEMMs with 5 (variant, transpose)
 *     kernels leave *.bin files there (in a subfolder), each a well-formed
 *     entry: "PGEMMCL1" | u64 key length | key | u64 binary length |
 *     u64 FNV-1a of the binary | binary; no temporary files left over.
 *  2. Every file damaged in place (truncated, emptied, bytes flipped, header
 *     overwritten, junk appended): a new context gives correct results and
 *     every file is a well-formed entry again.
 *  3. A third context loads them: correct results, and no file is
 *     rewritten (same inode, same modification time).
 *  4. PGEMM_CACHE_DIR=off: no file appears anywhere (not in the cache dir,
 *     not under $HOME/.cache/pgemm or $XDG_CACHE_HOME/pgemm, not in the
 *     working directory, e.g. as ./off).
 *  5. PGEMM_CACHE_DIR unset: the cache goes to $XDG_CACHE_HOME/pgemm.
 *  6. Which build a GEMM gets, read from the one entry it leaves in a fresh
 *     cache: on a GPU, the aligned build of a float4-loading variant
 *     (-DALIGNED=1) exactly when A, B and C, their offsets, leading
 *     dimensions and batch strides are all multiples of 4 floats; on a CPU
 *     device never.
 *
 * On PoCL, which keeps its own cache of builds, pgemm writes no entries:
 * the test checks that GEMMs leave nothing in PGEMM_CACHE_DIR and stops.
 *
 * usage: test_kernel_cache [SCRATCH_DIR]   (default: $TMPDIR or /tmp)
 */
#define _XOPEN_SOURCE 700
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gemm_case.h"
#include "test_util.h"

enum { MAX_FILES = 64, NKERNELS = 5 };

typedef struct cache_file {
    char path[1024];
    ino_t inode;
    struct timespec mtime;
    off_t size;
} cache_file;

typedef struct listing {
    size_t count, tmp_count;
    cache_file f[MAX_FILES];
} listing;

static listing *g_list;

static int collect(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)ftw;
    if (type != FTW_F) return 0;
    size_t len = strlen(path);
    if (len > 4 && !strcmp(path + len - 4, ".tmp")) g_list->tmp_count++;
    if (g_list->count < MAX_FILES) {
        cache_file *f = &g_list->f[g_list->count];
        snprintf(f->path, sizeof f->path, "%s", path);
        f->inode = st->st_ino;
        f->mtime = st->st_mtim;
        f->size = st->st_size;
    }
    g_list->count++;
    return 0;
}

/* Every regular file under dir (recursively); a missing dir lists nothing. */
static void list_files(const char *dir, listing *out)
{
    memset(out, 0, sizeof *out);
    g_list = out;
    struct stat st;
    if (stat(dir, &st) != 0) return;
    nftw(dir, collect, 16, FTW_PHYS);
}

static size_t count_bin(const listing *l)
{
    size_t n = 0;
    for (size_t i = 0; i < l->count && i < MAX_FILES; i++) {
        size_t len = strlen(l->f[i].path);
        n += len > 4 && !strcmp(l->f[i].path + len - 4, ".bin");
    }
    return n;
}

static uint64_t fnv1a64(const unsigned char *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = malloc(n > 0 ? (size_t)n : 1);
    if (buf && n > 0 && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = n > 0 ? (size_t)n : 0;
    return buf;
}

/* NULL if path is a well-formed cache entry, else what is wrong. */
static const char *entry_problem(const char *path)
{
    size_t len;
    unsigned char *p = slurp(path, &len);
    const char *why = NULL;
    uint64_t key_len, bin_len, sum;
    if (!p) return "unreadable";
    if (len < 32 || memcmp(p, "PGEMMCL1", 8) != 0) why = "bad magic";
    else {
        memcpy(&key_len, p + 8, 8);
        if (key_len > len - 32) why = "bad key length";
        else {
            memcpy(&bin_len, p + 16 + key_len, 8);
            memcpy(&sum, p + 24 + key_len, 8);
            if (bin_len == 0 || 32 + key_len + bin_len != len) why = "bad binary length";
            else if (fnv1a64(p + 32 + key_len, bin_len) != sum) why = "bad checksum";
        }
    }
    free(p);
    return why;
}

/* Damages a file in place (same inode), five different ways. */
static void damage(const char *path, int how)
{
    size_t len;
    unsigned char *p = slurp(path, &len);
    REQUIRE(p && len > 64);
    FILE *f = fopen(path, "r+b");
    REQUIRE(f);
    switch (how % 5) {
    case 0: /* truncated in the middle of the binary */
        REQUIRE(truncate(path, (off_t)(len - len / 3)) == 0);
        break;
    case 1: /* bytes flipped near the end: the checksum must catch it */
        for (size_t i = len - 24; i < len - 8; i++) p[i] ^= 0x5a;
        fseek(f, 0, SEEK_SET);
        REQUIRE(fwrite(p, 1, len, f) == len);
        break;
    case 2: /* header overwritten */
        fseek(f, 0, SEEK_SET);
        REQUIRE(fwrite("GARBAGE!GARBAGE!", 1, 16, f) == 16);
        break;
    case 3: /* emptied */
        REQUIRE(truncate(path, 0) == 0);
        break;
    case 4: /* junk appended after a valid entry */
        fseek(f, 0, SEEK_END);
        REQUIRE(fwrite("junkjunk", 1, 8, f) == 8);
        break;
    }
    fclose(f);
    free(p);
}

/* The GEMMs that need NKERNELS distinct (variant, transpose) kernels. */
static void run_gemms(const char *phase)
{
    pgemm_context *ctx = test_context();
    size_t count = pgemm_variant_count(ctx);
    REQUIRE(count >= 2);
    test_gemm_stats st = {0};
    for (int i = 0; i < NKERNELS; i++) {
        test_gemm_case gc;
        test_gemm_case_init(&gc);
        test_gemm_set_combo(&gc, i % 4); /* column-major: transposes map 1:1 */
        gc.m = 33;
        gc.n = 17 + (size_t)i;
        gc.k = 9;
        gc.beta = 0.5f;
        gc.seed = 70 + (uint64_t)i;
        gc.expect_variant = pgemm_variant_name(ctx, i < 4 ? 0 : count - 1);
        CHECK_OK(ctx, pgemm_force_variant(ctx, gc.expect_variant));
        if (test_variant_is_fp16(gc.expect_variant)) gc.precision = PGEMM_PRECISION_FP16_MIXED;
        gc.api = i % 2 ? TEST_API_BUFFER : TEST_API_HOST;
        test_gemm_run(ctx, &gc, &st);
    }
    test_gemm_print_stats(phase, &st);
    pgemm_context_destroy(ctx);
}

/* Whether the key of the cache entry at path contains token. */
static int key_has(const char *path, const char *token)
{
    size_t len;
    unsigned char *p = slurp(path, &len);
    int found = 0;
    uint64_t key_len;
    if (p && len >= 16) {
        memcpy(&key_len, p + 8, 8);
        if (key_len <= len - 16) {
            char *key = malloc(key_len + 1);
            REQUIRE(key);
            memcpy(key, p + 16, key_len);
            key[key_len] = '\0';
            found = strstr(key, token) != NULL;
            free(key);
        }
    }
    free(p);
    return found;
}

/* 6. One GEMM per case on tile24 (float4 loads), each in a fresh cache. */
static void check_alignment(const char *base, int cpu)
{
    static const struct {
        const char *what;
        size_t pad_a, pad_c, off_a, off_b, off_c, batch, gap;
        int aligned;
    } cases[] = {
        {"everything a multiple of 4", 0, 0, 0, 0, 0, 1, 0, 1},
        {"offsets 4, 36, 4 and lds padded by 4", 4, 4, 4, 36, 4, 1, 0, 1},
        {"lda a multiple of 4 plus 1", 1, 0, 0, 0, 0, 1, 0, 0},
        {"ldc a multiple of 4 plus 3", 0, 3, 0, 0, 0, 1, 0, 0},
        {"B's offset 1", 0, 0, 0, 1, 0, 1, 0, 0},
        {"C's offset 5", 0, 0, 0, 0, 5, 1, 0, 0},
        {"a batch of 3, strides multiples of 4", 0, 0, 0, 0, 0, 3, 4, 1},
        {"a batch of 3, strides a multiple of 4 plus 1", 0, 0, 0, 0, 0, 3, 1, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char dir[1200];
        snprintf(dir, sizeof dir, "%s/align%zu", base, i);
        test_setenv("PGEMM_CACHE_DIR", dir);
        pgemm_context *ctx = test_context();
        CHECK_OK(ctx, pgemm_force_variant(ctx, "tile24"));
        test_gemm_case gc;
        test_gemm_case_init(&gc);
        test_gemm_set_combo(&gc, 0);
        gc.m = gc.n = gc.k = 64;
        gc.beta = 0.5f;
        gc.pad_a = cases[i].pad_a;
        gc.pad_c = cases[i].pad_c;
        gc.off_a = cases[i].off_a;
        gc.off_b = cases[i].off_b;
        gc.off_c = cases[i].off_c;
        gc.api = cases[i].batch > 1 ? TEST_API_BATCHED : TEST_API_BUFFER;
        gc.batch = cases[i].batch;
        gc.gap_a = gc.gap_b = gc.gap_c = cases[i].gap;
        gc.seed = 90 + i;
        gc.expect_variant = "tile24";
        test_gemm_stats st = {0};
        test_gemm_run(ctx, &gc, &st);
        pgemm_context_destroy(ctx);
        listing l;
        list_files(dir, &l);
        CHECK_MSG(count_bin(&l) == 1, "%s: %zu cache entries, want 1", cases[i].what,
                  count_bin(&l));
        if (count_bin(&l) != 1) continue;
        const char *want = cases[i].aligned && !cpu ? "-DALIGNED=1" : "-DALIGNED=0";
        CHECK_MSG(key_has(l.f[0].path, want), "%s: the build is not the one with %s",
                  cases[i].what, want);
        printf("test_kernel_cache: %-45s -> %s\n", cases[i].what, want);
    }
}

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)type;
    (void)ftw;
    return remove(path);
}

int main(int argc, char **argv)
{
    test_begin("test_kernel_cache");
    const char *scratch = argc > 1 ? argv[1] : getenv("TMPDIR");
    if (!scratch || !*scratch) scratch = "/tmp";
    mkdir(scratch, 0755);
    char base[1024], cache[1100], home[1100], xdg[1100], cwd[1100], xdg_cache[1200];
    snprintf(base, sizeof base, "%s/pgemm-cache-test-XXXXXX", scratch);
    REQUIRE(mkdtemp(base) != NULL);
    snprintf(cache, sizeof cache, "%s/cache", base);
    snprintf(home, sizeof home, "%s/home", base);
    snprintf(xdg, sizeof xdg, "%s/xdg", base);
    snprintf(cwd, sizeof cwd, "%s/cwd", base);
    snprintf(xdg_cache, sizeof xdg_cache, "%s/pgemm", xdg);
    REQUIRE(mkdir(home, 0755) == 0 && mkdir(xdg, 0755) == 0 && mkdir(cwd, 0755) == 0);
    REQUIRE(chdir(cwd) == 0);
    test_setenv("HOME", home);
    test_setenv("XDG_CACHE_HOME", xdg);
    printf("test_kernel_cache: scratch %s\n", base);

    /* 1. A fresh cache fills (on PoCL: stays empty). */
    test_setenv("PGEMM_CACHE_DIR", cache);
    run_gemms("fresh cache");
    listing first;
    list_files(cache, &first);
    pgemm_info info;
    {
        pgemm_context *ctx = test_context();
        CHECK_OK(ctx, pgemm_context_info(ctx, &info));
        pgemm_context_destroy(ctx);
    }
    if (strstr(info.platform, "Portable Computing Language")) {
        CHECK_MSG(first.count == 0, "PoCL caches its own builds, but pgemm wrote %zu files "
                  "under %s", first.count, cache);
        printf("test_kernel_cache: PoCL: no pgemm cache entries, as intended\n");
        REQUIRE(chdir(scratch) == 0);
        if (g_test_failures == 0) nftw(base, remove_one, 16, FTW_DEPTH | FTW_PHYS);
        return test_finish();
    }
    size_t nbin = count_bin(&first);
    printf("test_kernel_cache: %zu cache files after %d kernels\n", first.count, NKERNELS);
    CHECK_MSG(nbin >= 1, "no *.bin file under %s", cache);
    CHECK_MSG(nbin == first.count && first.count <= MAX_FILES, "%zu files, %zu *.bin",
              first.count, nbin);
    CHECK_MSG(first.tmp_count == 0, "temporary files left in the cache");
    for (size_t i = 0; i < first.count && i < MAX_FILES; i++) {
        const char *why = entry_problem(first.f[i].path);
        CHECK_MSG(!why, "%s: %s", first.f[i].path, why);
        CHECK_MSG(strchr(first.f[i].path + strlen(cache) + 1, '/') != NULL,
                  "%s is not in a subfolder of the cache", first.f[i].path);
    }

    /* 2. Damaged entries are rebuilt and rewritten. */
    for (size_t i = 0; i < first.count && i < MAX_FILES; i++) damage(first.f[i].path, (int)i);
    run_gemms("damaged cache");
    listing second;
    list_files(cache, &second);
    CHECK_MSG(second.count == first.count, "%zu files, had %zu", second.count, first.count);
    CHECK(second.tmp_count == 0);
    for (size_t i = 0; i < second.count && i < MAX_FILES; i++) {
        const char *why = entry_problem(second.f[i].path);
        CHECK_MSG(!why, "damaged entry %s was not rewritten: %s", second.f[i].path, why);
    }

    /* 3. Valid entries are loaded, not rewritten. */
    run_gemms("warm cache");
    listing third;
    list_files(cache, &third);
    CHECK(third.count == second.count);
    for (size_t i = 0; i < third.count && i < MAX_FILES; i++) {
        const cache_file *a = &second.f[i], *b = NULL;
        for (size_t j = 0; j < third.count && j < MAX_FILES; j++)
            if (!strcmp(third.f[j].path, a->path)) b = &third.f[j];
        CHECK_MSG(b != NULL, "%s disappeared", a->path);
        if (b)
            CHECK_MSG(a->inode == b->inode && a->mtime.tv_sec == b->mtime.tv_sec &&
                          a->mtime.tv_nsec == b->mtime.tv_nsec,
                      "%s was rewritten although it was valid", a->path);
    }

    /* 4. "off": nothing is written anywhere. */
    test_setenv("PGEMM_CACHE_DIR", "off");
    run_gemms("cache off");
    /* (The OpenCL driver may keep its own cache under $XDG_CACHE_HOME, e.g.
     * PoCL's pocl/kcache: only pgemm's places are checked.) */
    char home_cache[1200];
    snprintf(home_cache, sizeof home_cache, "%s/.cache/pgemm", home);
    listing l;
    list_files(home_cache, &l);
    CHECK_MSG(l.count == 0, "PGEMM_CACHE_DIR=off wrote %zu files under %s", l.count, home_cache);
    list_files(xdg_cache, &l);
    CHECK_MSG(l.count == 0, "PGEMM_CACHE_DIR=off wrote %zu files under %s", l.count, xdg_cache);
    list_files(cwd, &l);
    CHECK_MSG(l.count == 0, "PGEMM_CACHE_DIR=off wrote %zu files in the working dir", l.count);
    list_files(cache, &l);
    CHECK(l.count == third.count);

    /* 5. Unset: $XDG_CACHE_HOME/pgemm. */
    test_setenv("PGEMM_CACHE_DIR", NULL);
    run_gemms("default cache dir");
    list_files(xdg_cache, &l);
    CHECK_MSG(count_bin(&l) >= 1, "no cache files under %s with PGEMM_CACHE_DIR unset",
              xdg_cache);

    check_alignment(base, info.device_is_cpu);

    REQUIRE(chdir(scratch) == 0);
    if (g_test_failures == 0) nftw(base, remove_one, 16, FTW_DEPTH | FTW_PHYS);
    else printf("test_kernel_cache: keeping %s for inspection\n", base);
    return test_finish();
}
