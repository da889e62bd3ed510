/* SPDX-License-Identifier: BSD-3-Clause */
#define _POSIX_C_SOURCE 200809L
#include "autotune.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/file_io.h"
#include "common/text.h"
#include "internal.h"
#include "common/log.h"
#include "selector/features.h"

/* A winners file is read up to this size (4096 lines of about 60 bytes). */
enum { FILE_MAX = 1 << 20 };

static pgemm_autotune_entry *find(pgemm_autotune *t, const pgemm_autotune_entry *key)
{
    for (size_t i = 0; i < t->count; i++) {
        pgemm_autotune_entry *e = &t->entry[i];
        if (e->m == key->m && e->n == key->n && e->k == key->k && e->batch == key->batch &&
            e->flags == key->flags)
            return e;
    }
    return NULL;
}

static int add(pgemm_autotune *t, const pgemm_autotune_entry *e)
{
    pgemm_autotune_entry *old = find(t, e);
    if (old) {
        *old = *e;
        return 0;
    }
    if (t->count == PGEMM_AUTOTUNE_MAX_ENTRIES) return -1;
    if (t->count == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 64;
        pgemm_autotune_entry *p = realloc(t->entry, cap * sizeof *p);
        if (!p) return -1;
        t->entry = p;
        t->cap = cap;
    }
    t->entry[t->count++] = *e;
    return 0;
}

/* Merges the file's winners into t (the file's header must be t's). */
static void load(pgemm_autotune *t, const pgemm_variant_desc *const *variants, size_t count)
{
    char why[256];
    size_t len = 0;
    char *text = pgemm_file_read_trusted(t->path, FILE_MAX, &len, why, sizeof why);
    if (!text) return; /* none yet, or refused: the winners start afresh */
    char *save = NULL, *line = strtok_r(text, "\n", &save);
    if (!line || strcmp(line, t->header) != 0) {
        pgemm_log(PGEMM_LOG_INFO, "autotune: %s is for another device or driver; not used",
                  t->path);
        free(text);
        return;
    }
    size_t skipped = 0;
    while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
        pgemm_autotune_entry e;
        char name[PGEMM_NAME_LEN];
        int end = 0;
        if (sscanf(line, "%zu %zu %zu %zu %d %127s%n", &e.m, &e.n, &e.k, &e.batch, &e.flags,
                   name, &end) != 6 ||
            line[end] != '\0' || e.m == 0 || e.n == 0 || e.batch == 0 || e.flags < 0 ||
            e.flags > 127) {
            skipped++;
            continue;
        }
        size_t v = 0;
        while (v < count && strcmp(variants[v]->name, name)) v++;
        if (v == count || variants[v]->fp16 != ((e.flags & 4) != 0)) {
            skipped++;
            continue;
        }
        e.variant = v;
        if (add(t, &e) != 0) break;
    }
    if (skipped)
        pgemm_log(PGEMM_LOG_INFO, "autotune: %s: %zu lines skipped (malformed, or a variant "
                  "this backend does not have)", t->path, skipped);
    free(text);
}

void pgemm_autotune_init(pgemm_autotune *t, const pgemm_info *info,
                         const pgemm_variant_desc *const *variants, size_t count,
                         const char *cache_dir)
{
    memset(t, 0, sizeof *t);
    const char *v = getenv("PGEMM_AUTOTUNE");
    t->on = v && !strcmp(v, "1");
    if (!t->on) return;
    snprintf(t->header, sizeof t->header, "# pgemm autotune 1; backend %s; device %s; driver %s",
             info->backend_name, info->device, info->driver);
    if (cache_dir) {
        char name[3 * PGEMM_NAME_LEN];
        snprintf(name, sizeof name, "%s-%s", info->backend_name, info->device);
        pgemm_text_slug(name, sizeof name, name);
        snprintf(t->path, sizeof t->path, "%s/autotune/%s.txt", cache_dir, name);
        load(t, variants, count);
    }
}

void pgemm_autotune_free(pgemm_autotune *t)
{
    free(t->entry);
    memset(t, 0, sizeof *t);
}

/* Adds the winner `e` and writes every winner, merged with what other
 * processes wrote since (e stays this context's measurement). */
static void save(pgemm_autotune *t, const pgemm_autotune_entry *e,
                 const pgemm_variant_desc *const *variants, size_t count)
{
    if (!t->path[0]) {
        add(t, e);
        return;
    }
    load(t, variants, count);
    if (add(t, e) != 0) return;
    size_t cap = strlen(t->header) + 2 + t->count * (5 * 21 + PGEMM_NAME_LEN + 8);
    char *text = malloc(cap), dir[sizeof t->path], why[256];
    if (!text) return;
    size_t len = (size_t)snprintf(text, cap, "%s\n", t->header);
    for (size_t i = 0; i < t->count && len < cap; i++) {
        const pgemm_autotune_entry *e = &t->entry[i];
        len += (size_t)snprintf(text + len, cap - len, "%zu %zu %zu %zu %d %s\n", e->m, e->n,
                                e->k, e->batch, e->flags, variants[e->variant]->name);
    }
    pgemm_text_copy(dir, sizeof dir, t->path);
    char *slash = strrchr(dir, '/');
    if (slash) *slash = '\0';
    pgemm_file_part part = {text, len < cap ? len : cap - 1};
    if (pgemm_make_dirs(dir, 0700) != 0 ||
        pgemm_file_write_atomic_mode(t->path, &part, 1, 0600, 0, why, sizeof why) != 0)
        pgemm_log(PGEMM_LOG_INFO, "autotune: %s not written: %s", t->path,
                  slash ? why : "no folder");
    free(text);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Seconds of one run of variant v on g (the best of two, after one run that
 * builds its kernel), or a negative value when it failed. */
static double time_variant(pgemm_context *ctx, pgemm_gemm_args g, size_t v)
{
    const pgemm_backend_iface *be = ctx->plugin.iface;
    pgemm_err err = {{0}};
    g.variant = v;
    double best = -1.0;
    for (int run = 0; run < 3; run++) {
        double t0 = now();
        if (be->sgemm(ctx->bctx, &g, &err) != PGEMM_SUCCESS ||
            be->synchronize(ctx->bctx, &err) != PGEMM_SUCCESS) {
            pgemm_log(PGEMM_LOG_INFO, "autotune: %s failed: %s",
                      be->variant(ctx->bctx, v)->name, err.msg);
            return -1.0;
        }
        double s = now() - t0;
        if (run > 0 && (best < 0 || s < best)) best = s;
    }
    return best;
}

/* Elements of C the call reaches, from the buffer's start. */
static size_t c_extent(const pgemm_gemm_args *g)
{
    return g->c_offset + (g->batch_count - 1) * g->stride_c + (g->n - 1) * g->ldc + g->m;
}

int pgemm_autotune_choose(pgemm_context *ctx, const pgemm_gemm_args *g,
                          const pgemm_variant_desc *const *variants, size_t count,
                          const pgemm_shape *shape, pgemm_selection *sel)
{
    pgemm_autotune *t = &ctx->autotune;
    if (!t->on) return 0;
    int fp16 = pgemm_shape_wants_fp16(shape, &ctx->info);
    pgemm_autotune_entry key = {shape->m, shape->n, shape->k, shape->batch,
                                (shape->trans_a ? 1 : 0) | (shape->trans_b ? 2 : 0) |
                                    (fp16 ? 4 : 0) | (int)(shape->vectors & 7u) << 3,
                                0};
    const pgemm_autotune_entry *kept = find(t, &key);
    if (kept) {
        sel->variant = kept->variant;
        pgemm_text_format(sel->why, sizeof sel->why,
                          "autotune: %s, the fastest measured on this device for %zux%zux%zu "
                          "(kept in %s)",
                          variants[kept->variant]->name, shape->m, shape->n, shape->k,
                          t->path[0] ? t->path : "memory");
        return 1;
    }
    size_t cand[PGEMM_AUTOTUNE_CANDIDATES];
    size_t n = pgemm_select_ranked(&ctx->selector, variants, count, shape, &ctx->info, cand,
                                   PGEMM_AUTOTUNE_CANDIDATES);
    if (n < 2) return 0;
    /* The candidates write a scratch C of the call's extent, zeros: the
     * caller's C is written once, by the winner. */
    const pgemm_backend_iface *be = ctx->plugin.iface;
    size_t bytes = c_extent(g) * sizeof(float);
    void *scratch = NULL;
    pgemm_err err = {{0}};
    float *zeros = calloc(bytes, 1);
    if (!zeros || be->buffer_create(ctx->bctx, bytes, &scratch, &err) != PGEMM_SUCCESS ||
        be->buffer_write(ctx->bctx, scratch, 0, bytes, zeros, &err) != PGEMM_SUCCESS) {
        pgemm_log(PGEMM_LOG_INFO, "autotune: no scratch C of %zu bytes (%s); the selector decides",
                  bytes, zeros ? err.msg : "out of memory");
        if (scratch) be->buffer_destroy(ctx->bctx, scratch);
        free(zeros);
        return 0;
    }
    free(zeros);
    pgemm_gemm_args trial = *g;
    trial.c = scratch;
    /* Timed without the epilogue: it costs every variant the same, and the
     * trials then reuse the plain builds. */
    trial.activation = PGEMM_ACTIVATION_NONE;
    trial.bias_kind = PGEMM_BIAS_NONE;
    trial.bias = NULL;
    double best = -1.0, t0 = now();
    size_t winner = cand[0];
    char times[PGEMM_REASON_LEN] = "";
    for (size_t i = 0; i < n; i++) {
        double s = time_variant(ctx, trial, cand[i]);
        if (s < 0) continue;
        pgemm_text_append(times, sizeof times, "%s%s %.3g ms", times[0] ? ", " : "",
                          variants[cand[i]]->name, 1e3 * s);
        if (best < 0 || s < best) {
            best = s;
            winner = cand[i];
        }
    }
    be->buffer_destroy(ctx->bctx, scratch);
    if (best < 0) return 0;
    key.variant = winner;
    save(t, &key, variants, count);
    sel->variant = winner;
    pgemm_text_format(sel->why, sizeof sel->why,
                      "autotune: %s, the fastest of the %zu best-predicted for %zux%zux%zu, "
                      "timed now (%s; %.3g s)",
                      variants[winner]->name, n, shape->m, shape->n, shape->k, times,
                      now() - t0);
    return 1;
}
