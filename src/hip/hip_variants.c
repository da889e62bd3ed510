/* SPDX-License-Identifier: BSD-3-Clause */
#include "hip/hip_variants.h"

#include <ctype.h>
#include <string.h>

#include "common/text.h"

/*
 * The shipped variants, in the order the context lists them: every row of
 * hip_kernels/hip_variant_table.h, FP32 rows then FP16 rows (fp16 ones only
 * where pgemm_hip_isa_present says the device has their instructions). The
 * table says what each kernel is; the fields below follow from it:
 *
 * Every HIP kernel runs 256 threads with 16-byte global loads (vector width
 * 4 floats, or 8 halves) and multiplies the last K step whole. The fp32
 * tiles store C as float4s; the fp16 families keep pairs (fma, dot2) or a
 * stage ring (mma, wgmma, mfma) in shared memory, double_buffered = 1 for
 * all of them. The tensor-core kernels work per warp, not per thread: their
 * wg and thread shapes are the nominal 16 x 16 split of the tile that keeps
 * the invariants (tile = wg x thread), for the selector's reuse arithmetic.
 */
/* clang-format off */
#define HIP_ROW(nm, fam, tm, tn, tk, local, half, un, ti, store, kern, needs)                    \
    {.desc = {.name = nm, .family = fam, .tile_m = tm, .tile_n = tn, .tile_k = tk,              \
              .wg_m = 16, .wg_n = 16, .thread_m = (tm) / 16, .thread_n = (tn) / 16,              \
              .vector_width = 4, .local_bytes = local, .double_buffered = 1, .fp16 = half,       \
              .unit = un, .tier = ti, .k_tail_exact = 0, .c_store_width = store,                 \
              .traits = PGEMM_TRAIT_LOCAL_TILES},                                                \
     .kernel = kern, .isa = needs},
#define SGEMM_ROW(id, nm, tm, tn, tk)                                                            \
    HIP_ROW(nm, "tile", tm, tn, tk, PGEMM_HIP_SGEMM_LOCAL(tm, tn, tk), 0, "fma", 0, 4,           \
            PGEMM_HIP_SGEMM_##id, PGEMM_HIP_ISA_ANY)
#define HGEMM_ROW(id, nm, fam, tm, tn, tk, st, wm, un, ti, store, needs)                         \
    HIP_ROW(nm, "hgemm", tm, tn, tk, PGEMM_HIP_HGEMM_LOCAL(fam, tm, tn, tk, st), 1, un, ti,      \
            store, PGEMM_HIP_HGEMM_##id, needs)
/* clang-format on */

static const hip_variant k_variants[] = {PGEMM_HIP_SGEMM_VARIANTS(SGEMM_ROW)
                                             PGEMM_HIP_HGEMM_VARIANTS(HGEMM_ROW)};

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
    unsigned max_local = pgemm_hip_isa_nvidia_only(v->isa) ? 227u * 1024u : 65536u;
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

int pgemm_hip_isa_nvidia_only(pgemm_hip_isa isa)
{
    return isa == PGEMM_HIP_ISA_SM80 || isa == PGEMM_HIP_ISA_SM90A;
}

const char *pgemm_hip_isa_target(pgemm_hip_isa isa)
{
    /* wgmma exists only in sm_90a code, which a plain "90" build lacks. */
    return isa == PGEMM_HIP_ISA_SM90A ? "90a" : NULL;
}

int pgemm_hip_isa_present(pgemm_hip_isa isa, int nvidia, int arch)
{
    switch (isa) {
    case PGEMM_HIP_ISA_ANY: return 1;
    case PGEMM_HIP_ISA_DOT2:
        /* v_dot2_f32_f16 on AMD: gfx906, gfx908, gfx90a (910 here), gfx1030.
         * NVIDIA runs the same pair loop with two FMAs: offered there so the
         * family's indexing is tested on the GPU that is available. */
        return nvidia || arch == 906 || arch == 908 || arch == 910 || arch == 1030;
    case PGEMM_HIP_ISA_MFMA:
        /* v_mfma_f32_32x32x8f16: CDNA 1 and 2 (gfx908, gfx90a = 910 here). */
        return !nvidia && (arch == 908 || arch == 910);
    case PGEMM_HIP_ISA_SM80: return nvidia && arch >= 80;
    case PGEMM_HIP_ISA_SM90A:
        /* sm_90a code runs on compute capability 9.0 only. */
        return nvidia && arch == 90;
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
