/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pgemm tune: measures every candidate variant on a shape set, keeps the
 * raw measurements (CSV, resumable), trains the selector's model and
 * writes it where contexts on this device find it; --evaluate measures a
 * held-out set and reports the model's and the heuristic's regret.
 */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cache_dir.h"
#include "common/file_io.h"
#include "common/text.h"
#include "parse.h"
#include "pgemm_tune.h"
#include "plot.h"
#include "sizes.h"
#include "tool.h"
#include "tune.h"

/* Bounds of the numeric options: a shape set of this many is days of
 * measuring already, and a budget of more seconds is no budget. */
#define TUNE_MAX_SHAPES ((size_t)100000)
#define TUNE_MAX_BUDGET 1e6

typedef struct tune_args {
    int precisions;          /* bit 0 fp32, bit 1 fp16; 0: every one the device has */
    double budget;           /* seconds of measuring per set; 0: none */
    size_t shapes, eval_shapes, eval_passes;
    uint64_t seed;
    const char *csv, *model, *family, *dir;
    int fresh, train_only, evaluate, progress, quick;
    double min_time;
    int samples;
} tune_args;

static void usage(FILE *f)
{
    fprintf(f,
            "usage: pgemm tune [options]\n"
            "Measures every candidate kernel variant on a shape set on this device, keeps the\n"
            "measurements (CSV), trains the selector's model and installs it in the per-user\n"
            "cache, where every context on this device, backend and precision finds it.\n"
            "  --precision fp32|fp16|all  what to tune (default all the device has)\n"
            "  --budget S           seconds of measuring per set, 0 to 1e6 (default 1200 on\n"
            "                       a GPU, 600 on a CPU; 0: no limit; one shape at least). An\n"
            "                       interrupted or budget-cut run resumes where it stopped\n"
            "                       when run again\n"
            "  --shapes N           training shapes, 1 to 100000 (default 2000 on a GPU, 800\n"
            "                       on a CPU)\n"
            "  --seed S             shape-set seed (default 1)\n"
            "  --dir D              where the CSVs and models go (default <cache>/pgemm: the\n"
            "                       CSVs in D/tune, the models in D/models)\n"
            "  --fresh              ignore earlier measurements of the same set\n"
            "  --train-only         measure nothing: train from the CSV already there (and\n"
            "                       evaluate on the held-out passes already there)\n"
            "  --family auto|gbt|knn  model family (default auto: the better one in\n"
            "                       cross-validation)\n"
            "  --quick              a tune of minutes: measures the shapes, out of a pool, that a\n"
            "                       model of what is measured so far is least sure of, for a\n"
            "                       budget of 240 s on a GPU and 480 s on a CPU (shared by the\n"
            "                       precisions; --budget sets it); its own CSV, resumable\n"
            "  --evaluate           then measure a held-out set (seed + 1000, wider sizes,\n"
            "                       more odd and skinny shapes), report the regret of the\n"
            "                       model and of the heuristic, and draw it (a PNG beside\n"
            "                       the held-out CSV; gnuplot)\n"
            "  --eval-shapes N      held-out shapes, 1 to 100000 (default 200)\n"
            "  --eval-passes N      passes over the held-out set, 1 to 9, each after the last\n"
            "                       (default 3); each pass is scored on its own and a\n"
            "                       shape counts with the median over the passes\n"
            "  --min-time S         seconds a timed sample lasts at least, 0 to 60 (default\n"
            "                       0.01)\n"
            "  --samples R          timed samples per measurement, 1 to 16, taken in turns\n"
            "                       over the variants, median kept (default 5)\n"
            "  --no-progress        no progress bar\n"
            "Ctrl-C stops after the shape being measured (a second one at once); the CSV\n"
            "keeps every measurement, and the same command goes on from there.\n"
            "  --backend auto|hip|opencl --platform P --device N --log L\n");
}

static int parse(int argc, char **argv, tune_args *t, pgemm_options *o)
{
    static const char *const flags[] = {"--fresh", "--train-only", "--evaluate",
                                        "--no-progress", "--quick"};
    static const char *const valued[] = {"--precision", "--budget",      "--shapes",
                                         "--eval-shapes", "--eval-passes", "--seed",
                                         "--min-time",  "--samples",     "--dir",
                                         "--family"};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        /* tune's --precision also takes "all": before the shared options. */
        if (strcmp(a, "--precision")) {
            int c = pgemm_tool_context_option("tune", argc, argv, &i, o);
            if (c < 0) return 0;
            if (c > 0) continue;
        }
        size_t f = 0, nf = sizeof flags / sizeof flags[0];
        while (f < nf && strcmp(a, flags[f])) f++;
        if (f < nf) {
            if (f == 0) t->fresh = 1;
            else if (f == 1) t->train_only = 1;
            else if (f == 2) t->evaluate = 1;
            else if (f == 3) t->progress = 0;
            else t->quick = 1;
            continue;
        }
        const char *v = pgemm_parse_option_value("tune", argc, argv, &i, valued,
                                                 sizeof valued / sizeof valued[0]);
        if (!v) return 0;
        int ok = 1;
        if (!strcmp(a, "--precision")) {
            if (!strcmp(v, "fp32")) t->precisions = 1;
            else if (!strcmp(v, "fp16") || !strcmp(v, "fp16-mixed")) t->precisions = 2;
            else if (!strcmp(v, "all")) t->precisions = 0;
            else return pgemm_parse_refuse_word("tune", a, v, "fp32, fp16 or all");
        } else if (!strcmp(a, "--budget")) {
            ok = pgemm_parse_double("tune", a, v, 0, TUNE_MAX_BUDGET, &t->budget);
        } else if (!strcmp(a, "--shapes")) {
            ok = pgemm_parse_size("tune", a, v, 1, TUNE_MAX_SHAPES, &t->shapes);
        } else if (!strcmp(a, "--eval-shapes")) {
            ok = pgemm_parse_size("tune", a, v, 1, TUNE_MAX_SHAPES, &t->eval_shapes);
        } else if (!strcmp(a, "--eval-passes")) {
            ok = pgemm_parse_size("tune", a, v, 1, 9, &t->eval_passes);
        } else if (!strcmp(a, "--seed")) {
            ok = pgemm_parse_u64("tune", a, v, 0, UINT64_MAX, &t->seed);
        } else if (!strcmp(a, "--min-time")) {
            ok = pgemm_parse_double("tune", a, v, 0, 60, &t->min_time);
        } else if (!strcmp(a, "--samples")) {
            ok = pgemm_parse_int("tune", a, v, 1, 16, &t->samples);
        } else if (!strcmp(a, "--dir")) {
            if (!*v) return pgemm_parse_refuse_word("tune", a, v, "a folder");
            t->dir = v;
        } else {
            if (strcmp(v, "auto") && strcmp(v, "gbt") && strcmp(v, "knn"))
                return pgemm_parse_refuse_word("tune", a, v, "auto, gbt or knn");
            t->family = v;
        }
        if (!ok) return 0;
    }
    return 1;
}

/* "opencl-nvidia-h100-80gb-hbm3-fp32" */
static void slug(char *out, size_t cap, const pgemm_info *info, const char *precision)
{
    snprintf(out, cap, "%s-%s-%s", info->backend_name, info->device, precision);
    pgemm_text_slug(out, cap, out);
}

/* The CSV's identity line: what the rows were measured on. */
static void csv_header(char *out, size_t cap, const pgemm_info *info, const char *precision,
                       pgemm_context *ctx, const size_t *cand, size_t ncand)
{
    snprintf(out, cap, "# pgemm tune 1; backend %s; device %s; driver %s; precision %s; variants",
             info->backend_name, info->device, info->driver, precision);
    for (size_t i = 0; i < ncand; i++) {
        size_t len = strlen(out);
        snprintf(out + len, cap - len, "%s%s", i ? "," : " ", pgemm_variant_name(ctx, cand[i]));
    }
}

typedef struct rows {
    pgemm_measurement *r;
    size_t n, cap;
} rows;

static int push(rows *v, const pgemm_measurement *m)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 256;
        pgemm_measurement *p = realloc(v->r, cap * sizeof *p);
        if (!p) return -1;
        v->r = p;
        v->cap = cap;
    }
    v->r[v->n++] = *m;
    return 0;
}

/* Reads the rows of a CSV written for `header`; a CSV for anything else is
 * set aside (renamed .old) so that it is never mixed in, and a row that no
 * measurement could have written (a size beyond the library's, a rate that
 * is not a positive number, an unknown variant) is skipped. Returns 0, also
 * when there is no CSV yet, or -1 (message printed) when path is there but
 * not a regular file: a FIFO would block the read and the appends. */
static int read_csv(const char *path, const char *header, pgemm_context *ctx, rows *out)
{
    char why[256];
    int fd = pgemm_file_open_regular(path, NULL, why, sizeof why);
    if (fd < 0) {
        if (errno == ENOENT) return 0;
        fprintf(stderr, "pgemm tune: %s: %s\n", path, why);
        return -1;
    }
    FILE *f = fdopen(fd, "r");
    if (!f) {
        fprintf(stderr, "pgemm tune: %s: %s\n", path, strerror(errno));
        close(fd);
        return -1;
    }
    char line[1024];
    int ok = fgets(line, sizeof line, f) && !strncmp(line, header, strlen(header)) &&
             (line[strlen(header)] == '\n' || line[strlen(header)] == '\0');
    if (!ok) {
        fclose(f);
        char old[4200];
        snprintf(old, sizeof old, "%s.old", path);
        fprintf(stderr, "pgemm tune: %s was measured on another device or kernel set: moved to %s\n",
                path, old);
        rename(path, old);
        return 0;
    }
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' || !strncmp(line, "m,", 2)) continue;
        pgemm_measurement m;
        char name[128];
        double seconds;
        if (sscanf(line, "%zu,%zu,%zu,%d,%d,%127[^,],%lf,%lf", &m.m, &m.n, &m.k, &m.trans_a,
                   &m.trans_b, name, &m.gflops, &seconds) != 8)
            continue;
        if (!m.m || !m.n || !m.k || m.m > PGEMM_TOOL_MAX_INDEX || m.n > PGEMM_TOOL_MAX_INDEX ||
            m.k > PGEMM_TOOL_MAX_INDEX || (m.trans_a != 0 && m.trans_a != 1) ||
            (m.trans_b != 0 && m.trans_b != 1) || !isfinite(m.gflops) || !(m.gflops > 0))
            continue;
        size_t count = pgemm_variant_count(ctx), v = 0;
        while (v < count && strcmp(pgemm_variant_name(ctx, v), name)) v++;
        if (v == count) continue;
        m.variant = v;
        if (push(out, &m) != 0) break;
    }
    fclose(f);
    return 0;
}

static int measured(const rows *r, const tune_shape *s, size_t variant);

/* How many (shape, candidate) pairs r lacks. */
static size_t missing(const rows *r, const tune_shape *shapes, size_t nshapes, const size_t *cand,
                      size_t ncand)
{
    size_t n = 0;
    for (size_t s = 0; s < nshapes; s++)
        for (size_t c = 0; c < ncand; c++) n += !measured(r, &shapes[s], cand[c]);
    return n;
}

static int measured(const rows *r, const tune_shape *s, size_t variant)
{
    for (size_t i = 0; i < r->n; i++) {
        const pgemm_measurement *m = &r->r[i];
        if (m->m == s->m && m->n == s->n && m->k == s->k && m->trans_a == s->trans_a &&
            m->trans_b == s->trans_b && m->variant == variant)
            return 1;
    }
    return 0;
}

/* Ctrl-C (SIGINT) or SIGTERM: the measurement under way finishes and is
 * written, then the tune stops (TUNE_INTERRUPTED) and says what the CSV
 * keeps; a second signal ends the process at once (SA_RESETHAND). */
enum { TUNE_INTERRUPTED = 2 };
static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
    static const char msg[] = "\npgemm tune: stopping after the shape being measured (again: "
                              "stop at once)\n";
    g_stop = sig;
    ssize_t w = write(2, msg, sizeof msg - 1);
    (void)w;
}

static void catch_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

/* The bar, and when this run will end: at this run's rate over what is
 * left, or when the budget does, whichever is first; the bar fills towards
 * that end. */
static void progress(int on, size_t done, size_t total, size_t shape_size, size_t this_run,
                     double elapsed, double budget)
{
    if (!on) return;
    const int width = 30;
    double left = this_run ? elapsed / (double)this_run * (double)(total - done) : 0;
    double part = total ? (double)done / (double)total : 1.0;
    const char *ends = "done";
    if (budget > 0 && elapsed + left > budget) {
        left = budget > elapsed ? budget - elapsed : 0;
        ends = "budget ends it";
        part = fmin(elapsed / budget, 1.0);
    }
    int fill = (int)(width * part);
    fprintf(stderr, "\r  [%.*s%.*s] %zu/%zu shapes, %.0f s", fill, "##############################",
            width - fill, "..............................", done / shape_size, total / shape_size,
            elapsed);
    if (budget > 0) fprintf(stderr, " (budget %.0f s)", budget);
    if (this_run) fprintf(stderr, ", %s in %.0fm%02.0fs", ends, floor(left / 60), fmod(left, 60));
    fprintf(stderr, "   ");
}

/* Measures every candidate on shapes not yet in `have` (appending to the
 * CSV), within the budget. Returns 0 when the set is complete, 1 when the
 * budget cut it short, TUNE_INTERRUPTED on a signal, -1 when the CSV cannot
 * be written. */
static int measure_set(tune_bench *tb, pgemm_precision p, const tune_args *t, const char *csv,
                       const char *header, const tune_shape *shapes, size_t nshapes,
                       const size_t *cand, size_t ncand, rows *have)
{
    FILE *f = fopen(csv, have->n ? "a" : "w");
    if (!f) {
        fprintf(stderr, "pgemm tune: %s: %s\n", csv, strerror(errno));
        return -1;
    }
    if (!have->n) fprintf(f, "%s\nm,n,k,trans_a,trans_b,variant,gflops,seconds,status\n", header);
    size_t total = nshapes * ncand, done = total - missing(have, shapes, nshapes, cand, ncand);
    double start = tune_now();
    int cut = 0;
    size_t this_run = 0;
    for (size_t s = 0; s < nshapes && !cut; s++) {
        const char *names[PGEMM_MAX_VARIANTS];
        size_t todo[PGEMM_MAX_VARIANTS], ntodo = 0;
        for (size_t c = 0; c < ncand; c++)
            if (!measured(have, &shapes[s], cand[c])) {
                todo[ntodo] = cand[c];
                names[ntodo++] = pgemm_variant_name(tb->ctx, cand[c]);
            }
        if (!ntodo) continue;
        /* Every run measures one shape at least, so that one cut short
         * each time still gets through the set. */
        if (g_stop) {
            cut = TUNE_INTERRUPTED;
            break;
        }
        if (t->budget > 0 && this_run > 0 && tune_now() - start > t->budget) {
            cut = 1;
            break;
        }
        tune_result res[PGEMM_MAX_VARIANTS];
        tune_time_shape(tb, p, &shapes[s], names, ntodo, res);
        for (size_t c = 0; c < ntodo; c++) {
            for (char *q = res[c].err; *q; q++)
                if (*q == ',' || *q == '\n') *q = ';';
            /* Training uses the value as the CSV keeps it, so that a model
             * retrained from the CSV is the same, byte for byte. */
            char gf[32];
            snprintf(gf, sizeof gf, "%.9g", res[c].gflops);
            fprintf(f, "%zu,%zu,%zu,%d,%d,%s,%s,%.6e,%s%s\n", shapes[s].m, shapes[s].n,
                    shapes[s].k, shapes[s].trans_a, shapes[s].trans_b, names[c], gf,
                    res[c].seconds, res[c].failed ? "failed: " : "ok", res[c].err);
            pgemm_measurement m = {shapes[s].m, shapes[s].n, shapes[s].k, shapes[s].trans_a,
                                   shapes[s].trans_b, todo[c], strtod(gf, NULL)};
            push(have, &m);
        }
        fflush(f);
        done += ntodo;
        this_run += ntodo;
        progress(t->progress, done, total, ncand, this_run, tune_now() - start, t->budget);
    }
    if (t->progress) fprintf(stderr, "\n");
    fclose(f);
    if (cut == TUNE_INTERRUPTED)
        printf("  interrupted: %zu of %zu measurements of this set are kept in %s; the same "
               "command goes on from there\n",
               done, total, csv);
    else if (cut && !t->quick)
        printf("  budget of %.0f s reached after %zu of %zu measurements: run again to go on\n",
               t->budget, done, total);
    return cut;
}

/* --quick: the shapes to measure, chosen from a pool by what a model of the
 * measurements so far is least sure of. The first QUICK_FIRST shapes of the
 * pool (the generator's order: spread over the space) start it; then, in
 * rounds of QUICK_ROUND, a quick model (knn) is trained on what is measured
 * and the unmeasured shapes whose two best predicted variants are closest
 * are measured next, until the budget ends or the pool does. A shape the
 * model is sure of teaches it little; a close call teaches it where the
 * variants' regions meet. Returns 0, or -1 when the CSV cannot be written
 * or a model cannot be trained. */
enum { QUICK_FIRST = 24, QUICK_ROUND = 12 };

static int measure_quick(tune_bench *tb, pgemm_precision p, const tune_args *t, const char *csv,
                         const char *header, const tune_shape *pool, size_t npool,
                         const size_t *cand, size_t ncand, rows *have, const char *scratch)
{
    double start = tune_now();
    int rc = 0;
    tune_shape *batch = malloc(QUICK_FIRST * sizeof *batch);
    size_t *batch_at = malloc(QUICK_FIRST * sizeof *batch_at);
    double *margin = malloc(npool * sizeof *margin);
    /* Which pool shapes are measured: found in the CSV once, then kept up
     * to date from each round's batch (measured() reads every row). */
    char *done = calloc(npool ? npool : 1, 1);
    size_t nmeasured = 0;
    if (!batch || !batch_at || !margin || !done) rc = -1;
    for (size_t i = 0; !rc && i < npool; i++) {
        done[i] = (char)measured(have, &pool[i], cand[0]);
        nmeasured += (size_t)done[i];
    }
    int round = 0;
    for (; !rc; round++) {
        double left = t->budget - (tune_now() - start);
        if (round > 0 && t->budget > 0 && left <= 0) break;
        size_t nb = 0;
        if (nmeasured < QUICK_FIRST) {
            for (size_t i = 0; i < npool && nb < QUICK_FIRST - nmeasured; i++)
                if (!done[i]) batch_at[nb++] = i;
        } else {
            if (pgemm_model_train(tb->ctx, p, have->r, have->n, "knn", scratch, NULL) !=
                    PGEMM_SUCCESS ||
                pgemm_model_use(tb->ctx, scratch) != PGEMM_SUCCESS) {
                fprintf(stderr, "pgemm tune: quick model: %s\n", pgemm_last_error(tb->ctx));
                rc = -1;
                break;
            }
            for (size_t i = 0; i < npool; i++) {
                margin[i] = INFINITY;
                if (done[i]) continue;
                double g[PGEMM_MAX_VARIANTS], best = 0, second = 0;
                size_t chosen;
                char source[PGEMM_REASON_LEN];
                if (pgemm_predict(tb->ctx, p, pool[i].m, pool[i].n, pool[i].k, pool[i].trans_a,
                                  pool[i].trans_b, g, PGEMM_MAX_VARIANTS, &chosen, source,
                                  sizeof source) != PGEMM_SUCCESS)
                    continue;
                for (size_t c = 0; c < ncand; c++) {
                    double v = cand[c] < PGEMM_MAX_VARIANTS ? g[cand[c]] : NAN;
                    if (!(v > 0)) continue;
                    if (v > best) second = best, best = v;
                    else if (v > second) second = v;
                }
                margin[i] = best > 0 ? (best - second) / best : INFINITY;
            }
            /* The QUICK_ROUND smallest margins, in pool order on ties. */
            for (; nb < QUICK_ROUND; nb++) {
                size_t pick = npool;
                for (size_t i = 0; i < npool; i++)
                    if (isfinite(margin[i]) && (pick == npool || margin[i] < margin[pick]))
                        pick = i;
                if (pick == npool) break;
                batch_at[nb] = pick;
                margin[pick] = INFINITY;
            }
        }
        if (!nb) break; /* the pool is measured */
        for (size_t b = 0; b < nb; b++) batch[b] = pool[batch_at[b]];
        tune_args round_args = *t;
        round_args.progress = 0;
        round_args.budget = t->budget > 0 ? fmax(left, 1e-3) : 0;
        int cut = measure_set(tb, p, &round_args, csv, header, batch, nb, cand, ncand, have);
        if (cut < 0) rc = -1;
        if (cut == TUNE_INTERRUPTED) rc = TUNE_INTERRUPTED;
        /* A batch cut by the budget is measured in part. */
        for (size_t b = 0; b < nb; b++)
            if (!done[batch_at[b]] && measured(have, &pool[batch_at[b]], cand[0])) {
                done[batch_at[b]] = 1;
                nmeasured++;
            }
        if (t->progress) {
            double el = tune_now() - start;
            fprintf(stderr, "\r  quick: %zu shapes measured (%zu measurements), %.0f s", nmeasured,
                    have->n, el);
            if (t->budget > 0)
                fprintf(stderr, " of %.0f s, done in %.0fm%02.0fs", t->budget,
                        floor(fmax(t->budget - el, 0) / 60), fmod(fmax(t->budget - el, 0), 60));
            fprintf(stderr, "   ");
        }
        if (cut) break;
    }
    if (t->progress) fprintf(stderr, "\n");
    printf("  quick: %zu of the pool's %zu shapes measured, %d rounds, %.0f s\n", nmeasured, npool,
           round, tune_now() - start);
    remove(scratch);
    free(batch);
    free(batch_at);
    free(margin);
    free(done);
    return rc;
}

static void print_regret(const char *who, const pgemm_regret_report *r)
{
    printf("  %-28s geomean %.3f  worst %.3f  exact %3.0f%%  (%zu shapes)\n", who, r->geomean,
           r->worst, 100.0 * r->exact, r->shapes);
}

/* Measures the held-out set (seed + 1000, the wide space) in passes, each
 * pass its own CSV (eval_csv, then eval_csv's name with -pass2, -pass3
 * ...), and reports the regret of the model and of the heuristic over all
 * of them (pgemm_regret: each pass scored on its own, the median over the
 * passes). A pass starts only when the one before is complete. Returns 0
 * on success. */
static int evaluate(tune_bench *tb, pgemm_precision p, const pgemm_info *info,
                    const tune_args *t, const char *header, const char *eval_csv,
                    const char *model)
{
    tune_space wide;
    tune_space_for(info, 1, &wide);
    size_t ne = t->eval_shapes ? t->eval_shapes : 200;
    size_t passes = t->eval_passes ? t->eval_passes : 3;
    size_t cand[64], ncand = pgemm_candidates(tb->ctx, p, cand, 64);
    tune_shape *held = malloc(ne * sizeof *held);
    rows all = {0};
    if (!held) return 1;
    ne = tune_shapes(&wide, t->seed + 1000, ne, held);
    printf("  held-out set: %zu shapes (seed %llu, wider sizes), %zu passes\n", ne,
           (unsigned long long)t->seed + 1000, passes);
    int rc = 0;
    size_t done = 0;
    for (size_t pass = 1; pass <= passes && !rc; pass++) {
        char csv[4900];
        size_t stem = strlen(eval_csv) - strlen(".csv");
        if (pass == 1) snprintf(csv, sizeof csv, "%s", eval_csv);
        else snprintf(csv, sizeof csv, "%.*s-pass%zu.csv", (int)stem, eval_csv, pass);
        rows eh = {0};
        if (t->fresh) remove(csv);
        else if (read_csv(csv, header, tb->ctx, &eh) < 0) {
            rc = 1;
            break;
        }
        int m = t->train_only ? missing(&eh, held, ne, cand, ncand) > 0
                              : measure_set(tb, p, t, csv, header, held, ne, cand, ncand, &eh);
        for (size_t i = 0; i < eh.n && m >= 0; i++)
            if (push(&all, &eh.r[i]) != 0) m = -1;
        free(eh.r);
        if (m < 0) rc = 1;
        else if (m == TUNE_INTERRUPTED)
            rc = TUNE_INTERRUPTED;
        else if (m == 0) done = pass;
        if (m != 0) break; /* cut short: the next run goes on from here */
    }
    pgemm_regret_report rm, rh;
    double *shares = rc ? NULL : malloc(2 * (all.n + 1) * sizeof *shares);
    if (!rc && !shares) rc = 1;
    if (!rc && (pgemm_regret_shares(tb->ctx, p, all.r, all.n, model, &rm, shares, all.n + 1) !=
                    PGEMM_SUCCESS ||
                pgemm_regret_shares(tb->ctx, p, all.r, all.n, "heuristic", &rh, shares + all.n + 1,
                                    all.n + 1) != PGEMM_SUCCESS)) {
        fprintf(stderr, "pgemm tune: evaluation failed: %s\n", pgemm_last_error(tb->ctx));
        rc = 1;
    }
    if (!rc) {
        printf("  held-out evaluation (%s, %zu of %zu passes complete):\n", eval_csv, done, passes);
        print_regret("model:", &rm);
        print_regret("heuristic:", &rh);
        /* The picture beside the CSV; without gnuplot, the reason instead. */
        char png_buf[4900], why[PGEMM_REASON_LEN]; /* eval_csv (< 4800) always fits */
        const char *png = pgemm_plot_png_beside(eval_csv, png_buf, sizeof png_buf);
        tune_shares sm = {shares, rm.shapes, rm.geomean};
        tune_shares sh = {shares + all.n + 1, rh.shapes, rh.geomean};
        if (pgemm_tune_plot(png, info->device, p == PGEMM_PRECISION_FP16_MIXED ? "fp16" : "fp32",
                            &sm, &sh, why, sizeof why))
            printf("  picture: %s\n", png);
        else
            printf("  no picture: %s\n", why);
    }
    free(shares);
    free(held);
    free(all.r);
    return rc;
}

/* Tunes one precision. Returns 0 on success. */
static int tune_one(pgemm_context *ctx, const pgemm_info *info, pgemm_precision p,
                    const tune_args *t, const char *dir)
{
    const char *pname = p == PGEMM_PRECISION_FP16_MIXED ? "fp16" : "fp32";
    size_t cand[64], ncand = pgemm_candidates(ctx, p, cand, 64);
    if (ncand == 0) {
        fprintf(stderr, "pgemm tune: no %s variants on this device\n", pname);
        return 1;
    }
    char name[300], csv[4800], eval_csv[4800], model[4800], header[2048], sub[4200];
    slug(name, sizeof name, info, pname);
    snprintf(sub, sizeof sub, "%s/tune", dir);
    if (pgemm_make_dirs(sub, 0755) != 0) {
        fprintf(stderr, "pgemm tune: cannot create %s: %s\n", sub, strerror(errno));
        return 1;
    }
    snprintf(csv, sizeof csv, "%s/%s-%sseed%llu.csv", sub, name, t->quick ? "quick-" : "",
             (unsigned long long)t->seed);
    snprintf(eval_csv, sizeof eval_csv, "%s/%s-heldout-seed%llu.csv", sub, name,
             (unsigned long long)t->seed + 1000);
    snprintf(sub, sizeof sub, "%s/models", dir);
    if (pgemm_make_dirs(sub, 0755) != 0) {
        fprintf(stderr, "pgemm tune: cannot create %s: %s\n", sub, strerror(errno));
        return 1;
    }
    snprintf(model, sizeof model, "%s/%s.model", sub, name);
    csv_header(header, sizeof header, info, pname, ctx, cand, ncand);
    printf("%s on %s (%s): %zu candidates\n", pname, info->device, info->backend_name, ncand);

    tune_space space;
    tune_space_for(info, 0, &space);
    /* --quick: a pool to choose from, four times what its budget measures. */
    size_t nshapes = t->shapes ? t->shapes
                               : t->quick ? (info->device_is_cpu ? 400 : 1200)
                                          : (info->device_is_cpu ? 800 : 2000);
    tune_shape *shapes = malloc(nshapes * sizeof *shapes);
    if (!shapes) return 1;
    nshapes = tune_shapes(&space, t->seed, nshapes, shapes);
    rows have = {0};
    if (t->fresh) remove(csv);
    else if (read_csv(csv, header, ctx, &have) < 0) {
        free(shapes);
        return 1;
    }
    tune_bench tb;
    tune_bench_init(&tb, ctx, t->min_time > 0 ? t->min_time : 0.01, t->samples ? t->samples : 5);
    int rc = 0;
    if (!t->train_only && t->quick) {
        printf("  quick: measuring the shapes of a pool of %zu the model is least sure of, for %.0f s "
               "(%zu measurements already in %s)\n",
               nshapes, t->budget, have.n, csv);
        char scratch[4900];
        snprintf(scratch, sizeof scratch, "%s.quick-round", model);
        int m = measure_quick(&tb, p, t, csv, header, shapes, nshapes, cand, ncand, &have, scratch);
        rc = m == TUNE_INTERRUPTED ? TUNE_INTERRUPTED : m < 0;
    } else if (!t->train_only) {
        printf("  measuring %zu shapes x %zu variants (%zu already in %s)\n", nshapes, ncand,
               have.n, csv);
        int m = measure_set(&tb, p, t, csv, header, shapes, nshapes, cand, ncand, &have);
        rc = m == TUNE_INTERRUPTED ? TUNE_INTERRUPTED : m < 0;
    }
    pgemm_train_report rep;
    if (!rc && pgemm_model_train(ctx, p, have.r, have.n, t->family, model, &rep) != PGEMM_SUCCESS) {
        fprintf(stderr, "pgemm tune: training failed: %s\n", pgemm_last_error(ctx));
        rc = 1;
    }
    if (!rc) {
        printf("  model %s (%s), from %zu measurements\n", model, rep.family, have.n);
        print_regret("cross-validated model:", &rep.cv);
        print_regret("heuristic, same shapes:", &rep.heuristic);
        if (pgemm_model_use(ctx, model) != PGEMM_SUCCESS) {
            fprintf(stderr, "pgemm tune: the new model is refused: %s\n", pgemm_last_error(ctx));
            rc = 1;
        }
    }
    if (!rc && t->evaluate) rc = evaluate(&tb, p, info, t, header, eval_csv, model);
    tune_bench_free(&tb);
    free(have.r);
    free(shapes);
    return rc;
}

int pgemm_cmd_tune(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        }
    tune_args t = {0};
    t.progress = isatty(2);
    t.seed = 1;
    t.budget = -1;
    pgemm_options o;
    pgemm_options_init(&o);
    if (!parse(argc, argv, &t, &o)) return PGEMM_TOOL_USAGE;
    pgemm_context *ctx = pgemm_tool_open(&o);
    if (!ctx) return PGEMM_TOOL_FAILURE;
    pgemm_info info;
    pgemm_context_info(ctx, &info);
    int want = t.precisions ? t.precisions : (info.has_fp16_tiles ? 3 : 1);
    /* --quick's default: 4 minutes of measuring on a GPU, 8 on a CPU, shared
     * by the sets it tunes (training and start-up take the rest of 5 and 10). */
    if (t.budget < 0 && t.quick)
        t.budget = (info.device_is_cpu ? 480.0 : 240.0) / (want == 3 ? 2 : 1);
    else if (t.budget < 0)
        t.budget = info.device_is_cpu ? 600 : 1200;
    char dir[4096];
    if (t.dir) {
        snprintf(dir, sizeof dir, "%s", t.dir);
    } else if (!pgemm_cache_dir(dir, sizeof dir)) {
        /* Contexts would not look for models there either. */
        fprintf(stderr, "pgemm tune: no cache directory (PGEMM_CACHE_DIR is off, or no HOME):"
                        " set --dir\n");
        pgemm_context_destroy(ctx);
        return 1;
    }
    if ((want & 2) && !info.has_fp16_tiles) {
        fprintf(stderr, "pgemm tune: %s has no fp16 tiles on this device\n", info.backend_name);
        pgemm_context_destroy(ctx);
        return 1;
    }
    catch_signals();
    int rc = 0;
    for (int p = 0; p < 2 && !g_stop; p++)
        if (want & (1 << p))
            rc |= tune_one(ctx, &info, p ? PGEMM_PRECISION_FP16_MIXED : PGEMM_PRECISION_FP32, &t,
                           dir);
    pgemm_context_destroy(ctx);
    /* Interrupted: the status a shell gives a process the signal ended. */
    if (g_stop) return 128 + g_stop;
    return rc ? 1 : 0;
}
