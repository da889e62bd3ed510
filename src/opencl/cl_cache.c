/* SPDX-License-Identifier: BSD-3-Clause */
#include "opencl/cl_cache.h"

#include <errno.h>
#include <nettle/hmac.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/file_io.h"
#include "common/text.h"
#include "common/trust.h"

static const char k_magic[8] = {'P', 'G', 'E', 'M', 'M', 'C', 'L', '2'};
/* Header: magic, key length, binary length, MAC; the key follows the first
 * length. */
enum { MAC_LEN = SHA256_DIGEST_SIZE, MAX_BINARY = 1 << 30, MAX_KEY = 4096 };

/* Reads the secret at path: 1 when it is sound (ours, 0600 or stricter, 32
 * bytes), 0 when it is absent, -1 when it is there but not usable (why). */
static int read_secret(const char *path, unsigned char *secret, char *why, size_t cap)
{
    struct stat st;
    int fd = pgemm_file_open_regular(path, &st, why, cap);
    if (fd < 0) return errno == ENOENT && access(path, F_OK) != 0 ? 0 : -1;
    int ok = st.st_uid == geteuid() && (st.st_mode & 077) == 0 &&
             st.st_size == PGEMM_CL_CACHE_SECRET &&
             read(fd, secret, PGEMM_CL_CACHE_SECRET) == PGEMM_CL_CACHE_SECRET;
    close(fd);
    if (!ok)
        pgemm_text_format(why, cap, "%s is not %d bytes that only this user can read", path,
                          PGEMM_CL_CACHE_SECRET);
    return ok ? 1 : -1;
}

/* The cache's secret, made on first use. */
static int cache_secret(cl_cache *c, char *why, size_t cap)
{
    char path[1100];
    pgemm_text_format(path, sizeof path, "%s/key", c->dir);
    for (int attempt = 0; attempt < 2; attempt++) {
        int got = read_secret(path, c->secret, why, cap);
        if (got == 1) return 0;
        if (got < 0) {
            /* A secret that is not sound protects nothing: a new one makes
             * every entry written under the old one rebuild. */
            if (unlink(path) != 0) return -1;
        }
        unsigned char fresh[PGEMM_CL_CACHE_SECRET];
        if (getrandom(fresh, sizeof fresh, 0) != (ssize_t)sizeof fresh) {
            pgemm_text_format(why, cap, "no random bytes for %s: %s", path, strerror(errno));
            return -1;
        }
        pgemm_file_part part = {fresh, sizeof fresh};
        int rc = pgemm_file_write_atomic_mode(path, &part, 1, 0600, 1, why, cap);
        if (rc < 0) return -1;
        if (rc == 0) {
            memcpy(c->secret, fresh, sizeof fresh);
            return 0;
        }
        /* Another process made it first: read theirs. */
    }
    return -1;
}

int pgemm_cl_cache_open(cl_cache *c, const char *cache_dir, char *why, size_t cap)
{
    memset(c, 0, sizeof *c);
    pgemm_text_format(c->dir, sizeof c->dir, "%s/opencl", cache_dir);
    if (pgemm_make_dirs(c->dir, 0700) != 0) {
        pgemm_text_format(why, cap, "cannot create %s: %s", c->dir, strerror(errno));
        return -1;
    }
    if (!pgemm_dir_trusted(c->dir, why, cap)) return -1;
    return cache_secret(c, why, cap);
}

const char *pgemm_cl_cache_path(const cl_cache *c, const char *key, char *buf, size_t cap)
{
    return pgemm_text_format(buf, cap, "%s/%016llx.bin", c->dir,
                             (unsigned long long)pgemm_fnv1a64(key, strlen(key), PGEMM_FNV_SEED));
}

/* HMAC-SHA256 under the secret of the header fields and the binary. */
static void entry_mac(const cl_cache *c, const char *key, uint64_t key_len, const void *bin,
                      uint64_t bin_len, uint8_t out[MAC_LEN])
{
    struct hmac_sha256_ctx h;
    hmac_sha256_set_key(&h, PGEMM_CL_CACHE_SECRET, c->secret);
    hmac_sha256_update(&h, sizeof k_magic, (const uint8_t *)k_magic);
    hmac_sha256_update(&h, 8, (const uint8_t *)&key_len);
    hmac_sha256_update(&h, key_len, (const uint8_t *)key);
    hmac_sha256_update(&h, 8, (const uint8_t *)&bin_len);
    hmac_sha256_update(&h, bin_len, bin);
    hmac_sha256_digest(&h, MAC_LEN, out);
}

/* Constant-time comparison: how much of a MAC matched must not show. */
static int same_mac(const uint8_t *a, const uint8_t *b)
{
    unsigned diff = 0;
    for (size_t i = 0; i < MAC_LEN; i++) diff |= (unsigned)(a[i] ^ b[i]);
    return diff == 0;
}

unsigned char *pgemm_cl_cache_load(const cl_cache *c, const char *key, size_t *len, char *why,
                                   size_t cap)
{
    char path[1100];
    pgemm_cl_cache_path(c, key, path, sizeof path);
    size_t size = 0;
    char reason[PGEMM_REASON_LEN];
    unsigned char *file = (unsigned char *)pgemm_file_read_trusted(
        path, 8 + 8 + MAX_KEY + 8 + MAC_LEN + (size_t)MAX_BINARY, &size, reason, sizeof reason);
    if (!file) {
        pgemm_text_copy(why, cap, access(path, F_OK) != 0 ? "absent" : reason);
        return NULL;
    }
    unsigned char *bin = NULL;
    uint64_t key_len = 0, bin_len = 0;
    size_t at = 0;
    if (size < 16 || memcmp(file, k_magic, 8) != 0) {
        pgemm_text_copy(why, cap, "not a pgemm cache entry of this version");
        goto out;
    }
    memcpy(&key_len, file + 8, 8);
    at = 16;
    if (key_len != strlen(key) || size - at < key_len || memcmp(file + at, key, key_len) != 0) {
        pgemm_text_copy(why, cap, "an entry for another key (a hash collision, or damaged)");
        goto out;
    }
    at += key_len;
    if (size - at < 8 + MAC_LEN) {
        pgemm_text_copy(why, cap, "truncated");
        goto out;
    }
    memcpy(&bin_len, file + at, 8);
    at += 8;
    const uint8_t *mac = file + at;
    at += MAC_LEN;
    if (bin_len == 0 || bin_len != size - at) {
        pgemm_text_format(why, cap, "%s (%llu binary bytes announced, %zu there)",
                          bin_len > size - at ? "truncated" : "of the wrong length",
                          (unsigned long long)bin_len, size - at);
        goto out;
    }
    uint8_t want[MAC_LEN];
    entry_mac(c, key, key_len, file + at, bin_len, want);
    if (!same_mac(mac, want)) {
        pgemm_text_copy(why, cap, "not written under this cache's key (damaged, or from elsewhere)");
        goto out;
    }
    bin = malloc(bin_len);
    if (!bin) {
        pgemm_text_copy(why, cap, "out of memory");
        goto out;
    }
    memcpy(bin, file + at, bin_len);
    *len = bin_len;
out:
    free(file);
    return bin;
}

int pgemm_cl_cache_store(const cl_cache *c, const char *key, const unsigned char *bin, size_t len,
                         char *why, size_t cap)
{
    uint64_t key_len = strlen(key), bin_len = len;
    if (key_len > MAX_KEY || len == 0 || len > MAX_BINARY) {
        pgemm_text_format(why, cap, "a %zu-byte binary under a %llu-byte key is not cached", len,
                          (unsigned long long)key_len);
        return -1;
    }
    uint8_t mac[MAC_LEN];
    entry_mac(c, key, key_len, bin, bin_len, mac);
    char path[1100];
    pgemm_cl_cache_path(c, key, path, sizeof path);
    const pgemm_file_part parts[] = {{k_magic, 8}, {&key_len, 8}, {key, key_len},
                                     {&bin_len, 8}, {mac, MAC_LEN}, {bin, len}};
    return pgemm_file_write_atomic_mode(path, parts, sizeof parts / sizeof parts[0], 0600, 0, why,
                                        cap);
}
