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
 *   g) pgemm_regret_of on known regrets.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/text.h"
#include "selector/features.h"
#include "selector/model.h"
#include "selector/selector.h"
#include "test_util.h"

enum { NV = 4, TRAIN = 150, FRESH = 200 };

static const pgemm_variant_desc g_desc[NV + 1] = {
    {"t16", "tile", 16, 16, 8, 8, 8, 2, 2, 1, 1024, 0, 0, "fma", 0},
    {"t32", "tile", 32, 32, 8, 8, 8, 4, 4, 2, 2048, 0, 0, "fma", 0},
    {"t64", "tile", 64, 64, 16, 16, 16, 4, 4, 4, 8192, 1, 0, "fma", 0},
    {"t128", "tile", 128, 64, 16, 16, 16, 8, 4, 4, 12288, 1, 0, "fma", 0},
    /* Not a candidate on a GPU: only in the backend list of part f. */
    {"vec8", "vec", 8, 8, 1, 1, 1, 8, 8, 8, 0, 0, 0, "fma", 0},
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
    pgemm_selector_init(&sel, g_backend, NV + 1, &g_info, models, NULL);
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
    pgemm_selector_init(&sel, g_backend, NV + 1, &g_info, models, NULL);
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
    pgemm_selector_init(&sel, g_backend, NV + 1, &g_info, models, NULL);
    CHECK_MSG(sel.p[0].model == NULL && !strncmp(sel.p[0].source, "heuristic (refused", 18) &&
                  strstr(sel.p[0].source, "checksum"),
              "damaged model: source \"%s\"", sel.p[0].source);
    pgemm_selector_free(&sel);
    /* With the good one beside them: the good one is used. */
    save(m, good);
    pgemm_selector_init(&sel, g_backend, NV + 1, &g_info, models, NULL);
    CHECK(sel.p[0].model != NULL);
    CHECK_MSG(!strncmp(sel.p[0].source, "model ", 6) && strstr(sel.p[0].source, good) &&
                  !strstr(sel.p[0].source, "b.model"),
              "source \"%s\"", sel.p[0].source);
    CHECK_CONTAINS(sel.p[1].source, "no fp16 tiles");
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

    /* c), d), e), g), f) */
    round_trip(m, "auto.model");
    damaged_files(tmp("one.model"));
    mismatches(m);
    regret_known(s);
    selector_part(s);

    pgemm_model_free(m);
    free(s);
    remove_tree(g_dir);
    CHECK_MSG(access(g_dir, F_OK) != 0, "%s left behind", g_dir);
    return test_finish();
}
