/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pgemm_ref_to_half / pgemm_ref_from_half (tools/common/pgemm_ref.c): the
 * IEEE binary16 conversions behind the fp16 tests and benchmarks.
 *
 *   - every one of the 65536 halves converts to the float its fields say
 *     (computed independently with ldexp) and back to itself (NaNs: to
 *     themselves, quieted);
 *   - for every pair of neighbouring finite halves, the float midpoint rounds
 *     to the even one and the floats just below / above it round down / up:
 *     ties to even at every exponent, subnormals included;
 *   - the overflow boundary (65504, 65519.99, 65520), the smallest subnormal
 *     2^-24 and half of it, signed zeros, infinities, NaN, float subnormals;
 *   - random floats land on a nearest half.
 *
 * No device involved (label cpu).
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "pgemm_ref.h"
#include "test_util.h"

static uint32_t float_bits(float x)
{
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

static float bits_float(uint32_t u)
{
    float x;
    memcpy(&x, &u, sizeof x);
    return x;
}

/* The value of half h from its fields, in double, without the code under test. */
static double half_value(uint16_t h)
{
    int sign = h >> 15, exp = (h >> 10) & 31, man = h & 1023;
    double v;
    if (exp == 31) v = man ? NAN : INFINITY;
    else if (exp == 0) v = ldexp((double)man, -24);
    else v = ldexp(1024.0 + man, exp - 25);
    return sign ? -v : v;
}

#define CHECK_HALF(x, want)                                                          \
    do {                                                                              \
        float x_ = (x);                                                               \
        uint16_t got_ = pgemm_ref_to_half(x_), want_ = (uint16_t)(want);              \
        CHECK_MSG(got_ == want_, "to_half(%a = %.9g) = 0x%04x, want 0x%04x", (double)x_, \
                  (double)x_, got_, want_);                                           \
    } while (0)

static void test_all_halves(void)
{
    size_t bad_value = 0, bad_trip = 0;
    for (uint32_t u = 0; u < 65536; u++) {
        uint16_t h = (uint16_t)u;
        float f = pgemm_ref_from_half(h);
        double want = half_value(h);
        int is_nan = ((h >> 10) & 31) == 31 && (h & 1023);
        int ok = is_nan ? isnan(f) && (signbit(f) != 0) == ((h >> 15) != 0)
                        : (double)f == want && (signbit(f) != 0) == ((h >> 15) != 0);
        if (!ok && bad_value++ < 5)
            CHECK_MSG(0, "from_half(0x%04x) = %a, want %a", h, (double)f, want);
        /* A NaN comes back quieted (bit 9 set), the rest of its payload kept. */
        uint16_t back = pgemm_ref_to_half(f), want_back = is_nan ? (uint16_t)(h | 0x200) : h;
        if (back != want_back && bad_trip++ < 5)
            CHECK_MSG(0, "to_half(from_half(0x%04x)) = 0x%04x, want 0x%04x", h, back, want_back);
    }
    CHECK_MSG(bad_value == 0, "%zu halves convert to the wrong float", bad_value);
    CHECK_MSG(bad_trip == 0, "%zu halves do not round-trip", bad_trip);
}

/* Midpoints between neighbours h, h + 1 (both signs): ties to even, and the
 * floats next to each midpoint round to the nearer side. */
static void test_ties(void)
{
    size_t bad = 0;
    for (uint32_t u = 0; u < 0x7c00; u++) { /* h = 0 .. 0x7bff, h + 1 up to inf */
        for (int neg = 0; neg <= 1; neg++) {
            uint16_t lo = (uint16_t)(u | (neg ? 0x8000u : 0u)), hi = (uint16_t)(lo + 1);
            double a = half_value(lo);
            /* Above 65504 the next "half" is inf; the rounding threshold is
             * where 65536 would be: 65504 + 16 = 65520. */
            double b = u == 0x7bff ? (neg ? -65536.0 : 65536.0) : half_value(hi);
            float mid = (float)((a + b) / 2); /* exact: 12 significant bits */
            CHECK_MSG((double)mid == (a + b) / 2, "midpoint of 0x%04x not exact", lo);
            uint16_t even = (lo & 1) ? hi : lo;
            float below = nextafterf(mid, 0.0f), above = nextafterf(mid, neg ? -INFINITY : INFINITY);
            uint16_t g_mid = pgemm_ref_to_half(mid), g_below = pgemm_ref_to_half(below),
                     g_above = pgemm_ref_to_half(above);
            if (g_mid != even || g_below != lo || g_above != hi) {
                if (bad++ < 5)
                    CHECK_MSG(0,
                              "around the midpoint %a of 0x%04x/0x%04x: got 0x%04x 0x%04x "
                              "0x%04x, want 0x%04x 0x%04x 0x%04x",
                              (double)mid, lo, hi, g_below, g_mid, g_above, lo, even, hi);
            }
        }
    }
    CHECK_MSG(bad == 0, "%zu midpoints round wrongly", bad);
}

static void test_specific(void)
{
    /* Ties to even at several exponents. */
    CHECK_HALF(1.0f + 0x1p-11f, 0x3c00);                  /* 1 + half ulp -> 1 (even) */
    CHECK_HALF(1.0f + 3 * 0x1p-11f, 0x3c02);              /* 1 + 1.5 ulp -> 1 + 2 ulp */
    CHECK_HALF(1.0f + 0x1p-11f + 0x1p-23f, 0x3c01);       /* just above the tie -> up */
    CHECK_HALF(2048.0f + 1.0f, 0x6800);                   /* 2049 -> 2048 */
    CHECK_HALF(2048.0f + 3.0f, 0x6802);                   /* 2051 -> 2052 */
    CHECK_HALF(0x1p-14f + 0x1p-25f, 0x0400);              /* smallest normal + half ulp */
    CHECK_HALF(0x1p-14f + 3 * 0x1p-25f, 0x0402);
    CHECK_HALF(-(0.5f + 0x1p-12f), 0xb800);               /* negative tie -> even */
    CHECK_HALF(-(0.5f + 3 * 0x1p-12f), 0xb802);
    /* The overflow boundary. */
    CHECK_HALF(65504.0f, 0x7bff);
    CHECK_HALF(65519.99f, 0x7bff);
    CHECK_HALF(nextafterf(65520.0f, 0.0f), 0x7bff);
    CHECK_HALF(65520.0f, 0x7c00);
    CHECK_HALF(-65520.0f, 0xfc00);
    CHECK_HALF(-65504.0f, 0xfbff);
    CHECK_HALF(70000.0f, 0x7c00);
    CHECK_HALF(1e30f, 0x7c00);
    CHECK_HALF(3.4028235e38f, 0x7c00);
    CHECK(pgemm_ref_from_half(0x7bff) == 65504.0f);
    /* Subnormals: 2^-24 and half of it (a tie to 0), a bit more than half. */
    CHECK_HALF(0x1p-24f, 0x0001);
    CHECK(pgemm_ref_from_half(0x0001) == 0x1p-24f);
    CHECK_HALF(0x1p-25f, 0x0000);
    CHECK_HALF(-0x1p-25f, 0x8000);
    CHECK_HALF(nextafterf(0x1p-25f, 1.0f), 0x0001);
    CHECK_HALF(0x1.8p-24f, 0x0002);                       /* 1.5 * 2^-24: tie -> 2 */
    CHECK_HALF(0x1.4p-24f, 0x0001);
    CHECK_HALF(0x1p-26f, 0x0000);
    CHECK_HALF(6e-8f, 0x0001);                            /* nearest to 5.96e-8 */
    CHECK_HALF(6.1e-5f, 0x03ff);                          /* largest subnormal, 6.0976e-5 */
    CHECK_HALF(6.104e-5f, 0x0400);                        /* smallest normal 6.1035e-5 */
    CHECK_HALF(0x1p-15f, 0x0200);
    CHECK_HALF(0x1.ff8p-15f, 0x03ff);                     /* 1023 * 2^-24 exactly */
    CHECK_HALF(0x1.ffcp-15f, 0x0400);                     /* 1023.5 * 2^-24: tie -> even 0x400 */
    CHECK_HALF(0x1.ffap-15f, 0x03ff);
    /* Float subnormals and zeros. */
    CHECK_HALF(0x1p-149f, 0x0000);
    CHECK_HALF(-0x1p-149f, 0x8000);
    CHECK_HALF(0.0f, 0x0000);
    CHECK_HALF(-0.0f, 0x8000);
    CHECK(signbit(pgemm_ref_from_half(0x8000)) && pgemm_ref_from_half(0x8000) == 0.0f);
    CHECK(!signbit(pgemm_ref_from_half(0x0000)));
    /* Infinities and NaN. */
    CHECK_HALF(INFINITY, 0x7c00);
    CHECK_HALF(-INFINITY, 0xfc00);
    CHECK(isinf(pgemm_ref_from_half(0x7c00)) && pgemm_ref_from_half(0x7c00) > 0);
    CHECK(isinf(pgemm_ref_from_half(0xfc00)) && pgemm_ref_from_half(0xfc00) < 0);
    uint16_t hn = pgemm_ref_to_half(NAN);
    CHECK_MSG((hn & 0x7c00) == 0x7c00 && (hn & 0x3ff), "to_half(NaN) = 0x%04x", hn);
    uint16_t hn2 = pgemm_ref_to_half(bits_float(0x7f800001u)); /* signalling, payload in low bits */
    CHECK_MSG((hn2 & 0x7c00) == 0x7c00 && (hn2 & 0x3ff), "to_half(sNaN) = 0x%04x", hn2);
    uint16_t hn3 = pgemm_ref_to_half(bits_float(0xffc00000u));
    CHECK_MSG(hn3 >= 0xfc01, "to_half(-NaN) = 0x%04x", hn3);
    CHECK(isnan(pgemm_ref_from_half(0x7e00)) && isnan(pgemm_ref_from_half(0x7c01)));
    CHECK(isnan(pgemm_ref_from_half(0xfe00)) && signbit(pgemm_ref_from_half(0xfe00)));
    CHECK(pgemm_ref_round_half(1.0f / 3.0f) == pgemm_ref_from_half(0x3555));
}

/* Random floats over the whole half range and beyond: the result is a
 * nearest half (the tie rule is checked above). */
static void test_random(void)
{
    uint64_t state = 0x243f6a8885a308d3ull;
    size_t bad = 0;
    for (int it = 0; it < 1000000; it++) {
        /* exponents 2^-30 .. 2^17, random mantissa and sign */
        uint32_t e = (uint32_t)(97 + pgemm_random_below(&state, 48));
        uint32_t u = (uint32_t)pgemm_random_below(&state, 1u << 23) | (e << 23) |
                     ((uint32_t)pgemm_random_below(&state, 2) << 31);
        float x = bits_float(u);
        uint16_t h = pgemm_ref_to_half(x);
        double ax = fabs((double)x), got = fabs(half_value(h));
        int ok;
        if (ax >= 65520.0) ok = isinf(got);
        else {
            uint16_t mag = h & 0x7fff;
            double err = fabs(got - ax);
            double dn = mag > 0 ? fabs(ax - half_value((uint16_t)(mag - 1))) : INFINITY;
            double up = mag < 0x7bff ? fabs(ax - half_value((uint16_t)(mag + 1))) : INFINITY;
            ok = mag <= 0x7bff && err <= dn && err <= up;
        }
        ok = ok && ((h >> 15) == (float_bits(x) >> 31));
        if (!ok && bad++ < 5)
            CHECK_MSG(0, "to_half(%a) = 0x%04x is not a nearest half", (double)x, h);
    }
    CHECK_MSG(bad == 0, "%zu random floats rounded to a non-nearest half", bad);
}

int main(void)
{
    test_begin("test_half");
    test_all_halves();
    test_ties();
    test_specific();
    test_random();
    return test_finish();
}
