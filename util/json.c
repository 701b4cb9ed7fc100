/* util/json.c - JSON text written straight into a plat_buf, byte for byte as json-c writes it.
 *
 * An import keeps every source attribute of every feature as a JSON object. Building json-c
 * objects for that, then their text, cost more than reading the feature (about 9,000
 * instructions for a parcel's two fields, half of them in printf's "%.15g"). The ledger keeps
 * the text, and later imports, exports and comparisons read it back, so text written here must
 * be what json-c wrote before (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE):
 *
 * - strings: `"` and `\` escaped, \b \f \n \r \t by name, other bytes below 0x20 as \u00XX in
 *   lower-case hex; '/', DEL and UTF-8 sequences (Chinese text) as they are;
 * - reals: what "%.15g" prints, the shortest decimal of at most 15 significant digits (see
 *   plat_format_g15), without printf wherever a short decimal reads back as the number;
 * - integers in decimal.
 *
 * tests/unit/util/test_json.c holds the text against json-c's own and against printf. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "plat/util.h"

int plat_buf_json_string(plat_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t run = 0; /* bytes before s + i that need no escape, not yet appended */
    if (plat_buf_add(b, "\"", 1) < 0)
        return PLAT_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[6] = { '\\', 0 };
        size_t len = 2;
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        default:
            if (c >= 0x20) {
                run++;
                continue;
            }
            memcpy(esc + 1, "u00", 3);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            len = 6;
        }
        if (plat_buf_add(b, s + i - run, run) < 0 || plat_buf_add(b, esc, len) < 0)
            return PLAT_ENOMEM;
        run = 0;
    }
    if (plat_buf_add(b, s + n - run, run) < 0 || plat_buf_add(b, "\"", 1) < 0)
        return PLAT_ENOMEM;
    return 0;
}

/* Decimal digits of k written backwards from end, at least `min` of them (leading zeros).
 * @return where they start */
static char *digits_before(char *end, uint64_t k, int min)
{
    char *p = end;
    do {
        *--p = (char)('0' + k % 10);
        k /= 10;
    } while (k > 0 || end - p < min);
    return p;
}

char *plat_format_int64(char *buf, int64_t v)
{
    char tmp[24], *end = tmp + sizeof tmp;
    uint64_t k = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    char *p = digits_before(end, k, 1);
    if (v < 0)
        *--p = '-';
    memcpy(buf, p, (size_t)(end - p));
    buf[end - p] = '\0';
    return buf;
}

char *plat_format_g15(char *buf, double v)
{
    static const double pow10[] = { 1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,
                                    1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19 };
    double a = fabs(v);
    /* "%.15g" prints a in fixed notation in this range. A decimal k / 10^d of at most 15
     * significant digits whose nearest double is a is the one it prints: a lies within half
     * an ulp (2^-53 relative) of that decimal, well inside the half step (5e-16 relative) of
     * the 15-digit grid the decimal sits on. The division below is exact in its operands
     * (k < 2^53, 10^d exact up to 10^22) and correctly rounded, so it is the nearest double. */
    if (a >= 1e-4 && a < 1e15) {
        for (int d = 0; d < (int)(sizeof pow10 / sizeof *pow10); d++) {
            double t = a * pow10[d];
            if (t >= 1e15)
                break; /* 16 digits and more: printf rounds them */
            double k = nearbyint(t);
            if (k / pow10[d] != a)
                continue;
            /* fewest decimals first, so k has no trailing zero when d > 0 */
            char tmp[40], *end = tmp + sizeof tmp, *p = end;
            uint64_t ki = (uint64_t)k, scale = (uint64_t)pow10[d];
            if (d > 0) {
                p = digits_before(p, ki % scale, d);
                *--p = '.';
            }
            p = digits_before(p, ki / scale, 1);
            if (v < 0)
                *--p = '-';
            memcpy(buf, p, (size_t)(end - p));
            buf[end - p] = '\0';
            return buf;
        }
    }
    snprintf(buf, PLAT_G15_SIZE, "%.15g", v);
    return buf;
}
