/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The HIP kernel variants and the device numbers that decide which run
 * where. Pure data and string parsing: no HIP calls, so tests and tools can
 * list the variants and check their invariants without a HIP runtime.
 */
#ifndef PGEMM_HIP_VARIANTS_H
#define PGEMM_HIP_VARIANTS_H

#include <stddef.h>

#include "backend.h"
#include "hip_launch.h"

/* A shipped variant (a row of hip_variant_table.h): its description for
 * the selector and the launcher behind it. desc.fp16 says which enum
 * `kernel` holds: a pgemm_hip_hgemm_kernel for fp16 tiles, else a
 * pgemm_hip_sgemm_kernel. */
typedef struct hip_variant {
    pgemm_variant_desc desc;
    int kernel;
    pgemm_hip_isa isa; /* the instructions the kernel needs */
} hip_variant;

/* Whether a device has the instructions isa names: NVIDIA compute
 * capability (major * 10 + minor) or an AMD gfx target number (803, 906,
 * 1030...; pgemm_hip_gfx_number). A kernel's code exists for the targets it
 * was built for; this says whether its instructions exist on the device. */
int pgemm_hip_isa_present(pgemm_hip_isa isa, int nvidia, int arch);

/* Whether isa exists only on NVIDIA (mma.sync, wgmma). */
int pgemm_hip_isa_nvidia_only(pgemm_hip_isa isa);

/* A code target a build must include for isa's kernels to exist ("90a"),
 * or NULL when any target of the device's platform has them. */
const char *pgemm_hip_isa_target(pgemm_hip_isa isa);

size_t pgemm_hip_variant_count(void);
const hip_variant *pgemm_hip_variant(size_t index);

/* Checks a variant's invariants (tile = work-group x thread tile, at most
 * 256 threads, local memory within 64 KiB, tier and unit consistent with
 * the precision, kernel index in range). Returns NULL if sound, else a
 * description of the first violation. */
const char *pgemm_hip_variant_invalid(const hip_variant *v);

/*
 * Whether a build for `targets` (PGEMM_HIP_ARCHS or PGEMM_NVIDIA_ARCHS: a
 * list separated by ';' or ',') has code that runs on the device.
 * AMD: the device's gfx target without feature suffixes ("gfx90a" of
 * "gfx90a:sramecc+:xnack-") is in the list. NVIDIA (`arch` = major * 10 +
 * minor): an entry of the same major version and a minor version no higher
 * than the device's, where entries ending in 'a' ("90a") run only on their
 * exact version.
 */
int pgemm_hip_targets_cover(const char *targets, int nvidia, int arch, const char *gfx_name);

/* Whether the list `targets` names `target` exactly ("90a"). */
int pgemm_hip_targets_include(const char *targets, const char *target);

/*
 * The number an AMD gfx target name stands for, as pgemm_hip_isa_present
 * takes it: "gfx<major><minor><stepping>", the last two characters hex
 * digits, gives major * 100 + minor * 10 + stepping. gfx803 -> 803, gfx906 ->
 * 906, gfx908 -> 908, gfx90a -> 910, gfx90c -> 912, gfx1010 -> 1010,
 * gfx1030 -> 1030. Every real target keeps a distinct number (there is no
 * gfx910 or gfx912), and the order follows the hardware generations.
 * Feature suffixes (":sramecc+:xnack-") are ignored. Returns 0 for a name
 * that is not of this form.
 */
int pgemm_hip_gfx_number(const char *gcn_arch_name);

#endif
