/* SPDX-License-Identifier: BSD-3-Clause */
/* bench_plot.c: the PNG of a `pgemm bench` sweep: GFLOP/s against the size
 * (a square sweep, on a log axis) or the shape, one line per variant, pgemm's
 * choice and CLBlast (tools/common/plot.c draws it with gnuplot). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "common/text.h"
#include "plot.h"

void bench_plot_title(char *dst, size_t cap, const char *device, const char *backend,
                      const char *platform, pgemm_layout layout, pgemm_transpose ta,
                      pgemm_transpose tb)
{
    char dev[2 * PGEMM_NAME_LEN], plat[2 * PGEMM_NAME_LEN], tn[3];
    pgemm_plot_text(dev, sizeof dev, device);
    pgemm_plot_text(plat, sizeof plat, platform);
    bench_trans_text(ta, tb, tn);
    snprintf(dst, cap, "pgemm bench: %s (%s%s%s), %s-major %s", dev, backend, *backend ? ", " : "",
             plat, layout == PGEMM_ROW_MAJOR ? "row" : "col", tn);
}

int bench_plot_sweep(const char *png, const char *title, const shape *shapes, size_t nshapes,
                     const kernel *ks, size_t nk, const double *gflops, char *why, size_t cap)
{
    int square = nshapes > 0;
    for (size_t s = 0; s < nshapes; s++)
        if (shapes[s].m != shapes[s].n || shapes[s].n != shapes[s].k) square = 0;
    pgemm_textbuf table = {0}, cmd = {0};
    for (size_t s = 0; s < nshapes; s++) {
        const shape *sh = &shapes[s];
        pgemm_textbuf_put(&table, "%zu %zux%zux%zu", square ? sh->n : s + 1, sh->m, sh->n, sh->k);
        for (size_t i = 0; i < nk; i++) {
            double g = gflops[s * nk + i];
            if (g > 0)
                pgemm_textbuf_put(&table, " %.6g", g);
            else
                pgemm_textbuf_put(&table, " NaN");
        }
        pgemm_textbuf_put(&table, "\n");
    }
    char safe[512];
    pgemm_plot_text(safe, sizeof safe, title);
    pgemm_textbuf_put(
        &cmd,
        "set title \"%s\"\n"
        "set ylabel \"GFLOP/s\"\nset yrange [0:*]\nset grid\nset key outside right top\n",
        safe);
    if (square) {
        /* A log axis with its ticks at the measured sizes. */
        pgemm_textbuf_put(&cmd, "set xlabel \"m = n = k\"\nset logscale x 2\nset xtics (");
        for (size_t s = 0; s < nshapes; s++)
            pgemm_textbuf_put(&cmd, "%s\"%zu\" %zu", s ? ", " : "", shapes[s].n, shapes[s].n);
        pgemm_textbuf_put(&cmd, ")\nset offsets graph 0.04, graph 0.04, 0, 0\n");
    } else {
        pgemm_textbuf_put(&cmd, "set xlabel \"shape (m x n x k)\"\nset xtics rotate by -40\n"
                                "set offsets 0.5, 0.5, 0, 0\n");
    }
    pgemm_textbuf_put(&cmd, "plot ");
    for (size_t i = 0; i < nk; i++) {
        /* Variants: gnuplot's eight colours, then the same dashed, each
         * with a point of its own, so that no two lines look alike. */
        char style[96];
        if (ks[i].kind == KIND_CHOICE)
            snprintf(style, sizeof style, "lw 4 lc rgb \"black\" pt 7 ps 1.2");
        else if (ks[i].kind == KIND_CLBLAST)
            snprintf(style, sizeof style, "lw 3 dt 2 lc rgb \"red\" pt 5");
        else
            snprintf(style, sizeof style, "lw 1.5 lc %zu dt %zu pt %zu ps 0.8", i % 8 + 1,
                     i / 8 % 3 + 1, i % 12 + 1);
        char name[PGEMM_NAME_LEN];
        pgemm_plot_text(name, sizeof name, ks[i].name);
        pgemm_textbuf_put(&cmd, "%sdata using 1:%zu%s with linespoints %s title \"%s\"",
                          i ? ", \\\n     " : "", i + 3, !square && i == 0 ? ":xtic(2)" : "", style,
                          name);
    }
    pgemm_textbuf_put(&cmd, "\n");
    int ok = 0;
    if (table.oom || cmd.oom)
        snprintf(why, cap, "out of memory");
    else
        ok = pgemm_plot_png(png, table.p ? table.p : "", cmd.p, why, cap);
    free(table.p);
    free(cmd.p);
    return ok;
}
