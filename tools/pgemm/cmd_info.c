/* SPDX-License-Identifier: BSD-3-Clause */
/* pgemm info: what is here, and what AUTO (or the given options) would use. */
#include <stdio.h>
#include <string.h>

#include "parse.h"
#include "pgemm_tune.h"
#include "tool.h"

int pgemm_cmd_info(int argc, char **argv)
{
    pgemm_options opts;
    pgemm_options_init(&opts);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("usage: pgemm info [--backend auto|hip|opencl --platform P --device N\n"
                   "                  --precision fp32|fp16 --log L]\n");
            return 0;
        }
        int r = pgemm_tool_context_option("info", argc, argv, &i, &opts);
        if (r < 0) return PGEMM_TOOL_USAGE;
        if (r == 0) {
            char shown[80];
            fprintf(stderr, "pgemm info: unknown option %s (pgemm info --help lists them)\n",
                    pgemm_parse_shown(argv[i], shown, sizeof shown));
            return PGEMM_TOOL_USAGE;
        }
    }
    printf("pgemm %s\n\n", pgemm_version_string());
    /* The context first: asked for rusticl, it enables Mesa's drivers
     * before the first OpenCL call, which the report would otherwise make. */
    pgemm_context *ctx = NULL;
    pgemm_status st = pgemm_context_create(&opts, &ctx);
    char why[PGEMM_REASON_LEN * 4];
    snprintf(why, sizeof why, "%s", st == PGEMM_SUCCESS ? "" : pgemm_last_error(NULL));
    char text[16384];
    pgemm_describe_system(text, sizeof text, NULL);
    printf("backends:\n%s\n", text);
    if (st != PGEMM_SUCCESS) {
        pgemm_tool_no_context(st, why);
        return PGEMM_TOOL_FAILURE;
    }
    pgemm_info info;
    pgemm_context_info(ctx, &info);
    printf("chosen: %s\n", info.why);
    printf("  backend      %s\n", info.backend_name);
    printf("  platform     %s\n", info.platform);
    printf("  device       %s (%s)\n", info.device, info.device_is_cpu ? "CPU" : "GPU");
    printf("  driver       %s\n", info.driver);
    printf("  version      %s\n", info.device_version);
    printf("  arch         %s\n", info.arch[0] ? info.arch : "unknown");
    printf("  units        %u compute units\n", info.compute_units);
    printf("  memory       %.1f GiB global, %.0f MiB largest buffer, %.0f KiB local\n",
           info.global_mem_bytes / 1073741824.0, info.max_buffer_bytes / 1048576.0,
           info.local_mem_bytes / 1024.0);
    printf("  fp16 tiles   %s\n", info.has_fp16_tiles ? "yes" : "no (FP16_MIXED runs FP32)");
    printf("  variants    ");
    for (size_t i = 0; i < pgemm_variant_count(ctx); i++)
        printf(" %s", pgemm_variant_name(ctx, i));
    printf("\n");
    /* Where each precision's decisions come from: this device's model,
     * another device's of its architecture or family, or the heuristic. */
    int untuned = 0;
    for (int p = 0; p < 1 + info.has_fp16_tiles; p++) {
        pgemm_precision prec = p ? PGEMM_PRECISION_FP16_MIXED : PGEMM_PRECISION_FP32;
        double gflops[64];
        size_t chosen;
        char source[PGEMM_REASON_LEN];
        if (pgemm_predict(ctx, prec, 1024, 1024, 1024, 0, 0, gflops, 64, &chosen, source,
                          sizeof source) != PGEMM_SUCCESS)
            continue;
        printf("  selector     %s: %s\n", p ? "fp16" : "fp32", source);
        untuned |= strncmp(source, "model ", 6) != 0 || strstr(source, ", trained on \"") != NULL;
    }
    if (untuned)
        printf("  (no model measured on this device: `pgemm tune --quick` makes one in minutes,\n"
               "   `pgemm tune` a full one; docs/TUNING.md)\n");
    pgemm_context_destroy(ctx);
    return 0;
}
