/* The routing decision (route.h). */
#include "route.h"

#include <math.h>

#include "common/text.h"
#include "cpu_blas.h"
#include "profile.h"
#include "shim.h"

/* Below this many multiply-adds a product stays on the CPU unmeasured. */
#define SMALL_PRODUCT (64.0 * 64.0 * 64.0)
/* pgemm must be predicted at least this much faster. */
#define PGEMM_MARGIN 0.9

void pgemm_blas_route_sgemm(size_t m, size_t n, size_t k, int trans_a, int trans_b, int reads_c,
                            pgemm_blas_route *out)
{
    const pgemm_blas_config *cfg = pgemm_blas_settings();
    double mnk = (double)m * (double)n * (double)k;
    out->to_pgemm = 0;
    if (!pgemm_blas_cpu_sgemm()) {
        out->to_pgemm = 1;
        pgemm_text_copy(out->why, sizeof out->why, "no CPU BLAS found");
        return;
    }
    if (cfg->mode != PGEMM_BLAS_AUTO) {
        out->to_pgemm = cfg->mode == PGEMM_BLAS_GPU;
        pgemm_text_copy(out->why, sizeof out->why,
                        out->to_pgemm ? "PGEMM_BLAS=gpu" : "PGEMM_BLAS=cpu");
        return;
    }
    if (cfg->threshold > 0) {
        double t3 = cfg->threshold * cfg->threshold * cfg->threshold;
        out->to_pgemm = mnk >= t3;
        pgemm_text_format(out->why, sizeof out->why, "m*n*k %s PGEMM_BLAS_THRESHOLD^3 = %.0f^3",
                          out->to_pgemm ? ">=" : "<", cfg->threshold);
        return;
    }
    if (mnk < SMALL_PRODUCT) {
        pgemm_text_copy(out->why, sizeof out->why, "small: m*n*k below 64^3");
        return;
    }
    double cpu = pgemm_blas_cpu_seconds(m, n, k);
    pgemm_context *ctx = pgemm_blas_context();
    if (!ctx) {
        pgemm_text_copy(out->why, sizeof out->why, "no pgemm context");
        return;
    }
    double gpu = pgemm_blas_pgemm_seconds(ctx, m, n, k, reads_c);
    out->to_pgemm = gpu < PGEMM_MARGIN * cpu;
    pgemm_text_format(out->why, sizeof out->why,
                      "predicted %.3g ms on pgemm with transfers, %.3g ms on the CPU BLAS",
                      isfinite(gpu) ? gpu * 1e3 : INFINITY, isfinite(cpu) ? cpu * 1e3 : INFINITY);
}
