/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The numbers of the tool's command lines, parsed one way everywhere.
 *
 * Strict decimal: digits, with a '-' in front only where negative values
 * are in range; no '+', no whitespace, no hex, nothing after the number.
 * Decimal fractions take an exponent ("1.5e-3"). Each function returns 1
 * with *out set, or 0 after printing one line to stderr that names the
 * option and the accepted range:
 *
 *     pgemm run: --repeat 0: bad value (out of range); expected a whole number
 *     from 1 to 100000
 */
#ifndef PGEMM_TOOL_PARSE_H
#define PGEMM_TOOL_PARSE_H

#include <stddef.h>
#include <stdint.h>

/* A whole number in [lo, hi]. cmd is the command ("run"), name the option
 * or argument ("--repeat", "M"). */
int pgemm_parse_u64(const char *cmd, const char *name, const char *s, uint64_t lo, uint64_t hi,
                    uint64_t *out);
int pgemm_parse_size(const char *cmd, const char *name, const char *s, size_t lo, size_t hi,
                     size_t *out);
int pgemm_parse_int(const char *cmd, const char *name, const char *s, int lo, int hi, int *out);

/* A decimal number in [lo, hi] (finite bounds; no nan or inf). */
int pgemm_parse_double(const char *cmd, const char *name, const char *s, double lo, double hi,
                       double *out);

/* A float scalar: a decimal number whose float is finite and, unless the
 * number is 0, not 0 (1e39 and 1e-50 are refused, not turned into inf and
 * 0); or "nan", "inf", "-inf", written so on purpose: BLAS takes them. */
int pgemm_parse_float(const char *cmd, const char *name, const char *s, float *out);

/* The refusal of a word option's value, on stderr:
 *     pgemm run: --layout diag: bad value; expected row or col
 * Returns 0. */
int pgemm_parse_refuse_word(const char *cmd, const char *name, const char *s,
                            const char *expected);

/* The value of valued option argv[*i], one of the count names in known:
 * advances *i past it and returns it; NULL after one line on stderr for an
 * option not in known ("pgemm run: unknown option --x (pgemm run --help
 * lists them)") or one without its value ("pgemm run: --pad needs a
 * value"). */
const char *pgemm_parse_option_value(const char *cmd, int argc, char **argv, int *i,
                                     const char *const *known, size_t count);

/* s fit for a one-line message, in buf (80 bytes will do): as it is, or in
 * double quotes when empty or holding spaces, quotes or control characters
 * (shown as '?'); cut after 64 characters with "...". Returns buf. */
const char *pgemm_parse_shown(const char *s, char *buf, size_t cap);

#endif
