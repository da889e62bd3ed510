/* SPDX-License-Identifier: BSD-3-Clause */
/* The picture of a held-out evaluation (`pgemm tune --evaluate`): for the
 * model and for the heuristic, every held-out shape's share of the best
 * variant, sorted, against the fraction of the shapes: the curve's left end
 * is the worst pick, its area the average, and a curve that stays high
 * chose well everywhere. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/text.h"
#include "plot.h"
#include "tune.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int pgemm_tune_plot(const char *png, const char *device, const char *precision, tune_shares *model,
                    tune_shares *heuristic, char *why, size_t cap)
{
    qsort(model->share, model->n, sizeof *model->share, cmp_double);
    qsort(heuristic->share, heuristic->n, sizeof *heuristic->share, cmp_double);
    size_t rows = model->n > heuristic->n ? model->n : heuristic->n;
    pgemm_textbuf table = {0};
    for (size_t i = 0; i < rows; i++) {
        const tune_shares *w[2] = {model, heuristic};
        for (int j = 0; j < 2; j++) {
            if (i < w[j]->n)
                pgemm_textbuf_put(&table, "%s%.6f %.6f", j ? " " : "", (double)i / (double)w[j]->n,
                                  w[j]->share[i]);
            else
                pgemm_textbuf_put(&table, "%sNaN NaN", j ? " " : "");
        }
        pgemm_textbuf_put(&table, "\n");
    }
    if (table.oom) {
        free(table.p);
        snprintf(why, cap, "out of memory");
        return 0;
    }
    char dev[256], cmd[4096];
    pgemm_plot_text(dev, sizeof dev, device);
    snprintf(cmd, sizeof cmd,
             "set title \"pgemm tune --evaluate: %s, %s: each held-out shape's pick, as a share "
             "of the best variant\"\n"
             "set xlabel \"fraction of the held-out shapes (sorted by the share)\"\n"
             "set ylabel \"GFLOP/s of the pick / GFLOP/s of the best\"\n"
             "set xrange [0:1]\nset yrange [0:1.02]\nset grid\nset key right bottom\n"
             "set arrow from 0,0.9 to 1,0.9 nohead dt 3 lc rgb \"gray40\"\n"
             "plot data using 1:2 with steps lw 3 lc rgb \"black\" "
             "title \"model: geomean %.3f, worst %.3f\", \\\n"
             "     data using 3:4 with steps lw 2 dt 2 lc rgb \"red\" "
             "title \"heuristic: geomean %.3f, worst %.3f\"\n",
             dev, precision, model->geomean, model->n ? model->share[0] : 0.0, heuristic->geomean,
             heuristic->n ? heuristic->share[0] : 0.0);
    int ok = pgemm_plot_png(png, table.p ? table.p : "", cmd, why, cap);
    free(table.p);
    return ok;
}
