/* SPDX-License-Identifier: BSD-3-Clause */
/* The tuning interface (pgemm_tune.h) over the context's selector. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/text.h"
#include "internal.h"
#include "pgemm_tune.h"
#include "selector/model.h"

/* The backend's variant list (at most PGEMM_MAX_VARIANTS: checked at creation). */
static size_t variant_list(const pgemm_context *ctx, const pgemm_variant_desc **list)
{
    size_t count = ctx->plugin.iface->variant_count(ctx->bctx);
    for (size_t i = 0; i < count; i++) list[i] = ctx->plugin.iface->variant(ctx->bctx, i);
    return count;
}

static int precision_ok(pgemm_precision p)
{
    return p == PGEMM_PRECISION_FP32 || p == PGEMM_PRECISION_FP16_MIXED;
}

size_t pgemm_candidates(const pgemm_context *ctx, pgemm_precision precision, size_t *index,
                        size_t cap)
{
    if (!ctx || !precision_ok(precision)) return 0;
    const pgemm_variant_desc *list[PGEMM_MAX_VARIANTS];
    size_t count = variant_list(ctx, list), idx[PGEMM_MAX_VARIANTS];
    int fp16 = precision == PGEMM_PRECISION_FP16_MIXED;
    if (fp16 && !ctx->info.has_fp16_tiles) return 0;
    size_t n = pgemm_selector_candidates(list, count, &ctx->info, fp16, idx);
    for (size_t i = 0; i < n && i < cap; i++) index[i] = idx[i];
    return n < cap ? n : cap;
}

pgemm_status pgemm_selector_source(const pgemm_context *ctx, pgemm_precision precision,
                                   char *text, size_t cap)
{
    if (!ctx || !text || !cap || !precision_ok(precision)) return PGEMM_ERROR_INVALID_ARGUMENT;
    pgemm_context *c = (pgemm_context *)ctx;
    pthread_mutex_lock(&c->lock);
    pgemm_text_copy(text, cap, ctx->selector.p[precision == PGEMM_PRECISION_FP16_MIXED].source);
    pthread_mutex_unlock(&c->lock);
    return PGEMM_SUCCESS;
}

/* Measurements of `precision` as samples over the candidate list; rows of
 * variants that are not candidates are refused. */
static pgemm_status to_samples(pgemm_context *ctx, pgemm_precision precision,
                               const pgemm_measurement *rows, size_t count,
                               const pgemm_variant_desc **cand, size_t *ncand,
                               pgemm_sample **out)
{
    const pgemm_variant_desc *list[PGEMM_MAX_VARIANTS];
    size_t nlist = variant_list(ctx, list), idx[PGEMM_MAX_VARIANTS];
    int fp16 = precision == PGEMM_PRECISION_FP16_MIXED;
    *ncand = pgemm_selector_candidates(list, nlist, &ctx->info, fp16, idx);
    if (*ncand == 0)
        return pgemm_fail(ctx, PGEMM_ERROR_UNSUPPORTED, "no %s variants on backend %s",
                          fp16 ? "fp16" : "fp32", ctx->info.backend_name);
    for (size_t i = 0; i < *ncand; i++) cand[i] = list[idx[i]];
    pgemm_sample *s = calloc(count ? count : 1, sizeof *s);
    if (!s) return pgemm_fail(ctx, PGEMM_ERROR_OUT_OF_MEMORY, "out of memory");
    for (size_t r = 0; r < count; r++) {
        size_t c = 0;
        while (c < *ncand && idx[c] != rows[r].variant) c++;
        if (c == *ncand || rows[r].m == 0 || rows[r].n == 0) {
            free(s);
            return pgemm_fail(ctx, PGEMM_ERROR_INVALID_ARGUMENT,
                              "measurement %zu: variant %zu is not a %s candidate here, or "
                              "m or n is 0",
                              r, rows[r].variant, fp16 ? "fp16" : "fp32");
        }
        /* The tuner measures operands stored without gaps. */
        pgemm_shape sh = {rows[r].m, rows[r].n, rows[r].k, 1, rows[r].trans_a != 0,
                          rows[r].trans_b != 0, fp16, fp16, 0};
        sh.vectors = pgemm_shape_packed_vectors(&sh);
        s[r].shape = sh;
        s[r].variant = c;
        s[r].gflops = rows[r].gflops;
    }
    *out = s;
    return PGEMM_SUCCESS;
}

typedef struct {
    const pgemm_variant_desc **list;
    size_t nlist;
    const pgemm_variant_desc **cand;
    size_t ncand;
    const pgemm_info *info;
} heuristic_ctx;

static size_t choose_heuristic(const pgemm_shape *s, void *p)
{
    const heuristic_ctx *h = p;
    pgemm_selection sel;
    pgemm_select_heuristic(h->list, h->nlist, s, h->info, &sel);
    for (size_t c = 0; c < h->ncand; c++)
        if (h->cand[c] == h->list[sel.variant]) return c;
    return SIZE_MAX;
}

static size_t choose_model(const pgemm_shape *s, void *p)
{
    return pgemm_model_best((const pgemm_model *)p, s, NULL);
}

static void copy_regret(pgemm_regret_report *dst, const pgemm_regret_stats *src)
{
    dst->shapes = src->shapes;
    dst->geomean = src->geomean;
    dst->worst = src->worst;
    dst->exact = src->exact;
}

pgemm_status pgemm_model_train(pgemm_context *ctx, pgemm_precision precision,
                               const pgemm_measurement *rows, size_t count, const char *family,
                               const char *path, pgemm_train_report *report)
{
    if (!ctx) return PGEMM_ERROR_INVALID_ARGUMENT;
    pgemm_clear_error(ctx);
    if (!precision_ok(precision) || (!rows && count) || !path || !*path)
        return pgemm_fail(ctx, PGEMM_ERROR_INVALID_ARGUMENT,
                          "pgemm_model_train: bad precision, rows or path");
    pgemm_train_options o;
    pgemm_train_defaults(&o);
    if (family && *family && strcmp(family, "auto")) {
        if (!strcmp(family, "gbt")) o.family = PGEMM_MODEL_GBT;
        else if (!strcmp(family, "knn")) o.family = PGEMM_MODEL_KNN;
        else
            return pgemm_fail(ctx, PGEMM_ERROR_INVALID_ARGUMENT,
                              "model family \"%s\": expected auto, gbt or knn", family);
    }
    const pgemm_variant_desc *cand[PGEMM_MAX_VARIANTS];
    size_t ncand;
    pgemm_sample *s = NULL;
    pgemm_status st = to_samples(ctx, precision, rows, count, cand, &ncand, &s);
    if (st != PGEMM_SUCCESS) return st;
    int fp16 = precision == PGEMM_PRECISION_FP16_MIXED;
    pgemm_model_key key;
    const pgemm_variant_desc *list[PGEMM_MAX_VARIANTS];
    size_t nlist = variant_list(ctx, list);
    pgemm_selector_key(&key, list, nlist, &ctx->info, fp16);
    pgemm_regret_stats cv = {0};
    pgemm_err err = {{0}};
    pgemm_model *m = pgemm_model_fit(&key, cand, ncand, s, count, &o, &cv, &err);
    if (!m) {
        free(s);
        return pgemm_fail(ctx, PGEMM_ERROR_INVALID_ARGUMENT, "training: %s", err.msg);
    }
    if (report) {
        memset(report, 0, sizeof *report);
        pgemm_text_copy(report->family, sizeof report->family,
                        m->family == PGEMM_MODEL_KNN ? "knn" : "gbt");
        copy_regret(&report->cv, &cv);
        heuristic_ctx h = {list, nlist, cand, ncand, &ctx->info};
        pgemm_regret_stats hr;
        pgemm_regret_of(s, count, choose_heuristic, &h, &hr);
        copy_regret(&report->heuristic, &hr);
    }
    free(s);
    int rc = pgemm_model_save(m, path, &err);
    pgemm_model_free(m);
    if (rc != 0) return pgemm_fail(ctx, PGEMM_ERROR_INVALID_ARGUMENT, "%s", err.msg);
    return PGEMM_SUCCESS;
}

pgemm_status pgemm_model_use(pgemm_context *ctx, const char *path)
{
    if (!ctx) return PGEMM_ERROR_INVALID_ARGUMENT;
    pgemm_clear_error(ctx);
    if (!path || !*path) return pgemm_fail(ctx, PGEMM_ERROR_INVALID_ARGUMENT, "path is empty");
    const pgemm_variant_desc *list[PGEMM_MAX_VARIANTS];
    size_t nlist = variant_list(ctx, list);
    pgemm_err err = {{0}};
    pthread_mutex_lock(&ctx->lock);
    int rc = pgemm_selector_use(&ctx->selector, path, list, nlist, &ctx->info, &err);
    pthread_mutex_unlock(&ctx->lock);
    if (rc != 0) return pgemm_fail(ctx, PGEMM_ERROR_INVALID_ARGUMENT, "model refused: %s", err.msg);
    return PGEMM_SUCCESS;
}

pgemm_status pgemm_predict(pgemm_context *ctx, pgemm_precision precision, size_t m, size_t n,
                           size_t k, int trans_a, int trans_b, double *gflops, size_t cap,
                           size_t *chosen, char *source, size_t source_cap)
{
    if (!ctx) return PGEMM_ERROR_INVALID_ARGUMENT;
    pgemm_clear_error(ctx);
    if (!precision_ok(precision) || m == 0 || n == 0 || (cap && !gflops))
        return pgemm_fail(ctx, PGEMM_ERROR_INVALID_ARGUMENT,
                          "pgemm_predict: bad precision, m, n or output array");
    const pgemm_variant_desc *list[PGEMM_MAX_VARIANTS];
    size_t nlist = variant_list(ctx, list);
    int fp16 = precision == PGEMM_PRECISION_FP16_MIXED && ctx->info.has_fp16_tiles;
    pgemm_shape s = {m, n, k, 1, trans_a != 0, trans_b != 0, fp16, fp16, 0};
    s.vectors = pgemm_shape_packed_vectors(&s);
    for (size_t i = 0; i < cap; i++) gflops[i] = NAN;
    pthread_mutex_lock(&ctx->lock);
    const pgemm_model *model = ctx->selector.p[fp16].model;
    for (size_t i = 0; i < nlist && i < cap; i++) {
        if (!pgemm_is_candidate(list[i], fp16, &ctx->info)) continue;
        if (!model) gflops[i] = pgemm_heuristic_rank(list[i], &s, &ctx->info, fp16);
    }
    if (model)
        for (size_t v = 0; v < model->variant_count; v++) {
            size_t b = ctx->selector.p[fp16].map[v];
            if (b < cap) gflops[b] = pgemm_model_predict(model, v, &s);
        }
    pgemm_selection sel;
    pgemm_select(&ctx->selector, list, nlist, &s, &ctx->info, &sel);
    if (chosen) *chosen = sel.variant;
    if (source && source_cap) pgemm_text_copy(source, source_cap, ctx->selector.p[fp16].source);
    pthread_mutex_unlock(&ctx->lock);
    return PGEMM_SUCCESS;
}

pgemm_status pgemm_regret(pgemm_context *ctx, pgemm_precision precision,
                          const pgemm_measurement *rows, size_t count, const char *model_path,
                          pgemm_regret_report *out)
{
    return pgemm_regret_shares(ctx, precision, rows, count, model_path, out, NULL, 0);
}

pgemm_status pgemm_regret_shares(pgemm_context *ctx, pgemm_precision precision,
                                 const pgemm_measurement *rows, size_t count,
                                 const char *model_path, pgemm_regret_report *out, double *share,
                                 size_t cap)
{
    if (!ctx) return PGEMM_ERROR_INVALID_ARGUMENT;
    pgemm_clear_error(ctx);
    if (!precision_ok(precision) || (!rows && count) || !out || (cap && !share))
        return pgemm_fail(ctx, PGEMM_ERROR_INVALID_ARGUMENT, "pgemm_regret: bad arguments");
    const pgemm_variant_desc *cand[PGEMM_MAX_VARIANTS];
    size_t ncand;
    pgemm_sample *s = NULL;
    pgemm_status st = to_samples(ctx, precision, rows, count, cand, &ncand, &s);
    if (st != PGEMM_SUCCESS) return st;
    int fp16 = precision == PGEMM_PRECISION_FP16_MIXED;
    pgemm_regret_stats r;
    if (model_path && !strcmp(model_path, "heuristic")) {
        const pgemm_variant_desc *list[PGEMM_MAX_VARIANTS];
        size_t nlist = variant_list(ctx, list);
        heuristic_ctx h = {list, nlist, cand, ncand, &ctx->info};
        pgemm_regret_shares_of(s, count, choose_heuristic, &h, &r, share, cap);
    } else {
        pgemm_model *m = NULL;
        pgemm_err err = {{0}};
        if (model_path) {
            m = pgemm_model_load(model_path, &err);
            if (!m) {
                free(s);
                return pgemm_fail(ctx, PGEMM_ERROR_INVALID_ARGUMENT, "%s", err.msg);
            }
        }
        const pgemm_model *use = m ? m : ctx->selector.p[fp16].model;
        if (!use || use->variant_count != ncand) {
            pgemm_model_free(m);
            free(s);
            return pgemm_fail(ctx, PGEMM_ERROR_INVALID_ARGUMENT,
                              "no model for %s in use, or it does not fit these candidates",
                              fp16 ? "fp16" : "fp32");
        }
        pgemm_regret_shares_of(s, count, choose_model, (void *)use, &r, share, cap);
        pgemm_model_free(m);
    }
    free(s);
    copy_regret(out, &r);
    return PGEMM_SUCCESS;
}
