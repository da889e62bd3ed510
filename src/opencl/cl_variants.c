#include "opencl/cl_variants.h"

#include <stdio.h>

#include "common/text.h"

/*
 * The shipped variants. Local bytes: direct and vec none; tiled (1 + (DB == 1)) * TK *
 * (TM + TN + 2 * LVW) * 4 at most (one padded row per operand).
 *
 *   direct        one output per work-item, 16 x 16 work-group
 *   tile16        the 16 x 16 baseline, one output per work-item
 *   tile20        20 x 20 tile, 10 x 10 work-group, 2 x 2 outputs, float4 loads
 *   tile24        24 x 24 tile, 12 x 12 work-group, 2 x 2 outputs, float4 loads
 *   reg64         64 x 64 tile, 16 x 16 work-group, 4 x 4 outputs, K steps of 16,
 *                 double-buffered; float4 global and local loads
 *   reg64k32      reg64 with one local buffer, K steps of 32, and the next
 *                 step's global loads issued before the multiply (DB = 2)
 *   reg128        128 x 128 tile, 8 x 8 outputs, single-buffered K steps of 16
 *   reg64x128     64 x 128 tile, 4 x 8 outputs, K steps of 16, double-buffered
 *   (the reg variants: warps of 8 x 4 work-items, K loops unrolled on GPUs, and
 *   the 64-row tiles store C as float4s wherever C's layout allows; unrolled,
 *   all but reg64k32 multiply the last slab of a ragged K whole,
 *   cl_kernels/tiled.cl)
 *   vec16x8_1x8, vec16x8_4x8
 *                 float16 x 8 columns per work-item, 1 x 8 or 4 x 8 work-group:
 *                 for CPUs with 16-float vectors (AVX-512)
 *   vec8x8_2x8    float8 x 8 columns per work-item, 2 x 8 work-group (AVX2)
 *
 * Measured on an H100 (NVIDIA OpenCL, docs/PERFORMANCE.md): float4 local reads
 * (LVW = 4) beat float reads by 25-28% for both reg tiles, so only they ship;
 * and fewer, longer K steps beat double buffering for the 128 x 128 tile
 * (single-buffered TK = 16: 40.4 TFLOP/s at n = 8192; double-buffered TK = 8:
 * 35.3; same 127 registers): barriers per multiply-add bound it, not local
 * loads. TK = 24 was slower (34.3), 8 x 16 thread tiles too (33.0, 184
 * registers). Then, on the 128 x 128 tile at n = 8192 (same device, aligned
 * operands): float4 global loads (the aligned build) 40.4 -> 41.9 TFLOP/s;
 * 8 x 4 warps 43.5; with the K loop unrolled 44.6-45.0 (127 registers; an
 * unroll by 4 took 133 and lost a third: one work-group per SM). Unrolled,
 * the 64-row tiles gain 4-24%, and float4 C stores a further 1-6% (on the
 * 128 x 128 tile they cost 6 registers and the second work-group per SM).
 * Double buffering the 128 x 128 tile with K steps of 16 (33 KiB of local
 * memory) lost 6%. Tiles of 128 x 64 and 256 x 128 double-buffered were left out:
 * PoCL 3.1's default work-group compilation (loopvec) miscompiles them when B
 * is transposed and K is not a multiple of the K step (PoCL's cbs method,
 * rusticl and NVIDIA compute them right).
 */
#define TILED_LOCAL(tm, tn, tk, db, lvw) ((1 + ((db) == 1)) * (tk) * ((tm) + (tn) + 2 * (lvw)) * 4)
/* lane_m, unroll_k, whole_last, vector_c: the work-item arrangement, the
 * K-loop unroll, the unrolled loop's last step of a ragged K, and C's float4
 * stores (cl_kernels/tiled.cl: LANE_M, KU, KTAIL, CVEC). */
#define TILED_X(name, family, tm, tn, tk, wgm, wgn, vw, db, lvw, lane_m, unroll_k, whole_last,  \
                vector_c)                                                                      \
    {{name, family, tm, tn, tk, wgm, wgn, (tm) / (wgm), (tn) / (wgn), vw,                      \
      TILED_LOCAL(tm, tn, tk, db, lvw), db, 0, "fma", 0, !((unroll_k) && (whole_last)),      \
      (vector_c) ? 4u : 1u},                                                                   \
     CL_SOURCE_TILED, lvw, lane_m, unroll_k, whole_last, vector_c}
#define TILED(name, family, tm, tn, tk, wgm, wgn, vw, db, lvw)                                 \
    TILED_X(name, family, tm, tn, tk, wgm, wgn, vw, db, lvw, 0, 0, 0, 0)

#define VEC(name, wgm, wgn, vm, tn)                                                           \
    {{name, "vec", (wgm) * (vm), (wgn) * (tn), 1, wgm, wgn, vm, tn, vm, 0, 0, 0, "fma", 0, 1, \
      vm},                                                                                    \
     CL_SOURCE_VECTOR, 1, 0, 0, 0, 0}

static const cl_variant k_variants[] = {
    {{"direct", "direct", 16, 16, 1, 16, 16, 1, 1, 1, 0, 0, 0, "fma", 0, 1, 1}, CL_SOURCE_DIRECT,
     1, 0, 0, 0, 0},
    TILED("tile16", "tile", 16, 16, 16, 16, 16, 1, 0, 1),
    TILED("tile20", "tile", 20, 20, 20, 10, 10, 4, 0, 1),
    TILED("tile24", "tile", 24, 24, 24, 12, 12, 4, 0, 1),
    TILED_X("reg64", "reg", 64, 64, 16, 16, 16, 4, 1, 4, 8, 1, 1, 1),
    TILED_X("reg64k32", "reg", 64, 64, 32, 16, 16, 4, 2, 4, 8, 1, 0, 1),
    TILED_X("reg128", "reg", 128, 128, 16, 16, 16, 4, 0, 4, 8, 1, 1, 0),
    TILED_X("reg64x128", "reg", 64, 128, 16, 16, 16, 4, 1, 4, 8, 1, 1, 1),
    VEC("vec16x8_1x8", 1, 8, 16, 8),
    VEC("vec16x8_4x8", 4, 8, 16, 8),
    VEC("vec8x8_2x8", 2, 8, 8, 8),
};

size_t pgemm_cl_variant_count(void) { return sizeof k_variants / sizeof k_variants[0]; }

const cl_variant *pgemm_cl_variant(size_t index)
{
    return index < pgemm_cl_variant_count() ? &k_variants[index] : NULL;
}

const char *pgemm_cl_source_file(cl_family_source source)
{
    switch (source) {
    case CL_SOURCE_DIRECT: return "direct.cl";
    case CL_SOURCE_TILED: return "tiled.cl";
    case CL_SOURCE_VECTOR: return "vector.cl";
    }
    return "?";
}

int pgemm_cl_variant_has_aligned_build(const cl_variant *v)
{
    return v->source == CL_SOURCE_TILED && v->desc.vector_width == 4;
}

char *pgemm_cl_build_options(const cl_variant *v, int trans_a, int trans_b, unsigned build,
                             char *dst, size_t cap)
{
    const pgemm_variant_desc *d = &v->desc;
    if (v->source == CL_SOURCE_DIRECT)
        return pgemm_text_format(dst, cap,
                                 "-cl-std=CL1.1 -DTRANS_A=%d -DTRANS_B=%d -DWGM=%u -DWGN=%u "
                                 "-DTPM=%u -DTPN=%u",
                                 trans_a, trans_b, d->wg_m, d->wg_n, d->thread_m, d->thread_n);
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
