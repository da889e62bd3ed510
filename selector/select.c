/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pgemm_select: the model of the call's precision when there is one, else
 * the heuristic; decisions cached per shape.
 */
#include <stdlib.h>
#include <string.h>

#include "common/text.h"
#include "features.h"
#include "model.h"
#include "selector.h"

size_t pgemm_selector_candidates(const pgemm_variant_desc *const *variants, size_t count,
                                 const pgemm_info *device, int fp16, size_t *idx)
{
    size_t n = 0;
    for (size_t i = 0; i < count && n < PGEMM_MAX_VARIANTS; i++)
        if (pgemm_is_candidate(variants[i], fp16, device)) idx[n++] = i;
    return n;
}

void pgemm_selector_key(pgemm_model_key *key, const pgemm_variant_desc *const *variants,
                        size_t count, const pgemm_info *device, int fp16)
{
    memset(key, 0, sizeof *key);
    pgemm_text_copy(key->backend, sizeof key->backend, device->backend_name);
    pgemm_text_copy(key->device, sizeof key->device, device->device);
    pgemm_text_copy(key->driver, sizeof key->driver, device->driver);
    pgemm_text_copy(key->arch, sizeof key->arch, device->arch);
    pgemm_text_copy(key->precision, sizeof key->precision, fp16 ? "fp16" : "fp32");
    key->compute_units = device->compute_units;
    size_t idx[PGEMM_MAX_VARIANTS];
    const pgemm_variant_desc *cand[PGEMM_MAX_VARIANTS];
    size_t n = pgemm_selector_candidates(variants, count, device, fp16, idx);
    for (size_t i = 0; i < n; i++) cand[i] = variants[idx[i]];
    pgemm_kernel_set_hash(cand, n, key->kernel_set);
}

static unsigned long long shape_hash(const pgemm_shape *s, int flags)
{
    unsigned long long h = 1469598103934665603ull;
    size_t v[5] = {s->m, s->n, s->k, s->batch, (size_t)flags};
    for (int i = 0; i < 5; i++) {
        h ^= (unsigned long long)v[i];
        h *= 1099511628211ull;
    }
    return h;
}

static int decision_flags(const pgemm_shape *shape, int fp16)
{
    return 1 | (shape->trans_a ? 2 : 0) | (shape->trans_b ? 4 : 0) | (fp16 ? 8 : 0) |
           (int)(shape->vectors & 7u) << 4;
}

static int same_decision(const pgemm_decision *d, const pgemm_shape *shape, int flags)
{
    return d->flags == flags && d->m == shape->m && d->n == shape->n && d->k == shape->k &&
           d->batch == shape->batch;
}

static void remember(pgemm_selector *sel, const pgemm_shape *shape, int flags,
                     const pgemm_selection *repeat)
{
    pgemm_decision d = {shape->m, shape->n, shape->k, shape->batch, flags, repeat->variant};
    sel->last = d;
    pgemm_text_copy(sel->last_why, sizeof sel->last_why, repeat->why);
}

void pgemm_select(pgemm_selector *sel, const pgemm_variant_desc *const *variants, size_t count,
                  const pgemm_shape *shape, const pgemm_info *device, pgemm_selection *out)
{
    int fp16 = pgemm_shape_wants_fp16(shape, device);
    int flags = decision_flags(shape, fp16);
    if (sel && same_decision(&sel->last, shape, flags)) {
        out->variant = sel->last.variant;
        pgemm_text_copy(out->why, sizeof out->why, sel->last_why);
        return;
    }
    if (!sel || !sel->p[fp16].model) {
        pgemm_select_heuristic(variants, count, shape, device, out);
        if (sel) {
            char why[PGEMM_REASON_LEN];
            pgemm_text_copy(why, sizeof why, out->why);
            pgemm_text_format(out->why, sizeof out->why, "%s; %s", sel->p[fp16].source, why);
            remember(sel, shape, flags, out);
        }
        return;
    }
    const struct pgemm_model *m = sel->p[fp16].model;
    size_t slot = (size_t)(shape_hash(shape, flags) % PGEMM_DECISION_CACHE);
    pgemm_decision *c = &sel->cache[slot];
    int hit = same_decision(c, shape, flags);
    double predicted = 0;
    size_t pick;
    if (hit) {
        pick = c->variant;
    } else {
        pick = pgemm_model_best(m, shape, &predicted);
        c->m = shape->m;
        c->n = shape->n;
        c->k = shape->k;
        c->batch = shape->batch;
        c->flags = flags;
        c->variant = pick;
    }
    out->variant = sel->p[fp16].map[pick];
    pgemm_selection repeat;
    repeat.variant = out->variant;
    pgemm_text_format(repeat.why, sizeof repeat.why, "%s: %s (cached decision for %zux%zux%zu)",
                      sel->p[fp16].source, variants[out->variant]->name, shape->m, shape->n,
                      shape->k);
    if (hit)
        pgemm_text_copy(out->why, sizeof out->why, repeat.why);
    else
        pgemm_text_format(out->why, sizeof out->why,
                          "%s: %s, predicted %.1f GFLOP/s, the best of %zu candidates for "
                          "%zux%zux%zu",
                          sel->p[fp16].source, variants[out->variant]->name, predicted,
                          m->variant_count, shape->m, shape->n, shape->k);
    remember(sel, shape, flags, &repeat);
}

void pgemm_selector_free(pgemm_selector *sel)
{
    if (!sel) return;
    for (int i = 0; i < 2; i++) {
        pgemm_model_free(sel->p[i].model);
        sel->p[i].model = NULL;
    }
}

size_t pgemm_select_ranked(const pgemm_selector *sel, const pgemm_variant_desc *const *variants,
                           size_t count, const pgemm_shape *shape, const pgemm_info *device,
                           size_t *idx, size_t cap)
{
    int fp16 = pgemm_shape_wants_fp16(shape, device);
    const struct pgemm_model *m = sel ? sel->p[fp16].model : NULL;
    size_t n = 0;
    double score[PGEMM_MAX_VARIANTS];
    size_t cand[PGEMM_MAX_VARIANTS];
    if (m) {
        for (size_t i = 0; i < m->variant_count && n < PGEMM_MAX_VARIANTS; i++) {
            cand[n] = sel->p[fp16].map[i];
            score[n++] = pgemm_model_predict(m, i, shape);
        }
    } else {
        for (size_t i = 0; i < count && n < PGEMM_MAX_VARIANTS; i++) {
            if (!pgemm_is_candidate(variants[i], fp16, device)) continue;
            cand[n] = i;
            score[n++] = pgemm_heuristic_rank(variants[i], shape, device, fp16);
        }
    }
    size_t out = 0;
    for (; out < cap && out < n; out++) { /* selection of the best remaining */
        size_t best = out;
        for (size_t j = out + 1; j < n; j++)
            if (score[j] > score[best]) best = j;
        double s = score[out];
        size_t c = cand[out];
        score[out] = score[best];
        cand[out] = cand[best];
        score[best] = s;
        cand[best] = c;
        idx[out] = cand[out];
    }
    return out;
}
