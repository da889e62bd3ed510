/*
 * The fixed heuristic: the selector's answer when no trained model is there.
 *
 * A variant's score estimates its throughput relative to the others:
 *
 *   score = reuse * fill * parallelism * steps
 *
 *   reuse       = tile_m * tile_n / (tile_m + tile_n): C elements computed per
 *                 element loaded from global memory per K step. Larger macro
 *                 tiles move fewer bytes per flop. The direct family keeps
 *                 nothing in local memory; its reuse is what the caches give
 *                 (taken as 2).
 *   fill        = useful C elements / C elements the grid covers: ragged edges
 *                 waste the padded part of the last tiles.
 *   parallelism = min(1, work-groups / wanted), wanted = one work-group per
 *                 compute unit on a GPU, four per core where a CPU driver
 *                 loops over work-items. Below one group per compute unit
 *                 a variant slows down in proportion (H100, NVIDIA OpenCL:
 *                 reg128 at 64 groups on 132 SMs ran at 0.44 of its
 *                 saturated speed, reg64 at 64 groups at 0.35).
 *
 *   steps       = tile_k / (tile_k + 4): each K step of a local-memory tile
 *                 ends in barriers; longer steps spend fewer of them per
 *                 multiply-add (H100: 64 x 64 with steps of 32 beat steps of
 *                 16 by 3-6% at n = 512 ... 2048). Direct kernels: 1.
 *
 * Small problems (fewer than 2^18 flops per product, or k < 8, or no
 * product at all) go to the direct family: there the launch and the local
 * memory round trip cost more than the arithmetic.
 *
 * The execution model splits the families first. Where a driver runs a
 * work-group's items as a loop on one CPU core (pgemm_info.
 * work_items_as_loops), only the "vec" family carries vectors and keeps C in
 * registers: measured on PoCL (AVX-512, 2 cores, n = 1024) at 60-75 GFLOP/s
 * against 10-16 for the best local-memory tile. Everywhere else (GPUs, and
 * llvmpipe, which maps work-items onto SIMD lanes) "vec" is never chosen:
 * its per-item vectors are scalarised there (0.07 GFLOP/s on llvmpipe).
 * On a CPU that maps work-items onto SIMD lanes (llvmpipe) a lane holds few
 * accumulators: thread tiles above 32 outputs are left out there (reg128,
 * 8 x 8, ran at 0.7 GFLOP/s at n = 512 against 5.4 for reg64x128, 4 x 8).
 *
 * Precision splits them too. With fp16 operands, or FP16_MIXED allowed on a
 * problem that is not small, the candidates are the fp16 variants, and each
 * score is weighed by the variant's tier: the peak rate of the unit it runs
 * on relative to the others (wgmma over mma.sync over dot2 over FMA), so
 * that a faster unit with too few tiles to fill the device can lose to a
 * slower one that fills it. Otherwise the candidates are the fp32 variants.
 */
#include <math.h>
#include <string.h>

#include "common/text.h"
#include "features.h"
#include "selector.h"

static size_t ceil_div(size_t a, size_t b) { return (a + b - 1) / b; }

double pgemm_heuristic_score(const pgemm_variant_desc *v, const pgemm_shape *s,
                             const pgemm_info *dev)
{
    double tm = v->tile_m, tn = v->tile_n;
    double reuse = !strcmp(v->family, "direct") ? 2.0 : tm * tn / (tm + tn);
    size_t gm = ceil_div(s->m, v->tile_m), gn = ceil_div(s->n, v->tile_n);
    double fill = ((double)s->m * (double)s->n) / ((double)gm * tm * (double)gn * tn);
    double groups = (double)gm * (double)gn * (double)(s->batch ? s->batch : 1);
    double units = dev->compute_units ? dev->compute_units : 1;
    double wanted = units * (dev->work_items_as_loops ? 4.0 : 1.0);
    double parallel = groups >= wanted ? 1.0 : groups / wanted;
    double steps = v->tile_k > 1 ? (double)v->tile_k / (v->tile_k + 4.0) : 1.0;
    return reuse * fill * parallel * steps;
}

double pgemm_heuristic_rank(const pgemm_variant_desc *v, const pgemm_shape *s,
                            const pgemm_info *dev, int fp16)
{
    double score = pgemm_heuristic_score(v, s, dev);
    return fp16 && v->tier > 0 ? score * v->tier : score;
}

void pgemm_select_heuristic(const pgemm_variant_desc *const *variants, size_t count,
                            const pgemm_shape *shape, const pgemm_info *device,
                            pgemm_selection *out)
{
    out->variant = 0;
    int fp16 = pgemm_shape_wants_fp16(shape, device);
    if (!fp16 && pgemm_shape_is_small(shape) && !device->work_items_as_loops) {
        for (size_t i = 0; i < count; i++) {
            if (!strcmp(variants[i]->family, "direct")) {
                out->variant = i;
                pgemm_text_format(out->why, sizeof out->why,
                                  "heuristic: small problem (%zux%zux%zu), direct kernel",
                                  shape->m, shape->n, shape->k);
                return;
            }
        }
    }
    double best = -1.0;
    for (size_t i = 0; i < count; i++) {
        if (!pgemm_is_candidate(variants[i], fp16, device)) continue;
        double score = pgemm_heuristic_rank(variants[i], shape, device, fp16);
        if (score > best) {
            best = score;
            out->variant = i;
        }
    }
    const pgemm_variant_desc *v = variants[out->variant];
    pgemm_text_format(out->why, sizeof out->why,
                      "heuristic: %s has the best reuse x fill x parallelism x K-step "
                      "score (%.2f) for "
                      "%zux%zux%zu on %u compute units",
                      v->name, best, shape->m, shape->n, shape->k, device->compute_units);
}
