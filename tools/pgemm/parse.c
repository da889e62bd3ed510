/* SPDX-License-Identifier: BSD-3-Clause */
/* Command-line numbers (parse.h). */
#include "parse.h"

#include <float.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int is_digit(char c) { return c >= '0' && c <= '9'; }

const char *pgemm_parse_shown(const char *s, char *buf, size_t cap)
{
    /* Plain text as it is; quoted when empty or holding what would hide in
     * the line (spaces, quotes, control characters). */
    int quote = !*s;
    for (const char *p = s; *p; p++)
        quote |= (unsigned char)*p <= ' ' || *p == '"' || *p == '\'' || *p == '\\' || *p == 127;
    size_t n = 0, keep = cap > 12 ? cap - 6 : 0;
    if (keep > 64) keep = 64;
    if (quote && n < keep) buf[n++] = '"';
    for (; *s && n < keep; s++) buf[n++] = (unsigned char)*s < 32 || *s == 127 ? '?' : *s;
    buf[n] = '\0';
    snprintf(buf + n, cap - n, "%s%s", *s ? "..." : "", quote ? "\"" : "");
    return buf;
}

/* The refusal, on one line. */
static void refuse(const char *cmd, const char *name, const char *s, const char *problem,
                   const char *expected)
{
    char shown[80];
    fprintf(stderr, "pgemm %s: %s %s: bad value (%s); expected %s\n", cmd, name,
            pgemm_parse_shown(s, shown, sizeof shown), problem, expected);
}

int pgemm_parse_refuse_word(const char *cmd, const char *name, const char *s,
                            const char *expected)
{
    char shown[80];
    fprintf(stderr, "pgemm %s: %s %s: bad value; expected %s\n", cmd, name,
            pgemm_parse_shown(s, shown, sizeof shown), expected);
    return 0;
}

/* s as [-]digits: sets *neg and *mag and returns NULL, or returns what is
 * wrong. A '-' is taken only with allow_neg. */
static const char *whole_number(const char *s, int allow_neg, int *neg, uint64_t *mag)
{
    *neg = 0;
    *mag = 0;
    if (!*s) return "empty";
    const char *d = s[0] == '-' ? s + 1 : s;
    if (!*d) return "not a whole decimal number";
    int overflow = 0;
    for (const char *p = d; *p; p++) {
        if (!is_digit(*p)) return "not a whole decimal number";
        unsigned digit = (unsigned)(*p - '0');
        if (*mag > (UINT64_MAX - digit) / 10) overflow = 1;
        else *mag = *mag * 10 + digit;
    }
    if (d != s && !allow_neg) return "negative";
    *neg = d != s;
    return overflow ? "out of range" : NULL;
}

int pgemm_parse_u64(const char *cmd, const char *name, const char *s, uint64_t lo, uint64_t hi,
                    uint64_t *out)
{
    int neg;
    uint64_t v;
    const char *problem = whole_number(s, 0, &neg, &v);
    if (!problem && (v < lo || v > hi)) problem = "out of range";
    if (problem) {
        char expected[96];
        snprintf(expected, sizeof expected, "a whole number from %" PRIu64 " to %" PRIu64, lo,
                 hi);
        refuse(cmd, name, s, problem, expected);
        return 0;
    }
    *out = v;
    return 1;
}

int pgemm_parse_size(const char *cmd, const char *name, const char *s, size_t lo, size_t hi,
                     size_t *out)
{
    uint64_t v;
    if (!pgemm_parse_u64(cmd, name, s, lo, hi, &v)) return 0;
    *out = (size_t)v; /* hi is a size_t: v fits */
    return 1;
}

int pgemm_parse_int(const char *cmd, const char *name, const char *s, int lo, int hi, int *out)
{
    int neg;
    uint64_t mag;
    const char *problem = whole_number(s, lo < 0, &neg, &mag);
    long long v = 0;
    if (!problem) {
        /* The magnitude is compared before the cast, so that no value wraps into range. */
        if (mag > (uint64_t)INT_MAX + (neg ? 1u : 0u)) problem = "out of range";
        else v = neg ? -(long long)mag : (long long)mag;
    }
    if (!problem && (v < lo || v > hi)) problem = "out of range";
    if (problem) {
        char expected[96];
        snprintf(expected, sizeof expected, "a whole number from %d to %d", lo, hi);
        refuse(cmd, name, s, problem, expected);
        return 0;
    }
    *out = (int)v;
    return 1;
}

/* 1 when s is [-]digits[.digits][(e|E)[+|-]digits] with a digit in the
 * mantissa (".5" and "5." too); *nonzero says whether one is not 0. This
 * grammar first, so that strtod's extras (whitespace, '+', hex, "nan(...)",
 * "infinity") never pass. */
static int decimal(const char *s, int *nonzero)
{
    int digits = 0;
    *nonzero = 0;
    if (*s == '-') s++;
    for (; is_digit(*s); s++, digits++) *nonzero |= *s != '0';
    if (*s == '.')
        for (s++; is_digit(*s); s++, digits++) *nonzero |= *s != '0';
    if (!digits) return 0;
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '+' || *s == '-') s++;
        if (!is_digit(*s)) return 0;
        while (is_digit(*s)) s++;
    }
    return *s == '\0';
}

int pgemm_parse_double(const char *cmd, const char *name, const char *s, double lo, double hi,
                       double *out)
{
    int nonzero;
    const char *problem = NULL;
    double v = 0;
    if (!*s) problem = "empty";
    else if (!decimal(s, &nonzero)) problem = "not a decimal number";
    else {
        v = strtod(s, NULL);
        /* A huge exponent reads as inf, a tiny one as 0: neither is the number written. */
        if (isinf(v) || (nonzero && v == 0) || v < lo || v > hi) problem = "out of range";
    }
    if (problem) {
        char expected[96];
        snprintf(expected, sizeof expected, "a decimal number from %g to %g", lo, hi);
        refuse(cmd, name, s, problem, expected);
        return 0;
    }
    *out = v;
    return 1;
}

int pgemm_parse_float(const char *cmd, const char *name, const char *s, float *out)
{
    if (!strcmp(s, "nan")) *out = NAN;
    else if (!strcmp(s, "inf")) *out = INFINITY;
    else if (!strcmp(s, "-inf")) *out = -INFINITY;
    else {
        int nonzero;
        const char *problem = NULL;
        float v = 0;
        if (!*s) problem = "empty";
        else if (!decimal(s, &nonzero)) problem = "not a decimal number";
        else {
            /* strtof rounds once, from the decimal text to the float. */
            v = strtof(s, NULL);
            if (isinf(v)) problem = "out of float range";
            else if (nonzero && v == 0) problem = "too small for a float (it would be 0)";
        }
        if (problem) {
            char expected[128];
            snprintf(expected, sizeof expected,
                     "a decimal number of magnitude at most %.9g (float), or nan, inf, -inf",
                     (double)FLT_MAX);
            refuse(cmd, name, s, problem, expected);
            return 0;
        }
        *out = v;
    }
    return 1;
}

const char *pgemm_parse_option_value(const char *cmd, int argc, char **argv, int *i,
                                     const char *const *known, size_t count)
{
    const char *a = argv[*i];
    size_t k = 0;
    while (k < count && strcmp(a, known[k])) k++;
    if (k == count) {
        char shown[80];
        fprintf(stderr, "pgemm %s: unknown option %s (pgemm %s --help lists them)\n", cmd,
                pgemm_parse_shown(a, shown, sizeof shown), cmd);
        return NULL;
    }
    if (*i + 1 >= argc) {
        fprintf(stderr, "pgemm %s: %s needs a value\n", cmd, a);
        return NULL;
    }
    return argv[++*i];
}
