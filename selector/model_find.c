/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Finding the model for a context: the first file, in order, of
 *   1. the model directory (pgemm_options.model_dir / PGEMM_MODEL_DIR),
 *   2. the per-user cache (<cache dir>/models, where `pgemm tune` writes),
 *   3. the shipped models (selector/models in the source tree for a
 *      library in its build folder; <datadir>/pgemm/models of the prefix
 *      it is installed in),
 * whose header names this backend, device and precision and which then
 * loads and matches the kernel set. Files are read as regular files only,
 * never blocking (a FIFO named *.model cannot hang a context). A well-formed
 * header naming another backend, device or precision is passed over
 * quietly (PGEMM_LOG=2 names it), without reading further. Every other
 * file is refused, with the reason in the log (PGEMM_LOG=1) and in the
 * selector's `source` text, and the search goes on: one that is not a
 * regular file or cannot be read, whose header is missing or damaged, or
 * that names this device and is damaged or was trained for another kernel
 * set or unit count.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/file_io.h"
#include "common/log.h"
#include "common/text.h"
#include "model.h"
#include "selector.h"

/* What the first lines of a model file say. */
/* How a file's header relates to this device, best first. */
enum {
    HEADER_BAD = -1,   /* not readable as a model (the reason in why) */
    HEADER_OTHER = 0,  /* a model for another backend or precision, or of no use here */
    HEADER_THIS = 1,   /* this backend, device and precision */
    HEADER_ARCH = 2,   /* this backend and precision, another device of this architecture */
    HEADER_VENDOR = 3  /* this backend and precision, another architecture of this family */
};

/* The family of an architecture: its letters before the first digit or
 * '-' ("sm" for sm_90, "gfx" for gfx90a, "cpu", "llvmpipe"); "" for none. */
static void arch_family(const char *arch, char *out, size_t cap)
{
    size_t n = 0;
    while (arch[n] && arch[n] != '-' && arch[n] != '_' && !(arch[n] >= '0' && arch[n] <= '9'))
        n++;
    pgemm_text_format(out, cap, "%.*s", (int)n, arch);
}

/* Reads the header of path: through pgemm_file_open_regular, so that a
 * FIFO, a device or a folder is refused unread and nothing blocks. Returns
 * one of the HEADER_ values; for HEADER_OTHER, what the file is for is in
 * why, and for HEADER_BAD, the reason. Either way why starts with the
 * path. The architecture tiers need the version 3 header's arch line. */
static int read_header(const char *path, const pgemm_model_key *key, char *why, size_t cap)
{
    char reason[PGEMM_REASON_LEN];
    int fd = pgemm_file_open_regular(path, NULL, reason, sizeof reason);
    if (fd < 0) {
        pgemm_text_format(why, cap, "%s: %s", path, reason);
        return HEADER_BAD;
    }
    /* Six lines of at most ~140 bytes each: 4 KiB holds a sound header. */
    char buf[4096];
    size_t got = 0;
    while (got < sizeof buf - 1) {
        ssize_t n = read(fd, buf + got, sizeof buf - 1 - got);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            pgemm_text_format(why, cap, "%s: %s", path, strerror(errno));
            close(fd);
            return HEADER_BAD;
        }
        if (n == 0) break;
        got += (size_t)n;
    }
    close(fd);
    buf[got] = '\0';
    if (strncmp(buf, "pgemm-model ", 12) != 0) {
        pgemm_text_format(why, cap, "%s: not a pgemm model file", path);
        return HEADER_BAD;
    }
    static const char *const keys[] = {"pgemm-model", "backend", "device", "driver", "precision",
                                       "arch"};
    const char *value[6] = {0};
    char *p = buf;
    int lines = strncmp(buf, "pgemm-model 2\n", 14) == 0 ? 5 : 6;
    for (int i = 0; i < lines; i++) {
        char *nl = memchr(p, '\n', (size_t)(buf + got - p));
        if (!nl) {
            pgemm_text_format(why, cap, "%s: header cut short (line %d)", path, i + 1);
            return HEADER_BAD;
        }
        *nl = '\0';
        size_t k = strlen(keys[i]);
        if (strncmp(p, keys[i], k) != 0 || p[k] != ' ') {
            pgemm_text_format(why, cap, "%s: damaged header: line %d is not \"%s ...\"", path,
                              i + 1, keys[i]);
            return HEADER_BAD;
        }
        value[i] = p + k + 1;
        p = nl + 1;
    }
    int ours = !strcmp(value[1], key->backend) && !strcmp(value[4], key->precision);
    if (ours && !strcmp(value[2], key->device)) return HEADER_THIS;
    const char *arch = value[5] && strcmp(value[5], "-") ? value[5] : "";
    char family[64], this_family[64];
    arch_family(arch, family, sizeof family);
    arch_family(key->arch, this_family, sizeof this_family);
    /* CPUs take no other CPU's model: on a 2-core Xeon, PoCL with the model
     * of a 2-core EPYC of the same LLVM target picked no better than the
     * heuristic (docs/TUNING.md). GPUs of one architecture do. */
    if (!strcmp(this_family, "cpu") || !strcmp(this_family, "llvmpipe")) ours = 0;
    if (ours && *arch && !strcmp(arch, key->arch)) return HEADER_ARCH;
    if (ours && *family && !strcmp(family, this_family)) return HEADER_VENDOR;
    pgemm_text_format(why, cap, "%s: a model for %.32s %.16s on \"%.128s\"%s%.32s", path, value[1],
                      value[4], value[2], *arch ? ", architecture " : "", arch);
    return HEADER_OTHER;
}

/* The files refused in one precision's search. Each goes to the log; the
 * selector's source text (PGEMM_REASON_LEN) shows as many as fit and
 * counts the rest. */
typedef struct refusals {
    char text[4096];                   /* "refused A: why; refused B: why" */
    size_t end[64];                    /* where each entry in text ends */
    size_t count;                      /* entries in text */
    size_t more;                       /* entries that did not fit in text */
} refusals;

static void refuse(refusals *r, const char *why)
{
    pgemm_log(PGEMM_LOG_INFO, "selector: model refused: %s", why);
    char entry[1024];
    pgemm_text_format(entry, sizeof entry, "%srefused %s", r->count ? "; " : "", why);
    size_t len = strlen(r->text);
    if (r->count < sizeof r->end / sizeof r->end[0] && len + strlen(entry) < sizeof r->text) {
        memcpy(r->text + len, entry, strlen(entry) + 1);
        r->end[r->count++] = strlen(r->text);
    } else {
        r->more++;
    }
}

/* Appends open, the whole refusals that fit in dst (capacity cap), a count
 * of the others, and ")". A first refusal too long for dst is cut. */
static void put_refusals(char *dst, size_t cap, const char *open, const refusals *r)
{
    size_t used = strlen(dst) + strlen(open) + 2; /* ")" and the NUL */
    size_t room = cap > used ? cap - used : 0;
    size_t total = r->count + r->more, k = r->count;
    char tail[96];
    for (;; k--) {
        tail[0] = '\0';
        if (k < total)
            pgemm_text_format(tail, sizeof tail, "; %zu more refused (PGEMM_LOG=1 names them)",
                              total - k);
        if (k <= 1 || r->end[k - 1] + strlen(tail) <= room) break;
    }
    size_t show = k ? r->end[k - 1] : 0;
    const char *cut = "";
    if (show + strlen(tail) > room) {
        show = room > strlen(tail) + 3 ? room - strlen(tail) - 3 : 0;
        cut = "...";
    }
    pgemm_text_append(dst, cap, "%s%.*s%s%s)", open, (int)show, r->text, cut, tail);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sets up slot p from model m (already checked against key). */
static void adopt(pgemm_selector *sel, int p, pgemm_model *m, const char *path,
                  const pgemm_variant_desc *const *variants, size_t count, int driver_differs,
                  int tier, const pgemm_model_key *key)
{
    pgemm_model_free(sel->p[p].model);
    sel->p[p].model = m;
    for (size_t i = 0; i < m->variant_count; i++)
        for (size_t j = 0; j < count; j++)
            if (!strcmp(m->variant[i].name, variants[j]->name)) sel->p[p].map[i] = j;
    if (tier == HEADER_THIS) {
        pgemm_text_format(sel->p[p].source, sizeof sel->p[p].source, "model %s%s", path,
                          driver_differs ? " (trained on another driver)" : "");
    } else {
        /* Another device's model, fed this device's values: its features
         * count this device's compute units. */
        unsigned trained_units = m->key.compute_units;
        m->key.compute_units = key->compute_units;
        char units[96] = "";
        if (trained_units != key->compute_units)
            pgemm_text_format(units, sizeof units, "; trained on %u compute units, used with %u",
                              trained_units, key->compute_units);
        pgemm_text_format(sel->p[p].source, sizeof sel->p[p].source,
                          "model %s, trained on \"%s\", %s %s%s%s", path, m->key.device,
                          tier == HEADER_ARCH ? "same architecture" : "same vendor, architecture",
                          tier == HEADER_ARCH ? key->arch : m->key.arch,
                          tier == HEADER_ARCH ? "" : " (not this device's)", units);
    }
    memset(sel->cache, 0, sizeof sel->cache);
    memset(&sel->last, 0, sizeof sel->last);
}

/* Whether loaded model m (read from path) fits key and the backend's
 * variants: 1, or 0 with the reason in why. */
static int model_fits(const pgemm_model *m, const char *path, const pgemm_model_key *key,
                      const pgemm_variant_desc *const *variants, size_t count,
                      int *driver_differs, char *why, size_t cap)
{
    char reason[PGEMM_REASON_LEN];
    if (pgemm_model_mismatch(m, key, driver_differs, reason, sizeof reason)) {
        pgemm_text_format(why, cap, "%s: %s", path, reason);
        return 0;
    }
    /* The kernel set matched, so every model variant is a backend variant. */
    for (size_t i = 0; i < m->variant_count; i++) {
        size_t j = 0;
        while (j < count && strcmp(m->variant[i].name, variants[j]->name)) j++;
        if (j == count) {
            pgemm_text_format(why, cap, "%s: variant %s is not in this backend", path,
                              m->variant[i].name);
            return 0;
        }
    }
    return 1;
}

/* Loads path and checks it against key; returns the model or NULL with
 * the reason in why. */
static pgemm_model *load_checked(const char *path, const pgemm_model_key *key, int tier,
                                 const pgemm_variant_desc *const *variants, size_t count,
                                 int *driver_differs, char *why, size_t cap)
{
    pgemm_err err = {{0}};
    pgemm_model *m = pgemm_model_load(path, &err);
    if (!m) {
        pgemm_text_copy(why, cap, err.msg);
        return NULL;
    }
    /* Another device's model must match in all but the device itself: its
     * name, driver, unit count and architecture (the header chose it for
     * the last). The kernel set and the precision still must. */
    pgemm_model_key want = *key;
    if (tier != HEADER_THIS) {
        pgemm_text_copy(want.device, sizeof want.device, m->key.device);
        pgemm_text_copy(want.driver, sizeof want.driver, m->key.driver);
        pgemm_text_copy(want.arch, sizeof want.arch, m->key.arch);
        want.compute_units = m->key.compute_units;
    }
    if (!model_fits(m, path, &want, variants, count, driver_differs, why, cap)) {
        pgemm_model_free(m);
        return NULL;
    }
    return m;
}

/* At most this many *.model names are read from one folder: a folder of
 * millions costs memory and time, not a hang. */
enum { MAX_FILES = 4096 };

/* Searches one directory for a model of this tier (HEADER_THIS, _ARCH or
 * _VENDOR); returns 1 when one was adopted. Files of the other tiers are
 * left to their own pass, and only the first pass reports what it passes
 * over. */
static int search_dir(pgemm_selector *sel, int p, const char *dir, const pgemm_model_key *key,
                      int tier, const pgemm_variant_desc *const *variants, size_t count,
                      refusals *ref)
{
    if (!dir || !*dir) return 0;
    DIR *d = opendir(dir);
    if (!d) {
        if (tier == HEADER_THIS)
            pgemm_log(PGEMM_LOG_DEBUG, "selector: model folder %s: %s", dir, strerror(errno));
        return 0;
    }
    char **names = NULL;
    size_t n = 0, cap = 0, unread = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len <= 6 || strcmp(e->d_name + len - 6, ".model") != 0) continue;
        if (n == cap && cap < MAX_FILES) {
            size_t grown = cap ? 2 * cap : 64;
            char **more = realloc(names, grown * sizeof *names);
            if (more) {
                names = more;
                cap = grown;
            }
        }
        char *copy = n < cap ? strdup(e->d_name) : NULL;
        if (copy) names[n++] = copy;
        else unread++;
    }
    closedir(d);
    if (unread && tier == HEADER_THIS) {
        char why[PGEMM_REASON_LEN];
        pgemm_text_format(why, sizeof why, "%s: %zu model files not read (at most %d are)", dir,
                          unread, MAX_FILES);
        refuse(ref, why);
    }
    if (n) qsort(names, n, sizeof *names, cmp_str);
    int found = 0;
    for (size_t i = 0; i < n && !found; i++) {
        char path[4096], why[PGEMM_REASON_LEN];
        size_t need = strlen(dir) + 1 + strlen(names[i]);
        if (need >= sizeof path) {
            if (tier != HEADER_THIS) continue;
            /* The reason first: a cut message still says it. */
            pgemm_text_format(why, sizeof why, "a path of %zu bytes, longer than %zu: %s/%s",
                              need, sizeof path - 1, dir, names[i]);
            refuse(ref, why);
            continue;
        }
        pgemm_text_format(path, sizeof path, "%s/%s", dir, names[i]);
        int h = read_header(path, key, why, sizeof why);
        if (h == HEADER_OTHER) {
            if (tier == HEADER_THIS) pgemm_log(PGEMM_LOG_DEBUG, "selector: passed over %s", why);
            continue;
        }
        if (h == HEADER_BAD) {
            if (tier == HEADER_THIS) refuse(ref, why);
            continue;
        }
        if (h != tier) continue;
        int driver_differs = 0;
        pgemm_model *m =
            load_checked(path, key, tier, variants, count, &driver_differs, why, sizeof why);
        if (m) {
            adopt(sel, p, m, path, variants, count, driver_differs, tier, key);
            found = 1;
        } else if (tier == HEADER_THIS) {
            refuse(ref, why);
        } else {
            /* Another device's model that does not fit (another kernel set,
             * say) is no fault of the file. */
            pgemm_log(PGEMM_LOG_DEBUG, "selector: passed over %s", why);
        }
    }
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
    return found;
}

void pgemm_selector_init(pgemm_selector *sel, const pgemm_variant_desc *const *variants,
                         size_t count, const pgemm_info *device, const pgemm_model_dirs *where)
{
    const char *cache_dir = where->cache;
    memset(sel, 0, sizeof *sel);
    char cache_models[4096] = "";
    if (cache_dir && *cache_dir) {
        if (strlen(cache_dir) + sizeof "/models" <= sizeof cache_models)
            pgemm_text_format(cache_models, sizeof cache_models, "%s/models", cache_dir);
        else
            pgemm_log(PGEMM_LOG_INFO,
                      "selector: cache folder path is too long for its models folder: %s",
                      cache_dir);
    }
    const char *dirs[] = {where->user, cache_models, where->shipped};
    for (int p = 0; p < 2; p++) {
        if (p == 1 && !device->has_fp16_tiles) {
            pgemm_text_copy(sel->p[p].source, sizeof sel->p[p].source,
                            "heuristic (no fp16 tiles here)");
            continue;
        }
        pgemm_model_key key;
        pgemm_selector_key(&key, variants, count, device, p);
        refusals ref;
        ref.text[0] = '\0';
        ref.count = ref.more = 0;
        /* This device's model in any folder first; then one of a device
         * of the same architecture, then of the same family. */
        int found = 0;
        static const int tiers[] = {HEADER_THIS, HEADER_ARCH, HEADER_VENDOR};
        for (size_t t = 0; t < 3 && !found; t++)
            for (size_t d = 0; d < sizeof dirs / sizeof dirs[0] && !found; d++)
                found = search_dir(sel, p, dirs[d], &key, tiers[t], variants, count, &ref);
        int refused = ref.count + ref.more > 0;
        if (found) {
            /* A refused file earlier in the search (a damaged tune of the
             * user's, say) stays visible next to the model used instead. */
            if (refused) put_refusals(sel->p[p].source, sizeof sel->p[p].source, " (", &ref);
            pgemm_log(PGEMM_LOG_INFO, "selector (%s): %s", key.precision, sel->p[p].source);
        } else if (refused) {
            pgemm_text_copy(sel->p[p].source, sizeof sel->p[p].source, "heuristic");
            put_refusals(sel->p[p].source, sizeof sel->p[p].source, " (", &ref);
        } else {
            pgemm_text_format(sel->p[p].source, sizeof sel->p[p].source,
                              "heuristic (no model for %s %s on \"%s\")", key.backend,
                              key.precision, key.device);
        }
        const char *src = sel->p[p].source;
        if (strncmp(src, "model ", 6) != 0 || strstr(src, ", trained on \"") != NULL)
            pgemm_log(PGEMM_LOG_INFO,
                      "selector (%s): no model measured on this device; `pgemm tune --quick` "
                      "makes one in minutes (docs/TUNING.md)",
                      key.precision);
    }
}

int pgemm_selector_use(pgemm_selector *sel, const char *path,
                       const pgemm_variant_desc *const *variants, size_t count,
                       const pgemm_info *device, pgemm_err *err)
{
    pgemm_err e = {{0}};
    pgemm_model *m = pgemm_model_load(path, &e);
    if (!m) {
        pgemm_err_set(err, "%s", e.msg);
        return -1;
    }
    /* The file says which precision it serves; the key of that precision
     * decides whether it fits. */
    int p = !strcmp(m->key.precision, "fp16");
    pgemm_model_key key;
    pgemm_selector_key(&key, variants, count, device, p);
    char why[PGEMM_REASON_LEN];
    int driver_differs = 0;
    if (!model_fits(m, path, &key, variants, count, &driver_differs, why, sizeof why)) {
        pgemm_model_free(m);
        pgemm_err_set(err, "%s", why);
        return -1;
    }
    adopt(sel, p, m, path, variants, count, driver_differs, HEADER_THIS, &key);
    return 0;
}
