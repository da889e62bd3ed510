/* SPDX-License-Identifier: BSD-3-Clause */
#include "common/trust.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/text.h"

/* Why st (of path) lets someone else than this user and root change it, or
 * NULL. `sticky_ok`: a sticky directory writable by others is fine. */
static const char *untrusted(const char *path, const struct stat *st, int sticky_ok, char *why,
                             size_t cap)
{
    uid_t me = geteuid();
    if (st->st_uid != me && st->st_uid != 0)
        return pgemm_text_format(why, cap, "%s belongs to user %ld, not to this user (%ld)",
                                 path, (long)st->st_uid, (long)me);
    if ((st->st_mode & (S_IWGRP | S_IWOTH)) && !(sticky_ok && (st->st_mode & S_ISVTX)))
        return pgemm_text_format(why, cap, "%s is writable by %s (mode %04o); chmod go-w %s",
                                 path, st->st_mode & S_IWOTH ? "every user" : "its group",
                                 (unsigned)(st->st_mode & 07777), path);
    return NULL;
}

int pgemm_dir_trusted(const char *dir, char *why, size_t cap)
{
    if (!dir || dir[0] != '/') {
        pgemm_text_format(why, cap, "%s is not an absolute path", dir ? dir : "(null)");
        return 0;
    }
    /* The longest prefix that exists, resolved (symlinks included: the
     * directories that count are the ones the files really live in). */
    char path[PATH_MAX], real[PATH_MAX];
    pgemm_text_copy(path, sizeof path, dir);
    while (!realpath(path, real)) {
        if (errno != ENOENT && errno != ENOTDIR) {
            pgemm_text_format(why, cap, "%s: %s", path, strerror(errno));
            return 0;
        }
        char *slash = strrchr(path, '/');
        if (!slash || slash == path) {
            pgemm_text_copy(path, sizeof path, "/");
            continue;
        }
        *slash = '\0';
    }
    /* The directory the files go in may not be sticky-and-open: others could
     * still create the names pgemm reads. Above it, sticky is fine. */
    int strict = strcmp(path, dir) == 0;
    for (;;) {
        struct stat st;
        if (stat(real, &st) != 0) {
            pgemm_text_format(why, cap, "%s: %s", real, strerror(errno));
            return 0;
        }
        if (!S_ISDIR(st.st_mode)) {
            pgemm_text_format(why, cap, "%s is not a directory", real);
            return 0;
        }
        if (untrusted(real, &st, !strict, why, cap)) return 0;
        strict = 0;
        char *slash = strrchr(real, '/');
        if (!slash) break;
        if (slash == real) {
            if (real[1] == '\0') break;
            real[1] = '\0';
        } else {
            *slash = '\0';
        }
    }
    return 1;
}

int pgemm_file_trusted(const char *path, const struct stat *st, char *why, size_t cap)
{
    return untrusted(path, st, 0, why, cap) == NULL;
}
