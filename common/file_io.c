/* SPDX-License-Identifier: BSD-3-Clause */
#include "common/file_io.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/text.h"
#include "common/trust.h"

static const char *kind_of(mode_t mode)
{
    if (S_ISDIR(mode)) return "a directory";
    if (S_ISFIFO(mode)) return "a FIFO";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    if (S_ISSOCK(mode)) return "a socket";
    return "not a plain file";
}

int pgemm_file_open_regular(const char *path, struct stat *st, char *why, size_t cap)
{
    /* O_NONBLOCK: opening a FIFO for reading would wait for a writer. It
     * changes nothing for the regular files that pass the check. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        pgemm_text_copy(why, cap, strerror(errno));
        return -1;
    }
    struct stat own;
    if (!st) st = &own;
    if (fstat(fd, st) != 0) {
        pgemm_text_copy(why, cap, strerror(errno));
        close(fd);
        return -1;
    }
    if (!S_ISREG(st->st_mode)) {
        pgemm_text_format(why, cap, "not a regular file (%s)", kind_of(st->st_mode));
        close(fd);
        return -1;
    }
    return fd;
}

static char *read_file(const char *path, size_t max, size_t *len, int trusted, char *why,
                       size_t cap)
{
    struct stat st;
    int fd = pgemm_file_open_regular(path, &st, why, cap);
    if (fd < 0) return NULL;
    if (trusted && !pgemm_file_trusted(path, &st, why, cap)) {
        close(fd);
        return NULL;
    }
    if ((uintmax_t)st.st_size > max) {
        pgemm_text_format(why, cap, "%jd bytes, more than the %zu allowed", (intmax_t)st.st_size,
                          max);
        close(fd);
        return NULL;
    }
    /* The size may change while we read: read up to max + 1 and judge by
     * what arrived. */
    size_t want = (size_t)st.st_size, got = 0;
    char *buf = malloc(want + 2);
    if (!buf) {
        pgemm_text_copy(why, cap, "out of memory");
        close(fd);
        return NULL;
    }
    for (;;) {
        if (got == want + 1) break;
        ssize_t n = read(fd, buf + got, want + 1 - got);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            pgemm_text_copy(why, cap, strerror(errno));
            free(buf);
            close(fd);
            return NULL;
        }
        if (n == 0) break;
        got += (size_t)n;
    }
    close(fd);
    if (got > want) {
        pgemm_text_copy(why, cap, "the file grew while it was read");
        free(buf);
        return NULL;
    }
    buf[got] = '\0';
    *len = got;
    return buf;
}

char *pgemm_file_read(const char *path, size_t max, size_t *len, char *why, size_t cap)
{
    return read_file(path, max, len, 0, why, cap);
}

char *pgemm_file_read_trusted(const char *path, size_t max, size_t *len, char *why, size_t cap)
{
    return read_file(path, max, len, 1, why, cap);
}

static int write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int pgemm_file_write_atomic(const char *path, const pgemm_file_part *parts, size_t count,
                            char *why, size_t cap)
{
    return pgemm_file_write_atomic_mode(path, parts, count, 0644, 0, why, cap);
}

int pgemm_file_write_atomic_mode(const char *path, const pgemm_file_part *parts, size_t count,
                                 unsigned mode, int exclusive, char *why, size_t cap)
{
    static atomic_uint counter;
    char tmp[4200];
    int fd = -1;
    for (int attempt = 0; attempt < 100 && fd < 0; attempt++) {
        pgemm_text_format(tmp, sizeof tmp, "%s.%ld.%u.tmp", path, (long)getpid(),
                          atomic_fetch_add(&counter, 1u));
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, (mode_t)mode);
        if (fd < 0 && errno != EEXIST) break;
    }
    if (fd < 0) {
        pgemm_text_format(why, cap, "cannot create %s: %s", tmp, strerror(errno));
        return -1;
    }
    int ok = 1;
    for (size_t i = 0; i < count && ok; i++) ok = write_all(fd, parts[i].data, parts[i].len) == 0;
    int saved = errno;
    ok = close(fd) == 0 && ok;
    if (ok && exclusive) {
        /* link() never replaces: of two writers racing, one wins and the
         * other keeps what the winner wrote. */
        int rc = link(tmp, path);
        saved = errno;
        unlink(tmp);
        if (rc == 0) return 0;
        if (saved == EEXIST) return 1;
        pgemm_text_format(why, cap, "writing %s failed: %s", path, strerror(saved));
        return -1;
    }
    if (ok && rename(tmp, path) == 0) return 0;
    if (ok) saved = errno;
    pgemm_text_format(why, cap, "writing %s failed: %s", path, strerror(saved));
    unlink(tmp);
    return -1;
}

int pgemm_make_dirs(const char *path, unsigned mode)
{
    char buf[4096];
    size_t len = strlen(path);
    if (len >= sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(buf, path, len + 1);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(buf, (mode_t)mode) != 0 && errno != EEXIST) return -1;
        *p = '/';
    }
    if (mkdir(buf, (mode_t)mode) != 0 && errno != EEXIST) return -1;
    struct stat st;
    if (stat(buf, &st) != 0) return -1;
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}
