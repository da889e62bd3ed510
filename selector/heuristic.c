/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fixed heuristic: the selector's answer when no trained model is there.
 *
 * It predicts each candidate's time on the shape, in arbitrary units, and
 * runs the fastest:
 *
 *   time = area * waves * (k' / rate * (1 + B / tile_k) + E * store)
 *
 *   area   the C elements the launch computes, padding included: whole
 *          work-group tiles on a GPU; where a CPU driver runs a work-group's
 *          items as loops (PoCL) an item past the edge costs nothing, so
 *          there whole work-item tiles.
 *   waves  the last wave's empty slots: ceil(groups / slots) / (groups /
 *          slots), one slot per compute unit on a GPU, 1.5 per core under
 *          PoCL. A tile grid of 142 groups on 132 SMs takes two full rounds.
 *   k'     K, or K rounded up to whole K steps for a kernel that multiplies
 *          its last step whole (pgemm_variant_desc.k_tail_exact).
 *   rate   the multiply-adds per unit time of a tile: reuse / (reuse + R0),
 *          reuse = tile_m * tile_n / (tile_m + tile_n) elements of C per
 *          element loaded (by pgemm_variant_desc.traits: a kernel without
 *          local tiles or vector registers gets what the caches give, 3.4,
 *          one with a work-item's tile in vector registers that tile),
 *          saturating once the tile is compute bound (R0 = 33); times the
 *          unit's tier among fp16
 *          variants (wgmma over mma.sync over dot2 over FMA).
 *   B      the barriers that end each K step (0.29 multiply-adds' worth per
 *          element of C).
 *   E      C's epilogue, per element (37 multiply-adds' worth), 2.65 times
 *          that where a work-item with several outputs stores them one float
 *          at a time (c_store_width 1): this is what decides at small K.
 *
 * Where a CPU driver maps work-items onto SIMD lanes (llvmpipe) the grid,
 * the barriers and the epilogue hardly matter and a lane's accumulators
 * decide: the cost is K times the C a launch covers (the geometric mean,
 * weighted 0.6 to 0.4, of its whole tiles and its whole work-items: a
 * masked lane past the edge costs, but less than a full one) over a rate
 * acc / (acc + 24), acc = thread_m * thread_n, that saturates; and a small
 * problem (fewer than 2^19 flops, 2^20 where m or n is at most 8, or k = 1)
 * runs the direct kernel, whose launch and local memory cost least. These
 * five constants were fitted to every llvmpipe set measured (2-core Xeon,
 * 2026-12-03, 296 shapes in five sets, one pass each;
 * bench/results/2026-12-03-rusticl-heuristic/): 0.964 / 0.610 (geomean /
 * worst share of the best) on all of them.
 *
 * The constants were fitted once, to the training sets of four devices'
 * tunes (H100 NVIDIA OpenCL, H100 HIP fp32 and fp16, PoCL on an EPYC), and
 * are checked on their held-out sets and on devices without a model
 * (docs/TUNING.md, "The heuristic"; bench/selector_replay replays stored
 * measurements against it). Which families are candidates at all is
 * pgemm_is_candidate's (features.c), by the execution model and precision.
 */
#include <math.h>
#include <string.h>

#include "common/text.h"
#include "features.h"
#include "selector.h"

static const double k_cpu_slots = 1.5, k_r0 = 33.0, k_direct_reuse = 3.4, k_barrier = 0.29,
                    k_epilogue = 37.0, k_scalar_store = 2.65;
/* SIMD lanes (llvmpipe): the weight of whole tiles against whole work-items
 * in the C a launch covers, the accumulators at which a lane runs at half
 * its peak, and the products below which the direct kernel wins. */
static const double k_lane_pad = 0.6, k_lane_acc = 24.0, k_lane_small_flops = 524288.0;
static const size_t k_lane_small_k = 2;
/* SIMD lanes, a thin product (m or n at most k_lane_thin): the direct
 * kernel wins up to more flops, k_lane_thin_flops. */
static const size_t k_lane_thin = 8;
static const double k_lane_thin_flops = 1048576.0;

static double ceil_div(double a, double b) { return ceil(a / b); }

static int lane_thin(const pgemm_shape *s) { return s->m <= k_lane_thin || s->n <= k_lane_thin; }

/* Whether the direct kernel runs a product on SIMD lanes outright. */
static int lane_direct(const pgemm_shape *s)
{
    return pgemm_shape_below(s, lane_thin(s) ? k_lane_thin_flops : k_lane_small_flops,
                             k_lane_small_k);
}

double pgemm_heuristic_cost(const pgemm_variant_desc *v, const pgemm_shape *s,
                            const pgemm_info *dev, int fp16)
{
    double m = (double)s->m, n = (double)s->n, k = (double)s->k;
    double batch = s->batch ? (double)s->batch : 1.0;
    double tm = v->tile_m, tn = v->tile_n, tk = v->tile_k ? v->tile_k : 1;
    double thm = v->thread_m ? v->thread_m : 1, thn = v->thread_n ? v->thread_n : 1;
    double units = dev->compute_units ? dev->compute_units : 1;
    double kk = v->k_tail_exact || dev->device_is_cpu || tk <= 1 ? k : ceil_div(k, tk) * tk;
    double steps = tk > 1 ? 1.0 + k_barrier / tk : 1.0;
    if (dev->device_is_cpu && !dev->work_items_as_loops) {
        /* SIMD lanes: the C a launch covers, between its whole tiles and its
         * whole work-items (a lane past the edge is masked, not free), over
         * the lane's accumulators' rate; barriers hardly count. */
        double tiles = ceil_div(m, tm) * tm * ceil_div(n, tn) * tn * batch;
        double items = ceil_div(m, thm) * thm * ceil_div(n, thn) * thn * batch;
        double acc = thm * thn;
        return pow(tiles, k_lane_pad) * pow(items, 1.0 - k_lane_pad) * kk * (acc + k_lane_acc) /
               acc;
    }
    double groups = ceil_div(m, tm) * ceil_div(n, tn) * batch, area, slots;
    if (dev->work_items_as_loops) {
        area = ceil_div(m, thm) * thm * ceil_div(n, thn) * thn * batch;
        slots = units * k_cpu_slots;
    } else {
        area = groups * tm * tn;
        slots = units;
    }
    double waves = ceil_div(groups, slots) * slots / groups;
    double reuse = v->traits & PGEMM_TRAIT_LOCAL_TILES    ? tm * tn / (tm + tn)
                   : v->traits & PGEMM_TRAIT_ITEM_VECTORS ? thm * thn / (thm + thn)
                                                          : k_direct_reuse;
    double rate = reuse / (reuse + k_r0) * (fp16 && v->tier > 0 ? v->tier : 1);
    double store = v->c_store_width == 1 && thm * thn > 1 ? k_scalar_store : 1.0;
    return area * waves * (kk / rate * steps + k_epilogue * store);
}

double pgemm_heuristic_rank(const pgemm_variant_desc *v, const pgemm_shape *s,
                            const pgemm_info *dev, int fp16)
{
    double work =
        (double)s->m * (double)s->n * (double)(s->k ? s->k : 1) * (double)(s->batch ? s->batch : 1);
    double cost = pgemm_heuristic_cost(v, s, dev, fp16);
    return cost > 0 ? work / cost : 0.0;
}

void pgemm_select_heuristic(const pgemm_variant_desc *const *variants, size_t count,
                            const pgemm_shape *shape, const pgemm_info *device,
                            pgemm_selection *out)
{
    out->variant = 0;
    int fp16 = pgemm_shape_wants_fp16(shape, device);
    if (!fp16 && lane_direct(shape) && device->device_is_cpu && !device->work_items_as_loops) {
        for (size_t i = 0; i < count; i++) {
            if (variants[i]->traits & PGEMM_TRAIT_SMALL_PROBLEMS) {
                out->variant = i;
                pgemm_text_format(out->why, sizeof out->why,
                                  "heuristic: small problem (%zux%zux%zu) on SIMD lanes, "
                                  "direct kernel",
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
                      "heuristic: %s has the shortest predicted time (tile fill x waves x "
                      "K steps / tile rate + epilogue; score %.3f) for %zux%zux%zu on %u "
                      "compute units",
                      v->name, best, shape->m, shape->n, shape->k, device->compute_units);
}
