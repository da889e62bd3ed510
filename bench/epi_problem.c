/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * epi_problem.c: one shape of epilogue_vs_cublaslt: vs_problem's inputs and
 * sampled references of the plain product (vs_problem.c), a bias per column
 * of C on both libraries, cuBLASLt's transposed output D = C^T of each input
 * set (it takes the place of the cuBLAS C vs_problem uploads, which goes
 * unused), and the epilogue's fp64 references on the sample.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "epi.h"
#include "pgemm_ref.h"

/* The bias values, on the scale of the sums (sqrt(k/9), their spread for
 * inputs uniform in [-1, 1)), so that a bias missing, doubled or added
 * along the wrong dimension is far outside the error bound. */
static void make_bias(epi_problem *p, uint64_t seed)
{
    shape s = p->vp.s;
    uint64_t state = bench_input_state(seed ^ 0xb1a5u, s);
    double scale = sqrt((double)s.k / 9.0);
    pgemm_fill_random(p->bias, s.n, &state);
    for (size_t j = 0; j < s.n; j++) p->bias[j] *= (float)(scale > 1.0 ? scale : 1.0);
}

/* D0 = C0^T when beta reads it, else NaN, so an entry cuBLASLt never writes shows. */
static void make_d0(epi_problem *p)
{
    const vs_problem *v = &p->vp;
    for (size_t i = 0; i < v->s.m; i++)
        for (size_t j = 0; j < p->ldd; j++) {
            float *x = &p->d0[j + i * p->ldd];
            if (j >= v->s.n)
                *x = 0.0f;
            else
                *x = v->beta == 0.0f ? NAN : v->c0[i + j * v->ldc];
        }
}

/* For each precision run and each activation, act(sum + bias[j]) and its
 * magnitude on the sample (pgemm_ref_epilogue), and the sums' RMS and
 * largest magnitude. */
static int make_references(epi_problem *p, const epi_args *a)
{
    const vs_problem *v = &p->vp;
    for (int prec = 0; prec < EPI_NPREC; prec++) {
        if (prec == EPI_FP16 ? !v->fp16 : !a->fp32) continue;
        const double *want = prec == EPI_FP16 ? v->want16 : v->want32;
        const double *mag = prec == EPI_FP16 ? v->mag16 : v->mag32;
        double sq = 0.0, top = 0.0;
        for (size_t q = 0; q < v->nsample; q++) {
            sq += want[q] * want[q];
            if (mag[q] > top) top = mag[q];
        }
        p->sum_rms[prec] = sqrt(sq / (double)(v->nsample ? v->nsample : 1));
        p->mag_max[prec] = top;
        for (size_t ai = 0; ai < a->nacts; ai++) {
            double *w = malloc(v->nsample * sizeof *w), *m = malloc(v->nsample * sizeof *m);
            p->want[prec][ai] = w;
            p->mag[prec][ai] = m;
            if (!w || !m) return 0;
            for (size_t q = 0; q < v->nsample; q++) {
                w[q] = want[q];
                m[q] = mag[q];
                pgemm_ref_epilogue(a->acts[ai], p->bias[v->sj[q]], &w[q], &m[q]);
            }
        }
    }
    return 1;
}

int epi_problem_setup(epi_problem *p, const epi_args *a, shape s, char *err, size_t cap)
{
    if (!vs_problem_setup(&p->vp, &a->vs, s, err, cap)) return 0;
    vs_problem *v = &p->vp;
    vs_cuda *cu = v->cu;
    p->ldd = s.n + a->vs.common.pad;
    size_t nd = p->ldd * s.m, dbytes = nd * sizeof(float);
    p->bias = malloc(s.n * sizeof(float));
    p->d0 = malloc(dbytes);
    p->d = malloc(dbytes);
    p->fused_c = malloc(v->nc * sizeof(float));
    if (!p->bias || !p->d0 || !p->d || !p->fused_c) {
        snprintf(err, cap, "out of host memory");
        return 0;
    }
    make_bias(p, a->vs.common.seed);
    make_d0(p);
    if (!make_references(p, a)) {
        snprintf(err, cap, "out of host memory");
        return 0;
    }
    size_t bias_bytes = s.n * sizeof(float);
    pgemm_status st = pgemm_buffer_create(v->ctx, bias_bytes, &p->bias_pg);
    if (st == PGEMM_SUCCESS) st = pgemm_buffer_write(p->bias_pg, 0, bias_bytes, p->bias);
    if (st != PGEMM_SUCCESS) {
        snprintf(err, cap, "pgemm bias buffer: %s: %s", pgemm_status_string(st),
                 pgemm_last_error(v->ctx));
        return 0;
    }
    if (!vs_cuda_upload(cu, &p->bias_cu, p->bias, bias_bytes, err, cap)) return 0;
    for (size_t q = 0; q < v->nsets; q++)
        if (!vs_cuda_upload(cu, &p->d_sets[q], p->d0, dbytes, err, cap)) return 0;
    return 1;
}

void epi_problem_free(epi_problem *p)
{
    vs_cuda *cu = p->vp.cu;
    for (size_t q = 0; q < VS_MAX_SETS; q++)
        if (p->d_sets[q]) cu->free_(p->d_sets[q]);
    if (p->bias_cu) cu->free_(p->bias_cu);
    if (p->bias_pg) pgemm_buffer_destroy(p->bias_pg);
    for (int prec = 0; prec < EPI_NPREC; prec++)
        for (size_t ai = 0; ai < EPI_MAX_ACTS; ai++) {
            free(p->want[prec][ai]);
            free(p->mag[prec][ai]);
        }
    free(p->bias);
    free(p->d0);
    free(p->d);
    free(p->fused_c);
    vs_problem_free(&p->vp);
    epi_lt *lt = p->lt;
    pgemm_context *ctx = p->vp.ctx;
    memset(p, 0, sizeof *p);
    p->lt = lt;
    p->vp.ctx = ctx;
    p->vp.cu = cu;
}
