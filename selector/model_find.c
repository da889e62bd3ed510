/*
 * Finding the model for a context: the first file, in order, of
 *   1. the model directory (pgemm_options.model_dir / PGEMM_MODEL_DIR),
 *   2. the per-user cache (<cache dir>/models, where `pgemm tune` writes),
 *   3. the shipped models (selector/models in the source tree, and
 *      <datadir>/pgemm/models once installed),
 * whose header names this backend, device and precision and which then
 * loads and matches the kernel set. Files of other devices are passed over
 * quietly; a file for this device that is damaged or was trained for
 * another kernel set is refused with a warning in the log and in the
 * selector's `source` text, and the search goes on.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/text.h"
#include "log.h"
#include "model.h"
#include "selector.h"

#ifndef PGEMM_SOURCE_MODEL_DIR
#define PGEMM_SOURCE_MODEL_DIR ""
#endif
#ifndef PGEMM_INSTALLED_MODEL_DIR
#define PGEMM_INSTALLED_MODEL_DIR ""
#endif

/* Whether a file's header names this backend, device and precision (read
 * from its first lines only). */
static int header_names(const char *path, const pgemm_model_key *key)
{
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    char line[512];
    int seen = 0, match = 1;
    for (int i = 0; i < 6 && fgets(line, sizeof line, f); i++) {
        line[strcspn(line, "\n")] = '\0';
        const char *want = NULL, *k = NULL;
        if (!strncmp(line, "backend ", 8)) { k = line + 8; want = key->backend; }
        else if (!strncmp(line, "device ", 7)) { k = line + 7; want = key->device; }
        else if (!strncmp(line, "precision ", 10)) { k = line + 10; want = key->precision; }
        if (want) {
            seen++;
            if (strcmp(k, want)) match = 0;
        }
    }
    fclose(f);
    return seen == 3 && match;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sets up slot p from model m (already checked against key). */
static void adopt(pgemm_selector *sel, int p, pgemm_model *m, const char *path,
                  const pgemm_variant_desc *const *variants, size_t count, int driver_differs)
{
    pgemm_model_free(sel->p[p].model);
    sel->p[p].model = m;
    for (size_t i = 0; i < m->variant_count; i++)
        for (size_t j = 0; j < count; j++)
            if (!strcmp(m->variant[i].name, variants[j]->name)) sel->p[p].map[i] = j;
    pgemm_text_format(sel->p[p].source, sizeof sel->p[p].source, "model %s%s", path,
                      driver_differs ? " (trained on another driver)" : "");
    memset(sel->cache, 0, sizeof sel->cache);
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
static pgemm_model *load_checked(const char *path, const pgemm_model_key *key,
                                 const pgemm_variant_desc *const *variants, size_t count,
                                 int *driver_differs, char *why, size_t cap)
{
    pgemm_err err = {{0}};
    pgemm_model *m = pgemm_model_load(path, &err);
    if (!m) {
        pgemm_text_copy(why, cap, err.msg);
        return NULL;
    }
    if (!model_fits(m, path, key, variants, count, driver_differs, why, cap)) {
        pgemm_model_free(m);
        return NULL;
    }
    return m;
}

/* Searches one directory; returns 1 when a model was adopted. */
static int search_dir(pgemm_selector *sel, int p, const char *dir, const pgemm_model_key *key,
                      const pgemm_variant_desc *const *variants, size_t count, char *refused,
                      size_t cap)
{
    DIR *d = dir && *dir ? opendir(dir) : NULL;
    if (!d) return 0;
    char *names[256];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 256) {
        size_t len = strlen(e->d_name);
        if (len > 6 && !strcmp(e->d_name + len - 6, ".model")) names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_str);
    int found = 0;
    for (size_t i = 0; i < n; i++) {
        if (!names[i]) continue;
        char path[4096];
        pgemm_text_format(path, sizeof path, "%s/%s", dir, names[i]);
        if (!header_names(path, key)) continue;
        char why[PGEMM_REASON_LEN];
        int driver_differs = 0;
        pgemm_model *m = load_checked(path, key, variants, count, &driver_differs, why, sizeof why);
        if (m) {
            adopt(sel, p, m, path, variants, count, driver_differs);
            found = 1;
            break;
        }
        pgemm_log(PGEMM_LOG_INFO, "selector: model refused: %s", why);
        pgemm_text_append(refused, cap, "%srefused %s", refused[0] ? "; " : "", why);
    }
    for (size_t i = 0; i < n; i++) free(names[i]);
    return found;
}

void pgemm_selector_init(pgemm_selector *sel, const pgemm_variant_desc *const *variants,
                         size_t count, const pgemm_info *device, const char *model_dir,
                         const char *cache_dir)
{
    memset(sel, 0, sizeof *sel);
    char cache_models[4096] = "";
    if (cache_dir && *cache_dir)
        pgemm_text_format(cache_models, sizeof cache_models, "%s/models", cache_dir);
    const char *dirs[] = {model_dir, cache_models, PGEMM_SOURCE_MODEL_DIR,
                          PGEMM_INSTALLED_MODEL_DIR};
    for (int p = 0; p < 2; p++) {
        if (p == 1 && !device->has_fp16_tiles) {
            pgemm_text_copy(sel->p[p].source, sizeof sel->p[p].source,
                            "heuristic (no fp16 tiles here)");
            continue;
        }
        pgemm_model_key key;
        pgemm_selector_key(&key, variants, count, device, p);
        char refused[PGEMM_REASON_LEN] = "";
        int found = 0;
        for (size_t d = 0; d < sizeof dirs / sizeof dirs[0] && !found; d++)
            found = search_dir(sel, p, dirs[d], &key, variants, count, refused, sizeof refused);
        if (found) {
            /* A refused file earlier in the search (a damaged tune of the
             * user's, say) stays visible next to the model used instead. */
            if (refused[0])
                pgemm_text_append(sel->p[p].source, sizeof sel->p[p].source, " (%s)", refused);
            pgemm_log(PGEMM_LOG_INFO, "selector (%s): %s", key.precision, sel->p[p].source);
        } else {
            if (refused[0])
                pgemm_text_format(sel->p[p].source, sizeof sel->p[p].source, "heuristic (%s)",
                                  refused);
            else
                pgemm_text_format(sel->p[p].source, sizeof sel->p[p].source,
                                  "heuristic (no model for %s %s on \"%s\")", key.backend,
                                  key.precision, key.device);
        }
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
    adopt(sel, p, m, path, variants, count, driver_differs);
    return 0;
}
