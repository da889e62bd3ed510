/* SPDX-License-Identifier: BSD-3-Clause */
/* bench_replot.c: `pgemm bench --replot FILE.csv`: the picture of a sweep
 * from the CSV a run wrote, for a sweep measured on a machine without
 * gnuplot (a GPU node). Shapes and kernels keep the order of the file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

/* The columns a run writes (pgemm_bench.c), in order. */
enum {
    COL_PLATFORM,
    COL_DEVICE,
    COL_LAYOUT,
    COL_TRANS,
    COL_M,
    COL_N,
    COL_K,
    COL_KERNEL,
    COL_KIND,
    COL_RAN,
    COL_STATUS,
    COL_GFLOPS,
    COL_USED,
    COL_PRECISION = 20, /* the last column; files written before it lack it */
    COL_MAX
};
static const char header_start[] = "platform,device,layout,trans,m,n,k,kernel,kind,variant_run,"
                                   "status,gflops,";

/* Splits one CSV line into at most `max` fields (quoted fields with ""
 * inside them, as bench_csv_field writes them), in place. Returns the count,
 * or -1 for an unterminated quote. */
static int split(char *line, char **field, int max)
{
    int n = 0;
    char *p = line;
    for (;;) {
        if (n == max) return n;
        char *out = p;
        field[n++] = out;
        if (*p == '"') {
            p++;
            for (;;) {
                if (!*p || *p == '\n') return -1;
                if (*p == '"' && p[1] == '"') {
                    *out++ = '"';
                    p += 2;
                } else if (*p == '"') {
                    p++;
                    break;
                } else {
                    *out++ = *p++;
                }
            }
        } else {
            while (*p && *p != ',' && *p != '\n') *out++ = *p++;
        }
        int more = *p == ',';
        *out = '\0';
        if (!more) return n;
        p++;
    }
}

int bench_replot(const char *csv, const char *png, char *why, size_t cap)
{
    FILE *f = fopen(csv, "r");
    if (!f) {
        snprintf(why, cap, "cannot read it: %s", strerror(errno));
        return 0;
    }
    static shape shapes[MAX_SHAPES];
    static kernel ks[MAX_KERNELS];
    static double gflops[MAX_SHAPES * MAX_KERNELS];
    size_t nshapes = 0, nk = 0, rows = 0, lineno = 1;
    char line[8192], device[PGEMM_NAME_LEN] = "", platform[PGEMM_NAME_LEN] = "", layout[8] = "",
                     trans[8] = "";
    int ok = 0, fp16 = 0;
    if (!fgets(line, sizeof line, f) || strncmp(line, header_start, sizeof header_start - 1)) {
        snprintf(why, cap, "not a CSV of pgemm bench (its first line is not \"%.*s...\")",
                 (int)(sizeof header_start - 2), header_start);
        goto done;
    }
    memset(gflops, 0, sizeof gflops);
    while (fgets(line, sizeof line, f)) {
        lineno++;
        char *c[COL_MAX];
        int nf = split(line, c, COL_MAX);
        if (nf < COL_USED) {
            snprintf(why, cap, "line %zu: not a row of pgemm bench", lineno);
            goto done;
        }
        shape sh;
        if (!bench_parse_size(c[COL_M], &sh.m) || !bench_parse_size(c[COL_N], &sh.n) ||
            !bench_parse_size(c[COL_K], &sh.k)) {
            snprintf(why, cap, "line %zu: bad m, n or k", lineno);
            goto done;
        }
        if (!rows++) {
            snprintf(device, sizeof device, "%s", c[COL_DEVICE]);
            snprintf(platform, sizeof platform, "%s", c[COL_PLATFORM]);
            snprintf(layout, sizeof layout, "%s", c[COL_LAYOUT]);
            snprintf(trans, sizeof trans, "%s", c[COL_TRANS]);
            fp16 = nf > COL_PRECISION && !strncmp(c[COL_PRECISION], "fp16", 4);
        }
        size_t s = 0, i = 0;
        while (s < nshapes && (shapes[s].m != sh.m || shapes[s].n != sh.n || shapes[s].k != sh.k))
            s++;
        while (i < nk && strcmp(ks[i].name, c[COL_KERNEL])) i++;
        if (s == MAX_SHAPES || i == MAX_KERNELS) {
            snprintf(why, cap, "line %zu: more than %d shapes or %d kernels", lineno, MAX_SHAPES,
                     MAX_KERNELS);
            goto done;
        }
        if (s == nshapes) shapes[nshapes++] = sh;
        if (i == nk) {
            memset(&ks[nk], 0, sizeof ks[nk]);
            snprintf(ks[nk].name, sizeof ks[nk].name, "%s", c[COL_KERNEL]);
            ks[nk].kind = !strcmp(c[COL_KIND], "choice")    ? KIND_CHOICE
                          : !strcmp(c[COL_KIND], "clblast") ? KIND_CLBLAST
                                                            : KIND_VARIANT;
            nk++;
        }
        double g = 0.0;
        if (!strcmp(c[COL_STATUS], "ok") && bench_parse_double(c[COL_GFLOPS], &g) && g > 0)
            gflops[s * MAX_KERNELS + i] = g;
    }
    if (!rows) {
        snprintf(why, cap, "it holds no measurement");
        goto done;
    }
    /* The plot's table is [shape][kernel] with nk columns. */
    for (size_t s = 0; s < nshapes; s++)
        memmove(&gflops[s * nk], &gflops[s * MAX_KERNELS], nk * sizeof *gflops);
    char title[1024];
    pgemm_transpose ta = trans[0] == 'T' ? PGEMM_TRANS : PGEMM_NO_TRANS;
    pgemm_transpose tb = trans[0] && trans[1] == 'T' ? PGEMM_TRANS : PGEMM_NO_TRANS;
    bench_plot_title(title, sizeof title, device, "", platform,
                     strcmp(layout, "row") ? PGEMM_COL_MAJOR : PGEMM_ROW_MAJOR, ta, tb);
    if (fp16) {
        size_t used = strlen(title);
        snprintf(title + used, sizeof title - used, ", fp16-mixed");
    }
    ok = bench_plot_sweep(png, title, shapes, nshapes, ks, nk, gflops, why, cap);
done:
    fclose(f);
    return ok;
}
