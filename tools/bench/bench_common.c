/* SPDX-License-Identifier: BSD-3-Clause */
/* bench_common.c: shape lists, numbers, and timing groups of calls, for every bench program. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgemm_ref.h"
#include "bench_common.h"

/* ------------------------------------------------------------- parsing */

int bench_parse_size(const char *s, size_t *out)
{
    char *end;
    if (!s || !isdigit((unsigned char)s[0])) return 0;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end) return 0;
    *out = (size_t)v;
    return 1;
}

int bench_parse_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(v)) return 0;
    *out = v;
    return 1;
}

static int add_shape(const char *prog, shape *out, size_t *count, size_t max, size_t m, size_t n,
                     size_t k)
{
    if (*count >= max) {
        fprintf(stderr, "%s: more than %zu shapes\n", prog, max);
        return 0;
    }
    if (m == 0 || n == 0 || k == 0) {
        fprintf(stderr, "%s: sizes must be positive\n", prog);
        return 0;
    }
    out[(*count)++] = (shape){m, n, k};
    return 1;
}

int bench_parse_shapes(const char *prog, const char *text, int square, shape *out, size_t *count,
                       size_t max)
{
    char *copy = strdup(text), *save = NULL;
    if (!copy) return 0;
    int ok = 1;
    for (char *tok = strtok_r(copy, ",", &save); tok && ok; tok = strtok_r(NULL, ",", &save)) {
        size_t d[3];
        if (square) {
            ok = bench_parse_size(tok, &d[0]) && add_shape(prog, out, count, max, d[0], d[0], d[0]);
        } else {
            char *x1 = strchr(tok, 'x'), *x2 = x1 ? strchr(x1 + 1, 'x') : NULL;
            if (!x1 || !x2) {
                ok = 0;
                break;
            }
            *x1 = *x2 = '\0';
            ok = bench_parse_size(tok, &d[0]) && bench_parse_size(x1 + 1, &d[1]) &&
                 bench_parse_size(x2 + 1, &d[2]) &&
                 add_shape(prog, out, count, max, d[0], d[1], d[2]);
        }
    }
    free(copy);
    return ok;
}

/* -------------------------------------------------------------- timing */

double bench_time_group(const bench_call *c, size_t calls, char *err, size_t cap)
{
    double t0 = pgemm_now_seconds();
    for (size_t i = 0; i < calls; i++)
        if (!c->enqueue(c->self, err, cap)) return -1.0;
    if (!c->sync(c->self, err, cap)) return -1.0;
    return pgemm_now_seconds() - t0;
}

double bench_calibrate(const bench_call *c, double min_time, double budget, size_t *group,
                       char *err, size_t cap)
{
    size_t g = 1;
    double t;
    for (;;) {
        t = bench_time_group(c, g, err, cap);
        if (t < 0) return t;
        if (t >= min_time || g >= MAX_GROUP) break;
        if (budget > 0 && t > budget) break;
        double want = (double)g * min_time / (t > 1e-9 ? t : 1e-9) * 1.2;
        size_t next = want > (double)(g * 16) ? g * 16 : (size_t)want + 1;
        if (next <= g) next = g + 1;
        g = next > MAX_GROUP ? MAX_GROUP : next;
    }
    *group = g;
    return t;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int bench_median_min(const double *x, size_t n, double *median, double *min)
{
    double *sorted = malloc(n * sizeof *sorted);
    if (!sorted) return 0;
    memcpy(sorted, x, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, cmp_double);
    *min = sorted[0];
    *median = n % 2 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
    free(sorted);
    return 1;
}

uint64_t bench_input_state(uint64_t seed, shape s)
{
    uint64_t state = seed * 0x9e3779b97f4a7c15ull + s.m * 1000003u + s.n * 10007u + s.k;
    return state ? state : 1;
}

double bench_gflops(shape s, double seconds)
{
    return 2.0 * (double)s.m * (double)s.n * (double)s.k / seconds * 1e-9;
}

/* -------------------------------------------------------------- output */

void bench_print_time(char *dst, size_t cap, double s)
{
    if (s <= 0) snprintf(dst, cap, "-");
    else if (s < 1e-3) snprintf(dst, cap, "%.1f us", s * 1e6);
    else if (s < 1.0) snprintf(dst, cap, "%.2f ms", s * 1e3);
    else snprintf(dst, cap, "%.2f s", s);
}

void bench_csv_field(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}
