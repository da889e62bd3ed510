#include "hip/hip_variants.h"

#include <ctype.h>
#include <string.h>

#include "common/text.h"

/*
 * The shipped variants, in the order the context lists them (fp16 ones only
 * where pgemm_hip_hgemm_supported says the device has their instructions).
 *
 * FP32 tiles (hip_kernels/sgemm_tile.hip), 256 threads as a 16 x 16 group,
 * float4 global loads, op(A) and op(B) slices K-major in two alternating
 * shared buffers (rows padded by 4 floats), the next step's loads held in
 * registers during the multiply:
 *   t128k16   128 x 128, K steps of 16, 8 x 8 outputs per thread
 *   t64       64 x 64, K steps of 16, 4 x 4 per thread
 *   t128x64   128 x 64, K steps of 16, 8 x 4 per thread
 *
 * FP16 tiles (fp16/), packed K-major operands (hip_launch.h), fp32
 * accumulation, 256 threads, 16-byte global loads (vector width 4 floats'
 * worth, 8 halves). The tier ranks the units' peak rates for the selector
 * (backend.h), a faster unit higher:
 *   h16wgmma   wgmma on Hopper (sm_90a code only), 128 x 256, K steps of 64,
 *              two warpgroups, a ring of 4 shared stages (+ 1 KiB to align
 *              it): tier 15
 *   h16mma128  mma.sync m16n8k16 (NVIDIA sm_80+), 128 x 128, K steps of 32,
 *              8 warps, a ring of 4 stages: tier 10
 *   h16mma256  the same with 256 x 128 tiles and 3 stages: tier 10
 *   h16mfma    v_mfma_f32_32x32x8f16 on AMD matrix cores (gfx908, gfx90a),
 *              128 x 128, K steps of 32, 4 wavefronts of 64 x 64, two
 *              shared steps: tier 8 (MI100: 184 fp16 against 23 fp32
 *              TFLOP/s)
 *   h16dot2    pairs along K through v_dot2_f32_f16 (gfx906, gfx908, gfx90a,
 *              gfx1030; two FMAs on NVIDIA), 64 x 64, K steps of 32, 4 x 4
 *              per thread: tier 2
 *   h16fma     the same tile converting pairs to fp32 for two FMAs, any
 *              GPU: tier 1
 * C stores (the selector's heuristic weighs scalar ones): the fp32 tiles
 * store float4s, wgmma its fragments' pairs, mma.sync 128-byte runs per warp
 * staged in shared memory (fp16/store_c.h), dot2 and fma one float at a time;
 * mfma's are not stated. Every HIP kernel multiplies the last K step whole.
 * The fp16 families keep pairs (fma, dot2) or a stage ring (mma, wgmma) in
 * shared memory; double_buffered = 1 for all of them. The tensor-core
 * kernels work per warp, not per thread: their wg and thread shapes are the
 * nominal 16 x 16 split of the tile that keeps the invariants (tile = wg x
 * thread), for the selector's reuse arithmetic.
 */

/* Two buffers of op(A) and op(B) slices, rows padded by 4 floats. */
#define F32_LOCAL(tm, tn, tk) (2 * (tk) * (((tm) + 4) + ((tn) + 4)) * 4)
#define F32(name, kernel, tm, tn, tk)                                                     \
    {{name, "tile", tm, tn, tk, 16, 16, (tm) / 16, (tn) / 16, 4, F32_LOCAL(tm, tn, tk), 1, \
      0, "fma", 0, 0, 4},                                                                 \
     kernel, 0, NULL}

/* A ring of `stages` K steps of op(A) and op(B) halves (tensor cores). */
#define RING_LOCAL(tm, tn, tk, stages) ((stages) * ((tm) + (tn)) * (tk) * 2)
/* mfma: two steps of op(A) and op(B) halves. */
#define MFMA_LOCAL (2 * (128 + 128) * 32 * 2)
/* fma / dot2: two buffers of fp16 pairs along K, rows padded by 4 pairs. */
#define PAIRS_LOCAL(tile, tk) (2 * 2 * ((tk) / 2) * ((tile) + 4) * 4)
#define F16(name, kernel, tm, tn, tk, local, unit, tier, store, nvidia_only, target)       \
    {{name, "hgemm", tm, tn, tk, 16, 16, (tm) / 16, (tn) / 16, 4, local, 1, 1, unit, tier, 0, \
      store},                                                                               \
     kernel, nvidia_only, target}

static const hip_variant k_variants[] = {
    F32("t128k16", PGEMM_HIP_SGEMM_T128K16, 128, 128, 16),
    F32("t64", PGEMM_HIP_SGEMM_T64, 64, 64, 16),
    F32("t128x64", PGEMM_HIP_SGEMM_T128X64, 128, 64, 16),
    F16("h16wgmma", PGEMM_HIP_HGEMM_WGMMA, 128, 256, 64, RING_LOCAL(128, 256, 64, 4) + 1024,
        "wgmma", 15, 2, 1, "90a"),
    F16("h16mma128", PGEMM_HIP_HGEMM_MMA128, 128, 128, 32, RING_LOCAL(128, 128, 32, 4),
        "mma.sync", 10, 4, 1, NULL),
    F16("h16mma256", PGEMM_HIP_HGEMM_MMA256, 256, 128, 32, RING_LOCAL(256, 128, 32, 3),
        "mma.sync", 10, 4, 1, NULL),
    F16("h16mfma", PGEMM_HIP_HGEMM_MFMA, 128, 128, 32, MFMA_LOCAL, "mfma", 8, 0, 0, NULL),
    F16("h16dot2", PGEMM_HIP_HGEMM_DOT2, 64, 64, 32, PAIRS_LOCAL(64, 32), "dot2", 2, 1, 0, NULL),
    F16("h16fma", PGEMM_HIP_HGEMM_FMA, 64, 64, 32, PAIRS_LOCAL(64, 32), "fma", 1, 1, 0, NULL),
};

size_t pgemm_hip_variant_count(void) { return sizeof k_variants / sizeof k_variants[0]; }

const hip_variant *pgemm_hip_variant(size_t index)
{
    return index < pgemm_hip_variant_count() ? &k_variants[index] : NULL;
}

const char *pgemm_hip_variant_invalid(const hip_variant *v)
{
    static _Thread_local char why[256];
    const pgemm_variant_desc *d = &v->desc;
    unsigned threads = d->wg_m * d->wg_n;
    if (!d->name || !d->family || !d->unit)
        return pgemm_text_format(why, sizeof why, "variant without a name, family or unit");
    if (d->tile_m != d->wg_m * d->thread_m || d->tile_n != d->wg_n * d->thread_n)
        return pgemm_text_format(why, sizeof why, "%s: tile != work-group x thread tile",
                                 d->name);
    if (threads == 0 || threads > 256)
        return pgemm_text_format(why, sizeof why, "%s: work-group of %u threads (1..256)",
                                 d->name, threads);
    if (d->tile_k == 0)
        return pgemm_text_format(why, sizeof why, "%s: K step 0", d->name);
    /* 64 KiB on AMD; NVIDIA blocks may opt in to 227 KiB (sm_90). */
    unsigned max_local = v->nvidia_only ? 227u * 1024u : 65536u;
    if (d->local_bytes > max_local)
        return pgemm_text_format(why, sizeof why, "%s: %u bytes of shared memory (%u max)",
                                 d->name, d->local_bytes, max_local);
    if (d->fp16) {
        if (strcmp(d->family, "hgemm") || d->tier < 1 || v->kernel < 0 ||
            v->kernel >= PGEMM_HIP_HGEMM_COUNT)
            return pgemm_text_format(why, sizeof why,
                                     "%s: fp16 variant needs family hgemm, tier >= 1 and an "
                                     "hgemm kernel",
                                     d->name);
    } else if (strcmp(d->family, "tile") || d->tier != 0 || v->kernel < 0 ||
               v->kernel >= PGEMM_HIP_SGEMM_COUNT) {
        return pgemm_text_format(why, sizeof why,
                                 "%s: fp32 variant needs family tile, tier 0 and an sgemm kernel",
                                 d->name);
    }
    return NULL;
}

int pgemm_hip_hgemm_supported(pgemm_hip_hgemm_kernel kernel, int nvidia, int arch)
{
    switch (kernel) {
    case PGEMM_HIP_HGEMM_MMA128:
    case PGEMM_HIP_HGEMM_MMA256:
        /* mma.sync m16n8k16 with fp16 operands: Ampere (sm_80) and later. */
        return nvidia && arch >= 80;
    case PGEMM_HIP_HGEMM_WGMMA:
        /* wgmma: sm_90a code, which runs on compute capability 9.0 only. */
        return nvidia && arch == 90;
    case PGEMM_HIP_HGEMM_MFMA:
        /* v_mfma_f32_32x32x8f16: CDNA 1 and 2 (gfx908, gfx90a = 910 here). */
        return !nvidia && (arch == 908 || arch == 910);
    case PGEMM_HIP_HGEMM_FMA:
        return 1;
    case PGEMM_HIP_HGEMM_DOT2:
        /* v_dot2_f32_f16 on AMD: gfx906, gfx908, gfx90a (910 here), gfx1030.
         * NVIDIA runs the same pair loop with two FMAs: offered there so the
         * family's indexing is tested on the GPU that is available. */
        return nvidia || arch == 906 || arch == 908 || arch == 910 || arch == 1030;
    case PGEMM_HIP_HGEMM_COUNT:
        break;
    }
    return 0;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    c = (char)tolower((unsigned char)c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int pgemm_hip_gfx_number(const char *name)
{
    if (!name || strncmp(name, "gfx", 3) != 0) return 0;
    const char *s = name + 3;
    size_t len = 0;
    while (s[len] && s[len] != ':') len++;
    if (len < 3 || len > 4) return 0;
    /* All but the last two characters: the decimal major version. */
    int major = 0;
    for (size_t i = 0; i + 2 < len; i++) {
        if (!isdigit((unsigned char)s[i])) return 0;
        major = major * 10 + (s[i] - '0');
    }
    int minor = hex_digit(s[len - 2]), stepping = hex_digit(s[len - 1]);
    if (major == 0 || minor < 0 || stepping < 0) return 0;
    return major * 100 + minor * 10 + stepping;
}

/* Calls fn on each entry of a ';' or ',' separated list until it returns
 * nonzero; returns that value (0 when none did). */
static int each_target(const char *targets, int (*fn)(const char *t, size_t len, const void *ctx),
                       const void *ctx)
{
    if (!targets) return 0;
    const char *s = targets;
    while (*s) {
        size_t len = strcspn(s, ";,");
        if (len > 0) {
            int r = fn(s, len, ctx);
            if (r) return r;
        }
        s += len;
        if (*s) s++;
    }
    return 0;
}

static int same_text(const char *t, size_t len, const void *ctx)
{
    const char *want = ctx;
    return strlen(want) == len && !strncmp(t, want, len);
}

int pgemm_hip_targets_include(const char *targets, const char *target)
{
    return target && each_target(targets, same_text, target);
}

/* An AMD entry ("gfx90a", maybe with features) naming the device's target. */
static int same_gfx(const char *t, size_t len, const void *ctx)
{
    const char *dev = ctx;
    size_t dev_len = strcspn(dev, ":");
    size_t base = strcspn(t, ":;,");
    if (base > len) base = len;
    return base == dev_len && !strncmp(t, dev, base);
}

/* An NVIDIA entry ("80", "90a") whose code runs on compute capability
 * *ctx (major * 10 + minor). */
static int runs_on(const char *t, size_t len, const void *ctx)
{
    int dev = *(const int *)ctx, n = 0;
    size_t i = 0;
    for (; i < len && isdigit((unsigned char)t[i]); i++) n = n * 10 + (t[i] - '0');
    if (i == 0 || n < 10) return 0;
    int exact = i < len && (t[i] == 'a' || t[i] == 'A');
    if (n / 10 != dev / 10) return 0;
    return exact ? n % 10 == dev % 10 : n % 10 <= dev % 10;
}

int pgemm_hip_targets_cover(const char *targets, int nvidia, int arch, const char *gfx_name)
{
    if (nvidia) return each_target(targets, runs_on, &arch);
    return gfx_name && *gfx_name && each_target(targets, same_gfx, gfx_name);
}
