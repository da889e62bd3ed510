/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * model_arch: writes a selector model file again in the current format,
 * with the architecture of the device it was trained on (the "arch" line
 * that lets devices of that architecture use it; docs/TUNING.md). For model
 * files of format 2, which have none, such as those trained before it was
 * recorded, when their device is not at hand to train them again.
 *
 *   model_arch FILE ARCH     (ARCH as pgemm_info.arch names it: sm_90, gfx90a, cpu-skylake-avx512)
 */
#include <stdio.h>
#include <string.h>

#include "common/text.h"
#include "selector/model.h"

int main(int argc, char **argv)
{
    if (argc != 3 || !argv[2][0] || strpbrk(argv[2], " \t\r\n")) {
        fprintf(stderr, "usage: model_arch FILE ARCH\n");
        return 2;
    }
    pgemm_err err = {{0}};
    pgemm_model *m = pgemm_model_load(argv[1], &err);
    if (!m) {
        fprintf(stderr, "model_arch: %s\n", err.msg);
        return 1;
    }
    pgemm_text_copy(m->key.arch, sizeof m->key.arch, argv[2]);
    int rc = pgemm_model_save(m, argv[1], &err);
    if (rc != 0) fprintf(stderr, "model_arch: %s\n", err.msg);
    else printf("%s: device \"%s\", arch %s\n", argv[1], m->key.device, m->key.arch);
    pgemm_model_free(m);
    return rc != 0;
}
