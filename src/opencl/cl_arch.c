/* SPDX-License-Identifier: BSD-3-Clause */
/* An OpenCL device's architecture from what its driver reports (cl_arch.h). */
#include "cl_arch.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "common/text.h"

/* The chips Mesa's radeonsi names, and the AMD target each is (LLVM's
 * processor table). */
static const struct {
    const char *chip, *target;
} amd_chips[] = {
    {"tahiti", "gfx600"},    {"pitcairn", "gfx601"},  {"verde", "gfx601"},
    {"oland", "gfx602"},     {"hainan", "gfx602"},    {"bonaire", "gfx704"},
    {"hawaii", "gfx701"},    {"kabini", "gfx703"},    {"mullins", "gfx703"},
    {"kaveri", "gfx700"},    {"tonga", "gfx802"},     {"iceland", "gfx802"},
    {"carrizo", "gfx801"},   {"fiji", "gfx803"},      {"polaris10", "gfx803"},
    {"polaris11", "gfx803"}, {"polaris12", "gfx803"}, {"vegam", "gfx803"},
    {"stoney", "gfx810"},    {"vega10", "gfx900"},    {"raven", "gfx902"},
    {"vega12", "gfx904"},    {"vega20", "gfx906"},    {"arcturus", "gfx908"},
    {"aldebaran", "gfx90a"}, {"renoir", "gfx90c"},    {"navi10", "gfx1010"},
    {"navi12", "gfx1011"},   {"navi14", "gfx1012"},   {"sienna_cichlid", "gfx1030"},
    {"navy_flounder", "gfx1031"}, {"dimgrey_cavefish", "gfx1032"},
    {"beige_goby", "gfx1034"}, {"vangogh", "gfx1033"}, {"yellow_carp", "gfx1035"},
};

void pgemm_cl_arch(const char *name, int nv_major, int nv_minor, int pocl, char *out, size_t cap)
{
    out[0] = '\0';
    if (nv_major >= 0) {
        pgemm_text_format(out, cap, "sm_%d%d", nv_major, nv_minor);
        return;
    }
    if (!strncmp(name, "gfx", 3) && isdigit((unsigned char)name[3])) {
        size_t n = strcspn(name, ": ");
        pgemm_text_format(out, cap, "%.*s", (int)n, name);
        return;
    }
    const char *paren = strchr(name, '(');
    if (paren && (pgemm_text_icontains(name, "AMD") || pgemm_text_icontains(name, "Radeon"))) {
        char chip[32];
        size_t n = strcspn(paren + 1, ",)");
        pgemm_text_format(chip, sizeof chip, "%.*s", (int)(n < 31 ? n : 31), paren + 1);
        for (size_t i = 0; i < sizeof amd_chips / sizeof amd_chips[0]; i++)
            if (!strcmp(chip, amd_chips[i].chip)) {
                pgemm_text_copy(out, cap, amd_chips[i].target);
                return;
            }
        return;
    }
    if (!strncmp(name, "llvmpipe", 8)) {
        /* "llvmpipe (LLVM 15.0.6, 256 bits)": the vector width is the architecture. */
        const char *bits = strstr(name, " bits");
        const char *p = bits;
        while (p && p > name && isdigit((unsigned char)p[-1])) p--;
        if (bits && p < bits) pgemm_text_format(out, cap, "llvmpipe-%.*s", (int)(bits - p), p);
        return;
    }
    if (pocl) {
        /* "pthread-<LLVM CPU>-<the processor's model name>": the LLVM CPU
         * names may hold '-' (skylake-avx512, x86-64-v3), the model name
         * starts with its vendor's capital letter. */
        const char *cpu = strchr(name, '-');
        if (!cpu) return;
        cpu++;
        const char *end = cpu;
        while ((end = strchr(end, '-')) && !isupper((unsigned char)end[1])) end++;
        size_t n = end ? (size_t)(end - cpu) : strlen(cpu);
        if (n) pgemm_text_format(out, cap, "cpu-%.*s", (int)n, cpu);
    }
}
