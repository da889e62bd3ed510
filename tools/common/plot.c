/* SPDX-License-Identifier: BSD-3-Clause */
#define _POSIX_C_SOURCE 200809L
#include "plot.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

const char *pgemm_plot_png_beside(const char *csv, char *buf, size_t cap)
{
    size_t len = strlen(csv);
    if (len > 4 && !strcmp(csv + len - 4, ".csv")) len -= 4;
    if (len + 5 > cap) return NULL;
    snprintf(buf, cap, "%.*s.png", (int)len, csv);
    return buf;
}

static int char_ok(unsigned char c) { return c >= 0x20 && c != '"' && c != '\\' && c != 0x7f; }

int pgemm_plot_text_ok(const char *text)
{
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        if (!char_ok(*p)) return 0;
    return 1;
}

void pgemm_plot_text(char *dst, size_t cap, const char *src)
{
    size_t i = 0;
    for (; src[i] && i + 1 < cap; i++) dst[i] = char_ok((unsigned char)src[i]) ? src[i] : '?';
    if (cap) dst[i] = '\0';
}

static int write_file(const char *path, const char *a, const char *b)
{
    FILE *f = fopen(path, "w");
    if (!f) return 0;
    int ok = fputs(a, f) >= 0 && (!b || fputs(b, f) >= 0);
    return fclose(f) == 0 && ok;
}

/* The first line of a file, for gnuplot's complaint. */
static void first_line(const char *path, char *out, size_t cap)
{
    out[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f) return;
    if (fgets(out, (int)cap, f)) out[strcspn(out, "\n")] = '\0';
    fclose(f);
}

int pgemm_plot_png(const char *png, const char *table, const char *commands, char *why, size_t cap)
{
    if (!pgemm_plot_text_ok(png)) {
        snprintf(why, cap, "cannot plot to %s: a quote, backslash or control character in it", png);
        return 0;
    }
    const char *tmp = getenv("TMPDIR");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/pgemm-plot-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        snprintf(why, cap, "cannot make a folder for the plot's files in %s: %s",
                 tmp && *tmp ? tmp : "/tmp", strerror(errno));
        return 0;
    }
    char data[4200], script[4200], errors[4200];
    snprintf(data, sizeof data, "%s/data", dir);
    snprintf(script, sizeof script, "%s/plot.gp", dir);
    snprintf(errors, sizeof errors, "%s/errors", dir);
    char head[8500];
    snprintf(head, sizeof head,
             "set terminal pngcairo size 1200,720 noenhanced font \"sans,11\"\n"
             "set output \"%s\"\ndata = \"%s\"\n",
             png, data);
    int ok = 0;
    if (!write_file(data, table, NULL) || !write_file(script, head, commands)) {
        snprintf(why, cap, "cannot write the plot's files in %s: %s", dir, strerror(errno));
        goto done;
    }
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(why, cap, "cannot start gnuplot: %s", strerror(errno));
        goto done;
    }
    if (pid == 0) {
        int fd = open(errors, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        execlp("gnuplot", "gnuplot", script, (char *)NULL);
        _exit(errno == ENOENT ? 127 : 126);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) continue;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
        snprintf(why, cap, "gnuplot not found (Debian: apt install gnuplot-nox)");
    } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        char line[512];
        first_line(errors, line, sizeof line);
        snprintf(why, cap, "gnuplot failed%s%s", line[0] ? ": " : "", line);
    } else {
        struct stat st;
        ok = stat(png, &st) == 0 && st.st_size > 0;
        if (!ok) snprintf(why, cap, "gnuplot wrote no %s", png);
    }
done:
    unlink(data);
    unlink(script);
    unlink(errors);
    rmdir(dir);
    return ok;
}
