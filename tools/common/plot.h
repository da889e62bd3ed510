/* SPDX-License-Identifier: BSD-3-Clause */
/* PNG pictures drawn by gnuplot (Debian's gnuplot-nox), for `pgemm bench`
 * and `pgemm tune --evaluate`. */
#ifndef PGEMM_PLOT_H
#define PGEMM_PLOT_H

#include <stddef.h>

/* Writes the PNG at png: gnuplot runs `commands` with the variable `data`
 * naming a file that holds the text `table` (whitespace-separated columns,
 * one row per line, "NaN" where a value is missing). Returns 1, or 0 with
 * the reason in why (no gnuplot: the package to install). */
int pgemm_plot_png(const char *png, const char *table, const char *commands, char *why, size_t cap);

/* The picture's name beside a CSV: csv's name ending .png instead of .csv
 * (or with .png added). Returns buf, or NULL when it does not fit. */
const char *pgemm_plot_png_beside(const char *csv, char *buf, size_t cap);

/* Whether text can stand inside a gnuplot string in double quotes (no
 * quote, backslash or control characters). */
int pgemm_plot_text_ok(const char *text);

/* src as it may stand there: each such character as '?'. */
void pgemm_plot_text(char *dst, size_t cap, const char *src);

#endif
