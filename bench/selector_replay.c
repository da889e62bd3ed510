/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * selector_replay: how well the heuristic (and, given one, a model) picks
 * on stored tune measurements, without the device that took them.
 *
 *   selector_replay [--units N] [--cpu] [--loops] [--worst N] [--model FILE]
 * CSV...
 *
 * The CSVs are `pgemm tune` files (their header names the backend and the
 * candidate variants, in order); several files of one set count as passes,
 * scored as `pgemm tune --evaluate` scores them (pgemm_regret_of: each pass
 * on its own, a shape with the median over its passes). The device is
 * described by the options, as pgemm_info would describe it: --units the
 * compute units (default 132, an H100), --cpu a CPU device, --loops a driver
 * that runs a work-group's items as loops (PoCL). --worst N lists the N
 * shapes of the lowest first-pass ratio with the heuristic's pick and the
 * best variant.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hip/hip_variants.h"
#include "opencl/cl_variants.h"
#include "selector/model.h"
#include "selector/selector.h"

enum { MAX_CAND = 64 };

typedef struct replay {
    pgemm_info info;
    int fp16;
    const pgemm_variant_desc *cand[MAX_CAND];
    size_t ncand;
    pgemm_sample *s;
    size_t n, cap;
} replay;

static const pgemm_variant_desc *find_desc(const char *backend, const char *name)
{
    if (!strcmp(backend, "hip")) {
        for (size_t i = 0; i < pgemm_hip_variant_count(); i++)
            if (!strcmp(pgemm_hip_variant(i)->desc.name, name)) return &pgemm_hip_variant(i)->desc;
    } else {
        for (size_t i = 0; i < pgemm_cl_variant_count(); i++)
            if (!strcmp(pgemm_cl_variant(i)->desc.name, name)) return &pgemm_cl_variant(i)->desc;
    }
    return NULL;
}

/* The header: "# pgemm tune 1; backend B; ...; precision P; variants a,b". */
static int read_header(replay *r, const char *line, const char *file)
{
    char backend[32] = "", precision[16] = "", variants[1024] = "";
    const char *b = strstr(line, "; backend "), *p = strstr(line, "; precision "),
               *v = strstr(line, "; variants ");
    if (!b || !p || !v || sscanf(b, "; backend %31[^;]", backend) != 1 ||
        sscanf(p, "; precision %15[^;]", precision) != 1 ||
        sscanf(v, "; variants %1023[^;\n]", variants) != 1) {
        fprintf(stderr, "selector_replay: %s: not a pgemm tune CSV header\n", file);
        return -1;
    }
    int fp16 = !strcmp(precision, "fp16");
    size_t n = 0;
    const pgemm_variant_desc *cand[MAX_CAND];
    for (char *save = NULL, *tok = strtok_r(variants, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        const pgemm_variant_desc *d = find_desc(backend, tok);
        if (!d || n == MAX_CAND) {
            fprintf(stderr, "selector_replay: %s: variant %s is not in the %s table\n", file, tok,
                    backend);
            return -1;
        }
        cand[n++] = d;
    }
    if (r->ncand &&
        (r->fp16 != fp16 || r->ncand != n || memcmp(r->cand, cand, n * sizeof cand[0]))) {
        fprintf(stderr, "selector_replay: %s: another precision or variant list\n", file);
        return -1;
    }
    r->fp16 = fp16;
    r->info.has_fp16_tiles = r->info.has_fp16_tiles || fp16;
    memcpy(r->cand, cand, n * sizeof cand[0]);
    r->ncand = n;
    return 0;
}

static int read_csv(replay *r, const char *file)
{
    FILE *f = fopen(file, "r");
    if (!f) {
        perror(file);
        return -1;
    }
    char line[4096];
    int rc = 0;
    if (!fgets(line, sizeof line, f) || read_header(r, line, file) != 0 ||
        !fgets(line, sizeof line, f))
        rc = -1;
    while (!rc && fgets(line, sizeof line, f)) {
        size_t m, n, k;
        int ta, tb;
        char name[64], status[16];
        double gflops, seconds;
        if (sscanf(line, "%zu,%zu,%zu,%d,%d,%63[^,],%lf,%lf,%15s", &m, &n, &k, &ta, &tb, name,
                   &gflops, &seconds, status) != 9)
            continue;
        size_t c = 0;
        while (c < r->ncand && strcmp(r->cand[c]->name, name)) c++;
        if (c == r->ncand || !m || !n) continue;
        if (r->n == r->cap) {
            size_t cap = r->cap ? 2 * r->cap : 1024;
            pgemm_sample *s = realloc(r->s, cap * sizeof *s);
            if (!s) {
                rc = -1;
                break;
            }
            r->s = s;
            r->cap = cap;
        }
        pgemm_shape sh = {m, n, k, 1, ta != 0, tb != 0, r->fp16, r->fp16, 0};
        sh.vectors = pgemm_shape_packed_vectors(&sh);
        r->s[r->n++] = (pgemm_sample){sh, c, strcmp(status, "ok") ? 0.0 : gflops};
    }
    fclose(f);
    return rc;
}

static size_t choose_heuristic(const pgemm_shape *s, void *p)
{
    const replay *r = p;
    pgemm_selection sel;
    pgemm_select_heuristic(r->cand, r->ncand, s, &r->info, &sel);
    return sel.variant;
}

static size_t choose_model(const pgemm_shape *s, void *p)
{
    return pgemm_model_best((const pgemm_model *)p, s, NULL);
}

static void print(const char *who, const pgemm_regret_stats *st)
{
    printf("%-10s geomean %.3f  worst %.3f  exact %3.0f%%  (%zu shapes)\n", who, st->geomean,
           st->worst, 100.0 * st->exact, st->shapes);
}

static int same_shape(const pgemm_shape *a, const pgemm_shape *b)
{
    return a->m == b->m && a->n == b->n && a->k == b->k && a->trans_a == b->trans_a &&
           a->trans_b == b->trans_b;
}

typedef struct miss {
    double ratio;
    size_t first, pick, best;
} miss;

static int by_ratio(const void *a, const void *b)
{
    double x = ((const miss *)a)->ratio, y = ((const miss *)b)->ratio;
    return x < y ? -1 : x > y;
}

/* The first pass's ratio per shape, lowest first. */
static void list_worst(const replay *r, size_t count)
{
    miss *ms = calloc(r->n ? r->n : 1, sizeof *ms);
    char *seen = calloc(r->n ? r->n : 1, 1);
    size_t nm = 0;
    if (!ms || !seen) goto out;
    for (size_t i = 0; i < r->n; i++) {
        if (seen[i]) continue;
        double g[MAX_CAND] = {0};
        for (size_t j = i; j < r->n; j++)
            if (!seen[j] && same_shape(&r->s[i].shape, &r->s[j].shape)) {
                if (g[r->s[j].variant] == 0) g[r->s[j].variant] = r->s[j].gflops;
                seen[j] = 1;
            }
        size_t best = 0, pick = choose_heuristic(&r->s[i].shape, (void *)r);
        for (size_t c = 1; c < r->ncand; c++)
            if (g[c] > g[best]) best = c;
        if (g[best] <= 0) continue;
        ms[nm++] = (miss){g[pick] / g[best], i, pick, best};
    }
    qsort(ms, nm, sizeof *ms, by_ratio);
    for (size_t i = 0; i < nm && i < count; i++) {
        const pgemm_shape *s = &r->s[ms[i].first].shape;
        printf("  %.3f  %zux%zux%zu %c%c  picked %s, best %s\n", ms[i].ratio, s->m, s->n, s->k,
               s->trans_a ? 'T' : 'N', s->trans_b ? 'T' : 'N', r->cand[ms[i].pick]->name,
               r->cand[ms[i].best]->name);
    }
out:
    free(ms);
    free(seen);
}

int main(int argc, char **argv)
{
    replay r = {0};
    r.info.compute_units = 132;
    const char *model_path = NULL;
    size_t worst = 0;
    int files = 0, i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (!strcmp(argv[i], "--cpu"))
            r.info.device_is_cpu = 1;
        else if (!strcmp(argv[i], "--loops"))
            r.info.work_items_as_loops = 1;
        else if (!strcmp(argv[i], "--units") && i + 1 < argc)
            r.info.compute_units = (unsigned)strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--worst") && i + 1 < argc)
            worst = strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--model") && i + 1 < argc)
            model_path = argv[++i];
        else {
            fprintf(stderr, "usage: selector_replay [--units N] [--cpu] [--loops] [--worst N] "
                            "[--model FILE] CSV...\n");
            return 2;
        }
    }
    for (; i < argc; i++, files++)
        if (read_csv(&r, argv[i]) != 0) return 1;
    if (!files || !r.n) {
        fprintf(stderr, "selector_replay: no measurements\n");
        return 1;
    }
    pgemm_regret_stats st;
    pgemm_regret_of(r.s, r.n, choose_heuristic, &r, &st);
    print("heuristic", &st);
    if (model_path) {
        pgemm_err err = {0};
        pgemm_model *m = pgemm_model_load(model_path, &err);
        if (!m || m->variant_count != r.ncand) {
            fprintf(stderr, "selector_replay: %s: %s\n", model_path,
                    m ? "another variant list" : err.msg);
            return 1;
        }
        pgemm_regret_of(r.s, r.n, choose_model, m, &st);
        print("model", &st);
        pgemm_model_free(m);
    }
    if (worst) list_worst(&r, worst);
    free(r.s);
    return 0;
}
