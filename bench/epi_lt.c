/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * epi_lt.c: cuBLASLt for epilogue_vs_cublaslt, loaded with dlopen at run time
 * (through vs_cuda.c's loader), and one planned matmul: its descriptors, the
 * heuristic's first algorithm, and the call.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "epi.h"

/* The entry points, by name and by where epi_lt keeps them. */
#define LT_ENTRY(field, name)                                                                      \
    {                                                                                              \
        name, offsetof(epi_lt, field)                                                              \
    }
static const struct lt_symbol {
    const char *name;
    size_t offset;
} lt_symbols[] = {
    LT_ENTRY(create, "cublasLtCreate"),
    LT_ENTRY(destroy, "cublasLtDestroy"),
    LT_ENTRY(get_version, "cublasLtGetVersion"),
    LT_ENTRY(desc_create, "cublasLtMatmulDescCreate"),
    LT_ENTRY(desc_destroy, "cublasLtMatmulDescDestroy"),
    LT_ENTRY(desc_set, "cublasLtMatmulDescSetAttribute"),
    LT_ENTRY(layout_create, "cublasLtMatrixLayoutCreate"),
    LT_ENTRY(layout_destroy, "cublasLtMatrixLayoutDestroy"),
    LT_ENTRY(pref_create, "cublasLtMatmulPreferenceCreate"),
    LT_ENTRY(pref_destroy, "cublasLtMatmulPreferenceDestroy"),
    LT_ENTRY(pref_set, "cublasLtMatmulPreferenceSetAttribute"),
    LT_ENTRY(heuristic, "cublasLtMatmulAlgoGetHeuristic"),
    LT_ENTRY(matmul, "cublasLtMatmul"),
};

/* cublasLtMatmulHeuristicResult_t (cublasLt.h, CUDA 13.0). */
typedef struct lt_heuristic_result {
    uint64_t algo[8];
    size_t workspace_size;
    int state;
    float waves_count;
    int reserved[4];
} lt_heuristic_result;

int epi_lt_open(epi_lt *lt, vs_cuda *cu, size_t workspace_bytes, char *why, size_t cap)
{
    memset(lt, 0, sizeof *lt);
    lt->lib = vs_cuda_load_library("cuBLASLt", "libcublasLt", lt->path, sizeof lt->path, why, cap);
    if (!lt->lib) return 0;
    size_t nsym = sizeof lt_symbols / sizeof lt_symbols[0];
    for (size_t i = 0; i < nsym; i++)
        if (!vs_cuda_symbol(lt->lib, lt->path, lt_symbols[i].name,
                            (char *)lt + lt_symbols[i].offset, 1, why, cap)) {
            lt->lib = NULL;
            return 0;
        }
    lt->version = lt->get_version();
    char err[256];
    if (!vs_cublas_ok(cu, lt->create(&lt->handle), "cublasLtCreate", err, sizeof err) ||
        !vs_cuda_upload(cu, &lt->workspace, NULL, workspace_bytes, err, sizeof err)) {
        snprintf(why, cap, "%s", err);
        epi_lt_close(lt, cu);
        return 0;
    }
    lt->workspace_bytes = workspace_bytes;
    return 1;
}

void epi_lt_close(epi_lt *lt, vs_cuda *cu)
{
    if (lt->workspace) cu->free_(lt->workspace);
    if (lt->handle) lt->destroy(lt->handle);
    /* The library stays loaded, as vs_cuda_close leaves cuBLAS. */
    memset(lt, 0, sizeof *lt);
}

void epi_lt_plan_free(epi_lt *lt, epi_lt_plan *plan)
{
    void *layouts[3] = {plan->a_layout, plan->b_layout, plan->d_layout};
    for (int i = 0; i < 3; i++)
        if (layouts[i]) lt->layout_destroy(layouts[i]);
    if (plan->desc) lt->desc_destroy(plan->desc);
    memset(plan, 0, sizeof *plan);
}

/* The descriptor's attributes: operations, epilogue, bias. */
static int describe(epi_lt *lt, const vs_cuda *cu, const epi_lt_gemm *g, epi_lt_plan *plan,
                    char *err, size_t cap)
{
    int32_t ta = g->trans_a, tb = g->trans_b;
    uint32_t epilogue = (uint32_t)g->epilogue;
    const void *bias = g->bias;
    int st = lt->desc_create(&plan->desc, VS_CUBLAS_COMPUTE_32F, VS_CUDA_R_32F);
    if (st == 0) st = lt->desc_set(plan->desc, EPI_LT_DESC_TRANSA, &ta, sizeof ta);
    if (st == 0) st = lt->desc_set(plan->desc, EPI_LT_DESC_TRANSB, &tb, sizeof tb);
    if (st == 0) st = lt->desc_set(plan->desc, EPI_LT_DESC_EPILOGUE, &epilogue, sizeof epilogue);
    if (st == 0 && g->epilogue != EPI_LT_EPILOGUE_DEFAULT)
        st = lt->desc_set(plan->desc, EPI_LT_DESC_BIAS_POINTER, &bias, sizeof bias);
    if (st == 0) st = lt->layout_create(&plan->a_layout, g->ab_type, g->a_rows, g->a_cols, g->lda);
    if (st == 0) st = lt->layout_create(&plan->b_layout, g->ab_type, g->b_rows, g->b_cols, g->ldb);
    if (st == 0) st = lt->layout_create(&plan->d_layout, VS_CUDA_R_32F, g->m, g->n, g->ldd);
    return vs_cublas_ok(cu, st, "cuBLASLt descriptors", err, cap);
}

int epi_lt_plan_make(epi_lt *lt, const vs_cuda *cu, const epi_lt_gemm *g, epi_lt_plan *plan,
                     char *err, size_t cap)
{
    memset(plan, 0, sizeof *plan);
    if (!describe(lt, cu, g, plan, err, cap)) {
        epi_lt_plan_free(lt, plan);
        return 0;
    }
    void *pref = NULL;
    uint64_t ws = lt->workspace_bytes;
    lt_heuristic_result res;
    memset(&res, 0, sizeof res);
    int found = 0;
    int st = lt->pref_create(&pref);
    if (st == 0) st = lt->pref_set(pref, EPI_LT_PREF_MAX_WORKSPACE_BYTES, &ws, sizeof ws);
    /* C's layout is D's: the matmul runs in place. */
    if (st == 0)
        st = lt->heuristic(lt->handle, plan->desc, plan->a_layout, plan->b_layout, plan->d_layout,
                           plan->d_layout, pref, 1, &res, &found);
    if (pref) lt->pref_destroy(pref);
    if (st == EPI_CUBLAS_STATUS_NOT_SUPPORTED || (st == 0 && (found < 1 || res.state != 0))) {
        snprintf(err, cap,
                 "cublasLtMatmulAlgoGetHeuristic: no algorithm for this type, layout "
                 "and epilogue combination");
        epi_lt_plan_free(lt, plan);
        return -1;
    }
    if (!vs_cublas_ok(cu, st, "cublasLtMatmulAlgoGetHeuristic", err, cap)) {
        epi_lt_plan_free(lt, plan);
        return 0;
    }
    memcpy(plan->algo, res.algo, sizeof plan->algo);
    return 1;
}

int epi_lt_run(const epi_lt *lt, const epi_lt_plan *plan, float alpha, const void *a, const void *b,
               float beta, void *d)
{
    return lt->matmul(lt->handle, plan->desc, &alpha, a, plan->a_layout, b, plan->b_layout, &beta,
                      d, plan->d_layout, d, plan->d_layout, plan->algo, lt->workspace,
                      lt->workspace_bytes, NULL);
}
