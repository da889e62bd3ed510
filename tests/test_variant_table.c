/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The OpenCL variant table (src/opencl/cl_variants.c), without OpenCL:
 * unique names, the descriptor invariants of src/backend.h, every variant
 * accepted by pgemm_cl_variant_invalid() and deliberately broken copies
 * refused, build options carrying exactly the descriptor's values (and only
 * macros the kernel source uses), and NDRange sizes that cover m x n with
 * no spare work-group.
 *
 * usage: test_variant_table KERNEL_DIR   (the cl_kernels/ folder)
 */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opencl/cl_variants.h"
#include "test_util.h"

static const char *g_kernel_dir;

static char *read_text(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", g_kernel_dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = calloc((size_t)n + 1, 1);
    if (text && fread(text, 1, (size_t)n, f) != (size_t)n) text[0] = '\0';
    fclose(f);
    return text;
}

/* Whether `word` occurs in text as a whole identifier. */
static int has_word(const char *text, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = text; (p = strstr(p, word)) != NULL; p += n) {
        int before = p > text && (isalnum((unsigned char)p[-1]) || p[-1] == '_');
        int after = isalnum((unsigned char)p[n]) || p[n] == '_';
        if (!before && !after) return 1;
    }
    return 0;
}

/* Whether the space-separated options contain exactly this token. */
static int has_token(const char *options, const char *token)
{
    size_t n = strlen(token);
    for (const char *p = options; (p = strstr(p, token)) != NULL; p += n)
        if ((p == options || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0')) return 1;
    return 0;
}

typedef struct define {
    const char *name;
    unsigned value;
} define;

/* The -D macros a variant's build must carry, from its descriptor. */
static size_t expected_defines(const cl_variant *v, unsigned build, define *out)
{
    const pgemm_variant_desc *d = &v->desc;
    size_t n = 0;
#define D(name_, value_) (out[n].name = (name_), out[n].value = (unsigned)(value_), n++)
    switch (v->source) {
    case CL_SOURCE_DIRECT:
        D("WGM", d->wg_m); D("WGN", d->wg_n); D("TPM", d->thread_m); D("TPN", d->thread_n);
        break;
    case CL_SOURCE_TILED:
        D("TM", d->tile_m); D("TN", d->tile_n); D("TK", d->tile_k); D("WGM", d->wg_m);
        D("WGN", d->wg_n); D("VW", d->vector_width); D("DB", d->double_buffered);
        D("LVW", v->local_vector); D("LANE_M", v->lane_m);
        /* The K loop unrolls on GPUs only; only float4-loading variants
         * have an aligned build. */
        D("KU", v->unroll_k && (build & PGEMM_CL_BUILD_GPU) ? d->tile_k : 0);
        /* Only an unrolled loop may keep the whole last slab. */
        D("KTAIL", !(v->unroll_k && v->whole_last_step && (build & PGEMM_CL_BUILD_GPU)));
        D("CVEC", v->vector_c);
        D("ALIGNED", (build & PGEMM_CL_BUILD_ALIGNED) && d->vector_width == 4);
        break;
    case CL_SOURCE_VECTOR:
        D("VM", d->thread_m); D("TN", d->thread_n); D("WGM", d->wg_m); D("WGN", d->wg_n);
        break;
    case CL_SOURCE_SUM:
        D("WGM", d->wg_m);
        D("WGN", d->wg_n);
        break;
    }
#undef D
    return n;
}

static void check_options(const cl_variant *v, const char *common_src, const char *family_src)
{
    const char *name = v->desc.name;
    define defs[16];
    CHECK_MSG(pgemm_cl_variant_has_aligned_build(v) ==
                  (v->source == CL_SOURCE_TILED && v->desc.vector_width == 4),
              "%s: has an aligned build %d", name, pgemm_cl_variant_has_aligned_build(v));
    for (unsigned build = 0; build < 4; build++)
    for (int ta = 0; ta < 2; ta++)
        for (int tb = 0; tb < 2; tb++) {
            size_t ndefs = expected_defines(v, build, defs);
            CHECK_MSG(ndefs > 0,
                      "%s: family source %d unknown to this test: update test_variant_table",
                      name, (int)v->source);
            char options[1024], token[64];
            memset(options, 0, sizeof options);
            CHECK(pgemm_cl_build_options(v, ta, tb, build, options, sizeof options) == options);
            /* cl_program.c builds into char[512]: the options must fit. */
            CHECK_MSG(strlen(options) < 512, "%s: options of %zu chars", name, strlen(options));
            CHECK_MSG(has_token(options, "-cl-std=CL1.1"), "%s: no -cl-std=CL1.1 in \"%s\"",
                      name, options);
            snprintf(token, sizeof token, "-DTRANS_A=%d", ta);
            CHECK_MSG(has_token(options, token), "%s: no %s in \"%s\"", name, token, options);
            snprintf(token, sizeof token, "-DTRANS_B=%d", tb);
            CHECK_MSG(has_token(options, token), "%s: no %s in \"%s\"", name, token, options);
            for (size_t i = 0; i < ndefs; i++) {
                snprintf(token, sizeof token, "-D%s=%u", defs[i].name, defs[i].value);
                CHECK_MSG(has_token(options, token), "%s (TRANS %d%d): no %s in \"%s\"", name, ta,
                          tb, token, options);
            }
            /* Each macro once, and each one used by the kernel source. */
            for (const char *p = options; (p = strstr(p, "-D")) != NULL; p += 2) {
                char macro[64];
                size_t len = strcspn(p + 2, "= ");
                if (len == 0 || len >= sizeof macro) continue;
                memcpy(macro, p + 2, len);
                macro[len] = '\0';
                char prefix[70];
                snprintf(prefix, sizeof prefix, "-D%s=", macro);
                CHECK_MSG(strstr(p + 2, prefix) == NULL, "%s: %s defined twice in \"%s\"", name,
                          macro, options);
                if (common_src && family_src)
                    CHECK_MSG(has_word(family_src, macro) || has_word(common_src, macro),
                              "%s: option -D%s is not used by %s or common.cl", name, macro,
                              pgemm_cl_source_file(v->source));
            }
        }
    /* A short buffer is truncated, terminated, and not overrun. */
    char small[24];
    memset(small, 'Z', sizeof small);
    pgemm_cl_build_options(v, 1, 0, PGEMM_CL_BUILD_ALIGNED, small, 16);
    CHECK_MSG(strnlen(small, 16) < 16 && small[16] == 'Z' && small[23] == 'Z',
              "%s: pgemm_cl_build_options overran or did not terminate a 16-byte buffer", name);
}

static void check_ndrange(const cl_variant *v)
{
    const pgemm_variant_desc *d = &v->desc;
    size_t sizes[] = {1, d->tile_m - 1, d->tile_m, d->tile_m + 1, d->tile_n - 1, d->tile_n,
                      d->tile_n + 1, 2 * d->tile_m + 3, 1000, 4097};
    size_t batches[] = {1, 7};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        for (size_t j = 0; j < sizeof sizes / sizeof sizes[0]; j++)
            for (size_t b = 0; b < 2; b++) {
                size_t m = sizes[i], n = sizes[j];
                if (m == 0 || n == 0) continue;
                size_t g[3] = {0}, l[3] = {0};
                pgemm_cl_ndrange(v, m, n, batches[b], g, l);
                int ok = l[0] == d->wg_m && l[1] == d->wg_n && l[2] == 1 && g[2] == batches[b] &&
                         g[0] % l[0] == 0 && g[1] % l[1] == 0;
                if (ok) {
                    size_t gm = g[0] / l[0], gn = g[1] / l[1];
                    /* Covers m x n, with no work-group left idle. */
                    ok = gm * d->tile_m >= m && (gm - 1) * d->tile_m < m &&
                         gn * d->tile_n >= n && (gn - 1) * d->tile_n < n;
                }
                CHECK_MSG(ok, "%s: ndrange(%zu, %zu, %zu) = global {%zu %zu %zu} local {%zu %zu %zu}",
                          d->name, m, n, batches[b], g[0], g[1], g[2], l[0], l[1], l[2]);
            }
}

static void check_descriptor(const cl_variant *v)
{
    const pgemm_variant_desc *d = &v->desc;
    CHECK_MSG(d->name && d->name[0], "a variant without a name");
    CHECK_MSG(d->family && d->family[0], "%s: no family", d->name);
    const char *why = pgemm_cl_variant_invalid(v);
    CHECK_MSG(why == NULL, "%s reported invalid: %s", d->name, why);
    /* The invariants of src/backend.h, checked here independently. */
    CHECK_MSG(d->tile_m == d->wg_m * d->thread_m && d->tile_n == d->wg_n * d->thread_n,
              "%s: tile %ux%u != work-group %ux%u x thread tile %ux%u", d->name, d->tile_m,
              d->tile_n, d->wg_m, d->wg_n, d->thread_m, d->thread_n);
    CHECK_MSG(d->wg_m * d->wg_n >= 1 && d->wg_m * d->wg_n <= 256, "%s: %u work-items", d->name,
              d->wg_m * d->wg_n);
    CHECK_MSG(d->tile_k >= 1 && d->vector_width >= 1, "%s: tile_k %u, vector width %u", d->name,
              d->tile_k, d->vector_width);
    CHECK_MSG(d->local_bytes <= 32768, "%s: %u bytes of local memory", d->name, d->local_bytes);
    CHECK_MSG(d->double_buffered >= 0 && d->double_buffered <= 2, "%s: double_buffered %d",
              d->name, d->double_buffered);
    if (v->source == CL_SOURCE_TILED) {
        /* At least the two slabs (twice when double-buffered, DB = 1) must
         * fit in what the table declares. */
        unsigned need = (1u + (d->double_buffered == 1)) * d->tile_k * (d->tile_m + d->tile_n) * 4;
        CHECK_MSG(d->local_bytes >= need, "%s: declares %u bytes of local memory, slabs need %u",
                  d->name, d->local_bytes, need);
    }
    const char *file = pgemm_cl_source_file(v->source);
    CHECK_MSG(file && strstr(file, ".cl"), "%s: source file \"%s\"", d->name, file ? file : "");
    /* The traits the selector reads follow the kernel's design: local tiles
     * exactly where local memory is used, vectors for loop drivers, the
     * small-problem kernel only without either. */
    unsigned t = d->traits;
    CHECK_MSG(!(t & PGEMM_TRAIT_LOCAL_TILES) == (d->local_bytes == 0),
              "%s: traits %#x with %u bytes of local memory", d->name, t, d->local_bytes);
    CHECK_MSG(!(t & PGEMM_TRAIT_LOOP_DRIVERS) == (v->source != CL_SOURCE_VECTOR) &&
                  !(t & PGEMM_TRAIT_ITEM_VECTORS) == (v->source != CL_SOURCE_VECTOR),
              "%s: traits %#x for %s", d->name, t, file ? file : "?");
    CHECK_MSG(!(t & PGEMM_TRAIT_SMALL_PROBLEMS) ||
                  !(t & (PGEMM_TRAIT_LOCAL_TILES | PGEMM_TRAIT_ITEM_VECTORS)),
              "%s: the small-problem kernel with traits %#x", d->name, t);
}

/* Broken copies of a sound variant must be refused, naming the variant. */
static void check_refusals(void)
{
    const cl_variant *tiled = NULL;
    for (size_t i = 0; i < pgemm_cl_variant_count(); i++)
        if (pgemm_cl_variant(i)->source == CL_SOURCE_TILED && !tiled) tiled = pgemm_cl_variant(i);
    REQUIRE(tiled != NULL);
    struct {
        const char *what;
        cl_variant v;
    } bad[16];
    size_t n = 0;
#define BAD(text, stmt)                                                                  \
    do {                                                                                 \
        bad[n].what = (text);                                                            \
        bad[n].v = *tiled;                                                               \
        bad[n].v.desc.name = "broken";                                                   \
        { cl_variant *x = &bad[n].v; stmt; }                                             \
        n++;                                                                             \
    } while (0)
    BAD("tile_m != wg_m * thread_m", x->desc.tile_m += x->desc.wg_m);
    BAD("tile_n != wg_n * thread_n", x->desc.thread_n += 1);
    BAD("too many work-items", (x->desc.wg_m *= 2, x->desc.wg_n *= 2, x->desc.tile_m *= 2,
                           x->desc.tile_n *= 2));
    BAD("48 KiB of local memory", x->desc.local_bytes = 48 * 1024);
    BAD("vector width 3", x->desc.vector_width = 3);
    BAD("slabs that do not split", (x->desc.tile_k = 3, x->desc.vector_width = 4));
    BAD("an empty work-group", (x->desc.wg_m = 0, x->desc.tile_m = 0));
    BAD("lane_m 4", x->lane_m = 4);
    BAD("lane_m 8 on a 2-row work-group", (x->lane_m = 8, x->desc.wg_n = 2,
                                            x->desc.tile_n = 2 * x->desc.thread_n));
    BAD("float4 C stores with LVW 1", (x->local_vector = 1, x->vector_c = 1));
    BAD("an unrolled direct kernel", (x->source = CL_SOURCE_DIRECT, x->unroll_k = 1));
    BAD("a whole last step in a rolled loop", (x->unroll_k = 0, x->whole_last_step = 1));
#undef BAD
    for (size_t i = 0; i < n; i++) {
        const char *why = pgemm_cl_variant_invalid(&bad[i].v);
        CHECK_MSG(why != NULL, "a variant with %s is reported sound", bad[i].what);
        if (why) CHECK_CONTAINS(why, "broken");
    }
}

int main(int argc, char **argv)
{
    test_begin("test_variant_table");
    g_kernel_dir = argc > 1 ? argv[1] : NULL;
    size_t count = pgemm_cl_variant_count();
    REQUIRE(count > 0);
    CHECK(pgemm_cl_variant(count) == NULL);
    char *common = g_kernel_dir ? read_text("common.cl") : NULL;
    CHECK_MSG(!g_kernel_dir || common, "cannot read %s/common.cl", g_kernel_dir);
    for (size_t i = 0; i < count; i++) {
        const cl_variant *v = pgemm_cl_variant(i);
        REQUIRE(v != NULL);
        for (size_t j = 0; j < i; j++)
            CHECK_MSG(strcmp(v->desc.name, pgemm_cl_variant(j)->desc.name) != 0,
                      "variants %zu and %zu are both named \"%s\"", j, i, v->desc.name);
        check_descriptor(v);
        char *family = g_kernel_dir ? read_text(pgemm_cl_source_file(v->source)) : NULL;
        CHECK_MSG(!g_kernel_dir || family, "%s: cannot read %s/%s", v->desc.name, g_kernel_dir,
                  pgemm_cl_source_file(v->source));
        check_options(v, common, family);
        check_ndrange(v);
        free(family);
        char options[512];
        pgemm_cl_build_options(v, 0, 0, 0, options, sizeof options);
        printf("  %-12s %-6s %3ux%-3u k%-2u wg %2ux%-2u %-9s %s\n", v->desc.name, v->desc.family,
               v->desc.tile_m, v->desc.tile_n, v->desc.tile_k, v->desc.wg_m, v->desc.wg_n,
               pgemm_cl_source_file(v->source), options);
    }
    /* Split-K's sum builds and launches as a variant does (TRANS_A and
     * TRANS_B are defined for common.cl, and the backend builds it NN). */
    const cl_variant *sum = pgemm_cl_sum_kernel();
    CHECK_MSG(pgemm_cl_variant_invalid(sum) == NULL, "sum_parts: %s",
              pgemm_cl_variant_invalid(sum));
    char *sum_src = g_kernel_dir ? read_text(pgemm_cl_source_file(sum->source)) : NULL;
    CHECK_MSG(!g_kernel_dir || sum_src, "cannot read %s/sum_parts.cl", g_kernel_dir);
    check_options(sum, common, sum_src);
    check_ndrange(sum);
    free(sum_src);
    size_t small = 0;
    for (size_t i = 0; i < count; i++)
        small += (pgemm_cl_variant(i)->desc.traits & PGEMM_TRAIT_SMALL_PROBLEMS) != 0;
    CHECK_MSG(small == 1, "%zu small-problem kernels (one)", small);
    check_refusals();
    free(common);
    printf("test_variant_table: %zu variants\n", count);
    return test_finish();
}
