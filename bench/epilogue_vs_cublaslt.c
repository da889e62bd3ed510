/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * epilogue_vs_cublaslt: pgemm's fused epilogue C = act(alpha A B + beta C +
 * bias), bias per column of C, against the same product without it, the
 * product followed by a separate bias + activation pass, and cuBLASLt's
 * bias epilogues: in one process, on one GPU, for the linear layers of an
 * inference (m tokens against K x N weights), FP32 and FP16 operands. Every
 * column is checked against fp64 before it is timed. CUDA and cuBLASLt are
 * dlopen'ed: no link-time CUDA dependency. See bench/README.md.
 *
 *   epilogue_vs_cublaslt [--tokens M,..] [--weights KxN,..] [--act relu,..] [--csv FILE]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "epi.h"

/* Where a shape's failures are counted: a wrong result or a failed call. */
static int failed(const epi_slot *s)
{
    return s->active && (s->res.r.state == VS_WRONG || s->res.r.state == VS_ERROR);
}

/* The shape's columns, in the order they are checked: per precision the
 * plain ones, then per activation fused, unfused (which the fused result
 * must agree with) and cuBLASLt. */
static void lay_out(const epi_args *a, epi_slot *slots)
{
    memset(slots, 0, EPI_SLOTS * sizeof *slots);
    for (size_t i = 0; i < EPI_SLOTS; i++) slots[i].res.r.state = VS_SKIPPED;
    for (int prec = 0; prec < EPI_NPREC; prec++) {
        if (prec == EPI_FP16 ? !a->vs.fp16 : !a->fp32) continue;
        for (int kind = EPI_PLAIN; kind < EPI_NKINDS; kind++) {
            int plain = kind == EPI_PLAIN || kind == EPI_LT_PLAIN;
            for (size_t ai = 0; ai < (plain ? 1 : a->nacts); ai++) {
                epi_slot *s = &slots[epi_slot_index(prec, (epi_kind)kind, ai)];
                s->active = 1;
                s->col = (epi_col){(epi_kind)kind, prec, ai,
                                   plain ? PGEMM_ACTIVATION_NONE : a->acts[ai]};
            }
        }
    }
}

static void run_shape(epi_problem *p, const epi_args *a, epi_slot *slots)
{
    for (size_t i = 0; i < EPI_SLOTS; i++) {
        epi_slot *s = &slots[i];
        if (!s->active) continue;
        fprintf(stderr, "  %s %s %s: check and warm-up\n", s->col.prec ? "fp16" : "fp32",
                pgemm_activation_name(s->col.act), epi_kind_name(s->col.kind));
        epi_prepare(p, s, a);
        if (s->col.kind == EPI_UNFUSED) epi_agree(p, s, s - 1);
        if (failed(s))
            fprintf(stderr, EPI_PROG ": %zux%zux%zu %s: %s\n", p->vp.s.m, p->vp.s.n, p->vp.s.k,
                    epi_kind_name(s->col.kind), s->res.r.note);
    }
    /* Round-robin over one library's columns of one precision at a time: a
     * drift of clocks or load hits the columns compared with each other
     * alike, and none is timed in the power state a far hungrier one left
     * (one round over all of them cost pgemm's FP32 plain column, timed after
     * cuBLASLt's FP16 ones, up to 15% on an H200). */
    for (int prec = 0; prec < EPI_NPREC; prec++)
        for (int lt = 0; lt < 2; lt++)
            for (size_t r = 0; r < a->vs.common.repeat; r++)
                for (size_t i = 0; i < EPI_SLOTS; i++)
                    if (slots[i].col.prec == prec && epi_kind_is_lt(slots[i].col.kind) == lt)
                        epi_sample(p, &slots[i]);
    for (size_t i = 0; i < EPI_SLOTS; i++) epi_finish(p, &slots[i]);
}

static pgemm_context *pgemm_on_hip(const epi_args *a)
{
    /* PGEMM_BACKEND overrides the options, so --backend goes through it. */
    if (a->vs.backend) setenv("PGEMM_BACKEND", a->vs.backend, 1);
    const char *named = getenv("PGEMM_BACKEND");
    pgemm_options opts;
    pgemm_options_init(&opts);
    opts.backend = PGEMM_BACKEND_HIP;
    pgemm_context *ctx = NULL;
    pgemm_status st = pgemm_context_create(&opts, &ctx);
    if (st == PGEMM_SUCCESS) return ctx;
    fprintf(stderr,
            EPI_PROG ": no pgemm context on backend %s: %s: %s\n"
                     "  (the HIP backend is libpgemm_hip.so beside libpgemm.so; "
                     "bench/build_hip_nvidia.sh builds it for NVIDIA)\n",
            named && *named ? named : "hip", pgemm_status_string(st), pgemm_last_error(NULL));
    return NULL;
}

int main(int argc, char **argv)
{
    epi_args args;
    if (!epi_parse_args(argc, argv, &args)) return 2;

    /* cuBLASLt's device: --cuda-device, else pgemm's (PGEMM_DEVICE: the
     * HIP index is the CUDA index on NVIDIA), else 0. */
    int device = args.vs.cuda_device;
    size_t env_device = 0;
    const char *env = getenv("PGEMM_DEVICE");
    if (device < 0)
        device = env && *env && bench_parse_size(env, &env_device) && env_device < 1024
                     ? (int)env_device
                     : 0;
    vs_cuda cu;
    epi_lt lt;
    char why[1024];
    if (!vs_cuda_open(&cu, device, 0, why, sizeof why)) {
        fprintf(stderr,
                EPI_PROG ": cannot run here (it needs an NVIDIA GPU with CUDA 12 or 13): "
                         "%s\n",
                why);
        return 2;
    }
    if (!epi_lt_open(&lt, &cu, (size_t)(args.workspace_mb * 1048576.0), why, sizeof why)) {
        fprintf(stderr, EPI_PROG ": cannot run here: %s\n", why);
        vs_cuda_close(&cu);
        return 2;
    }
    pgemm_context *ctx = pgemm_on_hip(&args);
    if (!ctx) {
        epi_lt_close(&lt, &cu);
        vs_cuda_close(&cu);
        return 2;
    }

    epi_run_info ri;
    memset(&ri, 0, sizeof ri);
    ri.vs.cu = &cu;
    ri.vs.args = &args.vs;
    ri.lt = &lt;
    ri.args = &args;
    pgemm_context_info(ctx, &ri.vs.pgemm);
    time_t now = time(NULL);
    struct tm local;
    strftime(ri.vs.date, sizeof ri.vs.date, "%Y-%m-%d %H:%M:%S %Z", localtime_r(&now, &local));
    gethostname(ri.vs.host, sizeof ri.vs.host - 1);
    epi_print_header(&ri);
    if (ri.vs.pgemm.backend != PGEMM_BACKEND_HIP)
        fprintf(stderr, EPI_PROG ": note: pgemm runs on backend %s, not hip\n",
                ri.vs.pgemm.backend_name);
    if (strcmp(ri.vs.pgemm.device, cu.device_name))
        fprintf(stderr,
                EPI_PROG ": warning: pgemm's device \"%s\" and cuBLASLt's \"%s\" differ in name; "
                         "PGEMM_DEVICE / --cuda-device put both on one GPU\n",
                ri.vs.pgemm.device, cu.device_name);

    const bench_common_args *c = &args.vs.common;
    FILE *csv = c->csv ? fopen(c->csv, "w") : NULL;
    epi_slot *slots = calloc(c->nshapes * EPI_SLOTS, sizeof *slots);
    int failures = 0, status = 2;
    if (c->csv && !csv) {
        fprintf(stderr, EPI_PROG ": cannot write %s: %s\n", c->csv, strerror(errno));
        goto done;
    }
    if (!slots) {
        fprintf(stderr, EPI_PROG ": out of host memory\n");
        goto done;
    }
    if (csv) epi_csv_header(csv);
    for (size_t i = 0; i < c->nshapes; i++) {
        shape s = c->shapes[i];
        epi_slot *ss = slots + i * EPI_SLOTS;
        epi_problem p;
        memset(&p, 0, sizeof p);
        p.vp.ctx = ctx;
        p.vp.cu = &cu;
        p.lt = &lt;
        fprintf(stderr, EPI_PROG ": %zux%zux%zu (%zu of %zu)\n", s.m, s.n, s.k, i + 1, c->nshapes);
        lay_out(&args, ss);
        char err[PGEMM_REASON_LEN + 128];
        if (epi_problem_setup(&p, &args, s, err, sizeof err)) {
            run_shape(&p, &args, ss);
        } else {
            fprintf(stderr, EPI_PROG ": %zux%zux%zu: %s\n", s.m, s.n, s.k, err);
            for (size_t k = 0; k < EPI_SLOTS; k++) {
                if (!ss[k].active) continue;
                ss[k].res.r.state = VS_ERROR;
                snprintf(ss[k].res.r.note, sizeof ss[k].res.r.note, "setup: %s", err);
            }
        }
        epi_print_shape(&ri, &p, ss);
        if (csv) epi_csv_rows(csv, &ri, &p, ss);
        for (size_t k = 0; k < EPI_SLOTS; k++) failures += failed(&ss[k]);
        epi_problem_free(&p);
    }
    epi_print_summary(&ri, c->shapes, c->nshapes, slots);
    if (failures) printf("%d column(s) WRONG or failed: see above (exit status 1)\n", failures);
    status = failures ? 1 : 0;

done:
    if (csv) fclose(csv);
    free(slots);
    pgemm_context_destroy(ctx);
    epi_lt_close(&lt, &cu);
    vs_cuda_close(&cu);
    return status;
}
