/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vs_problem.c: one shape's problem for pgemm_vs_cublas: random inputs, the
 * fp64 references of the check sample, and the same input sets uploaded to
 * pgemm's buffers and to cuBLAS's (cudaMalloc) memory.
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgemm_ref.h"
#include "vs_cublas.h"

static void to_half(uint16_t *dst, const float *src, size_t count)
{
    for (size_t i = 0; i < count; i++) dst[i] = pgemm_ref_to_half(src[i]);
}

/* How many input sets: one when A, B and C together outgrow twice the
 * last-level cache; else enough to fill four times it (each call then reads
 * inputs the previous calls have not left in the cache). */
static size_t set_count(const vs_args *args, double set_bytes)
{
    double l2 = args->l2_mb * 1e6;
    if (!args->rotate || set_bytes >= 2.0 * l2) return 1;
    double want = ceil(4.0 * l2 / set_bytes);
    return want > VS_MAX_SETS ? VS_MAX_SETS : want < 1 ? 1 : (size_t)want;
}

static int pgemm_upload(vs_problem *p, pgemm_buffer **out, const void *src, size_t bytes,
                        char *err, size_t cap)
{
    pgemm_status st = pgemm_buffer_create(p->ctx, bytes, out);
    if (st == PGEMM_SUCCESS) st = pgemm_buffer_write(*out, 0, bytes, src);
    if (st != PGEMM_SUCCESS) {
        snprintf(err, cap, "pgemm buffer of %zu bytes: %s: %s", bytes, pgemm_status_string(st),
                 pgemm_last_error(p->ctx));
        return 0;
    }
    return 1;
}

/* Uploads one set's A and B (fp32, and as halves when fp16 runs) and C0 to both libraries. */
static int upload_set(vs_problem *p, vs_set *s, const float *a, const float *b, uint16_t *ah,
                      uint16_t *bh, char *err, size_t cap)
{
    vs_cuda *cu = p->cu;
    size_t fa = vs_all_a(p) * sizeof(float), fb = vs_all_b(p) * sizeof(float),
           fc = vs_all_c(p) * sizeof(float);
    if (!pgemm_upload(p, &s->a32, a, fa, err, cap) || !pgemm_upload(p, &s->b32, b, fb, err, cap) ||
        !pgemm_upload(p, &s->c, p->c0, fc, err, cap) ||
        !vs_cuda_upload(cu, &s->ca32, a, fa, err, cap) ||
        !vs_cuda_upload(cu, &s->cb32, b, fb, err, cap) ||
        !vs_cuda_upload(cu, &s->cc, p->c0, fc, err, cap))
        return 0;
    if (!p->fp16) return 1;
    to_half(ah, a, vs_all_a(p));
    to_half(bh, b, vs_all_b(p));
    size_t ha = vs_all_a(p) * sizeof(uint16_t), hb = vs_all_b(p) * sizeof(uint16_t);
    return pgemm_upload(p, &s->a16, ah, ha, err, cap) &&
           pgemm_upload(p, &s->b16, bh, hb, err, cap) &&
           vs_cuda_upload(cu, &s->ca16, ah, ha, err, cap) &&
           vs_cuda_upload(cu, &s->cb16, bh, hb, err, cap);
}

/* The four corners (ragged edges) of the first and last products and
 * random entries of random products, with both references. */
static void make_sample(vs_problem *p, size_t ns, uint64_t *state)
{
    size_t m = p->s.m, n = p->s.n, k = p->s.k;
    size_t corner_i[4] = {0, m - 1, 0, m - 1}, corner_j[4] = {0, 0, n - 1, n - 1};
    for (size_t q = 0; q < ns; q++) {
        size_t i = q < 4 ? corner_i[q] : (size_t)pgemm_random_below(state, m);
        size_t j = q < 4 ? corner_j[q] : (size_t)pgemm_random_below(state, n);
        size_t z = q < 4 ? (q % 2) * (p->batch - 1) : (size_t)pgemm_random_below(state, p->batch);
        p->si[q] = i;
        p->sj[q] = j;
        p->sz[q] = z;
        const float *a = p->a + z * p->na, *b = p->b + z * p->nb, *c0 = p->c0 + z * p->nc;
        p->want32[q] = pgemm_ref_element(PGEMM_COL_MAJOR, p->ta, p->tb, i, j, k, p->alpha, a,
                                         p->lda, b, p->ldb, p->beta, c0, p->ldc, &p->mag32[q]);
        if (p->fp16)
            p->want16[q] = pgemm_ref_element(PGEMM_COL_MAJOR, p->ta, p->tb, i, j, k, p->alpha,
                                             p->ar + z * p->na, p->lda, p->br + z * p->nb, p->ldb,
                                             p->beta, c0, p->ldc, &p->mag16[q]);
    }
    p->nsample = ns;
}

int vs_problem_setup(vs_problem *p, const vs_args *args, shape s, char *err, size_t cap)
{
    p->s = s;
    p->ta = args->common.ta;
    p->tb = args->common.tb;
    p->alpha = args->common.alpha;
    p->beta = args->common.beta;
    p->fp16 = args->fp16;
    p->fp32_variant = args->fp32_variant;
    p->fp16_variant = args->fp16_variant;
    size_t ar = p->ta == PGEMM_TRANS ? s.k : s.m, ac = p->ta == PGEMM_TRANS ? s.m : s.k;
    size_t br = p->tb == PGEMM_TRANS ? s.n : s.k, bc = p->tb == PGEMM_TRANS ? s.k : s.n;
    p->lda = ar + args->common.pad;
    p->ldb = br + args->common.pad;
    p->ldc = s.m + args->common.pad;
    if (s.m > INT_MAX || s.n > INT_MAX || s.k > INT_MAX || p->lda > INT_MAX ||
        p->ldb > INT_MAX || p->ldc > INT_MAX) {
        snprintf(err, cap, "a size or leading dimension beyond cuBLAS's int");
        return 0;
    }
    p->na = p->lda * ac;
    p->nb = p->ldb * bc;
    p->nc = p->ldc * s.n;
    p->batch = args->batch ? args->batch : 1;
    double set_bytes = 4.0 * (double)(vs_all_a(p) + vs_all_b(p) + vs_all_c(p));
    p->set_mb = set_bytes / 1e6;
    p->nsets = set_count(args, set_bytes);

    size_t ns = args->common.check_samples + 4;
    p->a = malloc(vs_all_a(p) * sizeof(float));
    p->b = malloc(vs_all_b(p) * sizeof(float));
    p->c0 = malloc(vs_all_c(p) * sizeof(float));
    p->c = malloc(vs_all_c(p) * sizeof(float));
    p->si = malloc(ns * sizeof(size_t));
    p->sj = malloc(ns * sizeof(size_t));
    p->sz = malloc(ns * sizeof(size_t));
    p->want32 = malloc(ns * sizeof(double));
    p->mag32 = malloc(ns * sizeof(double));
    p->want16 = malloc(ns * sizeof(double));
    p->mag16 = malloc(ns * sizeof(double));
    int ok = p->a && p->b && p->c0 && p->c && p->si && p->sj && p->sz && p->want32 && p->mag32 &&
             p->want16 && p->mag16;
    if (ok && p->fp16) {
        p->ar = malloc(vs_all_a(p) * sizeof(float));
        p->br = malloc(vs_all_b(p) * sizeof(float));
        ok = p->ar && p->br;
    }
    /* Scratch for the other sets' inputs and for the halves. */
    float *xa = NULL, *xb = NULL;
    uint16_t *ah = NULL, *bh = NULL;
    if (ok && p->nsets > 1) {
        xa = malloc(vs_all_a(p) * sizeof(float));
        xb = malloc(vs_all_b(p) * sizeof(float));
        ok = xa && xb;
    }
    if (ok && p->fp16) {
        ah = malloc(vs_all_a(p) * sizeof(uint16_t));
        bh = malloc(vs_all_b(p) * sizeof(uint16_t));
        ok = ah && bh;
    }
    if (!ok) {
        snprintf(err, cap, "out of host memory");
        goto fail;
    }

    /* Uniform in [-1, 1): never zeros (they hide unwritten outputs and can
     * run faster than real data). */
    uint64_t state = bench_input_state(args->common.seed, s);
    pgemm_fill_random(p->a, vs_all_a(p), &state);
    pgemm_fill_random(p->b, vs_all_b(p), &state);
    pgemm_fill_random(p->c0, vs_all_c(p), &state);
    if (p->fp16) {
        for (size_t i = 0; i < vs_all_a(p); i++) p->ar[i] = pgemm_ref_round_half(p->a[i]);
        for (size_t i = 0; i < vs_all_b(p); i++) p->br[i] = pgemm_ref_round_half(p->b[i]);
    }
    make_sample(p, ns, &state);

    for (size_t q = 0; q < p->nsets; q++) {
        const float *a = p->a, *b = p->b;
        if (q > 0) {
            pgemm_fill_random(xa, vs_all_a(p), &state);
            pgemm_fill_random(xb, vs_all_b(p), &state);
            a = xa;
            b = xb;
        }
        if (!upload_set(p, &p->sets[q], a, b, ah, bh, err, cap)) goto fail;
    }
    free(xa);
    free(xb);
    free(ah);
    free(bh);
    return 1;

fail:
    free(xa);
    free(xb);
    free(ah);
    free(bh);
    return 0;
}

void vs_problem_free(vs_problem *p)
{
    for (size_t q = 0; q < VS_MAX_SETS; q++) {
        vs_set *s = &p->sets[q];
        pgemm_buffer *pb[] = {s->a32, s->b32, s->c, s->a16, s->b16};
        void *cb[] = {s->ca32, s->cb32, s->cc, s->ca16, s->cb16};
        for (size_t i = 0; i < 5; i++) {
            if (pb[i]) pgemm_buffer_destroy(pb[i]);
            if (cb[i]) p->cu->free_(cb[i]);
        }
        memset(s, 0, sizeof *s);
    }
    free(p->a);
    free(p->b);
    free(p->c0);
    free(p->c);
    free(p->ar);
    free(p->br);
    free(p->si);
    free(p->sj);
    free(p->sz);
    free(p->want32);
    free(p->mag32);
    free(p->want16);
    free(p->mag16);
    pgemm_context *ctx = p->ctx;
    vs_cuda *cu = p->cu;
    memset(p, 0, sizeof *p);
    p->ctx = ctx;
    p->cu = cu;
}
