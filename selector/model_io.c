/*
 * Model files: writing, reading and checking them (model.h).
 *
 *   pgemm-model 1
 *   backend opencl
 *   device NVIDIA H100 80GB HBM3
 *   driver 580.159.04
 *   precision fp32
 *   compute_units 132
 *   kernel_set 5d0c2a81f3b94e17
 *   features 21
 *   family gbt                      (or knn)
 *   knn_k 4
 *   trained <free text>
 *   mean <21 numbers>
 *   scale <21 numbers>
 *   level trees 80 nodes 31 base 6.2
 *   tree <preorder: "s FEATURE THRESHOLD" for a split, "l VALUE" for a leaf>
 *   ...
 *   variants 5
 *   variant reg128 128 128 16 trees 80 nodes 31 base 0.1 points 0
 *   tree ...
 *   point <21 features> <relative log GFLOP/s>
 *   ...
 *   checksum 0123456789abcdef       (FNV-1a 64 of every byte before this line)
 *
 * A file that fails any check (format, version, counts, checksum) is
 * refused with the reason; nothing of it is used.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/text.h"
#include "model.h"

static uint64_t fnv1a(const char *p, size_t n, uint64_t h)
{
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 1099511628211ull;
    }
    return h;
}
#define FNV_SEED 14695981039346656037ull

void pgemm_kernel_set_hash(const pgemm_variant_desc *const *variants, size_t count, char out[17])
{
    uint64_t h = FNV_SEED;
    for (size_t i = 0; i < count; i++) {
        const pgemm_variant_desc *v = variants[i];
        char line[512];
        int len = snprintf(line, sizeof line, "%s|%s|%u|%u|%u|%u|%u|%u|%u|%u|%u|%d|%d|%s|%d;",
                           v->name, v->family, v->tile_m, v->tile_n, v->tile_k, v->wg_m,
                           v->wg_n, v->thread_m, v->thread_n, v->vector_width, v->local_bytes,
                           v->double_buffered, v->fp16, v->unit ? v->unit : "", v->tier);
        h = fnv1a(line, len > 0 ? (size_t)len : 0, h);
    }
    snprintf(out, 17, "%016" PRIx64, h);
}

/* ---------------------------------------------------------------- write */

typedef struct {
    char *p;
    size_t len, cap;
    int oom;
} sbuf;

static void put(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(sbuf *b, const char *fmt, ...)
{
    if (b->oom) return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->oom = 1;
            return;
        }
        if ((size_t)n < b->cap - b->len) {
            b->len += (size_t)n;
            return;
        }
        size_t cap = b->cap * 2 + (size_t)n + 1;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
}

static void put_tree(sbuf *b, const pgemm_tree_node *t, size_t at)
{
    if (t[at].feature < 0) {
        put(b, " l %.9g", t[at].value);
        return;
    }
    put(b, " s %d %.9g", t[at].feature, t[at].threshold);
    put_tree(b, t, (size_t)t[at].left);
    put_tree(b, t, (size_t)t[at].right);
}

static void put_trees(sbuf *b, const pgemm_ensemble *e, size_t trees)
{
    for (size_t t = 0; t < trees; t++) {
        put(b, "tree");
        put_tree(b, e->node + t * e->nodes, 0);
        put(b, "\n");
    }
}

int pgemm_model_save(const pgemm_model *m, const char *path, pgemm_err *err)
{
    sbuf b = {malloc(1 << 16), 0, 1 << 16, 0};
    if (!b.p) {
        pgemm_err_set(err, "out of memory");
        return -1;
    }
    put(&b, "pgemm-model %d\n", PGEMM_MODEL_VERSION);
    put(&b, "backend %s\ndevice %s\ndriver %s\nprecision %s\ncompute_units %u\n",
        m->key.backend, m->key.device, m->key.driver, m->key.precision, m->key.compute_units);
    put(&b, "kernel_set %s\nfeatures %d\nfamily %s\nknn_k %u\ntrained %s\n", m->key.kernel_set,
        PGEMM_FEATURES, m->family == PGEMM_MODEL_KNN ? "knn" : "gbt", m->knn_k, m->trained);
    put(&b, "mean");
    for (int j = 0; j < PGEMM_FEATURES; j++) put(&b, " %.9g", m->mean[j]);
    put(&b, "\nscale");
    for (int j = 0; j < PGEMM_FEATURES; j++) put(&b, " %.9g", m->scale[j]);
    put(&b, "\nlevel trees %zu nodes %zu base %.9g\n", m->level.trees, m->level.nodes,
        m->level.base);
    put_trees(&b, &m->level, m->level.trees);
    put(&b, "variants %zu\n", m->variant_count);
    for (size_t v = 0; v < m->variant_count; v++) {
        const pgemm_variant_model *vm = &m->variant[v];
        size_t trees = m->family == PGEMM_MODEL_GBT ? vm->gbt.trees : 0;
        size_t points = m->family == PGEMM_MODEL_KNN ? vm->points : 0;
        put(&b, "variant %s %u %u %u trees %zu nodes %zu base %.9g points %zu\n", vm->name,
            vm->tile_m, vm->tile_n, vm->tile_k, trees, trees ? vm->gbt.nodes : 0, vm->gbt.base,
            points);
        put_trees(&b, &vm->gbt, trees);
        for (size_t p = 0; p < points; p++) {
            put(&b, "point");
            for (int j = 0; j < PGEMM_FEATURES; j++)
                put(&b, " %.9g", vm->x[p * PGEMM_FEATURES + j]);
            put(&b, " %.9g\n", vm->y[p]);
        }
    }
    if (!b.oom) put(&b, "checksum %016" PRIx64 "\n", fnv1a(b.p, b.len, FNV_SEED));
    if (b.oom) {
        free(b.p);
        pgemm_err_set(err, "out of memory");
        return -1;
    }
    /* Write a temporary file and rename it: a reader never sees half a model. */
    char tmp[4096];
    pgemm_text_format(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        pgemm_err_set(err, "%s: %s", tmp, strerror(errno));
        free(b.p);
        return -1;
    }
    int ok = fwrite(b.p, 1, b.len, f) == b.len;
    ok = (fclose(f) == 0) && ok;
    free(b.p);
    if (!ok || rename(tmp, path) != 0) {
        pgemm_err_set(err, "%s: %s", path, strerror(errno));
        remove(tmp);
        return -1;
    }
    return 0;
}

/* ----------------------------------------------------------------- read */

typedef struct {
    char *p, *end;
    size_t line_no;
} reader;

/* The next line, NUL-terminated in place; NULL at the end. */
static char *next_line(reader *r)
{
    if (r->p >= r->end) return NULL;
    char *line = r->p;
    char *nl = memchr(r->p, '\n', (size_t)(r->end - r->p));
    if (nl) {
        *nl = '\0';
        r->p = nl + 1;
    } else {
        r->p = r->end;
    }
    r->line_no++;
    return line;
}

/* "key value": the value after "key " or NULL when the line is another key. */
static const char *value_of(const char *line, const char *key)
{
    size_t n = strlen(key);
    return line && !strncmp(line, key, n) && line[n] == ' ' ? line + n + 1 : NULL;
}

static int parse_double(const char **s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(*s, &end);
    if (end == *s || errno == ERANGE) return -1;
    *out = v;
    *s = end;
    return 0;
}

static int parse_doubles(const char *s, double *out, int n)
{
    for (int i = 0; i < n; i++)
        if (parse_double(&s, &out[i]) != 0) return -1;
    while (*s == ' ') s++;
    return *s ? -1 : 0;
}

/* Reads one preorder tree into the complete-tree slots from `at`. */
static int read_tree(const char **s, pgemm_tree_node *t, size_t at, size_t nodes, unsigned depth)
{
    while (**s == ' ') (*s)++;
    if (at >= nodes) return -1;
    char kind = **s;
    if (kind != 'l' && kind != 's') return -1;
    (*s)++;
    if (kind == 'l') {
        t[at].feature = -1;
        t[at].left = t[at].right = -1;
        return parse_double(s, &t[at].value);
    }
    char *end;
    long f = strtol(*s, &end, 10);
    if (end == *s || f < 0 || f >= PGEMM_FEATURES || depth == 0) return -1;
    *s = end;
    t[at].feature = (int)f;
    if (parse_double(s, &t[at].threshold) != 0) return -1;
    t[at].left = (int)(2 * at + 1);
    t[at].right = (int)(2 * at + 2);
    if (read_tree(s, t, 2 * at + 1, nodes, depth - 1) != 0) return -1;
    return read_tree(s, t, 2 * at + 2, nodes, depth - 1);
}

static unsigned depth_of(size_t nodes)
{
    unsigned d = 0;
    while (((size_t)2 << d) - 1 < nodes) d++;
    return ((size_t)2 << d) - 1 == nodes ? d : 0;
}

#define FAIL(...)                                                                      \
    do {                                                                               \
        char msg_[256];                                                                \
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
 * name for messages). Returns 0, or -1 with the reason in err. */
static int read_trees(reader *r, pgemm_ensemble *e, size_t trees, size_t nodes,
                      const char *what, const char *path, pgemm_err *err)
{
    unsigned depth = depth_of(nodes);
    if (trees == 0 || trees > 10000 || !depth || depth > 12) {
        pgemm_err_set(err, "%s: line %zu: %s: %zu trees of %zu nodes", path, r->line_no, what,
                      trees, nodes);
        return -1;
    }
    e->trees = trees;
    e->nodes = nodes;
    e->node = calloc(trees * nodes, sizeof *e->node);
    if (!e->node) {
        pgemm_err_set(err, "out of memory");
        return -1;
    }
    for (size_t t = 0; t < trees; t++) {
        char *line = next_line(r);
        const char *s = line ? value_of(line, "tree") : NULL;
        int ok = s && read_tree(&s, e->node + t * nodes, 0, nodes, depth) == 0;
        while (ok && *s == ' ') s++;
        if (!ok || *s) {
            pgemm_err_set(err, "%s: line %zu: %s: tree %zu is %s", path, r->line_no, what, t + 1,
                          ok ? "followed by trailing text" : "malformed");
            return -1;
        }
    }
    return 0;
}

pgemm_model *pgemm_model_load(const char *path, pgemm_err *err)
{
    enum { MAX_BYTES = 64 << 20 };
    FILE *f = fopen(path, "rb");
    if (!f) {
        pgemm_err_set(err, "%s: %s", path, strerror(errno));
        return NULL;
    }
    char *data = malloc(MAX_BYTES + 1);
    size_t len = data ? fread(data, 1, MAX_BYTES + 1, f) : 0;
    fclose(f);
    if (!data) {
        pgemm_err_set(err, "out of memory");
        return NULL;
    }
    if (len > MAX_BYTES) {
        free(data);
        pgemm_err_set(err, "%s: larger than %d MiB: not a model", path, MAX_BYTES >> 20);
        return NULL;
    }
    data[len] = '\0';
    pgemm_model *m = NULL;
    reader r = {data, data + len, 0};

    /* The checksum line closes the file; it covers every byte before it. */
    char *tail = len ? data + len - 1 : data;
    if (len && *tail == '\n') tail--;
    while (tail > data && tail[-1] != '\n') tail--;
    const char *sum = value_of(tail, "checksum");
    if (strncmp(data, "pgemm-model ", 12) != 0) FAIL("not a pgemm model file");
    if (!sum) FAIL("no checksum line at the end: the file is truncated or damaged");
    char want[17];
    snprintf(want, sizeof want, "%016" PRIx64, fnv1a(data, (size_t)(tail - data), FNV_SEED));
    if (strncmp(sum, want, 16) != 0 || (sum[16] != '\n' && sum[16] != '\0'))
        FAIL("checksum mismatch (file says %.16s, contents give %s): the file is damaged", sum,
             want);
    r.end = tail;

    m = calloc(1, sizeof *m);
    if (!m) FAIL("out of memory");
    const char *v;
    char *line = next_line(&r);
    if (!(v = value_of(line, "pgemm-model")) || atoi(v) != PGEMM_MODEL_VERSION)
        FAIL("model format version %s; this pgemm reads version %d", v ? v : "?",
             PGEMM_MODEL_VERSION);
    static const char *const keys[] = {"backend", "device", "driver", "precision"};
    char *fields[] = {m->key.backend, m->key.device, m->key.driver, m->key.precision};
    size_t caps[] = {sizeof m->key.backend, sizeof m->key.device, sizeof m->key.driver,
                     sizeof m->key.precision};
    for (int i = 0; i < 4; i++)
        if (copy_field(fields[i], caps[i], value_of(next_line(&r), keys[i])) != 0)
            FAIL("expected \"%s ...\"", keys[i]);
    if (!(v = value_of(next_line(&r), "compute_units"))) FAIL("expected compute_units");
    m->key.compute_units = (unsigned)strtoul(v, NULL, 10);
    if (copy_field(m->key.kernel_set, sizeof m->key.kernel_set,
                   value_of(next_line(&r), "kernel_set")) != 0)
        FAIL("expected kernel_set");
    if (!(v = value_of(next_line(&r), "features")) || atoi(v) != PGEMM_FEATURES)
        FAIL("model made for %s features; this pgemm computes %d", v ? v : "?", PGEMM_FEATURES);
    if (!(v = value_of(next_line(&r), "family"))) FAIL("expected family");
    if (!strcmp(v, "gbt")) m->family = PGEMM_MODEL_GBT;
    else if (!strcmp(v, "knn")) m->family = PGEMM_MODEL_KNN;
    else FAIL("unknown model family \"%s\"", v);
    if (!(v = value_of(next_line(&r), "knn_k"))) FAIL("expected knn_k");
    m->knn_k = (unsigned)strtoul(v, NULL, 10);
    if (m->knn_k < 1 || m->knn_k > 16) FAIL("knn_k %u outside 1 .. 16", m->knn_k);
    line = next_line(&r);
    if (!line || strncmp(line, "trained", 7) != 0) FAIL("expected trained");
    pgemm_text_copy(m->trained, sizeof m->trained, line[7] ? line + 8 : "");
    if (!(v = value_of(next_line(&r), "mean")) || parse_doubles(v, m->mean, PGEMM_FEATURES))
        FAIL("expected mean and %d numbers", PGEMM_FEATURES);
    if (!(v = value_of(next_line(&r), "scale")) || parse_doubles(v, m->scale, PGEMM_FEATURES))
        FAIL("expected scale and %d numbers", PGEMM_FEATURES);
    for (int j = 0; j < PGEMM_FEATURES; j++)
        if (!(m->scale[j] > 0)) FAIL("scale %d is not positive", j);
    size_t trees, nodes;
    line = next_line(&r);
    if (!line || sscanf(line, "level trees %zu nodes %zu base %lf", &trees, &nodes,
                        &m->level.base) != 3)
        FAIL("expected level");
    if (read_trees(&r, &m->level, trees, nodes, "level", path, err) != 0) goto fail;
    if (!(v = value_of(next_line(&r), "variants"))) FAIL("expected variants");
    unsigned long count = strtoul(v, NULL, 10);
    if (count < 1 || count > PGEMM_MODEL_MAX_VARIANTS)
        FAIL("%lu variants (1 .. %d)", count, PGEMM_MODEL_MAX_VARIANTS);
    m->variant_count = count;
    for (size_t i = 0; i < count; i++) {
        pgemm_variant_model *vm = &m->variant[i];
        line = next_line(&r);
        char name[PGEMM_NAME_LEN];
        size_t points;
        if (!line || sscanf(line, "variant %127s %u %u %u trees %zu nodes %zu base %lf points %zu",
                            name, &vm->tile_m, &vm->tile_n, &vm->tile_k, &trees, &nodes,
                            &vm->gbt.base, &points) != 8)
            FAIL("expected variant %zu of %lu", i + 1, count);
        pgemm_text_copy(vm->name, sizeof vm->name, name);
        if (!vm->tile_m || !vm->tile_n) FAIL("variant %s: zero tile", name);
        if (m->family == PGEMM_MODEL_KNN && (trees != 0 || points > 1000000))
            FAIL("variant %s: a knn model with %zu trees and %zu points", name, trees, points);
        if (m->family == PGEMM_MODEL_GBT &&
            read_trees(&r, &vm->gbt, trees, nodes, name, path, err) != 0)
            goto fail;
        vm->points = points;
        if (points) {
            vm->x = malloc(points * PGEMM_FEATURES * sizeof *vm->x);
            vm->y = malloc(points * sizeof *vm->y);
            if (!vm->x || !vm->y) FAIL("out of memory");
        }
        for (size_t p = 0; p < points; p++) {
            double row[PGEMM_FEATURES + 1];
            if (!(v = value_of(next_line(&r), "point")) ||
                parse_doubles(v, row, PGEMM_FEATURES + 1) != 0)
                FAIL("variant %s: point %zu is malformed", name, p + 1);
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
