/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ScaLAPACK's psgemm on a BLACS process grid, every rank's local part of C
 * checked against an fp64 product of the same inputs.
 *
 *   mpirun -np 4 psgemm_check [NPROW NPCOL]
 *
 * The program knows nothing of pgemm: it is a plain MPI + ScaLAPACK code.
 * Run with libpgemm_blas.so preloaded, the local products PBLAS makes
 * (sgemm_ on each rank's blocks) run on pgemm, and this checks that the
 * distributed result is still right.
 *
 * Every rank generates the full global matrices from a seed (they are small)
 * and keeps the block-cyclic pieces it owns; after psgemm it compares each
 * entry of its local C with alpha * op(A) * op(B) + beta * C0 computed in
 * fp64 from the same fp32 inputs. Besides the values it checks that:
 *   - the padding rows of every local array (LLD > local rows) are untouched
 *     in C and were never read in A and B (they hold NaN, which would reach C),
 *   - entries of C outside the sub-matrix C(IC:IC+M-1, JC:JC+N-1) are
 *     unchanged, bit for bit,
 *   - local A and B are unchanged, bit for bit.
 * The cases have ragged sizes that no block size divides, all four
 * transpose pairs (also as 'C' and in lower case), sub-matrix offsets,
 * beta 0 over a C full of NaN, and ranks that own no part of C.
 *
 * Each rank prints one line per case (max error, ratio to the tolerance,
 * PASS/FAIL); rank 0 prints the times and the overall verdict. The exit
 * status is 1 on every rank when any rank failed any check (MPI_Allreduce),
 * 2 on a bad command line or grid.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mpi.h>

/*
 * BLACS' C interface and the ScaLAPACK tools and PBLAS routines used here.
 * Debian's libscalapack-openmpi-dev ships no C header for them, so the
 * prototypes are declared here. The Fortran-callable ones (trailing _) take
 * every argument by reference; psgemm_ is PBLAS C code and takes its
 * TRANSA/TRANSB as plain char pointers, without hidden string lengths.
 */
void Cblacs_pinfo(int *mypnum, int *nprocs);
void Cblacs_get(int icontxt, int what, int *val);
void Cblacs_gridinit(int *icontxt, char *order, int nprow, int npcol);
void Cblacs_gridinfo(int icontxt, int *nprow, int *npcol, int *myrow, int *mycol);
void Cblacs_gridexit(int icontxt);
void Cblacs_exit(int notdone);

int numroc_(const int *n, const int *nb, const int *iproc, const int *isrcproc,
            const int *nprocs);
int indxl2g_(const int *indxloc, const int *nb, const int *iproc, const int *isrcproc,
             const int *nprocs);
void descinit_(int *desc, const int *m, const int *n, const int *mb, const int *nb,
               const int *irsrc, const int *icsrc, const int *ictxt, const int *lld,
               int *info);
void psgemm_(const char *transa, const char *transb, const int *m, const int *n, const int *k,
             const float *alpha, const float *a, const int *ia, const int *ja, const int *desca,
             const float *b, const int *ib, const int *jb, const int *descb, const float *beta,
             float *c, const int *ic, const int *jc, const int *descc);

/* Rows of padding below each local array's rows (LLD = local rows + PAD). */
#define PAD 3
/* What C's padding holds, and must still hold afterwards. */
#define C_PAD_SENTINEL (-777.0f)

typedef struct {
    const char *name;
    char ta, tb;          /* as passed to psgemm: N, T, C, or lower case */
    int m, n, k;
    int mb, nb;           /* the block size of all three matrices */
    float alpha, beta;
    int ia, ja, ib, jb, ic, jc; /* 1-based sub-matrix origins */
    int nan_c;            /* C0 is NaN inside the sub-matrix (beta must be 0) */
    uint64_t seed;
} psgemm_case;

static const psgemm_case cases[] = {
    {"NN b32", 'N', 'N', 301, 257, 199, 32, 32, -0.75f, 0.5f, 1, 1, 1, 1, 1, 1, 0, 11},
    {"TN b64", 'T', 'N', 301, 257, 199, 64, 64, 1.25f, -1.5f, 1, 1, 1, 1, 1, 1, 0, 12},
    {"NT b32x64", 'N', 'T', 301, 257, 199, 32, 64, -0.75f, 0.5f, 1, 1, 1, 1, 1, 1, 0, 13},
    {"TT b64x32", 'T', 'T', 257, 301, 211, 64, 32, 1.25f, -1.5f, 1, 1, 1, 1, 1, 1, 0, 14},
    {"CN b32 (C = T)", 'C', 'N', 129, 97, 77, 32, 32, 0.5f, 2.0f, 1, 1, 1, 1, 1, 1, 0, 15},
    {"nt lower case b32", 'n', 't', 97, 129, 65, 32, 32, -2.0f, 0.25f, 1, 1, 1, 1, 1, 1, 0,
     16},
    {"NN sub-matrix b32, beta 0 over NaN", 'N', 'N', 201, 157, 133, 32, 32, 1.5f, 0.0f,
     3, 5, 7, 2, 4, 9, 1, 17},
    {"TN sub-matrix b32", 'T', 'N', 150, 170, 90, 32, 32, -0.5f, 0.75f, 34, 2, 5, 40, 33, 3,
     0, 18},
    {"NN K 1 b16", 'N', 'N', 65, 33, 1, 16, 16, -0.75f, 0.5f, 1, 1, 1, 1, 1, 1, 0, 19},
    {"TT 17x13x5 b32 (ranks without C)", 'T', 'T', 17, 13, 5, 32, 32, 1.25f, -1.5f,
     1, 1, 1, 1, 1, 1, 0, 20},
};
#define N_CASES ((int)(sizeof cases / sizeof cases[0]))

static int trans_of(char t)
{
    return t != 'N' && t != 'n';
}

/* splitmix64: the same value for (seed, matrix, i, j) on every rank. */
static uint64_t mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

/* A value in [-1, 1) with 24 random bits: every fp32 rounding matters. */
static float value(uint64_t seed, int matrix, int i, int j)
{
    uint64_t h = mix(mix(mix(seed * 4 + (uint64_t)matrix) + (uint64_t)i) + (uint64_t)j);
    return (float)((double)(h >> 40) / (double)(1u << 23) - 1.0);
}

/* The block-cyclic rule (source process 0): local index l (0-based) of a
 * dimension with block size nb, on process coordinate p of np, is global
 * index (l / nb * np + p) * nb + l % nb. */
static int local_to_global(int l, int nb, int p, int np)
{
    return (l / nb * np + p) * nb + l % nb;
}

/* One distributed matrix: its global size, descriptor and local array. */
typedef struct {
    int rows, cols;       /* global */
    int lrows, lcols, lld;
    int desc[9];
    float *local;         /* lld x max(1, lcols), column-major */
    size_t count;
} dist_matrix;

typedef struct {
    int ctxt, nprow, npcol, myrow, mycol, rank, size;
} grid;

static int dist_create(dist_matrix *d, const grid *g, int rows, int cols, int mb, int nb)
{
    static const int zero = 0;
    int info = 0;
    d->rows = rows;
    d->cols = cols;
    d->lrows = numroc_(&rows, &mb, &g->myrow, &zero, &g->nprow);
    d->lcols = numroc_(&cols, &nb, &g->mycol, &zero, &g->npcol);
    d->lld = (d->lrows > 1 ? d->lrows : 1) + PAD;
    descinit_(d->desc, &rows, &cols, &mb, &nb, &zero, &zero, &g->ctxt, &d->lld, &info);
    if (info != 0) {
        fprintf(stderr, "psgemm_check: rank %d: descinit_ %dx%d (%dx%d blocks) failed: info %d\n",
                g->rank, rows, cols, mb, nb, info);
        return 0;
    }
    d->count = (size_t)d->lld * (size_t)(d->lcols > 1 ? d->lcols : 1);
    d->local = malloc(d->count * sizeof *d->local);
    if (!d->local) {
        fprintf(stderr, "psgemm_check: rank %d: out of memory\n", g->rank);
        return 0;
    }
    return 1;
}

/* Local entries from the global array (column-major, rows x cols); padding
 * rows get pad_value. */
static void dist_scatter(dist_matrix *d, const grid *g, const float *global, float pad_value)
{
    int mb = d->desc[4], nb = d->desc[5];
    for (size_t i = 0; i < d->count; i++)
        d->local[i] = pad_value;
    for (int jl = 0; jl < d->lcols; jl++) {
        int gj = local_to_global(jl, nb, g->mycol, g->npcol);
        for (int il = 0; il < d->lrows; il++) {
            int gi = local_to_global(il, mb, g->myrow, g->nprow);
            d->local[il + (size_t)jl * d->lld] = global[gi + (size_t)gj * d->rows];
        }
    }
}

/* The rule above against ScaLAPACK's own INDXL2G for every local index. */
static int check_index_map(const dist_matrix *d, const grid *g)
{
    static const int zero = 0;
    int mb = d->desc[4], nb = d->desc[5];
    for (int il = 0; il < d->lrows; il++) {
        int l1 = il + 1;
        if (indxl2g_(&l1, &mb, &g->myrow, &zero, &g->nprow) - 1 !=
            local_to_global(il, mb, g->myrow, g->nprow))
            return 0;
    }
    for (int jl = 0; jl < d->lcols; jl++) {
        int l1 = jl + 1;
        if (indxl2g_(&l1, &nb, &g->mycol, &zero, &g->npcol) - 1 !=
            local_to_global(jl, nb, g->mycol, g->npcol))
            return 0;
    }
    return 1;
}

static float *global_matrix(int rows, int cols, uint64_t seed, int matrix)
{
    float *x = malloc((size_t)rows * (size_t)cols * sizeof *x);
    if (!x)
        return NULL;
    for (int j = 0; j < cols; j++)
        for (int i = 0; i < rows; i++)
            x[i + (size_t)j * rows] = value(seed, matrix, i, j);
    return x;
}

/*
 * The tolerance. Each entry of C is alpha * sum_{p<K} a_ip * b_pj + beta * c_ij
 * evaluated in fp32: K products, K - 1 additions, the alpha and beta
 * multiplications and the final addition, in whatever order and grouping
 * PBLAS and the local GEMMs choose (panels of K on different ranks summed
 * in any tree, C scaled by beta first or not, fused multiply-adds or not).
 * For any such evaluation the classic bound (Higham, Accuracy and Stability
 * of Numerical Algorithms, 3.1 and 3.5) is
 *     |computed - exact| <= gamma_{K+3} * (|alpha| * sum |a_ip| |b_pj| + |beta| |c_ij|),
 *     gamma_n = n u / (1 - n u),  u = 2^-24 (fp32 unit roundoff),
 * with the exact value and the magnitudes computed in fp64 from the same fp32
 * inputs (their own fp64 error is some 2^-29 times smaller). The bound is
 * worst case; typical errors are near sqrt(K) u times the magnitude, a few
 * hundredths of it. A lost or repeated block, a wrong leading dimension or
 * offset gives errors of the order of the magnitude itself. Inputs rounded to
 * TF32 or fp16 (unit roundoff 2^-11) give errors near 2^-11 / sqrt(K) of the
 * magnitude, above this bound for every K here (K <= 211: (K + 3) sqrt(K) <
 * 2^13), so a GEMM in reduced precision does not pass as fp32 either.
 */
static double tolerance_factor(int k)
{
    double u = ldexp(1.0, -24);
    double n = (double)k + 3.0;
    return n * u / (1.0 - n * u);
}

typedef struct {
    double max_err, max_ratio;
    long bad;             /* entries beyond the tolerance (or NaN) */
    long pad_changed, outside_changed, operand_changed;
    long index_mismatch;
    double seconds;       /* psgemm_ alone, on this rank */
} case_result;

static int run_case(const psgemm_case *pc, const grid *g, case_result *r)
{
    memset(r, 0, sizeof *r);
    int ta = trans_of(pc->ta), tb = trans_of(pc->tb);
    /* Stored sizes of the sub-matrices, and global sizes with a margin past
     * them when the case has offsets (so that there is an "outside"). */
    int a_sr = ta ? pc->k : pc->m, a_sc = ta ? pc->m : pc->k;
    int b_sr = tb ? pc->n : pc->k, b_sc = tb ? pc->k : pc->n;
    int margin = (pc->ia > 1 || pc->ic > 1 || pc->ib > 1) ? 5 : 0;
    int a_rows = pc->ia - 1 + a_sr + margin, a_cols = pc->ja - 1 + a_sc + margin;
    int b_rows = pc->ib - 1 + b_sr + margin, b_cols = pc->jb - 1 + b_sc + margin;
    int c_rows = pc->ic - 1 + pc->m + margin, c_cols = pc->jc - 1 + pc->n + margin;

    float *ga = global_matrix(a_rows, a_cols, pc->seed, 0);
    float *gb = global_matrix(b_rows, b_cols, pc->seed, 1);
    float *gc = global_matrix(c_rows, c_cols, pc->seed, 2);
    if (!ga || !gb || !gc) {
        fprintf(stderr, "psgemm_check: rank %d: out of memory\n", g->rank);
        return 0;
    }
    if (pc->nan_c)
        for (int j = 0; j < pc->n; j++)
            for (int i = 0; i < pc->m; i++)
                gc[(pc->ic - 1 + i) + (size_t)(pc->jc - 1 + j) * c_rows] = NAN;

    dist_matrix a, b, c;
    if (!dist_create(&a, g, a_rows, a_cols, pc->mb, pc->nb) ||
        !dist_create(&b, g, b_rows, b_cols, pc->mb, pc->nb) ||
        !dist_create(&c, g, c_rows, c_cols, pc->mb, pc->nb))
        return 0;
    dist_scatter(&a, g, ga, NAN);
    dist_scatter(&b, g, gb, NAN);
    dist_scatter(&c, g, gc, C_PAD_SENTINEL);
    r->index_mismatch = !check_index_map(&a, g) + !check_index_map(&b, g) +
                        !check_index_map(&c, g);
    float *a_copy = malloc(a.count * sizeof *a_copy);
    float *b_copy = malloc(b.count * sizeof *b_copy);
    if (!a_copy || !b_copy) {
        fprintf(stderr, "psgemm_check: rank %d: out of memory\n", g->rank);
        return 0;
    }
    memcpy(a_copy, a.local, a.count * sizeof *a_copy);
    memcpy(b_copy, b.local, b.count * sizeof *b_copy);

    MPI_Barrier(MPI_COMM_WORLD);
    double t0 = MPI_Wtime();
    psgemm_(&pc->ta, &pc->tb, &pc->m, &pc->n, &pc->k, &pc->alpha, a.local, &pc->ia, &pc->ja,
            a.desc, b.local, &pc->ib, &pc->jb, b.desc, &pc->beta, c.local, &pc->ic, &pc->jc,
            c.desc);
    r->seconds = MPI_Wtime() - t0;

    r->operand_changed = (memcmp(a_copy, a.local, a.count * sizeof *a_copy) != 0) +
                         (memcmp(b_copy, b.local, b.count * sizeof *b_copy) != 0);

    double tol = tolerance_factor(pc->k);
    double alpha = pc->alpha, beta = pc->beta;
    for (int jl = 0; jl < (c.lcols > 1 ? c.lcols : 1); jl++) {
        for (int il = 0; il < c.lld; il++) {
            float got = c.local[il + (size_t)jl * c.lld];
            if (il >= c.lrows || jl >= c.lcols) {
                /* Padding (rows past the local ones; with no local columns
                 * the one column of the array is all padding). */
                if (memcmp(&got, &(float){C_PAD_SENTINEL}, sizeof got) != 0)
                    r->pad_changed++;
                continue;
            }
            int gi = local_to_global(il, pc->mb, g->myrow, g->nprow);
            int gj = local_to_global(jl, pc->nb, g->mycol, g->npcol);
            float c0 = gc[gi + (size_t)gj * c_rows];
            int i = gi - (pc->ic - 1), j = gj - (pc->jc - 1);
            if (i < 0 || i >= pc->m || j < 0 || j >= pc->n) {
                if (memcmp(&got, &c0, sizeof got) != 0)
                    r->outside_changed++;
                continue;
            }
            double sum = 0.0, mag = 0.0;
            for (int p = 0; p < pc->k; p++) {
                int ai = pc->ia - 1 + (ta ? p : i), aj = pc->ja - 1 + (ta ? i : p);
                int bi = pc->ib - 1 + (tb ? j : p), bj = pc->jb - 1 + (tb ? p : j);
                double x = (double)ga[ai + (size_t)aj * a_rows] *
                           (double)gb[bi + (size_t)bj * b_rows];
                sum += x;
                mag += fabs(x);
            }
            /* beta 0: C0 is not read (BLAS semantics), NaN there included. */
            double want = alpha * sum + (beta != 0.0 ? beta * (double)c0 : 0.0);
            double bound = tol * (fabs(alpha) * mag + (beta != 0.0 ? fabs(beta * c0) : 0.0));
            double err = fabs((double)got - want);
            if (!(err <= bound)) /* NaN included */
                r->bad++;
            if (!(err <= r->max_err))
                r->max_err = err;
            if (bound > 0.0 && err / bound > r->max_ratio)
                r->max_ratio = err / bound;
        }
    }

    free(a_copy);
    free(b_copy);
    free(a.local);
    free(b.local);
    free(c.local);
    free(ga);
    free(gb);
    free(gc);
    return 1;
}

/* The grid shape for a process count: NPROW <= NPCOL, as square as it goes. */
static void default_grid(int size, int *nprow, int *npcol)
{
    int p = 1;
    for (int d = 1; d * d <= size; d++)
        if (size % d == 0)
            p = d;
    *nprow = p;
    *npcol = size / p;
}

static int parse_count(const char *s, int *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s < '1' || *s > '9' || *end != '\0' || v > 4096)
        return 0;
    *out = (int)v;
    return 1;
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    grid g;
    MPI_Comm_rank(MPI_COMM_WORLD, &g.rank);
    MPI_Comm_size(MPI_COMM_WORLD, &g.size);

    int nprow, npcol;
    default_grid(g.size, &nprow, &npcol);
    if (argc == 3) {
        if (!parse_count(argv[1], &nprow) || !parse_count(argv[2], &npcol)) {
            if (g.rank == 0)
                fprintf(stderr, "psgemm_check: NPROW and NPCOL must be positive numbers\n");
            MPI_Finalize();
            return 2;
        }
    } else if (argc != 1) {
        if (g.rank == 0)
            fprintf(stderr, "usage: mpirun -np P psgemm_check [NPROW NPCOL]\n");
        MPI_Finalize();
        return 2;
    }
    if (nprow * npcol != g.size) {
        if (g.rank == 0)
            fprintf(stderr, "psgemm_check: a %dx%d grid needs %d processes, not %d\n", nprow,
                    npcol, nprow * npcol, g.size);
        MPI_Finalize();
        return 2;
    }

    int me, np;
    Cblacs_pinfo(&me, &np);
    Cblacs_get(-1, 0, &g.ctxt);
    Cblacs_gridinit(&g.ctxt, "Row", nprow, npcol);
    Cblacs_gridinfo(g.ctxt, &g.nprow, &g.npcol, &g.myrow, &g.mycol);
    if (g.myrow < 0 || g.nprow != nprow || g.npcol != npcol) {
        fprintf(stderr, "psgemm_check: rank %d: not in the %dx%d BLACS grid\n", g.rank, nprow,
                npcol);
        MPI_Abort(MPI_COMM_WORLD, 2);
    }
    if (g.rank == 0)
        printf("psgemm_check: %d ranks, %dx%d BLACS grid, %d cases\n", g.size, g.nprow,
               g.npcol, N_CASES);

    int failed = 0;
    for (int ci = 0; ci < N_CASES; ci++) {
        const psgemm_case *pc = &cases[ci];
        case_result r;
        int ok = run_case(pc, &g, &r);
        int pass = ok && r.bad == 0 && r.pad_changed == 0 && r.outside_changed == 0 &&
                   r.operand_changed == 0 && r.index_mismatch == 0;
        char extra[256] = "";
        if (!ok)
            snprintf(extra, sizeof extra, " (setup failed)");
        else if (!pass)
            snprintf(extra, sizeof extra,
                     " (%ld entries beyond tolerance, %ld padding entries changed, "
                     "%ld entries outside the sub-matrix changed, %ld operands changed, "
                     "%ld index maps differing from INDXL2G)",
                     r.bad, r.pad_changed, r.outside_changed, r.operand_changed,
                     r.index_mismatch);
        printf("psgemm_check: rank %d (%d,%d) case %-36s %c%c %dx%dx%d: max error %.3g "
               "(%.3f of tolerance) %s%s\n",
               g.rank, g.myrow, g.mycol, pc->name, pc->ta, pc->tb, pc->m, pc->n, pc->k,
               r.max_err, r.max_ratio, pass ? "PASS" : "FAIL", extra);
        fflush(stdout);
        failed |= !pass;
        double slowest;
        MPI_Reduce(&r.seconds, &slowest, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
        if (g.rank == 0) {
            double gflop = 2.0 * pc->m * pc->n * pc->k * 1e-9;
            printf("psgemm_check: case %-36s psgemm %.4f s (slowest rank), %.3f GFLOP/s\n",
                   pc->name, slowest, gflop / slowest);
            fflush(stdout);
        }
    }

    int any_failed = 0;
    MPI_Allreduce(&failed, &any_failed, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    if (g.rank == 0)
        printf("psgemm_check: %s: %d cases on %d ranks (%dx%d)\n",
               any_failed ? "FAIL" : "PASS", N_CASES, g.size, g.nprow, g.npcol);
    Cblacs_gridexit(g.ctxt);
    Cblacs_exit(1); /* MPI stays up: it is finalized here */
    MPI_Finalize();
    return any_failed ? 1 : 0;
}
