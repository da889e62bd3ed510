/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The OpenCL kernel binary cache (src/opencl/cl_cache.h):
 *
 *  1. PGEMM_CACHE_DIR=<fresh dir>: GEMMs with 5 (variant, transpose)
 *     kernels leave *.bin files there (in a subfolder, beside its secret
 *     `key`: 32 bytes, mode 0600), each a well-formed entry: "PGEMMCL2" |
 *     u64 key length | key | u64 binary length | HMAC-SHA256 under the
 *     secret | binary; no temporary files left over.
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
 *  7. Entries the driver must never see: well-formed but signed under
 *     another secret (one of them with its binary cut in half: the entry
 *     that crashed PoCL inside clCreateProgramWithBinary when the cache was
 *     trusted input), a FIFO in place of an entry (must not hang), and, run
 *     as root, an entry owned by another user: each is rebuilt, results are
 *     right, and the file is a sound entry again.
 *  8. A secret that others can read is replaced (the entries signed with it
 *     are rebuilt); a cache folder writable by its group, or a folder above
 *     it writable by everyone and not sticky, is not used at all: GEMMs run
 *     right and write nothing there.
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

#include <nettle/hmac.h>

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
    size_t count, tmp_count, secret_count; /* secrets ("key") are not in f[] */
    cache_file f[MAX_FILES];
} listing;

static listing *g_list;

static int collect(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)ftw;
    if (type != FTW_F) return 0;
    size_t len = strlen(path);
    if (len > 4 && !strcmp(path + len - 4, ".tmp")) g_list->tmp_count++;
    if (len >= 4 && !strcmp(path + len - 4, "/key")) {
        g_list->secret_count++;
        return 0;
    }
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

/* The secret of the cache folder holding entry `path` (its "key" file). */
static int read_secret(const char *path, unsigned char secret[32])
{
    char key_path[1100];
    snprintf(key_path, sizeof key_path, "%s", path);
    char *slash = strrchr(key_path, '/');
    REQUIRE(slash);
    snprintf(slash + 1, sizeof key_path - (size_t)(slash + 1 - key_path), "key");
    size_t len;
    unsigned char *k = slurp(key_path, &len);
    int ok = k && len == 32;
    if (ok) memcpy(secret, k, 32);
    free(k);
    return ok;
}

/* HMAC-SHA256 of an entry's fields under secret, as cl_cache.c signs them. */
static void entry_mac(const unsigned char secret[32], const unsigned char *key, uint64_t key_len,
                      const unsigned char *bin, uint64_t bin_len, uint8_t out[32])
{
    struct hmac_sha256_ctx h;
    hmac_sha256_set_key(&h, 32, secret);
    hmac_sha256_update(&h, 8, (const uint8_t *)"PGEMMCL2");
    hmac_sha256_update(&h, 8, (const uint8_t *)&key_len);
    hmac_sha256_update(&h, key_len, key);
    hmac_sha256_update(&h, 8, (const uint8_t *)&bin_len);
    hmac_sha256_update(&h, bin_len, bin);
    hmac_sha256_digest(&h, 32, out);
}

/* NULL if path is a well-formed cache entry signed under its folder's
 * secret, else what is wrong. */
static const char *entry_problem(const char *path)
{
    size_t len;
    unsigned char secret[32];
    if (!read_secret(path, secret)) return "no sound secret beside it";
    unsigned char *p = slurp(path, &len);
    const char *why = NULL;
    uint64_t key_len, bin_len;
    if (!p) return "unreadable";
    if (len < 56 || memcmp(p, "PGEMMCL2", 8) != 0) why = "bad magic";
    else {
        memcpy(&key_len, p + 8, 8);
        if (key_len > len - 56) why = "bad key length";
        else {
            memcpy(&bin_len, p + 16 + key_len, 8);
            const unsigned char *mac = p + 24 + key_len, *bin = mac + 32;
            uint8_t want[32];
            if (bin_len == 0 || 56 + key_len + bin_len != len) why = "bad binary length";
            else {
                entry_mac(secret, p + 16, key_len, bin, bin_len, want);
                if (memcmp(want, mac, 32) != 0) why = "bad MAC";
            }
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

/* Rewrites entry `path` with its own key, the first `keep` bytes of its
 * binary, and a MAC under a secret that is not the cache's. */
static void forge(const char *path, size_t keep_num, size_t keep_den)
{
    size_t len;
    unsigned char *p = slurp(path, &len);
    REQUIRE(p && len > 56);
    uint64_t key_len, bin_len;
    memcpy(&key_len, p + 8, 8);
    memcpy(&bin_len, p + 16 + key_len, 8);
    REQUIRE(56 + key_len + bin_len == len);
    uint64_t cut = bin_len * keep_num / keep_den;
    unsigned char other[32];
    for (int i = 0; i < 32; i++) other[i] = (unsigned char)(7 * i + 1);
    uint8_t mac[32];
    entry_mac(other, p + 16, key_len, p + 56 + key_len, cut, mac);
    FILE *f = fopen(path, "wb");
    REQUIRE(f);
    REQUIRE(fwrite(p, 1, 16 + key_len, f) == 16 + key_len && fwrite(&cut, 8, 1, f) == 1 &&
            fwrite(mac, 1, 32, f) == 32 && fwrite(p + 56 + key_len, 1, cut, f) == cut);
    REQUIRE(fclose(f) == 0);
    free(p);
}

/* 7. Entries that must never reach the driver. */
static void untrusted_entries(const char *cache)
{
    test_setenv("PGEMM_CACHE_DIR", cache);
    listing l;
    list_files(cache, &l);
    REQUIRE(l.count >= 4 && l.count <= MAX_FILES);
    forge(l.f[0].path, 1, 2); /* half the binary */
    forge(l.f[1].path, 1, 1); /* whole, another secret */
    REQUIRE(unlink(l.f[2].path) == 0);
    REQUIRE(mkfifo(l.f[2].path, 0600) == 0);
    int as_root = geteuid() == 0;
    if (as_root) REQUIRE(chown(l.f[3].path, 65534, 65534) == 0);
    alarm(120); /* a FIFO read by mistake blocks: fail instead of hanging */
    run_gemms("untrusted entries");
    alarm(0);
    for (size_t i = 0; i < (as_root ? 4u : 3u); i++) {
        struct stat st;
        int replaced = lstat(l.f[i].path, &st) == 0 && S_ISREG(st.st_mode) &&
                       st.st_uid == geteuid();
        CHECK_MSG(replaced, "%s was not replaced by an entry of this user", l.f[i].path);
        if (!replaced) continue;
        const char *why = entry_problem(l.f[i].path);
        CHECK_MSG(!why, "%s was not rebuilt: %s", l.f[i].path, why);
    }
    printf("test_kernel_cache: entries signed elsewhere, a FIFO%s: rebuilt\n",
           as_root ? ", another user's entry" : "");
}

/* 8. Secrets others can read, and folders others can write. */
static void untrusted_folders(const char *base, const char *cache)
{
    char key_path[1200];
    snprintf(key_path, sizeof key_path, "%s/opencl/key", cache);
    size_t len;
    unsigned char *old = slurp(key_path, &len);
    REQUIRE(old && len == 32);
    REQUIRE(chmod(key_path, 0644) == 0);
    run_gemms("secret readable by others");
    unsigned char *now = slurp(key_path, &len);
    struct stat st;
    CHECK_MSG(now && len == 32 && memcmp(old, now, 32) != 0 && stat(key_path, &st) == 0 &&
                  (st.st_mode & 077) == 0,
              "a secret readable by others was not replaced by a private one");
    listing l;
    list_files(cache, &l);
    for (size_t i = 0; i < l.count && i < MAX_FILES; i++) {
        const char *why = entry_problem(l.f[i].path);
        CHECK_MSG(!why, "%s was not re-signed under the new secret: %s", l.f[i].path, why);
    }
    free(old);
    free(now);

    static const struct {
        const char *what;
        unsigned parent_mode, dir_mode;
    } folders[] = {{"a cache folder writable by its group", 0755, 0775},
                   {"a cache folder writable by everyone", 0755, 0777},
                   {"a folder above it writable by everyone, not sticky", 0777, 0755}};
    for (size_t i = 0; i < sizeof folders / sizeof folders[0]; i++) {
        char parent[1200], dir[1300];
        snprintf(parent, sizeof parent, "%s/open%zu", base, i);
        snprintf(dir, sizeof dir, "%s/cache", parent);
        REQUIRE(mkdir(parent, 0700) == 0 && mkdir(dir, 0700) == 0);
        REQUIRE(chmod(parent, folders[i].parent_mode) == 0 && chmod(dir, folders[i].dir_mode) == 0);
        test_setenv("PGEMM_CACHE_DIR", dir);
        run_gemms(folders[i].what);
        list_files(dir, &l);
        CHECK_MSG(l.count + l.secret_count == 0, "%s: pgemm wrote %zu files in it",
                  folders[i].what, l.count + l.secret_count);
        chmod(parent, 0700);
    }
    /* Sticky and open to all above a folder of this user's, as /tmp: fine. */
    char sticky[1200], dir[1300];
    snprintf(sticky, sizeof sticky, "%s/sticky", base);
    snprintf(dir, sizeof dir, "%s/cache", sticky);
    REQUIRE(mkdir(sticky, 0700) == 0 && chmod(sticky, 01777) == 0);
    test_setenv("PGEMM_CACHE_DIR", dir);
    run_gemms("under a sticky folder");
    list_files(dir, &l);
    CHECK_MSG(count_bin(&l) >= 1, "no entries under %s, below a sticky folder", dir);
    chmod(sticky, 0700);
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
    CHECK_MSG(first.secret_count == 1, "%zu secrets in the cache", first.secret_count);
    {
        char key_path[1200];
        snprintf(key_path, sizeof key_path, "%s/opencl/key", cache);
        struct stat st;
        CHECK_MSG(stat(key_path, &st) == 0 && st.st_size == 32 && (st.st_mode & 077) == 0,
                  "%s: not a 32-byte file readable by this user only", key_path);
    }
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

    untrusted_entries(cache);
    untrusted_folders(base, cache);
    check_alignment(base, info.device_is_cpu);

    REQUIRE(chdir(scratch) == 0);
    if (g_test_failures == 0) nftw(base, remove_one, 16, FTW_DEPTH | FTW_PHYS);
    else printf("test_kernel_cache: keeping %s for inspection\n", base);
    return test_finish();
}
