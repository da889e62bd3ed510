/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The selector's trained models (selector/model*.c, select.c), without a GPU:
 * synthetic variants, a synthetic device and measurements from a formula in
 * which different tiles win in different regions of shape space.
 *
 *   a) training learns the formula: cross-validated regret and picks on
 *      fresh shapes;
 *   b) training is deterministic (byte-identical files), gbt and knn both;
 *   c) save / load round trip: same predictions, same file;
 *   d) damaged files are refused with the reason;
 *   e) a model for another device, backend, precision, unit count or
 *      kernel set is refused; another driver is only noted;
 *   f) the selector: heuristic without a model, the model from its folder
 *      (past a damaged file and another device's), the decision cache;
 *   g) pgemm_regret_of on known regrets;
 *   h) hostile files with a right checksum (what a fuzzer makes): counts
 *      out of range or not whole numbers, sizes that wrap, non-finite
 *      numbers, files of a few bytes;
 *   i) the search never waits on a FIFO, names every refused file with its
 *      reason (log and source), keeps other devices' models quiet, reads
 *      folders of any size and refuses paths too long;
 *   j) threads saving one path at once;
 *   k) the tiers: this device's model first, else one of a device of the same
 *      architecture (fed this device's unit count), else one of the same
 *      family; never another family's, a format-2 file of another device, or
 *      one of another kernel set or precision.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/log.h"
#include "common/text.h"
#include "selector/features.h"
#include "selector/model.h"
#include "selector/selector.h"
#include "test_util.h"

enum { NV = 4, TRAIN = 150, FRESH = 200 };

static const pgemm_variant_desc g_desc[NV + 1] = {
    {"t16", "tile", 16, 16, 8, 8, 8, 2, 2, 1, 1024, 0, 0, "fma", 0, 0, 1, PGEMM_TRAIT_LOCAL_TILES},
    {"t32", "tile", 32, 32, 8, 8, 8, 4, 4, 2, 2048, 0, 0, "fma", 0, 0, 1, PGEMM_TRAIT_LOCAL_TILES},
    {"t64", "tile", 64, 64, 16, 16, 16, 4, 4, 4, 8192, 1, 0, "fma", 0, 0, 1,
     PGEMM_TRAIT_LOCAL_TILES},
    {"t128", "tile", 128, 64, 16, 16, 16, 8, 4, 4, 12288, 1, 0, "fma", 0, 0, 1,
     PGEMM_TRAIT_LOCAL_TILES},
    /* Not a candidate on a GPU: only in the backend list of part f. */
    {"vec8", "vec", 8, 8, 1, 1, 1, 8, 8, 8, 0, 0, 0, "fma", 0, 0, 1,
     PGEMM_TRAIT_ITEM_VECTORS | PGEMM_TRAIT_LOOP_DRIVERS},
};
static const pgemm_variant_desc *g_var[NV] = {&g_desc[0], &g_desc[1], &g_desc[2], &g_desc[3]};
/* The backend list of part f: the vec variant first, so that model variant
 * i is backend variant i + 1. */
static const pgemm_variant_desc *g_backend[NV + 1] = {&g_desc[4], &g_desc[0], &g_desc[1],
                                                      &g_desc[2], &g_desc[3]};
static pgemm_info g_info = {.backend = PGEMM_BACKEND_OPENCL, .backend_name = "opencl",
                            .device = "Test GPU", .driver = "1.0", .device_is_cpu = 0,
                            .compute_units = 16};
static char g_dir[64];

static uint64_t lcg(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return *s >> 33;
}

static pgemm_shape random_shape(uint64_t *st)
{
    size_t d[3];
    for (int i = 0; i < 3; i++) {
        double e = 3.0 + 8.0 * (double)(lcg(st) % 10000) / 10000.0; /* 8 .. 2048 */
        d[i] = (size_t)pow(2.0, e);
        if (lcg(st) % 3 == 0) d[i] |= 1; /* a third ragged */
    }
    pgemm_shape s = {d[0], d[1], d[2], 1, (int)(lcg(st) & 1), (int)(lcg(st) & 1), 0, 0, 0};
    s.vectors = pgemm_shape_packed_vectors(&s);
    return s;
}

/* The "measured" GFLOP/s: a function of the features, so learnable. Small
 * tiles win where big ones leave compute units idle; big tiles lose more on
 * ragged sizes (which the heuristic does not know). */
static double formula(size_t v, const pgemm_shape *s)
{
    static const double base[NV] = {20, 40, 80, 160}, pen[NV] = {0, 0.1, 0.4, 0.6};
    double f[PGEMM_FEATURES];
    pgemm_features(g_var[v], s, g_info.compute_units, f);
    double par = fmin(1.0, exp2(f[5]));
    double sat = exp2(f[11]) / (exp2(f[11]) + 65536.0);
    return base[v] * f[4] * par * (1 - pen[v] * (1 - f[10])) * (0.2 + 0.8 * sat);
}

/* The best of variants 0 .. nv-1 by the formula. */
static size_t formula_best(const pgemm_shape *s, size_t nv)
{
    size_t best = 0;
    for (size_t v = 1; v < nv; v++)
        if (formula(v, s) > formula(best, s)) best = v;
    return best;
}

/* count shapes x NV samples, the samples of a shape contiguous. */
static pgemm_sample *make_samples(uint64_t seed, size_t count)
{
    pgemm_sample *out = calloc(count * NV, sizeof *out);
    REQUIRE(out);
    for (size_t i = 0; i < count; i++) {
        pgemm_shape s = random_shape(&seed);
        for (size_t v = 0; v < NV; v++) {
            out[i * NV + v].shape = s;
            out[i * NV + v].variant = v;
            out[i * NV + v].gflops = formula(v, &s);
        }
    }
    return out;
}

static pgemm_model *train(const pgemm_model_key *key, const pgemm_sample *s,
                          pgemm_model_family family, pgemm_regret_stats *cv)
{
    pgemm_train_options o;
    pgemm_train_defaults(&o);
    o.family = family;
    pgemm_err err = {{0}};
    pgemm_model *m = pgemm_model_fit(key, g_var, NV, s, TRAIN * NV, &o, cv, &err);
    CHECK_MSG(m != NULL, "training (family %d) failed: %s", (int)family, err.msg);
    return m;
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    REQUIRE(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = malloc((size_t)n + 1);
    REQUIRE(p && fread(p, 1, (size_t)n, f) == (size_t)n);
    fclose(f);
    p[n] = '\0';
    *len = (size_t)n;
    return p;
}

static void write_all(const char *path, const char *p, size_t len)
{
    FILE *f = fopen(path, "wb");
    REQUIRE(f && fwrite(p, 1, len, f) == len && fclose(f) == 0);
}

static const char *tmp(const char *name)
{
    static char path[8][256];
    static int next;
    char *p = path[next++ % 8];
    snprintf(p, sizeof path[0], "%s/%s", g_dir, name);
    return p;
}

static void save(const pgemm_model *m, const char *path)
{
    pgemm_err err = {{0}};
    CHECK_MSG(pgemm_model_save(m, path, &err) == 0, "saving %s: %s", path, err.msg);
}

static int same_file(const char *a, const char *b)
{
    size_t la, lb;
    char *pa = read_all(a, &la), *pb = read_all(b, &lb);
    int same = la == lb && memcmp(pa, pb, la) == 0;
    free(pa);
    free(pb);
    return same;
}

/* b, c: a model saved, loaded, predicting the same and saved again the same. */
static void round_trip(const pgemm_model *m, const char *name)
{
    char a[256], b[300];
    snprintf(a, sizeof a, "%s", tmp(name));
    snprintf(b, sizeof b, "%s.again", a);
    save(m, a);
    pgemm_err err = {{0}};
    pgemm_model *l = pgemm_model_load(a, &err);
    CHECK_MSG(l != NULL, "loading %s: %s", a, err.msg);
    if (!l) return;
    CHECK(l->family == m->family && l->variant_count == m->variant_count);
    CHECK(!memcmp(&l->key, &m->key, sizeof l->key));
    uint64_t st = 4242;
    double worst = 0;
    for (int i = 0; i < 50; i++) {
        pgemm_shape s = random_shape(&st);
        for (size_t v = 0; v < NV; v++) {
            double p = pgemm_model_predict(m, v, &s), q = pgemm_model_predict(l, v, &s);
            worst = fmax(worst, fabs(p - q) / fabs(p));
        }
    }
    CHECK_MSG(worst <= 1e-6, "%s: loaded model predicts up to %.3g off", name, worst);
    save(l, b);
    CHECK_MSG(same_file(a, b), "%s: saving the loaded model gives another file", name);
    pgemm_model_free(l);
    unlink(b);
}

/* d: the file at path is refused, and the reason contains `want`. */
static void refused(const char *path, const char *want, const char *what)
{
    pgemm_err err = {{0}};
    pgemm_model *m = pgemm_model_load(path, &err);
    CHECK_MSG(m == NULL, "%s: loaded", what);
    pgemm_model_free(m);
    CHECK_MSG(err.msg[0] && strstr(err.msg, want), "%s: reason \"%s\" lacks \"%s\"", what,
              err.msg, want);
}

static uint64_t fnv1a(const char *p, size_t n)
{
    uint64_t h = 14695981039346656037ull;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 1099511628211ull;
    }
    return h;
}

static void damaged_files(const char *good_path)
{
    char good[256];
    snprintf(good, sizeof good, "%s", good_path); /* tmp() reuses its buffers */
    size_t len;
    char *data = read_all(good, &len);
    char *copy = malloc(len + 64);
    REQUIRE(copy);
    memcpy(copy, data, len);
    copy[len / 2] ^= 0x01;
    write_all(tmp("flip.model"), copy, len);
    refused(tmp("flip.model"), "checksum", "one byte flipped");
    write_all(tmp("half.model"), data, len / 2);
    refused(tmp("half.model"), "checksum", "truncated to half");
    write_all(tmp("empty.model"), data, 0);
    refused(tmp("empty.model"), "not a pgemm model", "empty file");
    refused(tmp("missing.model"), "No such file", "nonexistent path");
    /* Version 9: first with the old checksum, then with a correct one. */
    memcpy(copy, data, len);
    char head[32];
    int hn = snprintf(head, sizeof head, "pgemm-model %d\n", PGEMM_MODEL_VERSION);
    REQUIRE(hn == 14 && !strncmp(copy, head, 14));
    copy[12] = '9';
    write_all(tmp("v9.model"), copy, len);
    refused(tmp("v9.model"), "checksum", "version 9, old checksum");
    char *sum = copy + len - 1;
    while (sum > copy && sum[-1] != '\n') sum--;
    REQUIRE(!strncmp(sum, "checksum ", 9));
    size_t body = (size_t)(sum - copy);
    int n = snprintf(sum, 64, "checksum %016llx\n", (unsigned long long)fnv1a(copy, body));
    write_all(tmp("v9.model"), copy, body + (size_t)n);
    refused(tmp("v9.model"), "version 9", "version 9, correct checksum");
    /* The same rewrite with the version kept is accepted: the checksum is right. */
    copy[12] = (char)('0' + PGEMM_MODEL_VERSION);
    n = snprintf(sum, 64, "checksum %016llx\n", (unsigned long long)fnv1a(copy, body));
    write_all(tmp("v1.model"), copy, body + (size_t)n);
    CHECK(same_file(tmp("v1.model"), good));
    /* Consistent checksum, broken body: the level block's first tree cut
     * short, then a level line naming no trees. */
    memcpy(copy, data, len);
    char *lv = strstr(copy, "\nlevel trees ");
    REQUIRE(lv);
    char *tree = strstr(lv, "\ntree ");
    REQUIRE(tree);
    tree[7] = 'x';
    n = snprintf(sum, 64, "checksum %016llx\n", (unsigned long long)fnv1a(copy, body));
    write_all(tmp("tree.model"), copy, body + (size_t)n);
    refused(tmp("tree.model"), "level: tree 1 is malformed", "a malformed level tree");
    memcpy(copy, data, len);
    lv = strstr(copy, "\nlevel trees ");
    lv[13] = '0';
    lv[14] = ' ';
    n = snprintf(sum, 64, "checksum %016llx\n", (unsigned long long)fnv1a(copy, body));
    write_all(tmp("notree.model"), copy, body + (size_t)n);
    refused(tmp("notree.model"), "level: 0 trees", "a level with no trees");
    free(data);
    free(copy);
}

static void mismatches(const pgemm_model *m)
{
    char why[PGEMM_REASON_LEN];
    int dd = -1;
    pgemm_model_key k = m->key;
    CHECK(pgemm_model_mismatch(m, &k, &dd, why, sizeof why) == NULL && dd == 0);
    pgemm_text_copy(k.driver, sizeof k.driver, "2.0");
    CHECK(pgemm_model_mismatch(m, &k, &dd, why, sizeof why) == NULL && dd == 1);
    const char *fields[] = {"backend", "device", "precision", "compute_units", "kernel_set"};
    for (int i = 0; i < 5; i++) {
        k = m->key;
        if (i == 0) strcpy(k.backend, "hip");
        if (i == 1) strcpy(k.device, "Other GPU");
        if (i == 2) strcpy(k.precision, "fp16");
        if (i == 3) k.compute_units = 32;
        if (i == 4) {
            pgemm_variant_desc t64 = g_desc[2];
            t64.tile_k = 32;
            const pgemm_variant_desc *other[NV] = {g_var[0], g_var[1], &t64, g_var[3]};
            pgemm_kernel_set_hash(other, NV, k.kernel_set);
            CHECK_MSG(strcmp(k.kernel_set, m->key.kernel_set) != 0,
                      "kernel set hash %s unchanged by a tile_k", k.kernel_set);
        }
        why[0] = '\0';
        const char *r = pgemm_model_mismatch(m, &k, &dd, why, sizeof why);
        CHECK_MSG(r != NULL && why[0], "another %s is not a mismatch", fields[i]);
    }
}

/* g: choosers over samples from the formula in which variant NV - 1 runs
 * at half the best of the others: the truly best, and always NV - 1. */
static size_t choose_known(const pgemm_shape *sh, void *pick_best)
{
    return *(int *)pick_best ? formula_best(sh, NV - 1) : NV - 1;
}

static void regret_known(const pgemm_sample *train_s)
{
    enum { SH = 40 };
    pgemm_sample *s = malloc(SH * NV * sizeof *s);
    REQUIRE(s);
    memcpy(s, train_s, SH * NV * sizeof *s);
    /* Variant NV - 1 at exactly half of the best of the others. */
    for (size_t i = 0; i < SH; i++) {
        double best = 0;
        for (size_t v = 0; v + 1 < NV; v++) best = fmax(best, s[i * NV + v].gflops);
        s[i * NV + NV - 1].gflops = 0.5 * best;
    }
    pgemm_regret_stats r;
    int pick_best = 1;
    pgemm_regret_of(s, SH * NV, choose_known, &pick_best, &r);
    CHECK_MSG(r.shapes == SH && r.geomean == 1.0 && r.exact == 1.0 && r.worst == 1.0,
              "best chooser: %zu shapes, geomean %g, exact %g", r.shapes, r.geomean, r.exact);
    pick_best = 0;
    pgemm_regret_of(s, SH * NV, choose_known, &pick_best, &r);
    CHECK_MSG(r.shapes == SH && fabs(r.geomean - 0.5) < 1e-9 && fabs(r.worst - 0.5) < 1e-12 &&
                  r.exact == 0.0,
              "half chooser: geomean %.12g worst %g exact %g", r.geomean, r.worst, r.exact);
    free(s);
}

static void selector_part(const pgemm_sample *s)
{
    char models[256];
    snprintf(models, sizeof models, "%s", tmp("models"));
    REQUIRE(mkdir(models, 0700) == 0);
    pgemm_selector sel;
    pgemm_selector_init(&sel, g_backend, NV + 1, &g_info, &(pgemm_model_dirs){.user = models});
    CHECK_MSG(sel.p[0].model == NULL && !strncmp(sel.p[0].source, "heuristic (no model", 19),
              "empty folder: source \"%s\"", sel.p[0].source);
    uint64_t st = 99;
    for (int i = 0; i < 20; i++) {
        pgemm_shape sh = random_shape(&st);
        pgemm_selection a, b;
        pgemm_select(&sel, g_backend, NV + 1, &sh, &g_info, &a);
        pgemm_select_heuristic(g_backend, NV + 1, &sh, &g_info, &b);
        CHECK(a.variant == b.variant && a.variant != 0);
    }
    pgemm_selector_free(&sel);

    pgemm_model_key key;
    pgemm_selector_key(&key, g_backend, NV + 1, &g_info, 0);
    pgemm_model *m = train(&key, s, PGEMM_MODEL_AUTO, NULL), *other;
    REQUIRE(m);
    char good[300], bad[300], dev[300]; /* bad sorts first */
    snprintf(good, sizeof good, "%s/x.model", models);
    snprintf(bad, sizeof bad, "%s/a.model", models);
    snprintf(dev, sizeof dev, "%s/b.model", models);
    /* Another device's model alone: passed over quietly. */
    pgemm_text_copy(key.device, sizeof key.device, "Other GPU");
    REQUIRE((other = train(&key, s, PGEMM_MODEL_KNN, NULL)));
    save(other, dev);
    pgemm_model_free(other);
    pgemm_selector_init(&sel, g_backend, NV + 1, &g_info, &(pgemm_model_dirs){.user = models});
    CHECK_MSG(sel.p[0].model == NULL && !strncmp(sel.p[0].source, "heuristic (no model", 19),
              "another device's model: source \"%s\"", sel.p[0].source);
    pgemm_selector_free(&sel);
    /* A damaged model of this device alone: refused, with the reason. */
    save(m, good);
    size_t len;
    char *data = read_all(good, &len);
    data[len / 2] ^= 0x01;
    write_all(bad, data, len);
    free(data);
    unlink(good);
    pgemm_selector_init(&sel, g_backend, NV + 1, &g_info, &(pgemm_model_dirs){.user = models});
    CHECK_MSG(sel.p[0].model == NULL && !strncmp(sel.p[0].source, "heuristic (refused", 18) &&
                  strstr(sel.p[0].source, "checksum"),
              "damaged model: source \"%s\"", sel.p[0].source);
    pgemm_selector_free(&sel);
    /* With the good one beside them: the good one is used. */
    save(m, good);
    pgemm_selector_init(&sel, g_backend, NV + 1, &g_info, &(pgemm_model_dirs){.user = models});
    CHECK(sel.p[0].model != NULL);
    CHECK_MSG(!strncmp(sel.p[0].source, "model ", 6) && strstr(sel.p[0].source, good) &&
                  !strstr(sel.p[0].source, "b.model"),
              "source \"%s\"", sel.p[0].source);
    CHECK_CONTAINS(sel.p[1].source, "no fp16 tiles");
    /* The same folder named as the shipped models' (the others empty or
     * missing) is searched as well. */
    {
        pgemm_selector shipped;
        pgemm_model_dirs where = {.user = tmp("no-such-folder"), .cache = NULL, .shipped = models};
        pgemm_selector_init(&shipped, g_backend, NV + 1, &g_info, &where);
        CHECK_MSG(shipped.p[0].model != NULL && strstr(shipped.p[0].source, good),
                  "shipped: source \"%s\"", shipped.p[0].source);
        pgemm_selector_free(&shipped);
    }
    size_t differ = 0;
    st = 7;
    for (int i = 0; i < 60; i++) {
        pgemm_shape sh = random_shape(&st);
        pgemm_selection a, h;
        size_t want = 1 + pgemm_model_best(m, &sh, NULL);
        pgemm_select(&sel, g_backend, NV + 1, &sh, &g_info, &a);
        pgemm_select_heuristic(g_backend, NV + 1, &sh, &g_info, &h);
        differ += h.variant != want;
        CHECK_MSG(a.variant == want, "%zux%zux%zu: selector ran %zu, model best %zu", sh.m,
                  sh.n, sh.k, a.variant, want);
        CHECK_MSG(!strncmp(a.why, "model", 5) && !strstr(a.why, "cached"), "why: %s", a.why);
        pgemm_selection again;
        pgemm_select(&sel, g_backend, NV + 1, &sh, &g_info, &again);
        CHECK(again.variant == a.variant);
        CHECK_CONTAINS(again.why, "cached");
    }
    CHECK_MSG(differ > 0, "the model never differs from the heuristic: part f proves little");
    pgemm_selector_free(&sel);
    pgemm_model_free(m);
}

/* ------------------------------------------------ h) hostile model files */

/* The model file at path without its checksum line (malloc'd, *len bytes). */
static char *body_of(const char *path, size_t *len)
{
    char *p = read_all(path, len);
    char *sum = p + *len - 1;
    while (sum > p && sum[-1] != '\n') sum--;
    REQUIRE(!strncmp(sum, "checksum ", 9));
    *len = (size_t)(sum - p);
    *sum = '\0';
    return p;
}

/* Writes body and the checksum line that matches it: a file only the
 * loader's own checks can refuse. */
static void write_signed(const char *path, const char *body, size_t len)
{
    char sum[64];
    int n = snprintf(sum, sizeof sum, "checksum %016llx\n", (unsigned long long)fnv1a(body, len));
    FILE *f = fopen(path, "wb");
    REQUIRE(f && fwrite(body, 1, len, f) == len && fwrite(sum, 1, (size_t)n, f) == (size_t)n);
    REQUIRE(fclose(f) == 0);
}

/* body with from[0 .. from_len-1] replaced by `to`; from must lie in body. */
static char *spliced(const char *body, const char *from, size_t from_len, const char *to)
{
    size_t at = (size_t)(from - body), tail = strlen(from + from_len), tn = strlen(to);
    char *out = malloc(at + tn + tail + 1);
    REQUIRE(out);
    memcpy(out, body, at);
    memcpy(out + at, to, tn);
    memcpy(out + at + tn, from + from_len, tail + 1);
    return out;
}

/* The start of the line `skip` lines after the first line that begins with
 * anchor, and (line_no) its number. */
static const char *line_at(const char *body, const char *anchor, int skip, int *line_no)
{
    const char *p = body;
    if (strncmp(body, anchor, strlen(anchor)) != 0) {
        char nl_anchor[64];
        snprintf(nl_anchor, sizeof nl_anchor, "\n%s", anchor);
        p = strstr(body, nl_anchor);
        REQUIRE(p);
        p++;
    }
    for (int i = 0; i < skip; i++) {
        p = strchr(p, '\n');
        REQUIRE(p);
        p++;
    }
    *line_no = 1;
    for (const char *q = body; q < p; q++) *line_no += *q == '\n';
    return p;
}

enum { LEAF = -1, THRESHOLD = -2 };

/* body with one token replaced by repl: token k (0 first) of the line that
 * line_at names, or with k == LEAF (THRESHOLD) the value of the line's
 * first leaf (split). */
static char *edit(const char *body, const char *anchor, int skip, int k, const char *repl,
                  int *line_no)
{
    const char *t = line_at(body, anchor, skip, line_no);
    int hit = 0;
    for (int i = 0; k >= 0 ? i < k : !hit; i++) {
        size_t n = strcspn(t, " \n");
        REQUIRE(t[n] == ' ');
        hit = n == 1 && t[0] == (k == LEAF ? 'l' : 's');
        t += n + 1;
    }
    if (k == THRESHOLD) { /* past the split's feature */
        size_t n = strcspn(t, " \n");
        REQUIRE(t[n] == ' ');
        t += n + 1;
    }
    return spliced(body, t, strcspn(t, " \n"), repl);
}

/* The edited file (body, signed) is refused; the reason has `want` and,
 * line_no > 0, names that line. */
static void refused_body(const char *body, int line_no, const char *want, const char *what)
{
    write_signed(tmp("edit.model"), body, strlen(body));
    pgemm_err err = {{0}};
    pgemm_model *m = pgemm_model_load(tmp("edit.model"), &err);
    CHECK_MSG(m == NULL, "%s: loaded", what);
    pgemm_model_free(m);
    CHECK_MSG(strstr(err.msg, want), "%s: reason \"%s\" lacks \"%s\"", what, err.msg, want);
    if (line_no > 0) {
        char at[32];
        snprintf(at, sizeof at, "line %d:", line_no);
        CHECK_MSG(strstr(err.msg, at), "%s: reason \"%s\" does not name line %d", what, err.msg,
                  line_no);
    }
}

static void refused_edit(const char *body, const char *anchor, int skip, int k, const char *repl,
                         const char *want, const char *what)
{
    int line_no;
    char *e = edit(body, anchor, skip, k, repl, &line_no);
    refused_body(e, line_no, want, what);
    free(e);
}

/* Counts: every one bounded, parsed whole, and held to what the family and
 * the rest of the file allow. */
static void hostile_counts(const char *g, const char *k)
{
    /* A gbt variant claiming 2^61 points (x 25 x 8 bytes wraps to 0) and a
     * point line after its trees to copy. */
    int line_no;
    char *e = edit(g, "variant t16 ", 0, 12, "2305843009213693952", &line_no);
    const char *next = strstr(e, "\nvariant t32 ");
    REQUIRE(next);
    char point[512] = "\npoint";
    for (int j = 0; j <= PGEMM_FEATURES; j++) strcat(point, " 0");
    char *e2 = spliced(e, next, 0, point);
    refused_body(e2, line_no, "2305843009213693952 points in a gbt model", "gbt points 2^61");
    free(e);
    free(e2);
    refused_edit(g, "variant t16 ", 0, 12, "1", "1 points in a gbt model", "gbt points 1");
    refused_edit(k, "variant t16 ", 0, 12, "999999",
                 "999999 points, more than the rest of the file can hold", "knn points 999999");
    refused_edit(k, "variant t16 ", 0, 12, "1000001", "1000001 is more than 1000000",
                 "knn points 1000001");
    refused_edit(k, "variant t16 ", 0, 12, "18446744073709551616",
                 "18446744073709551616 is more than 1000000", "knn points 2^64");
    refused_edit(k, "variant t16 ", 0, 12, "-1", "\"-1\" is not a whole number",
                 "knn points -1");
    refused_edit(k, "variant t16 ", 0, 8, "31", "in a knn model", "knn variant with nodes");
    refused_edit(g, "level trees ", 0, 2, "18446744073709551617",
                 "18446744073709551617 is more than 10000", "level trees 2^64 + 1");
    refused_edit(g, "level trees ", 0, 4, "4294967327", "4294967327 is more than 8191",
                 "level nodes 2^32 + 31");
    /* 10000 trees of 8191 nodes: 2.6 GB of slots for a file of a few KB. */
    e = edit(g, "level trees ", 0, 2, "10000", &line_no);
    e2 = edit(e, "level trees ", 0, 4, "8191", &line_no);
    refused_body(e2, line_no, "node slots", "level of 10000 x 8191 nodes");
    free(e);
    free(e2);
    /* The slot budget holds for the model, not per ensemble: t16's 10000
     * trees of 255 nodes fit, t32's as many again do not. */
    e = edit(g, "variant t16 ", 0, 6, "10000", &line_no);
    e2 = edit(e, "variant t16 ", 0, 8, "255", &line_no);
    free(e);
    const char *first = strstr(e2, "\nvariant t16 ");
    first = strchr(first + 1, '\n') + 1;
    const char *end = strstr(first, "\nvariant t32 ") + 1;
    size_t many = 10000 * 9;
    char *trees = malloc(many + 1);
    REQUIRE(trees);
    for (size_t t = 0; t < 10000; t++) memcpy(trees + t * 9, "tree l 0\n", 9);
    trees[many] = '\0';
    e = spliced(e2, first, (size_t)(end - first), trees);
    free(e2);
    free(trees);
    e2 = edit(e, "variant t32 ", 0, 6, "10000", &line_no);
    free(e);
    e = edit(e2, "variant t32 ", 0, 8, "255", &line_no);
    refused_body(e, line_no, "node slots", "two variants of 10000 x 255 nodes");
    free(e);
    free(e2);

    refused_edit(g, "compute_units ", 0, 1, "4294967312", "compute_units 4294967312",
                 "compute_units 2^32 + 16");
    refused_edit(g, "compute_units ", 0, 1, "16x", "compute_units 16x", "compute_units 16x");
    refused_edit(g, "knn_k ", 0, 1, "4294967300", "knn_k 4294967300 outside 1 .. 16",
                 "knn_k 2^32 + 4");
    refused_edit(g, "knn_k ", 0, 1, "4abc", "knn_k 4abc outside", "knn_k 4abc");
    refused_edit(g, "variants ", 0, 1, "4x", "variants 4x", "variants 4x");
    refused_edit(g, "variants ", 0, 1, "18446744073709551620", "variants 18446744073709551620",
                 "variants 2^64 + 4");
    refused_edit(g, "pgemm-model ", 0, 1, "2x", "version 2x", "version 2x");
    refused_edit(g, "features ", 0, 1, "25.5", "made for 25.5 features", "features 25.5");
    refused_edit(g, "precision ", 0, 1, "fp64", "precision \"fp64\"", "precision fp64");
    refused_edit(g, "variant t16 ", 0, 2, "-16", "\"-16\" is not a whole number", "tile_m -16");
    refused_edit(g, "variant t16 ", 0, 4, "4294967304", "4294967304 is more than 65536",
                 "tile_k 2^32 + 8");
    refused_edit(g, "variant t16 ", 0, 2, "0", "zero tile", "tile_m 0");
    refused_edit(g, "variant t16 ", 0, 12, "0 junk", "trailing text", "variant line junk");
    refused_edit(g, "level trees ", 0, 6, "0.5 junk", "trailing text", "level line junk");
    refused_edit(g, "variant t32 ", 0, 1, "t16", "variant t16 appears twice", "t16 twice");
    char name[200];
    memset(name, 'v', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    refused_edit(g, "variant t16 ", 0, 1, name, "a name of 199 characters", "a long name");
    refused_edit(g, "trained ", 0, 0, "trainedX", "expected trained", "trainedX");
    /* A split below the depth the node count allows: the tree line is named. */
    e = edit(g, "level trees ", 0, 4, "3", &line_no);
    refused_body(e, line_no + 1, "level: tree 1 is malformed", "a tree deeper than its nodes");
    free(e);
    /* A NUL byte inside the checksummed text. */
    size_t len = strlen(g);
    char *nul = malloc(len + 1);
    REQUIRE(nul);
    memcpy(nul, g, len + 1);
    const char *tr = strstr(nul, "\ntrained ");
    REQUIRE(tr);
    size_t off = (size_t)(tr - nul) + 9;
    nul[off] = '\0';
    write_signed(tmp("edit.model"), nul, len);
    char want[64];
    snprintf(want, sizeof want, "a NUL byte at offset %zu", off);
    refused(tmp("edit.model"), want, "a NUL byte");
    free(nul);
}

/* Every number is finite and of a sane size; the reason names the line. */
static void hostile_numbers(const char *g, const char *k)
{
    refused_edit(g, "level trees ", 0, 6, "nan", "nan is not a finite number", "level base nan");
    refused_edit(g, "level trees ", 1, LEAF, "nan", "level: tree 1: nan is not a finite number",
                 "level leaf nan");
    refused_edit(g, "level trees ", 1, THRESHOLD, "inf", "level: tree 1: inf is not a finite number",
                 "level threshold inf");
    refused_edit(g, "level trees ", 2, LEAF, "1e300", "1e300 is outside", "level leaf 1e300");
    refused_edit(g, "mean ", 0, 3, "inf", "mean: number 3: inf is not a finite number",
                 "mean inf");
    refused_edit(g, "scale ", 0, 5, "nan", "scale: number 5: nan is not a finite number",
                 "scale nan");
    refused_edit(k, "scale ", 0, 5, "1e-300", "scale: number 5 is 1e-300", "scale 1e-300");
    refused_edit(g, "variant t16 ", 0, 10, "-nan", "-nan is not a finite number",
                 "variant base -nan");
    refused_edit(g, "variant t32 ", 3, LEAF, "-inf", "variant t32: tree 3: -inf is not a finite",
                 "variant leaf -inf");
    refused_edit(g, "variant t32 ", 1, THRESHOLD, "NAN", "variant t32: tree 1: NAN is not a finite",
                 "variant threshold NAN");
    refused_edit(k, "variant t16 ", 1, 3, "nan", "variant t16: point 1: number 3: nan",
                 "point feature nan");
    refused_edit(k, "variant t64 ", 2, PGEMM_FEATURES + 1, "infinity",
                 "variant t64: point 2: number 26: infinity is not a finite", "point value inf");
    refused_edit(k, "variant t64 ", 2, PGEMM_FEATURES + 1, "1e10", "1e10 is outside",
                 "point value 1e10");
}

/* Files of a few bytes: refused with a reason, no byte outside the data
 * read (under ASan the "\n" file read one before it). */
static void tiny_files(void)
{
    static const struct {
        const char *text, *want;
    } cases[] = {
        {"", "not a pgemm model file"},
        {"\n", "not a pgemm model file"},
        {"\n\n", "not a pgemm model file"},
        {"\n\n\n", "not a pgemm model file"},
        {"x", "not a pgemm model file"},
        {"checksum x\n", "not a pgemm model file"},
        {"checksum 0123456789abcdef\n", "not a pgemm model file"},
        {"\nchecksum 0123456789abcdef", "not a pgemm model file"},
        {"pgemm-model ", "no checksum line"},
        {"pgemm-model 2\n", "no checksum line"},
        {"pgemm-model 2\nchecksum", "no checksum line"},
        {"pgemm-model 2\nchecksum \n", "checksum mismatch"},
        {"pgemm-model 2\nchecksum 0123456789abcdef\n", "checksum mismatch"},
        {"pgemm-model 2\nchecksum 0123456789abcdef0\n", "checksum mismatch"},
    };
    pgemm_info info = g_info;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char what[64];
        snprintf(what, sizeof what, "tiny file %zu", i);
        write_all(tmp("tiny.model"), cases[i].text, strlen(cases[i].text));
        refused(tmp("tiny.model"), cases[i].want, what);
        /* pgemm_model_use's path. */
        pgemm_selector sel;
        memset(&sel, 0, sizeof sel);
        pgemm_err err = {{0}};
        CHECK_MSG(pgemm_selector_use(&sel, tmp("tiny.model"), g_backend, NV + 1, &info, &err) != 0 &&
                      strstr(err.msg, cases[i].want),
                  "%s through pgemm_selector_use: \"%s\"", what, err.msg);
        pgemm_selector_free(&sel);
    }
    /* A header and nothing else, with a right checksum: the line is named. */
    const char *head = "pgemm-model 2\nbackend opencl\n";
    write_signed(tmp("tiny.model"), head, strlen(head));
    refused(tmp("tiny.model"), "line 3: expected \"device ...\"", "header only");
}

/* ------------------------------------------------------ i) the search */

/* The selector's fp32 source and the log (at `level`) of a search of dir,
 * run in a child that a hang kills after 20 s. Returns 0 when the child
 * finished, else -1 (and says so). */
static int search_in_child(const char *dir, const char *cache_dir, int level, char *source,
                           size_t cap, char **log)
{
    char src_path[300], log_path[300];
    snprintf(src_path, sizeof src_path, "%s", tmp("child-source.txt"));
    snprintf(log_path, sizeof log_path, "%s", tmp("child-log.txt"));
    unlink(src_path);
    unlink(log_path);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        alarm(20);
        int fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd < 0 || dup2(fd, 2) < 0) _exit(3);
        pgemm_log_set_level(level);
        pgemm_selector sel;
        pgemm_selector_init(&sel, g_backend, NV + 1, &g_info,
                            &(pgemm_model_dirs){.user = dir, .cache = cache_dir});
        FILE *f = fopen(src_path, "wb");
        if (!f) _exit(4);
        fputs(sel.p[0].source, f);
        fclose(f);
        pgemm_selector_free(&sel);
        _exit(0);
    }
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    int hung = WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM;
    CHECK_MSG(!hung, "the model search of %s hangs", dir);
    CHECK_MSG(hung || (WIFEXITED(status) && WEXITSTATUS(status) == 0),
              "the model search of %s died (status %#x)", dir, (unsigned)status);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        source[0] = '\0';
        if (log) *log = calloc(1, 1);
        return -1;
    }
    size_t len;
    char *s = read_all(src_path, &len);
    pgemm_text_copy(source, cap, s);
    free(s);
    if (log) *log = read_all(log_path, &len);
    return 0;
}

/* A new empty folder under g_dir. */
static const char *fresh_dir(const char *name)
{
    const char *d = tmp(name);
    REQUIRE(mkdir(d, 0700) == 0);
    return d;
}

typedef struct bad_kind {
    const char *name, *want;
} bad_kind;

/* Makes dir/name in the way kind `name` says; returns 0 when it can be
 * made here (an unreadable file cannot, for root). */
static int make_bad(const char *dir, const char *name, const char *good)
{
    char path[400];
    snprintf(path, sizeof path, "%s/%s.model", dir, name);
    size_t len;
    char *data = read_all(good, &len);
    char junk[4096];
    int rc = 0;
    if (!strcmp(name, "empty")) {
        write_all(path, "", 0);
    } else if (!strcmp(name, "zeroed")) {
        memset(junk, 0, sizeof junk);
        write_all(path, junk, sizeof junk);
    } else if (!strcmp(name, "random")) {
        uint64_t st = 5;
        for (size_t i = 0; i < sizeof junk; i++) junk[i] = (char)lcg(&st);
        write_all(path, junk, sizeof junk);
    } else if (!strcmp(name, "cut-in-header")) {
        write_all(path, data, 40);
    } else if (!strcmp(name, "garbled-header")) {
        const char *text = "pgemm-model 2\nbackend opencl\nwhat is this\n";
        write_all(path, text, strlen(text));
    } else if (!strcmp(name, "half")) {
        write_all(path, data, len / 2);
    } else if (!strcmp(name, "dev-zero")) {
        REQUIRE(symlink("/dev/zero", path) == 0);
    } else if (!strcmp(name, "dangling")) {
        REQUIRE(symlink("/nonexistent/pgemm.model", path) == 0);
    } else if (!strcmp(name, "fifo")) {
        REQUIRE(mkfifo(path, 0600) == 0);
    } else if (!strcmp(name, "folder")) {
        REQUIRE(mkdir(path, 0700) == 0);
    } else if (!strcmp(name, "unreadable")) {
        write_all(path, data, len);
        REQUIRE(chmod(path, 0) == 0);
        if (geteuid() == 0) { /* root reads it all the same */
            unlink(path);
            rc = -1;
        }
    }
    free(data);
    return rc;
}

static const bad_kind g_bad[] = {
    {"empty", "not a pgemm model file"},
    {"zeroed", "not a pgemm model file"},
    {"random", "not a pgemm model file"},
    {"cut-in-header", "header cut short"},
    {"garbled-header", "damaged header: line 3 is not \"device ...\""},
    {"half", "no checksum line at the end"},
    {"dev-zero", "not a regular file (a character device)"},
    {"dangling", "No such file or directory"},
    {"fifo", "not a regular file (a FIFO)"},
    {"folder", "not a regular file (a directory)"},
    {"unreadable", "Permission denied"},
};
enum { BAD_KINDS = sizeof g_bad / sizeof g_bad[0] };

/* Every refused file is named with its reason, in the source and in the
 * log at PGEMM_LOG=1; another device's model stays out of both. */
static void search_refusals(const char *good, const char *other)
{
    char source[PGEMM_REASON_LEN], *log;
    for (size_t i = 0; i < BAD_KINDS; i++) {
        char dname[64];
        snprintf(dname, sizeof dname, "kind-%s", g_bad[i].name);
        char dir[300];
        snprintf(dir, sizeof dir, "%s", fresh_dir(dname));
        if (make_bad(dir, g_bad[i].name, good) != 0) {
            printf("%s: not made here (running as root)\n", g_bad[i].name);
            continue;
        }
        if (search_in_child(dir, NULL, 1, source, sizeof source, &log) != 0) {
            free(log);
            continue;
        }
        char want[600];
        snprintf(want, sizeof want, "heuristic (refused %s/%s.model: %s", dir, g_bad[i].name,
                 g_bad[i].want);
        CHECK_MSG(!strncmp(source, want, strlen(want)), "%s: source \"%s\", want \"%s...\"",
                  g_bad[i].name, source, want);
        snprintf(want, sizeof want, "pgemm: selector: model refused: %s/%s.model: %s", dir,
                 g_bad[i].name, g_bad[i].want);
        CHECK_MSG(strstr(log, want), "%s: the log lacks \"%s\":\n%s", g_bad[i].name, want, log);
        free(log);
    }
    /* Another device's model, alone: quiet at level 1, named at level 2. */
    char dir[300];
    snprintf(dir, sizeof dir, "%s", fresh_dir("kind-other"));
    char path[400];
    snprintf(path, sizeof path, "%s/other.model", dir);
    size_t len;
    char *data = read_all(other, &len);
    write_all(path, data, len);
    free(data);
    if (search_in_child(dir, NULL, 1, source, sizeof source, &log) == 0) {
        CHECK_MSG(!strncmp(source, "heuristic (no model", 19), "other device: \"%s\"", source);
        CHECK_MSG(!strstr(log, "other.model"), "other device at level 1 is logged:\n%s", log);
    }
    free(log);
    if (search_in_child(dir, NULL, 2, source, sizeof source, &log) == 0)
        CHECK_MSG(strstr(log, "other.model") && strstr(log, "Other GPU"),
                  "other device at level 2 is not logged:\n%s", log);
    free(log);

    /* All of them in one folder with a good model last: the model is used,
     * the log names every refusal, the source as many as fit and a count. */
    snprintf(dir, sizeof dir, "%s", fresh_dir("kind-all"));
    int made[BAD_KINDS];
    for (size_t i = 0; i < BAD_KINDS; i++) made[i] = make_bad(dir, g_bad[i].name, good) == 0;
    snprintf(path, sizeof path, "%s/other.model", dir);
    data = read_all(other, &len);
    write_all(path, data, len);
    free(data);
    snprintf(path, sizeof path, "%s/zz-good.model", dir);
    data = read_all(good, &len);
    write_all(path, data, len);
    free(data);
    if (search_in_child(dir, NULL, 1, source, sizeof source, &log) == 0) {
        CHECK_MSG(!strncmp(source, "model ", 6) && strstr(source, "zz-good.model") &&
                      strstr(source, "(refused ") && strstr(source, " more refused"),
                  "all kinds: source \"%s\"", source);
        size_t named = 0;
        for (size_t i = 0; i < BAD_KINDS; i++) {
            if (!made[i]) continue;
            char want[600];
            snprintf(want, sizeof want, "model refused: %s/%s.model: %s", dir, g_bad[i].name,
                     g_bad[i].want);
            CHECK_MSG(strstr(log, want), "all kinds: the log lacks \"%s\"", want);
            named += strstr(source, want + 15) != NULL;
        }
        CHECK_MSG(named > 0, "all kinds: the source names no refusal: \"%s\"", source);
        CHECK_MSG(!strstr(log, "other.model"), "all kinds: another device's model logged");
    }
    free(log);
}

/* More model files in a folder than a fixed table held: the good one,
 * created first, is still found past 1000 other devices' headers. */
static void search_many(const char *good)
{
    char dir[300];
    snprintf(dir, sizeof dir, "%s", fresh_dir("many"));
    char path[400];
    snprintf(path, sizeof path, "%s/zz-good.model", dir);
    size_t len;
    char *data = read_all(good, &len);
    write_all(path, data, len);
    free(data);
    for (int i = 0; i < 1000; i++) {
        snprintf(path, sizeof path, "%s/a%04d.model", dir, i);
        char head[200];
        int n = snprintf(head, sizeof head,
                         "pgemm-model 2\nbackend opencl\ndevice Other GPU %d\ndriver 1.0\n"
                         "precision fp32\n",
                         i);
        write_all(path, head, (size_t)n);
    }
    char source[PGEMM_REASON_LEN], *log;
    if (search_in_child(dir, NULL, 1, source, sizeof source, &log) == 0) {
        CHECK_MSG(!strncmp(source, "model ", 6) && strstr(source, "zz-good.model"),
                  "1001 files: source \"%s\"", source);
        CHECK_MSG(!strstr(log, "refused"), "1001 files: refusals logged:\n%.2000s", log);
    }
    free(log);
}

/* A folder of more model files than are read: the rest are named as not
 * read, not skipped in silence. */
static void search_too_many(void)
{
    char dir[300];
    snprintf(dir, sizeof dir, "%s", fresh_dir("too-many"));
    for (int i = 0; i < 4100; i++) {
        char path[400], head[200];
        snprintf(path, sizeof path, "%s/f%04d.model", dir, i);
        int n = snprintf(head, sizeof head,
                         "pgemm-model 2\nbackend opencl\ndevice Other GPU %d\ndriver 1.0\n"
                         "precision fp32\n",
                         i);
        write_all(path, head, (size_t)n);
    }
    char source[PGEMM_REASON_LEN], *log, want[400];
    snprintf(want, sizeof want, "heuristic (refused %s: 4 model files not read (at most 4096 are))",
             dir);
    if (search_in_child(dir, NULL, 1, source, sizeof source, &log) == 0) {
        CHECK_MSG(!strcmp(source, want), "4100 files: source \"%s\", want \"%s\"", source, want);
        CHECK_MSG(strstr(log, "4 model files not read"), "4100 files: log \"%.300s\"", log);
    }
    free(log);
}

/* A folder path so long that folder/name passes PATH_MAX: refused with
 * the reason first; a cache folder too long for "/models" is named. */
static void search_long_path(const char *good)
{
    char dir[300];
    snprintf(dir, sizeof dir, "%s", fresh_dir("long"));
    char path[400];
    snprintf(path, sizeof path, "%s/a-model-with-a-rather-long-name.model", dir);
    size_t len;
    char *data = read_all(good, &len);
    write_all(path, data, len);
    free(data);
    char padded[4096], cache[4096];
    snprintf(padded, sizeof padded, "%s", dir);
    while (strlen(padded) < 4080) strcat(padded, "/.");
    snprintf(cache, sizeof cache, "%s", padded);
    while (strlen(cache) < 4092) strcat(cache, "/.");
    char source[PGEMM_REASON_LEN], *log;
    if (search_in_child(padded, cache, 1, source, sizeof source, &log) == 0) {
        CHECK_MSG(strstr(source, "heuristic (refused a path of ") &&
                      strstr(source, "bytes, longer than 4095"),
                  "a long path: source \"%s\"", source);
        CHECK_MSG(strstr(log, "model refused: a path of "), "a long path: log \"%.300s\"", log);
        CHECK_MSG(strstr(log, "cache folder path is too long"),
                  "a long cache folder: log \"%.300s\"", log);
    }
    free(log);
}

/* pgemm_model_use's path never waits on a FIFO either. */
static void use_fifo(void)
{
    const char *fifo = tmp("use.model");
    REQUIRE(mkfifo(fifo, 0600) == 0);
    fflush(stdout);
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        alarm(20);
        pgemm_selector sel;
        memset(&sel, 0, sizeof sel);
        pgemm_err err = {{0}};
        int rc = pgemm_selector_use(&sel, fifo, g_backend, NV + 1, &g_info, &err);
        _exit(rc != 0 && strstr(err.msg, "not a regular file (a FIFO)") ? 0 : 1);
    }
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0,
              "pgemm_selector_use on a FIFO: %s", WIFSIGNALED(status) ? "hangs" : "not refused");
    unlink(fifo);
}

/* ------------------------------------------------- j) concurrent saves */

typedef struct {
    const pgemm_model *m;
    const char *path;
    int failures;
    char why[PGEMM_REASON_LEN];
} saver;

static void *save_many(void *arg)
{
    saver *s = arg;
    for (int i = 0; i < 40; i++) {
        pgemm_err err = {{0}};
        if (pgemm_model_save(s->m, s->path, &err) != 0 && !s->failures++)
            pgemm_text_copy(s->why, sizeof s->why, err.msg);
    }
    return NULL;
}

/* Threads of one process saving one path: every save succeeds, the file
 * is a whole model, no temporary file is left. */
static void concurrent_saves(const pgemm_model *m)
{
    char dir[300], path[400];
    snprintf(dir, sizeof dir, "%s", fresh_dir("saves"));
    snprintf(path, sizeof path, "%s/same.model", dir);
    enum { THREADS = 4 };
    pthread_t th[THREADS];
    saver s[THREADS];
    for (int i = 0; i < THREADS; i++) {
        s[i] = (saver){m, path, 0, ""};
        REQUIRE(pthread_create(&th[i], NULL, save_many, &s[i]) == 0);
    }
    for (int i = 0; i < THREADS; i++) pthread_join(th[i], NULL);
    for (int i = 0; i < THREADS; i++)
        CHECK_MSG(s[i].failures == 0, "thread %d: %d of 40 saves failed: %s", i, s[i].failures,
                  s[i].why);
    pgemm_err err = {{0}};
    pgemm_model *l = pgemm_model_load(path, &err);
    CHECK_MSG(l != NULL, "after concurrent saves: %s", err.msg);
    pgemm_model_free(l);
    DIR *d = opendir(dir);
    REQUIRE(d);
    struct dirent *e;
    int others = 0;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && strcmp(e->d_name, "same.model"))
            others++;
    closedir(d);
    CHECK_MSG(others == 0, "%d temporary files left beside the model", others);
    /* What could not be read back is not written. */
    pgemm_model *bad = pgemm_model_load(path, &err);
    REQUIRE(bad);
    snprintf(path, sizeof path, "%s/bad.model", dir);
    pgemm_text_copy(bad->key.device, sizeof bad->key.device, "Two\nlines");
    CHECK(pgemm_model_save(bad, path, &err) != 0);
    CHECK_CONTAINS(err.msg, "its device text holds a line break");
    pgemm_text_copy(bad->key.device, sizeof bad->key.device, "Test GPU");
    pgemm_text_copy(bad->variant[1].name, sizeof bad->variant[1].name, "t 32");
    CHECK(pgemm_model_save(bad, path, &err) != 0);
    CHECK_CONTAINS(err.msg, "variant 2's name \"t 32\" is empty or holds a space");
    CHECK_MSG(access(path, F_OK) != 0, "%s written", path);
    pgemm_model_free(bad);
    /* A folder that does not exist: the reason names the path. */
    snprintf(path, sizeof path, "%s/no/such/folder.model", dir);
    CHECK(pgemm_model_save(m, path, &err) != 0);
    CHECK_CONTAINS(err.msg, path);
}

static void hostile_part(const pgemm_model *m)
{
    size_t gl, kl;
    char *g = body_of(tmp("gbt.model"), &gl), *k = body_of(tmp("knn.model"), &kl);
    REQUIRE(strstr(g, "\nfamily gbt\n") && strstr(k, "\nfamily knn\n"));
    hostile_counts(g, k);
    hostile_numbers(g, k);
    tiny_files();
    free(g);
    free(k);

    /* Another device's gbt model for the search tests. */
    pgemm_model_key key;
    pgemm_selector_key(&key, g_backend, NV + 1, &g_info, 0);
    char good[300], other[300];
    snprintf(good, sizeof good, "%s", tmp("search-good.model"));
    snprintf(other, sizeof other, "%s", tmp("search-other.model"));
    pgemm_model *mine = pgemm_model_load(tmp("gbt.model"), &(pgemm_err){{0}});
    REQUIRE(mine);
    mine->key = key;
    save(mine, good);
    pgemm_text_copy(mine->key.device, sizeof mine->key.device, "Other GPU");
    save(mine, other);
    pgemm_model_free(mine);
    search_refusals(good, other);
    search_many(good);
    search_too_many();
    search_long_path(good);
    use_fifo();
    concurrent_saves(m);
}

static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (unlink(path) != 0) remove_tree(path);
    }
    closedir(d);
    rmdir(dir);
}

/* ------------------------------------------------------------ k) tiers */

/* The selector's fp32 source over dir for device dev; *copy gets its model
 * (NULL for the heuristic), the caller's to free. */
static void tier_source(const char *dir, const pgemm_info *dev, char *source, size_t cap,
                        pgemm_model **copy)
{
    pgemm_selector sel;
    pgemm_selector_init(&sel, g_backend, NV + 1, dev, &(pgemm_model_dirs){.user = dir});
    pgemm_text_copy(source, cap, sel.p[0].source);
    *copy = sel.p[0].model;
    sel.p[0].model = NULL;
    pgemm_selector_free(&sel);
}

/* Saves a model trained for dev's kernel set but naming device, arch and
 * units (and fp16 when asked). */
static void save_for(const pgemm_sample *s, const pgemm_info *dev, const char *device,
                     const char *arch, unsigned units, int fp16, const char *path)
{
    pgemm_model_key key;
    pgemm_selector_key(&key, g_backend, NV + 1, dev, 0);
    pgemm_text_copy(key.device, sizeof key.device, device);
    pgemm_text_copy(key.arch, sizeof key.arch, arch);
    if (fp16) pgemm_text_copy(key.precision, sizeof key.precision, "fp16");
    key.compute_units = units;
    pgemm_model *m = train(&key, s, PGEMM_MODEL_GBT, NULL);
    REQUIRE(m);
    save(m, path);
    pgemm_model_free(m);
}

static void tiers_part(const pgemm_sample *s)
{
    pgemm_info dev = g_info;
    pgemm_text_copy(dev.device, sizeof dev.device, "H200");
    pgemm_text_copy(dev.arch, sizeof dev.arch, "sm_90");
    dev.compute_units = 132;
    char dir[256], a[300], b[300], c[300], d[300], source[PGEMM_REASON_LEN];
    snprintf(dir, sizeof dir, "%s", tmp("tiers"));
    REQUIRE(mkdir(dir, 0700) == 0);
    snprintf(a, sizeof a, "%s/a-h100.model", dir);
    snprintf(b, sizeof b, "%s/z-h200.model", dir);
    snprintf(c, sizeof c, "%s/c.model", dir);
    snprintf(d, sizeof d, "%s/d.model", dir);
    pgemm_model *used;

    /* Another device of this architecture, with fewer units. */
    save_for(s, &dev, "H100", "sm_90", 114, 0, a);
    tier_source(dir, &dev, source, sizeof source, &used);
    CHECK_MSG(used && strstr(source, "a-h100.model") &&
                  strstr(source, "trained on \"H100\", same architecture sm_90") &&
                  strstr(source, "trained on 114 compute units, used with 132"),
              "architecture tier: source \"%s\"", source);
    /* Its features count this device's units: it picks as the same model
     * with 132 units does. */
    if (used) {
        CHECK(used->key.compute_units == 132 && !strcmp(used->key.device, "H100"));
        pgemm_err err = {{0}};
        pgemm_model *as_saved = pgemm_model_load(a, &err);
        REQUIRE(as_saved);
        CHECK(as_saved->key.compute_units == 114 && !strcmp(as_saved->key.arch, "sm_90"));
        as_saved->key.compute_units = 132;
        uint64_t st = 5;
        for (int i = 0; i < 40; i++) {
            pgemm_shape sh = random_shape(&st);
            CHECK(pgemm_model_best(used, &sh, NULL) == pgemm_model_best(as_saved, &sh, NULL));
        }
        pgemm_model_free(as_saved);
    }
    pgemm_model_free(used);
    /* This device's own model comes first, whatever it sorts after. */
    save_for(s, &dev, "H200", "sm_90", 132, 0, b);
    tier_source(dir, &dev, source, sizeof source, &used);
    CHECK_MSG(used && strstr(source, "z-h200.model") && !strstr(source, "architecture"),
              "this device's model: source \"%s\"", source);
    pgemm_model_free(used);
    unlink(a);
    unlink(b);
    /* Only one of another architecture of the family: the vendor tier. */
    save_for(s, &dev, "A100", "sm_80", 108, 0, a);
    tier_source(dir, &dev, source, sizeof source, &used);
    CHECK_MSG(used && strstr(source, "trained on \"A100\", same vendor, architecture sm_80 "
                                     "(not this device's)"),
              "vendor tier: source \"%s\"", source);
    pgemm_model_free(used);
    unlink(a);
    /* Never: another family, another precision, another kernel set, or a
     * format-2 file of another device (it has no arch line). */
    save_for(s, &dev, "MI250", "gfx90a", 104, 0, a);
    save_for(s, &dev, "H100", "sm_90", 132, 1, b);
    {
        pgemm_model_key key;
        pgemm_selector_key(&key, g_backend, NV + 1, &dev, 0);
        pgemm_text_copy(key.device, sizeof key.device, "H100");
        pgemm_text_copy(key.kernel_set, sizeof key.kernel_set, "0123456789abcdef");
        pgemm_model *m = train(&key, s, PGEMM_MODEL_GBT, NULL);
        REQUIRE(m);
        save(m, c);
        pgemm_model_free(m);
    }
    save_for(s, &dev, "H100", "sm_90", 132, 0, d);
    size_t len;
    char *body = body_of(d, &len);
    char *v2 = spliced(body, strstr(body, "pgemm-model 3"), 13, "pgemm-model 2");
    const char *arch_line = strstr(v2, "arch sm_90\n");
    REQUIRE(arch_line);
    char *v2b = spliced(v2, arch_line, strlen("arch sm_90\n"), "");
    write_signed(d, v2b, strlen(v2b));
    free(body), free(v2), free(v2b);
    pgemm_err err = {{0}};
    pgemm_model *old = pgemm_model_load(d, &err);
    CHECK_MSG(old && old->key.arch[0] == '\0', "a format-2 file loads, without arch: %s",
              err.msg);
    pgemm_model_free(old);
    tier_source(dir, &dev, source, sizeof source, &used);
    CHECK_MSG(!used && !strncmp(source, "heuristic (no model", 19),
              "no tier fits: source \"%s\"", source);
    pgemm_model_free(used);
    remove_tree(dir);
}

int main(void)
{
    test_begin("test_selector_model");
    snprintf(g_dir, sizeof g_dir, "/tmp/pgemm-selector-XXXXXX");
    REQUIRE(mkdtemp(g_dir));

    pgemm_model_key key;
    pgemm_selector_key(&key, g_var, NV, &g_info, 0);
    pgemm_sample *s = make_samples(1, TRAIN);

    /* a) training learns the formula. */
    pgemm_regret_stats cv = {0};
    pgemm_model *m = train(&key, s, PGEMM_MODEL_AUTO, &cv);
    REQUIRE(m);
    printf("auto: %s\n", m->trained);
    CHECK_MSG(cv.shapes == TRAIN && cv.geomean >= 0.9, "cross-validated: %zu shapes, geomean %.3f",
              cv.shapes, cv.geomean);
    uint64_t st = 12345;
    size_t right = 0;
    double err_sum = 0, err_worst = 0;
    for (int i = 0; i < FRESH; i++) {
        pgemm_shape sh = random_shape(&st);
        double predicted;
        size_t pick = pgemm_model_best(m, &sh, &predicted);
        right += pick == formula_best(&sh, NV);
        /* The prediction (level + relative) is in GFLOP/s, close to the
         * formula's over shapes that differ by 10^4 in speed. */
        double e = fabs(log(predicted / formula(pick, &sh)));
        err_sum += e;
        if (e > err_worst) err_worst = e;
        CHECK(fabs(log(pgemm_model_predict(m, pick, &sh) / predicted)) < 1e-12);
    }
    printf("fresh shapes: the model picks the best on %zu of %d; predicted GFLOP/s off by "
           "%.1f%% on average, %.0f%% at worst\n",
           right, FRESH, 100 * (exp(err_sum / FRESH) - 1), 100 * (exp(err_worst) - 1));
    CHECK_MSG(right >= FRESH * 8 / 10, "best picked on only %zu of %d fresh shapes", right, FRESH);
    CHECK_MSG(exp(err_sum / FRESH) < 1.25, "predicted GFLOP/s off by a factor %.2f on average",
              exp(err_sum / FRESH));

    /* b) deterministic; both families. */
    pgemm_model *m2 = train(&key, s, PGEMM_MODEL_AUTO, NULL);
    REQUIRE(m2);
    save(m, tmp("one.model"));
    save(m2, tmp("two.model"));
    CHECK_MSG(same_file(tmp("one.model"), tmp("two.model")), "two trainings, two files");
    pgemm_model_free(m2);
    for (int f = PGEMM_MODEL_GBT; f <= PGEMM_MODEL_KNN; f++) {
        pgemm_regret_stats r = {0};
        pgemm_model *fm = train(&key, s, (pgemm_model_family)f, &r);
        if (!fm) continue;
        CHECK(fm->family == (pgemm_model_family)f);
        printf("%s: %s\n", f == PGEMM_MODEL_GBT ? "gbt" : "knn", fm->trained);
        CHECK_MSG(r.geomean >= 0.8, "family %d: cross-validated geomean %.3f", f, r.geomean);
        round_trip(fm, f == PGEMM_MODEL_GBT ? "gbt.model" : "knn.model");
        pgemm_model_free(fm);
    }

    /* c), d), e), g), f), h) to j) */
    round_trip(m, "auto.model");
    damaged_files(tmp("one.model"));
    mismatches(m);
    regret_known(s);
    selector_part(s);
    tiers_part(s);
    hostile_part(m);

    pgemm_model_free(m);
    free(s);
    remove_tree(g_dir);
    CHECK_MSG(access(g_dir, F_OK) != 0, "%s left behind", g_dir);
    return test_finish();
}
