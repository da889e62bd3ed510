/* SPDX-License-Identifier: BSD-3-Clause */
#include "opencl/cl_variants.h"

#include <pthread.h>
#include <stdio.h>

#include "common/text.h"

/*
 * The shipped variants, one row each, in the order the context lists them.
 * A row names what defines a build: the family's source, the C tile
 * (tile_m x tile_n), the work-group, the K step, the global load width and
 * the source's own parameters (cl_kernels/tiled.cl: DB, LVW, LANE_M, KU,
 * KTAIL, CVEC). What follows from those (the work-item tile, local memory,
 * how the last K step ends, C's store width, the selector's traits) is
 * filled in by complete(), in one place.
 *
 *   direct      one output per work-item: no local memory, the cheapest launch
 *   tile16      the 16 x 16 baseline tile, one output per work-item
 *   tile20/24   2 x 2 outputs per work-item, float4 loads
 *   reg64       4 x 4 outputs, K steps of 16, double-buffered
 *   reg64k32    one local buffer, K steps of 32, the next step's global
 *               loads issued before the multiply (DB = 2)
 *   reg128      8 x 8 outputs, single-buffered K steps of 16
 *   reg64x128   4 x 8 outputs, K steps of 16, double-buffered
 *   vec*        a work-item's float16 (AVX-512) or float8 (AVX2) x 8 columns in
 *               vector registers, for CPU drivers that run items as loops
 *
 * Why the reg tiles are built as they are (figures: docs/PERFORMANCE.md,
 * "What these figures justify"): float4 local reads (LVW = 4), because the
 * local-memory pipe bounds the tiles; warps of 8 x 4 work-items (LANE_M =
 * 8), whose float4 reads touch 8 + 4 vectors instead of 16 + 2; the K loop
 * unrolled on GPUs (KU = TK), which the driver otherwise leaves rolled (CPU
 * drivers get it rolled: unrolled, PoCL takes minutes per program); float4
 * C stores on the 64-row tiles only (on reg128 they take 133 registers and
 * its second work-group per SM); reg128 single-buffered with steps of 16,
 * since barriers per multiply-add bound it and a second buffer costs more
 * than it hides; a short last K step for reg64k32, whose 32-deep steps
 * would otherwise multiply mostly zeros at small K, while the other
 * unrolled tiles multiply the last slab whole because the extra loop costs
 * their large products more. Tiles of 128 x 64 and 256 x 128
 * double-buffered are not shipped: PoCL 3.1's default work-group
 * compilation (loopvec) miscompiles them when B is transposed and K is not
 * a multiple of the K step.
 */
/* clang-format off */
static cl_variant k_variants[] = {
    {.source = CL_SOURCE_DIRECT, .local_vector = 1,
     .desc = {.name = "direct", .family = "direct", .tile_m = 16, .tile_n = 16, .tile_k = 1,
              .wg_m = 16, .wg_n = 16, .vector_width = 1}},
    {.source = CL_SOURCE_TILED, .local_vector = 1,
     .desc = {.name = "tile16", .family = "tile", .tile_m = 16, .tile_n = 16, .tile_k = 16,
              .wg_m = 16, .wg_n = 16, .vector_width = 1}},
    {.source = CL_SOURCE_TILED, .local_vector = 1,
     .desc = {.name = "tile20", .family = "tile", .tile_m = 20, .tile_n = 20, .tile_k = 20,
              .wg_m = 10, .wg_n = 10, .vector_width = 4}},
    {.source = CL_SOURCE_TILED, .local_vector = 1,
     .desc = {.name = "tile24", .family = "tile", .tile_m = 24, .tile_n = 24, .tile_k = 24,
              .wg_m = 12, .wg_n = 12, .vector_width = 4}},
    {.source = CL_SOURCE_TILED, .local_vector = 4, .lane_m = 8, .unroll_k = 1,
     .whole_last_step = 1, .vector_c = 1,
     .desc = {.name = "reg64", .family = "reg", .tile_m = 64, .tile_n = 64, .tile_k = 16,
              .wg_m = 16, .wg_n = 16, .vector_width = 4, .double_buffered = 1}},
    {.source = CL_SOURCE_TILED, .local_vector = 4, .lane_m = 8, .unroll_k = 1,
     .whole_last_step = 0, .vector_c = 1,
     .desc = {.name = "reg64k32", .family = "reg", .tile_m = 64, .tile_n = 64, .tile_k = 32,
              .wg_m = 16, .wg_n = 16, .vector_width = 4, .double_buffered = 2}},
    {.source = CL_SOURCE_TILED, .local_vector = 4, .lane_m = 8, .unroll_k = 1,
     .whole_last_step = 1, .vector_c = 0,
     .desc = {.name = "reg128", .family = "reg", .tile_m = 128, .tile_n = 128, .tile_k = 16,
              .wg_m = 16, .wg_n = 16, .vector_width = 4, .double_buffered = 0}},
    {.source = CL_SOURCE_TILED, .local_vector = 4, .lane_m = 8, .unroll_k = 1,
     .whole_last_step = 1, .vector_c = 1,
     .desc = {.name = "reg64x128", .family = "reg", .tile_m = 64, .tile_n = 128, .tile_k = 16,
              .wg_m = 16, .wg_n = 16, .vector_width = 4, .double_buffered = 1}},
    {.source = CL_SOURCE_VECTOR, .local_vector = 1,
     .desc = {.name = "vec16x8_1x8", .family = "vec", .tile_m = 16, .tile_n = 64, .tile_k = 1,
              .wg_m = 1, .wg_n = 8, .vector_width = 16}},
    {.source = CL_SOURCE_VECTOR, .local_vector = 1,
     .desc = {.name = "vec16x8_4x8", .family = "vec", .tile_m = 64, .tile_n = 64, .tile_k = 1,
              .wg_m = 4, .wg_n = 8, .vector_width = 16}},
    {.source = CL_SOURCE_VECTOR, .local_vector = 1,
     .desc = {.name = "vec8x8_2x8", .family = "vec", .tile_m = 16, .tile_n = 64, .tile_k = 1,
              .wg_m = 2, .wg_n = 8, .vector_width = 8}},
};
/* clang-format on */

/* The descriptor fields that follow from a row. */
static void complete(cl_variant *v)
{
    pgemm_variant_desc *d = &v->desc;
    d->thread_m = d->wg_m ? d->tile_m / d->wg_m : 0;
    d->thread_n = d->wg_n ? d->tile_n / d->wg_n : 0;
    d->unit = "fma";
    switch (v->source) {
    case CL_SOURCE_DIRECT:
        d->k_tail_exact = 1;
        d->c_store_width = 1;
        d->traits = PGEMM_TRAIT_SMALL_PROBLEMS;
        break;
    case CL_SOURCE_VECTOR:
        /* A work-item stores its columns as vectors of vector_width floats. */
        d->k_tail_exact = 1;
        d->c_store_width = d->vector_width;
        d->traits = PGEMM_TRAIT_ITEM_VECTORS | PGEMM_TRAIT_LOOP_DRIVERS;
        break;
    case CL_SOURCE_TILED:
        /* Two slabs when double-buffered, else one; each slab one padded
         * row of LVW per operand at most. */
        d->local_bytes = (1 + (d->double_buffered == 1)) * d->tile_k *
                         (d->tile_m + d->tile_n + 2 * v->local_vector) * 4;
        d->k_tail_exact = !(v->unroll_k && v->whole_last_step);
        d->c_store_width = v->vector_c ? 4 : 1;
        d->traits = PGEMM_TRAIT_LOCAL_TILES;
        break;
    case CL_SOURCE_SUM: /* not in the table */ break;
    }
}

static void complete_all(void)
{
    for (size_t i = 0; i < sizeof k_variants / sizeof k_variants[0]; i++) complete(&k_variants[i]);
}

size_t pgemm_cl_variant_count(void) { return sizeof k_variants / sizeof k_variants[0]; }

const cl_variant *pgemm_cl_variant(size_t index)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, complete_all);
    return index < pgemm_cl_variant_count() ? &k_variants[index] : NULL;
}

/* One element per work-item, 64 rows by 4 columns per work-group: the
 * partials' reads run down columns, as the work-items do. */
static const cl_variant k_sum = {.source = CL_SOURCE_SUM,
                                 .local_vector = 1,
                                 .desc = {.name = "sum_parts",
                                          .family = "sum",
                                          .tile_m = 64,
                                          .tile_n = 4,
                                          .tile_k = 1,
                                          .wg_m = 64,
                                          .wg_n = 4,
                                          .thread_m = 1,
                                          .thread_n = 1,
                                          .vector_width = 1,
                                          .unit = "fma",
                                          .k_tail_exact = 1,
                                          .c_store_width = 1}};

const cl_variant *pgemm_cl_sum_kernel(void) { return &k_sum; }

const char *pgemm_cl_source_file(cl_family_source source)
{
    switch (source) {
    case CL_SOURCE_DIRECT: return "direct.cl";
    case CL_SOURCE_TILED: return "tiled.cl";
    case CL_SOURCE_VECTOR: return "vector.cl";
    case CL_SOURCE_SUM: return "sum_parts.cl";
    }
    return "?";
}

int pgemm_cl_variant_has_aligned_build(const cl_variant *v)
{
    return v->source == CL_SOURCE_TILED && v->desc.vector_width == 4;
}

static char *family_options(const cl_variant *v, int trans_a, int trans_b, unsigned build,
                            char *dst, size_t cap)
{
    const pgemm_variant_desc *d = &v->desc;
    if (v->source == CL_SOURCE_DIRECT)
        return pgemm_text_format(dst, cap,
                                 "-cl-std=CL1.1 -DTRANS_A=%d -DTRANS_B=%d -DWGM=%u -DWGN=%u "
                                 "-DTPM=%u -DTPN=%u",
                                 trans_a, trans_b, d->wg_m, d->wg_n, d->thread_m, d->thread_n);
    if (v->source == CL_SOURCE_SUM)
        return pgemm_text_format(dst, cap,
                                 "-cl-std=CL1.1 -DTRANS_A=%d -DTRANS_B=%d -DWGM=%u -DWGN=%u",
                                 trans_a, trans_b, d->wg_m, d->wg_n);
    if (v->source == CL_SOURCE_VECTOR)
        return pgemm_text_format(dst, cap,
                                 "-cl-std=CL1.1 -DTRANS_A=%d -DTRANS_B=%d -DVM=%u -DTN=%u "
                                 "-DWGM=%u -DWGN=%u",
                                 trans_a, trans_b, d->thread_m, d->thread_n, d->wg_m, d->wg_n);
    int unrolled = v->unroll_k && (build & PGEMM_CL_BUILD_GPU);
    return pgemm_text_format(dst, cap,
                             "-cl-std=CL1.1 -DTRANS_A=%d -DTRANS_B=%d -DTM=%u -DTN=%u -DTK=%u "
                             "-DWGM=%u -DWGN=%u -DVW=%u -DDB=%d -DLVW=%u -DLANE_M=%u -DKU=%u "
                             "-DKTAIL=%d -DALIGNED=%d -DCVEC=%d",
                             trans_a, trans_b, d->tile_m, d->tile_n, d->tile_k, d->wg_m, d->wg_n,
                             d->vector_width, d->double_buffered, v->local_vector, v->lane_m,
                             unrolled ? d->tile_k : 0u, !(unrolled && v->whole_last_step),
                             (build & PGEMM_CL_BUILD_ALIGNED) &&
                                 pgemm_cl_variant_has_aligned_build(v),
                             v->vector_c);
}

/* The epilogue's macros, "" for the plain GEMM (whose builds, and cached
 * binaries, stay those of a library without epilogues). */
static void epilogue_options(unsigned build, char *dst, size_t cap)
{
    unsigned e = PGEMM_CL_EPILOGUE_OF(build);
    if (e == 0)
        pgemm_text_copy(dst, cap, "");
    else
        pgemm_text_format(dst, cap, " -DEPI_ACT=%u -DEPI_BIAS=%u -DEPI_UNROLL=%d", e & 3u, e >> 2,
                          (build & PGEMM_CL_BUILD_GPU) != 0);
}

char *pgemm_cl_build_options(const cl_variant *v, int trans_a, int trans_b, unsigned build,
                             char *dst, size_t cap)
{
    char epi[48];
    epilogue_options(build, epi, sizeof epi);
    family_options(v, trans_a, trans_b, build, dst, cap);
    pgemm_text_append(dst, cap, "%s", epi);
    return dst;
}

void pgemm_cl_ndrange(const cl_variant *v, size_t m, size_t n, size_t batch, size_t global[3],
                      size_t local[3])
{
    const pgemm_variant_desc *d = &v->desc;
    global[0] = (m + d->tile_m - 1) / d->tile_m * d->wg_m;
    global[1] = (n + d->tile_n - 1) / d->tile_n * d->wg_n;
    global[2] = batch;
    local[0] = d->wg_m;
    local[1] = d->wg_n;
    local[2] = 1;
}

const char *pgemm_cl_variant_invalid(const cl_variant *v)
{
    const pgemm_variant_desc *d = &v->desc;
    static _Thread_local char why[256];
    unsigned nt = d->wg_m * d->wg_n;
    if (d->tile_m != d->wg_m * d->thread_m || d->tile_n != d->wg_n * d->thread_n)
        return pgemm_text_format(why, sizeof why, "%s: tile != work-group x thread tile",
                                 d->name);
    if (v->local_vector != 1 && v->local_vector != 4)
        return pgemm_text_format(why, sizeof why, "%s: local vector width %u (1 or 4)", d->name,
                                 v->local_vector);
    if (d->thread_m % v->local_vector || d->thread_n % v->local_vector)
        return pgemm_text_format(why, sizeof why,
                                 "%s: thread tile %ux%u not a multiple of the local vector %u",
                                 d->name, d->thread_m, d->thread_n, v->local_vector);
    if (nt == 0 || nt > 256)
        return pgemm_text_format(why, sizeof why, "%s: work-group of %u items (1..256 allowed)",
                                 d->name, nt);
    if (d->local_bytes > 32768)
        return pgemm_text_format(why, sizeof why, "%s: %u bytes of local memory (32 KiB max)",
                                 d->name, d->local_bytes);
    if (v->source != CL_SOURCE_TILED && (v->lane_m || v->unroll_k || v->vector_c))
        return pgemm_text_format(why, sizeof why,
                                 "%s: lane_m, unroll_k and vector_c are for tiled variants",
                                 d->name);
    if (v->whole_last_step && !v->unroll_k)
        return pgemm_text_format(why, sizeof why,
                                 "%s: whole_last_step is for variants with unroll_k", d->name);
    if (v->lane_m != 0 && (v->lane_m != 8 || d->wg_m % 8 || d->wg_n % 4))
        return pgemm_text_format(why, sizeof why,
                                 "%s: lane_m %u (0, or 8 with wg_m %% 8 == 0 and wg_n %% 4 == 0)",
                                 d->name, v->lane_m);
    if (v->vector_c && (v->local_vector != 4 || d->vector_width != 4))
        return pgemm_text_format(why, sizeof why, "%s: float4 C stores need LVW = VW = 4",
                                 d->name);
    if (v->source == CL_SOURCE_TILED) {
        unsigned vw = d->vector_width;
        if (d->double_buffered < 0 || d->double_buffered > 2)
            return pgemm_text_format(why, sizeof why, "%s: buffering mode DB = %d (0, 1 or 2)",
                                     d->name, d->double_buffered);
        if (vw != 1 && vw != 2 && vw != 4)
            return pgemm_text_format(why, sizeof why, "%s: vector width %u", d->name, vw);
        if ((d->tile_m * d->tile_k) % (vw * nt) || (d->tile_k * d->tile_n) % (vw * nt) ||
            d->tile_m % vw || d->tile_n % vw || d->tile_k % vw)
            return pgemm_text_format(why, sizeof why,
                                     "%s: slabs do not split into %u-wide loads over %u items",
                                     d->name, vw, nt);
    }
    return NULL;
}
