/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The shipped models still fit the kernels they were trained for. A model
 * is used only where the hash of the device's candidate variants (their
 * names, families, tiles, work-groups, local memory ...) equals its
 * kernel_set line, so a change to a variant's description, or to the
 * order or membership of the candidates, silently sends every device of
 * that model to the heuristic. For each model in the folder given:
 *
 *   - every variant it names is in its backend's table, and the hash of
 *     those descriptions, in the model's order, is its kernel_set;
 *   - the candidates a device of its kind gets from the table (an NVIDIA
 *     GPU of its compute capability for HIP, a GPU or a CPU that runs
 *     work-items as loops for OpenCL, by its arch line) are exactly those
 *     variants, in that order.
 *
 *   test_shipped_models MODEL_DIR
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hip/hip_variants.h"
#include "opencl/cl_variants.h"
#include "selector/model.h"
#include "selector/selector.h"
#include "test_util.h"

static const pgemm_variant_desc *table_desc(const char *backend, size_t i)
{
    if (!strcmp(backend, "hip"))
        return i < pgemm_hip_variant_count() ? &pgemm_hip_variant(i)->desc : NULL;
    return i < pgemm_cl_variant_count() ? &pgemm_cl_variant(i)->desc : NULL;
}

static const pgemm_variant_desc *find_desc(const char *backend, const char *name)
{
    for (size_t i = 0; table_desc(backend, i); i++)
        if (!strcmp(table_desc(backend, i)->name, name)) return table_desc(backend, i);
    return NULL;
}

/* The variant list a context of the model's kind holds: on HIP those an
 * NVIDIA device of the model's compute capability runs (a build with sm_90a
 * code), on OpenCL the whole table. */
static size_t device_list(const pgemm_model_key *key, const pgemm_variant_desc **list)
{
    size_t n = 0;
    if (!strcmp(key->backend, "hip")) {
        int arch = 0;
        if (sscanf(key->arch, "sm_%d", &arch) != 1) return 0;
        for (size_t i = 0; i < pgemm_hip_variant_count(); i++)
            if (pgemm_hip_isa_present(pgemm_hip_variant(i)->isa, 1, arch))
                list[n++] = &pgemm_hip_variant(i)->desc;
        return n;
    }
    for (size_t i = 0; i < pgemm_cl_variant_count(); i++) list[n++] = &pgemm_cl_variant(i)->desc;
    return n;
}

static void check_model(const char *path)
{
    pgemm_err err = {{0}};
    pgemm_model *m = pgemm_model_load(path, &err);
    CHECK_MSG(m != NULL, "%s: %s", path, err.msg);
    if (!m) return;
    const pgemm_model_key *key = &m->key;

    const pgemm_variant_desc *named[PGEMM_MAX_VARIANTS];
    size_t nnamed = 0;
    for (size_t i = 0; i < m->variant_count && nnamed < PGEMM_MAX_VARIANTS; i++) {
        named[nnamed] = find_desc(key->backend, m->variant[i].name);
        CHECK_MSG(named[nnamed] != NULL, "%s: variant %s is not in the %s table", path,
                  m->variant[i].name, key->backend);
        if (named[nnamed]) nnamed++;
    }
    char hash[17];
    pgemm_kernel_set_hash(named, nnamed, hash);
    CHECK_MSG(nnamed == m->variant_count && !strcmp(hash, key->kernel_set),
              "%s: its variants' descriptions hash to %s, the model says %s: retrain it from its "
              "CSV (pgemm tune --train-only)",
              path, hash, key->kernel_set);

    pgemm_info dev;
    memset(&dev, 0, sizeof dev);
    pgemm_text_copy(dev.backend_name, sizeof dev.backend_name, key->backend);
    pgemm_text_copy(dev.arch, sizeof dev.arch, key->arch);
    dev.compute_units = key->compute_units;
    dev.device_is_cpu = !strncmp(key->arch, "cpu", 3) || !strncmp(key->arch, "llvmpipe", 8);
    dev.work_items_as_loops = !strncmp(key->arch, "cpu", 3);
    const pgemm_variant_desc *list[PGEMM_MAX_VARIANTS];
    size_t count = device_list(key, list), idx[PGEMM_MAX_VARIANTS];
    for (size_t i = 0; i < count; i++) dev.has_fp16_tiles |= list[i]->fp16;
    int fp16 = !strcmp(key->precision, "fp16");
    size_t ncand = pgemm_selector_candidates(list, count, &dev, fp16, idx);
    int same = ncand == nnamed;
    for (size_t i = 0; same && i < ncand; i++) same = list[idx[i]] == named[i];
    CHECK_MSG(same, "%s: a %s device of arch %s gets %zu candidates, not the model's %zu in order",
              path, key->backend, key->arch, ncand, nnamed);
    printf("  %-48s %-6s %-4s %-22s %2zu variants, kernel set %s\n", strrchr(path, '/') + 1,
           key->backend, key->precision, key->arch, nnamed, key->kernel_set);
    pgemm_model_free(m);
}

int main(int argc, char **argv)
{
    test_begin("test_shipped_models");
    REQUIRE(argc == 2);
    DIR *d = opendir(argv[1]);
    REQUIRE(d != NULL);
    size_t models = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 7 || strcmp(e->d_name + len - 6, ".model")) continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", argv[1], e->d_name);
        check_model(path);
        models++;
    }
    closedir(d);
    CHECK_MSG(models >= 4, "%zu models in %s (the four shipped ones expected)", models, argv[1]);
    return test_finish();
}
