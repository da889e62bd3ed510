/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Lists every OpenCL program build the plugin can make: one line per
 * (variant, TRANS_A, TRANS_B, alignment), tab-separated, for
 * tests/clover/clover_check.sh; and, per variant and alignment, the NN
 * build with the costliest epilogue (GELU and a bias per row: the tanh and
 * a bias load in every store), named "<variant>[+aligned]+gelu+bias".
 *
 *   variant  trans_a  trans_b  source  wg_items  local_bytes  options
 *
 *   variant      variant name ("reg64"; "reg64+aligned" for the build used
 *                when the operands allow 16-byte vector accesses)
 *   trans_a/b    0 or 1
 *   source       family file under cl_kernels/ ("tiled.cl"); the program is
 *                cl_kernels/common.cl followed by this file
 *   wg_items     work-group size (wg_m * wg_n)
 *   local_bytes  local memory the variant table declares (upper bound)
 *   options      the exact clBuildProgram options (contain spaces, no tabs)
 *
 * The first line is a header starting with '#'. No OpenCL runtime is needed.
 * Exit status: 0, or 1 if an option string does not fit or contains a tab.
 */
#include <stdio.h>
#include <string.h>

#include "opencl/cl_variants.h"

int main(void)
{
    char options[1024];
    int status = 0;

    printf("#variant\ttrans_a\ttrans_b\tsource\twg_items\tlocal_bytes\toptions\n");
    for (size_t i = 0; i < pgemm_cl_variant_count(); i++) {
        const cl_variant *v = pgemm_cl_variant(i);
        const pgemm_variant_desc *d = &v->desc;
        for (int aligned = 0; aligned <= pgemm_cl_variant_has_aligned_build(v); aligned++)
            for (int combo = 0; combo <= 4; combo++) {
                /* combos 0-3: the transposes; 4: NN with the epilogue. */
                int ta = combo == 4 ? 0 : combo >> 1, tb = combo == 4 ? 0 : combo & 1;
                unsigned build = PGEMM_CL_BUILD_GPU | (aligned ? PGEMM_CL_BUILD_ALIGNED : 0u);
                if (combo == 4)
                    build |=
                        PGEMM_CL_BUILD_EPILOGUE(PGEMM_ACTIVATION_GELU_TANH, PGEMM_BIAS_PER_ROW);
                options[sizeof options - 2] = '\0';
                /* Clover's devices are GPUs. */
                pgemm_cl_build_options(v, ta, tb, build, options, sizeof options);
                if (options[sizeof options - 2] != '\0' || strchr(options, '\t') ||
                    strchr(options, '\n')) {
                    fprintf(stderr, "cl_build_list: %s: unusable build options\n", d->name);
                    status = 1;
                    continue;
                }
                printf("%s%s%s\t%d\t%d\t%s\t%u\t%u\t%s\n", d->name, aligned ? "+aligned" : "",
                       combo == 4 ? "+gelu+bias" : "", ta, tb, pgemm_cl_source_file(v->source),
                       d->wg_m * d->wg_n, d->local_bytes, options);
            }
    }
    if (fflush(stdout) != 0) {
        perror("cl_build_list: stdout");
        status = 1;
    }
    return status;
}
