/* SPDX-License-Identifier: BSD-3-Clause */
/* The routing decision (route.h). */
#include "route.h"

#include <math.h>

#include "common/text.h"
#include "cpu_blas.h"
#include "profile.h"
#include "shim.h"

/* Up to this many multiply-adds a product stays on the CPU unmeasured. */
#define SMALL_PRODUCT (64.0 * 64.0 * 64.0)
/* A product the CPU BLAS finishes in less stays there without a pgemm
 * context being opened: no device's call (transfers, launch, the wait) is
 * that short. */
#define CPU_FLOOR_SECONDS 20e-6
/* pgemm must be predicted at least this much faster. */
#define PGEMM_MARGIN 0.9

/* The calling thread's last priced shape and what it got. */
static _Thread_local struct {
    size_t m, n, k;
    int reads_c, valid;
    pgemm_blas_route route;
} last;

void pgemm_blas_route_sgemm(size_t m, size_t n, size_t k, int reads_c, pgemm_blas_route *out)
{
    const pgemm_blas_config *cfg = pgemm_blas_settings();
    double mnk = (double)m * (double)n * (double)k;
    *out = (pgemm_blas_route){0, PGEMM_BLAS_FORCED, 0, 0};
    if (!pgemm_blas_cpu_sgemm()) {
        out->to_pgemm = 1;
        out->reason = PGEMM_BLAS_NO_CPU_BLAS;
    } else if (cfg->mode != PGEMM_BLAS_AUTO) {
        out->to_pgemm = cfg->mode == PGEMM_BLAS_GPU;
    } else if (cfg->threshold > 0) {
        out->to_pgemm = mnk >= cfg->threshold * cfg->threshold * cfg->threshold;
        out->reason = PGEMM_BLAS_BY_THRESHOLD;
    } else if (mnk <= SMALL_PRODUCT) {
        out->reason = PGEMM_BLAS_SMALL;
    } else if (last.valid && last.m == m && last.n == n && last.k == k &&
               last.reads_c == reads_c) {
        *out = last.route;
    } else {
        double cpu = pgemm_blas_cpu_seconds(m, n, k);
        pgemm_context *ctx = cpu < CPU_FLOOR_SECONDS ? NULL : pgemm_blas_context();
        if (cpu < CPU_FLOOR_SECONDS) {
            *out = (pgemm_blas_route){0, PGEMM_BLAS_CPU_FLOOR, 0, cpu};
        } else if (!ctx) {
            out->reason = PGEMM_BLAS_NO_CONTEXT;
        } else {
            double gpu = pgemm_blas_pgemm_seconds(ctx, m, n, k, reads_c);
            *out = (pgemm_blas_route){gpu < PGEMM_MARGIN * cpu, PGEMM_BLAS_BY_MODEL, gpu, cpu};
        }
        last.m = m, last.n = n, last.k = k, last.reads_c = reads_c, last.valid = 1;
        last.route = *out;
    }
}

void pgemm_blas_route_describe(const pgemm_blas_route *r, char *buf, size_t cap)
{
    const pgemm_blas_config *cfg = pgemm_blas_settings();
    switch (r->reason) {
    case PGEMM_BLAS_NO_CPU_BLAS: pgemm_text_copy(buf, cap, "no CPU BLAS found"); break;
    case PGEMM_BLAS_FORCED:
        pgemm_text_copy(buf, cap, r->to_pgemm ? "PGEMM_BLAS=gpu" : "PGEMM_BLAS=cpu");
        break;
    case PGEMM_BLAS_BY_THRESHOLD:
        pgemm_text_format(buf, cap, "m*n*k %s PGEMM_BLAS_THRESHOLD^3 = %.0f^3",
                          r->to_pgemm ? ">=" : "<", cfg->threshold);
        break;
    case PGEMM_BLAS_SMALL: pgemm_text_copy(buf, cap, "small: m*n*k at most 64^3"); break;
    case PGEMM_BLAS_CPU_FLOOR:
        pgemm_text_format(buf, cap, "the CPU BLAS takes %.3g us, less than any device call",
                          r->cpu_seconds * 1e6);
        break;
    case PGEMM_BLAS_NO_CONTEXT: pgemm_text_copy(buf, cap, "no pgemm context"); break;
    case PGEMM_BLAS_BY_MODEL:
        pgemm_text_format(buf, cap,
                          "predicted %.3g ms on pgemm with transfers, %.3g ms on the CPU BLAS",
                          isfinite(r->pgemm_seconds) ? r->pgemm_seconds * 1e3 : INFINITY,
                          isfinite(r->cpu_seconds) ? r->cpu_seconds * 1e3 : INFINITY);
        break;
    }
}
