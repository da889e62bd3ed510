/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Model files: writing, reading and checking them (model.h).
 *
 *   pgemm-model 3
 *   backend opencl
 *   device NVIDIA H100 80GB HBM3
 *   driver 580.159.04
 *   precision fp32                  (or fp16)
 *   arch sm_90                      (pgemm_info.arch, "-" unknown; version 2 has no such line)
 *   compute_units 132
 *   kernel_set 5d0c2a81f3b94e17
 *   features 25
 *   family gbt                      (or knn)
 *   knn_k 4
 *   trained <free text>
 *   mean <25 numbers>
 *   scale <25 numbers>
 *   level trees 80 nodes 31 base 6.2
 *   tree <preorder: "s FEATURE THRESHOLD" for a split, "l VALUE" for a leaf>
 *   ...
 *   variants 5
 *   variant reg128 128 128 16 trees 80 nodes 31 base 0.1 points 0
 *   tree ...                        (gbt: trees, no points)
 *   point <25 features> <relative log GFLOP/s>
 *   ...                             (knn: "trees 0 nodes 0" and points)
 *   checksum 0123456789abcdef       (FNV-1a 64 of every byte before this line)
 *
 * The checksum catches damage, not intent: a file with a recomputed
 * checksum is checked as strictly. Only a regular file is read (a FIFO or
 * a device is refused before a byte of it is read); every count is a whole
 * number within a limit and within what the rest of the file can hold;
 * every number is finite and of a sane size. A file that fails any check
 * is refused with the reason and its line; nothing of it is used.
 */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/file_io.h"
#include "common/text.h"
#include "model.h"

void pgemm_kernel_set_hash(const pgemm_variant_desc *const *variants, size_t count, char out[17])
{
    uint64_t h = PGEMM_FNV_SEED;
    for (size_t i = 0; i < count; i++) {
        const pgemm_variant_desc *v = variants[i];
        char line[512];
        int len = snprintf(line, sizeof line, "%s|%s|%u|%u|%u|%u|%u|%u|%u|%u|%u|%d|%d|%s|%d;",
                           v->name, v->family, v->tile_m, v->tile_n, v->tile_k, v->wg_m,
                           v->wg_n, v->thread_m, v->thread_n, v->vector_width, v->local_bytes,
                           v->double_buffered, v->fp16, v->unit ? v->unit : "", v->tier);
        h = pgemm_fnv1a64(line, len > 0 ? (size_t)len : 0, h);
    }
    snprintf(out, 17, "%016" PRIx64, h);
}

/* ---------------------------------------------------------------- write */

static void put_tree(pgemm_textbuf *b, const pgemm_tree_node *t, size_t at)
{
    if (t[at].feature < 0) {
        pgemm_textbuf_put(b, " l %.9g", t[at].value);
        return;
    }
    pgemm_textbuf_put(b, " s %d %.9g", t[at].feature, t[at].threshold);
    put_tree(b, t, (size_t)t[at].left);
    put_tree(b, t, (size_t)t[at].right);
}

static void put_trees(pgemm_textbuf *b, const pgemm_ensemble *e, size_t trees)
{
    for (size_t t = 0; t < trees; t++) {
        pgemm_textbuf_put(b, "tree");
        put_tree(b, e->node + t * e->nodes, 0);
        pgemm_textbuf_put(b, "\n");
    }
}

/* Why the reader could not read m back, or NULL: a line break in a text
 * field, a variant name that is empty or holds a space. */
static const char *unsaveable(const pgemm_model *m, char *why, size_t cap)
{
    const char *fields[] = {m->key.backend, m->key.device, m->key.driver, m->key.precision,
                            m->key.kernel_set, m->trained, m->key.arch};
    static const char *const names[] = {"backend", "device", "driver", "precision",
                                        "kernel_set", "trained", "arch"};
    for (int i = 0; i < 7; i++)
        if (strpbrk(fields[i], "\r\n"))
            return pgemm_text_format(why, cap, "its %s text holds a line break", names[i]);
    if (m->variant_count < 1 || m->variant_count > PGEMM_MODEL_MAX_VARIANTS)
        return pgemm_text_format(why, cap, "%zu variants", m->variant_count);
    for (size_t v = 0; v < m->variant_count; v++) {
        const char *name = m->variant[v].name;
        if (!name[0] || strpbrk(name, " \r\n"))
            return pgemm_text_format(why, cap, "variant %zu's name \"%s\" is empty or holds a space",
                                     v + 1, name);
    }
    return NULL;
}

int pgemm_model_save(const pgemm_model *m, const char *path, pgemm_err *err)
{
    char why[PGEMM_REASON_LEN];
    if (unsaveable(m, why, sizeof why)) {
        pgemm_err_set(err, "%s: not saved: %s", path, why);
        return -1;
    }
    pgemm_textbuf b = {malloc(1 << 16), 0, 1 << 16, 0};
    if (!b.p) {
        pgemm_err_set(err, "out of memory");
        return -1;
    }
    pgemm_textbuf_put(&b, "pgemm-model %d\n", PGEMM_MODEL_VERSION);
    pgemm_textbuf_put(&b, "backend %s\ndevice %s\ndriver %s\nprecision %s\narch %s\ncompute_units %u\n",
        m->key.backend, m->key.device, m->key.driver, m->key.precision,
        m->key.arch[0] ? m->key.arch : "-", m->key.compute_units);
    pgemm_textbuf_put(&b, "kernel_set %s\nfeatures %d\nfamily %s\nknn_k %u\ntrained %s\n", m->key.kernel_set,
        PGEMM_FEATURES, m->family == PGEMM_MODEL_KNN ? "knn" : "gbt", m->knn_k, m->trained);
    pgemm_textbuf_put(&b, "mean");
    for (int j = 0; j < PGEMM_FEATURES; j++) pgemm_textbuf_put(&b, " %.9g", m->mean[j]);
    pgemm_textbuf_put(&b, "\nscale");
    for (int j = 0; j < PGEMM_FEATURES; j++) pgemm_textbuf_put(&b, " %.9g", m->scale[j]);
    pgemm_textbuf_put(&b, "\nlevel trees %zu nodes %zu base %.9g\n", m->level.trees, m->level.nodes,
        m->level.base);
    put_trees(&b, &m->level, m->level.trees);
    pgemm_textbuf_put(&b, "variants %zu\n", m->variant_count);
    for (size_t v = 0; v < m->variant_count; v++) {
        const pgemm_variant_model *vm = &m->variant[v];
        size_t trees = m->family == PGEMM_MODEL_GBT ? vm->gbt.trees : 0;
        size_t points = m->family == PGEMM_MODEL_KNN ? vm->points : 0;
        pgemm_textbuf_put(&b, "variant %s %u %u %u trees %zu nodes %zu base %.9g points %zu\n", vm->name,
            vm->tile_m, vm->tile_n, vm->tile_k, trees, trees ? vm->gbt.nodes : 0, vm->gbt.base,
            points);
        put_trees(&b, &vm->gbt, trees);
        for (size_t p = 0; p < points; p++) {
            pgemm_textbuf_put(&b, "point");
            for (int j = 0; j < PGEMM_FEATURES; j++)
                pgemm_textbuf_put(&b, " %.9g", vm->x[p * PGEMM_FEATURES + j]);
            pgemm_textbuf_put(&b, " %.9g\n", vm->y[p]);
        }
    }
    if (!b.oom)
        pgemm_textbuf_put(&b, "checksum %016" PRIx64 "\n", pgemm_fnv1a64(b.p, b.len, PGEMM_FNV_SEED));
    if (b.oom) {
        free(b.p);
        pgemm_err_set(err, "out of memory");
        return -1;
    }
    /* A temporary file of a name no other writer uses, then a rename: a
     * reader never sees half a model, and two saves of one path (threads,
     * contexts, processes) do not write into each other's file. */
    pgemm_file_part part = {b.p, b.len};
    int rc = pgemm_file_write_atomic(path, &part, 1, why, sizeof why);
    free(b.p);
    if (rc != 0) {
        pgemm_err_set(err, "%s", why);
        return -1;
    }
    return 0;
}

/* ----------------------------------------------------------------- read */

/* What a file may claim. Each count is bounded before anything is sized by
 * it, so that no file can ask for more memory than a model of its length
 * needs (or, for tree slots, than MAX_SLOTS). */
enum {
    MAX_BYTES = 64 << 20,
    MAX_TREES = 10000,                 /* per ensemble, as training allows */
    MAX_NODES = 8191,                  /* per tree: depth 12 */
    MAX_SLOTS = 1 << 22,               /* tree-node slots of a whole model (128 MiB) */
    MAX_POINTS = 1000000,              /* per knn variant */
    MAX_TILE = 65536,
    MAX_UNITS = 1 << 20,
    MAX_KNN_K = 16,
    /* The shortest point line: "point", PGEMM_FEATURES + 1 one-digit
     * numbers and the line break. */
    MIN_POINT_LINE = 5 + 2 * (PGEMM_FEATURES + 1) + 1,
};
/* Every number is finite and within +-MAX_MAGNITUDE, every scale at least
 * MIN_SCALE: sums over 10000 trees and squared standardised distances then
 * stay finite, so the relative parts that pick a variant are never inf or
 * NaN (a NaN loses every comparison, and variant 0 would always run). */
#define MAX_MAGNITUDE 1e9
#define MIN_SCALE 1e-9

typedef struct {
    char *p, *end;
    size_t line_no;
} reader;

/* The next line, NUL-terminated in place; NULL at the end. line_no counts
 * the line asked for either way: a message names where a missing line was
 * expected. */
static char *next_line(reader *r)
{
    r->line_no++;
    if (r->p >= r->end) return NULL;
    char *line = r->p;
    char *nl = memchr(r->p, '\n', (size_t)(r->end - r->p));
    if (nl) {
        *nl = '\0';
        r->p = nl + 1;
    } else {
        r->p = r->end;
    }
    return line;
}

/* "key value": the value after "key " or NULL when the line is another key. */
static const char *value_of(const char *line, const char *key)
{
    size_t n = strlen(key);
    return line && !strncmp(line, key, n) && line[n] == ' ' ? line + n + 1 : NULL;
}

/* The next space-separated token of *s and its length (0 at the end). */
static const char *next_token(const char **s, size_t *n)
{
    while (**s == ' ') (*s)++;
    const char *t = *s;
    *n = strcspn(t, " ");
    *s += *n;
    return t;
}

static int at_end(const char *s)
{
    while (*s == ' ') s++;
    return *s == '\0';
}

/* Token t (n bytes) as a whole number in 0 .. max: digits only, no sign, no
 * wrap-around. Returns 0, or -1 with the reason in why. */
static int whole(const char *t, size_t n, unsigned long long max, unsigned long long *out,
                 char *why, size_t cap)
{
    int shown = (int)(n < 40 ? n : 40);
    if (n == 0) {
        pgemm_text_copy(why, cap, "a number is missing");
        return -1;
    }
    unsigned long long v = 0;
    int over = 0;
    for (size_t i = 0; i < n; i++) {
        if (t[i] < '0' || t[i] > '9') {
            pgemm_text_format(why, cap, "\"%.*s\" is not a whole number", shown, t);
            return -1;
        }
        unsigned d = (unsigned)(t[i] - '0');
        if (v > (ULLONG_MAX - d) / 10) over = 1;
        else v = v * 10 + d;
    }
    if (over || v > max) {
        pgemm_text_format(why, cap, "%.*s is more than %llu", shown, t, max);
        return -1;
    }
    *out = v;
    return 0;
}

/* A whole header value (the rest of its line) in lo .. hi. */
static int whole_value(const char *v, unsigned long long lo, unsigned long long hi,
                       unsigned long long *out)
{
    char why[80];
    return whole(v, strlen(v), hi, out, why, sizeof why) != 0 || *out < lo ? -1 : 0;
}

/* Token t (n bytes) as a finite number within +-MAX_MAGNITUDE. */
static int number(const char *t, size_t n, double *out, char *why, size_t cap)
{
    char buf[64];
    if (n == 0) {
        pgemm_text_copy(why, cap, "a number is missing");
        return -1;
    }
    if (n >= sizeof buf) {
        pgemm_text_format(why, cap, "\"%.20s...\" is not a number", t);
        return -1;
    }
    memcpy(buf, t, n);
    buf[n] = '\0';
    char *end;
    double v = strtod(buf, &end);
    if (isspace((unsigned char)buf[0]) || end != buf + n) {
        pgemm_text_format(why, cap, "\"%s\" is not a number", buf);
        return -1;
    }
    if (!isfinite(v)) {
        pgemm_text_format(why, cap, "%s is not a finite number", buf);
        return -1;
    }
    if (fabs(v) > MAX_MAGNITUDE) {
        pgemm_text_format(why, cap, "%s is outside -1e9 .. 1e9", buf);
        return -1;
    }
    *out = v;
    return 0;
}

/* n numbers and nothing after them. */
static int numbers(const char *s, double *out, int n, char *why, size_t cap)
{
    for (int i = 0; i < n; i++) {
        size_t len;
        const char *t = next_token(&s, &len);
        char inner[PGEMM_REASON_LEN / 2];
        if (number(t, len, &out[i], inner, sizeof inner) != 0) {
            pgemm_text_format(why, cap, "number %d: %s", i + 1, inner);
            return -1;
        }
    }
    if (!at_end(s)) {
        pgemm_text_format(why, cap, "more than %d numbers", n);
        return -1;
    }
    return 0;
}

static int expect_word(const char **s, const char *word, char *why, size_t cap)
{
    size_t n;
    const char *t = next_token(s, &n);
    if (n == strlen(word) && !strncmp(t, word, n)) return 0;
    pgemm_text_format(why, cap, "expected \"%s\", not \"%.*s\"", word, (int)(n < 40 ? n : 40), t);
    return -1;
}

/* "trees T nodes N base B", as a level or variant line carries it. */
static int ensemble_head(const char **s, size_t *trees, size_t *nodes, double *base, char *why,
                         size_t cap)
{
    static const char *const words[] = {"trees", "nodes"};
    const unsigned long long max[] = {MAX_TREES, MAX_NODES};
    size_t *out[] = {trees, nodes};
    char inner[PGEMM_REASON_LEN / 2];
    for (int i = 0; i < 2; i++) {
        if (expect_word(s, words[i], why, cap) != 0) return -1;
        size_t n;
        const char *t = next_token(s, &n);
        unsigned long long v;
        if (whole(t, n, max[i], &v, inner, sizeof inner) != 0) {
            pgemm_text_format(why, cap, "%s: %s", words[i], inner);
            return -1;
        }
        *out[i] = (size_t)v;
    }
    if (expect_word(s, "base", why, cap) != 0) return -1;
    size_t n;
    const char *t = next_token(s, &n);
    if (number(t, n, base, inner, sizeof inner) != 0) {
        pgemm_text_format(why, cap, "base: %s", inner);
        return -1;
    }
    return 0;
}

/* Reads one preorder tree into the complete-tree slots from `at` (depth:
 * the levels left below it). Returns 0, or -1: why says what number is bad,
 * or stays empty for a tree of the wrong shape. */
static int read_tree(const char **s, pgemm_tree_node *t, size_t at, size_t nodes, unsigned depth,
                     char *why, size_t cap)
{
    size_t n;
    const char *kind = next_token(s, &n);
    if (at >= nodes || n != 1 || (*kind != 'l' && *kind != 's')) return -1;
    const char *tok = next_token(s, &n);
    if (*kind == 'l') {
        t[at].feature = -1;
        t[at].left = t[at].right = -1;
        return number(tok, n, &t[at].value, why, cap);
    }
    unsigned long long f;
    char inner[80];
    if (depth == 0) return -1;
    if (whole(tok, n, PGEMM_FEATURES - 1, &f, inner, sizeof inner) != 0) {
        pgemm_text_format(why, cap, "a split on feature \"%.*s\" (there are %d)",
                          (int)(n < 40 ? n : 40), tok, PGEMM_FEATURES);
        return -1;
    }
    t[at].feature = (int)f;
    tok = next_token(s, &n);
    if (number(tok, n, &t[at].threshold, why, cap) != 0) return -1;
    t[at].left = (int)(2 * at + 1);
    t[at].right = (int)(2 * at + 2);
    if (read_tree(s, t, 2 * at + 1, nodes, depth - 1, why, cap) != 0) return -1;
    return read_tree(s, t, 2 * at + 2, nodes, depth - 1, why, cap);
}

static unsigned depth_of(size_t nodes)
{
    unsigned d = 0;
    while (((size_t)2 << d) - 1 < nodes) d++;
    return ((size_t)2 << d) - 1 == nodes ? d : 0;
}

#define FAIL(...)                                                                      \
    do {                                                                               \
        char msg_[PGEMM_REASON_LEN];                                                   \
        pgemm_text_format(msg_, sizeof msg_, __VA_ARGS__);                             \
        if (r.line_no) pgemm_err_set(err, "%s: line %zu: %s", path, r.line_no, msg_);  \
        else pgemm_err_set(err, "%s: %s", path, msg_);                                 \
        goto fail;                                                                     \
    } while (0)

static int copy_field(char *dst, size_t cap, const char *v)
{
    if (!v || strlen(v) >= cap) return -1;
    pgemm_text_copy(dst, cap, v);
    return 0;
}

/* Reads `trees` tree lines of `nodes` nodes each into e (what: the owner's
 * name for messages); *slots counts the model's node slots so far. Returns
 * 0, or -1 with the reason in err. */
static int read_trees(reader *r, pgemm_ensemble *e, size_t trees, size_t nodes, size_t *slots,
                      const char *what, const char *path, pgemm_err *err)
{
    unsigned depth = depth_of(nodes);
    if (trees == 0 || !depth) {
        pgemm_err_set(err, "%s: line %zu: %s: %zu trees of %zu nodes (1 .. %d trees of 3, 7, "
                           "15, ... %d nodes)",
                      path, r->line_no, what, trees, nodes, MAX_TREES, MAX_NODES);
        return -1;
    }
    /* trees <= MAX_TREES and nodes <= MAX_NODES: the product cannot wrap. */
    if (trees * nodes > (size_t)MAX_SLOTS - *slots) {
        pgemm_err_set(err,
                      "%s: line %zu: %s: %zu trees of %zu nodes: more than the %d node slots "
                      "a model may hold in all",
                      path, r->line_no, what, trees, nodes, MAX_SLOTS);
        return -1;
    }
    *slots += trees * nodes;
    e->node = calloc(trees * nodes, sizeof *e->node);
    if (!e->node) {
        pgemm_err_set(err, "out of memory");
        return -1;
    }
    e->trees = trees;
    e->nodes = nodes;
    for (size_t t = 0; t < trees; t++) {
        char *line = next_line(r);
        const char *s = line ? value_of(line, "tree") : NULL;
        char why[PGEMM_REASON_LEN / 2] = "";
        int ok = s && read_tree(&s, e->node + t * nodes, 0, nodes, depth, why, sizeof why) == 0;
        if (ok && !at_end(s)) {
            pgemm_err_set(err, "%s: line %zu: %s: tree %zu is followed by trailing text", path,
                          r->line_no, what, t + 1);
            return -1;
        }
        if (!ok) {
            if (why[0])
                pgemm_err_set(err, "%s: line %zu: %s: tree %zu: %s", path, r->line_no, what,
                              t + 1, why);
            else
                pgemm_err_set(err, "%s: line %zu: %s: tree %zu is malformed", path, r->line_no,
                              what, t + 1);
            return -1;
        }
    }
    return 0;
}

pgemm_model *pgemm_model_load(const char *path, pgemm_err *err)
{
    /* A FIFO, a device or a folder is refused before a byte is read. */
    char why[PGEMM_REASON_LEN];
    size_t len = 0;
    char *data = pgemm_file_read(path, MAX_BYTES, &len, why, sizeof why);
    if (!data) {
        pgemm_err_set(err, "%s: %s", path, why);
        return NULL;
    }
    pgemm_model *m = NULL;
    reader r = {data, data + len, 0};

    if (strncmp(data, "pgemm-model ", 12) != 0) FAIL("not a pgemm model file");
    const char *nul = memchr(data, '\0', len);
    if (nul) FAIL("a NUL byte at offset %zu: not a text file", (size_t)(nul - data));
    /* The checksum line closes the file; it covers every byte before it.
     * `last` is where that line starts (indices: never before data[0]). */
    size_t last = len;
    if (last && data[last - 1] == '\n') last--;
    while (last && data[last - 1] != '\n') last--;
    const char *sum = value_of(data + last, "checksum");
    if (!sum) FAIL("no checksum line at the end: the file is truncated or damaged");
    char want[17];
    snprintf(want, sizeof want, "%016" PRIx64, pgemm_fnv1a64(data, last, PGEMM_FNV_SEED));
    if (strncmp(sum, want, 16) != 0 || (sum[16] != '\n' && sum[16] != '\0')) {
        size_t shown = strcspn(sum, "\n");
        FAIL("checksum mismatch (file says %.*s, contents give %s): the file is damaged",
             (int)(shown < 16 ? shown : 16), sum, want);
    }
    r.end = data + last;

    m = calloc(1, sizeof *m);
    if (!m) FAIL("out of memory");
    const char *v, *s;
    unsigned long long u;
    char *line = next_line(&r);
    if (!(v = value_of(line, "pgemm-model")) || whole_value(v, 0, 1000, &u) != 0 ||
        u < PGEMM_MODEL_OLDEST_VERSION || u > PGEMM_MODEL_VERSION)
        FAIL("model format version %.40s; this pgemm reads versions %d to %d", v ? v : "?",
             PGEMM_MODEL_OLDEST_VERSION, PGEMM_MODEL_VERSION);
    unsigned long long version = u;
    static const char *const keys[] = {"backend", "device", "driver", "precision"};
    char *fields[] = {m->key.backend, m->key.device, m->key.driver, m->key.precision};
    size_t caps[] = {sizeof m->key.backend, sizeof m->key.device, sizeof m->key.driver,
                     sizeof m->key.precision};
    for (int i = 0; i < 4; i++)
        if (copy_field(fields[i], caps[i], value_of(next_line(&r), keys[i])) != 0)
            FAIL("expected \"%s ...\"", keys[i]);
    if (strcmp(m->key.precision, "fp32") && strcmp(m->key.precision, "fp16"))
        FAIL("precision \"%s\": expected fp32 or fp16", m->key.precision);
    if (version >= 3) {
        if (copy_field(m->key.arch, sizeof m->key.arch, value_of(next_line(&r), "arch")) != 0 ||
            strpbrk(m->key.arch, " \t"))
            FAIL("expected \"arch ...\" (one word)");
        if (!strcmp(m->key.arch, "-")) m->key.arch[0] = '\0';
    }
    if (!(v = value_of(next_line(&r), "compute_units"))) FAIL("expected compute_units");
    if (whole_value(v, 0, MAX_UNITS, &u) != 0)
        FAIL("compute_units %.40s: expected a whole number 0 .. %d", v, MAX_UNITS);
    m->key.compute_units = (unsigned)u;
    if (copy_field(m->key.kernel_set, sizeof m->key.kernel_set,
                   value_of(next_line(&r), "kernel_set")) != 0)
        FAIL("expected kernel_set");
    if (!(v = value_of(next_line(&r), "features")) || whole_value(v, 0, 1000, &u) != 0 ||
        u != PGEMM_FEATURES)
        FAIL("model made for %.40s features; this pgemm computes %d", v ? v : "?",
             PGEMM_FEATURES);
    if (!(v = value_of(next_line(&r), "family"))) FAIL("expected family");
    if (!strcmp(v, "gbt")) m->family = PGEMM_MODEL_GBT;
    else if (!strcmp(v, "knn")) m->family = PGEMM_MODEL_KNN;
    else FAIL("unknown model family \"%.40s\"", v);
    if (!(v = value_of(next_line(&r), "knn_k"))) FAIL("expected knn_k");
    if (whole_value(v, 1, MAX_KNN_K, &u) != 0)
        FAIL("knn_k %.40s outside 1 .. %d", v, MAX_KNN_K);
    m->knn_k = (unsigned)u;
    line = next_line(&r);
    if (!line || (strcmp(line, "trained") && strncmp(line, "trained ", 8)))
        FAIL("expected trained");
    pgemm_text_copy(m->trained, sizeof m->trained, line[7] ? line + 8 : "");
    if (!(v = value_of(next_line(&r), "mean"))) FAIL("expected mean and %d numbers", PGEMM_FEATURES);
    if (numbers(v, m->mean, PGEMM_FEATURES, why, sizeof why) != 0) FAIL("mean: %s", why);
    if (!(v = value_of(next_line(&r), "scale")))
        FAIL("expected scale and %d numbers", PGEMM_FEATURES);
    if (numbers(v, m->scale, PGEMM_FEATURES, why, sizeof why) != 0) FAIL("scale: %s", why);
    for (int j = 0; j < PGEMM_FEATURES; j++)
        if (m->scale[j] < MIN_SCALE)
            FAIL("scale: number %d is %g, not in %g .. %g", j + 1, m->scale[j], MIN_SCALE,
                 MAX_MAGNITUDE);
    size_t trees, nodes, slots = 0;
    if (!(s = value_of(next_line(&r), "level"))) FAIL("expected level");
    if (ensemble_head(&s, &trees, &nodes, &m->level.base, why, sizeof why) != 0)
        FAIL("level: %s", why);
    if (!at_end(s)) FAIL("level: trailing text \"%.40s\"", s);
    if (read_trees(&r, &m->level, trees, nodes, &slots, "level", path, err) != 0) goto fail;
    if (!(v = value_of(next_line(&r), "variants"))) FAIL("expected variants");
    if (whole_value(v, 1, PGEMM_MODEL_MAX_VARIANTS, &u) != 0)
        FAIL("variants %.40s: expected 1 .. %d", v, PGEMM_MODEL_MAX_VARIANTS);
    size_t count = (size_t)u;
    m->variant_count = count;
    for (size_t i = 0; i < count; i++) {
        pgemm_variant_model *vm = &m->variant[i];
        if (!(s = value_of(next_line(&r), "variant")))
            FAIL("expected variant %zu of %zu", i + 1, count);
        size_t n;
        const char *name = next_token(&s, &n);
        if (n == 0 || n >= sizeof vm->name)
            FAIL("variant %zu: a name of %zu characters (1 .. %zu)", i + 1, n,
                 sizeof vm->name - 1);
        memcpy(vm->name, name, n);
        vm->name[n] = '\0';
        for (size_t j = 0; j < i; j++)
            if (!strcmp(m->variant[j].name, vm->name)) FAIL("variant %s appears twice", vm->name);
        static const char *const tile_names[] = {"tile_m", "tile_n", "tile_k"};
        unsigned *tiles[] = {&vm->tile_m, &vm->tile_n, &vm->tile_k};
        for (int t = 0; t < 3; t++) {
            const char *tok = next_token(&s, &n);
            if (whole(tok, n, MAX_TILE, &u, why, sizeof why) != 0)
                FAIL("variant %s: %s: %s", vm->name, tile_names[t], why);
            *tiles[t] = (unsigned)u;
        }
        if (!vm->tile_m || !vm->tile_n) FAIL("variant %s: zero tile", vm->name);
        if (ensemble_head(&s, &trees, &nodes, &vm->gbt.base, why, sizeof why) != 0)
            FAIL("variant %s: %s", vm->name, why);
        if (expect_word(&s, "points", why, sizeof why) != 0)
            FAIL("variant %s: %s", vm->name, why);
        const char *tok = next_token(&s, &n);
        int knn = m->family == PGEMM_MODEL_KNN;
        if (whole(tok, n, knn ? MAX_POINTS : ULLONG_MAX, &u, why, sizeof why) != 0)
            FAIL("variant %s: points: %s", vm->name, why);
        if (!at_end(s)) FAIL("variant %s: trailing text \"%.40s\"", vm->name, s);
        if (!knn) {
            if (u != 0)
                FAIL("variant %s: %llu points in a gbt model (its variants have trees, not "
                     "points)",
                     vm->name, u);
            char what[PGEMM_NAME_LEN + 8];
            pgemm_text_format(what, sizeof what, "variant %s", vm->name);
            if (read_trees(&r, &vm->gbt, trees, nodes, &slots, what, path, err) != 0)
                goto fail;
            continue;
        }
        if (trees != 0 || nodes != 0)
            FAIL("variant %s: trees %zu nodes %zu in a knn model (its variants have points, "
                 "not trees)",
                 vm->name, trees, nodes);
        /* u <= MAX_POINTS, and no more than the rest of the file can hold:
         * the allocation is bounded by the file's length. */
        size_t points = (size_t)u, left = (size_t)(r.end - r.p);
        if (points > left / MIN_POINT_LINE)
            FAIL("variant %s: %zu points, more than the rest of the file can hold (%zu bytes)",
                 vm->name, points, left);
        if (points) {
            vm->x = calloc(points, PGEMM_FEATURES * sizeof *vm->x);
            vm->y = calloc(points, sizeof *vm->y);
            if (!vm->x || !vm->y) FAIL("out of memory");
        }
        vm->points = points;
        for (size_t p = 0; p < points; p++) {
            double row[PGEMM_FEATURES + 1];
            if (!(v = value_of(next_line(&r), "point")))
                FAIL("variant %s: expected point %zu of %zu", vm->name, p + 1, points);
            if (numbers(v, row, PGEMM_FEATURES + 1, why, sizeof why) != 0)
                FAIL("variant %s: point %zu: %s", vm->name, p + 1, why);
            memcpy(vm->x + p * PGEMM_FEATURES, row, PGEMM_FEATURES * sizeof *row);
            vm->y[p] = row[PGEMM_FEATURES];
        }
    }
    if (next_line(&r)) FAIL("unexpected text after the last variant");
    free(data);
    return m;
fail:
    free(data);
    pgemm_model_free(m);
    return NULL;
}

const char *pgemm_model_mismatch(const pgemm_model *m, const pgemm_model_key *key,
                                 int *driver_differs, char *why, size_t cap)
{
    if (driver_differs) *driver_differs = strcmp(m->key.driver, key->driver) != 0;
    if (strcmp(m->key.backend, key->backend))
        return pgemm_text_format(why, cap, "trained for backend %s, running %s", m->key.backend,
                                 key->backend);
    if (strcmp(m->key.device, key->device))
        return pgemm_text_format(why, cap, "trained for device \"%s\", running \"%s\"",
                                 m->key.device, key->device);
    if (strcmp(m->key.precision, key->precision))
        return pgemm_text_format(why, cap, "trained for %s, wanted for %s", m->key.precision,
                                 key->precision);
    if (m->key.compute_units != key->compute_units)
        return pgemm_text_format(why, cap, "trained on %u compute units, running %u",
                                 m->key.compute_units, key->compute_units);
    if (strcmp(m->key.kernel_set, key->kernel_set))
        return pgemm_text_format(why, cap,
                                 "trained for another kernel set (%s; this build's is %s)",
                                 m->key.kernel_set, key->kernel_set);
    return NULL;
}
