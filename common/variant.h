/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A kernel variant as the core and the selector see it: what a backend
 * states of each kernel it offers (src/backend.h lists them), and what the
 * selector's features, heuristic and model files read.
 */
#ifndef PGEMM_COMMON_VARIANT_H
#define PGEMM_COMMON_VARIANT_H

/*
 * What the selector needs to know of how a variant's kernel is built
 * (pgemm_variant_desc.traits). A variant with neither LOCAL_TILES nor
 * ITEM_VECTORS reads its operands through the caches alone.
 */
enum {
    /* Stages work-group tiles of A and B in local (shared) memory: an
     * element loaded serves the work-group tile's rows or columns. */
    PGEMM_TRAIT_LOCAL_TILES = 1u << 0,
    /* Holds a work-item's tile in vector registers: an element loaded
     * serves the work-item tile's rows or columns. */
    PGEMM_TRAIT_ITEM_VECTORS = 1u << 1,
    /* Written for drivers that run a work-group's items as a loop on one CPU
     * core (PoCL), where its vectors stay vectors: the only candidates
     * there, and never elsewhere (scalarised). */
    PGEMM_TRAIT_LOOP_DRIVERS = 1u << 2,
    /* The cheapest launch: the pick for a small problem where a CPU driver
     * maps work-items onto SIMD lanes (llvmpipe). */
    PGEMM_TRAIT_SMALL_PROBLEMS = 1u << 3
};

/*
 * A kernel variant: an instance of a parameterised family. The selector reads
 * these fields; the backend also keeps its own private data per variant.
 *
 * Invariants (checked by tests/test_variants): tile_m == wg_m * thread_m,
 * tile_n == wg_n * thread_n, wg_m * wg_n <= 256.
 */
typedef struct pgemm_variant_desc {
    const char *name;            /* unique within the backend, e.g. "tile20" */
    const char *family;          /* "direct", "tile", "reg", ...: shown to people, part of
                                    the kernel-set hash; the selector reads traits */
    unsigned tile_m, tile_n;     /* C elements per work-group */
    unsigned tile_k;             /* K step of the local-memory loop (direct: 1) */
    unsigned wg_m, wg_n;         /* work-group shape */
    unsigned thread_m, thread_n; /* C elements per work-item */
    unsigned vector_width;       /* global load width (floats) */
    unsigned local_bytes;        /* local memory per work-group */
    int double_buffered;         /* 0 single local buffer, 1 double, 2 single with
                                    register prefetch of the next K step */
    int fp16;                    /* fp16 operands in the tiles */
    const char *unit;            /* what does the arithmetic: "fma", "dot2", "mma.sync", ... */
    int tier;                    /* fp16 variants: the unit's peak rate relative to the
                                    others (the selector weighs scores by it); 0 for
                                    fp32 variants */
    int k_tail_exact;            /* 1: the last step of a K that is not a multiple of
                                    tile_k stops at K; 0: it multiplies the whole step,
                                    zeros included (on a GPU; CPU builds stop at K) */
    unsigned c_store_width;      /* floats per C store of a full tile: 1 scalar stores,
                                    4 float4s ...; 0 not stated (taken as vector) */
    unsigned traits;             /* PGEMM_TRAIT_* bits: how the kernel is built, for the
                                    selector (which never reads family names) */
} pgemm_variant_desc;

#endif
