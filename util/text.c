/* util/text.c - UTF-8 checks and display width, locale-independent numbers, dates.
 *
 * Numbers: plat never calls strtod under the user's locale, since a German or French locale
 * would read "1,5" and print "1,5"; we parse and print in the C locale with strtod_l/uselocale
 * so 20.8万亩 is 20.8 everywhere. Widths: East Asian Wide and Fullwidth characters take two
 * terminal columns (UAX #11); the ranges below cover CJK text, punctuation and fullwidth forms. */
#define _GNU_SOURCE
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "plat/util.h"

int plat_utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s, *e = p + n;
    while (p < e) {
        unsigned c = *p;
        if (c < 0x80) {
            p++;
            continue;
        }
        int k;
        unsigned cp;
        if (c >= 0xC2 && c <= 0xDF) { k = 1; cp = c & 0x1F; }
        else if (c >= 0xE0 && c <= 0xEF) { k = 2; cp = c & 0x0F; }
        else if (c >= 0xF0 && c <= 0xF4) { k = 3; cp = c & 0x07; }
        else return 0;
        if (e - p <= k)
            return 0;
        for (int i = 1; i <= k; i++) {
            if ((p[i] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (p[i] & 0x3F);
        }
        if ((k == 2 && cp < 0x800) || (k == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        p += k + 1;
    }
    return 1;
}

int plat_utf8_prefix(const char *s, int max)
{
    int n = 0;
    while (n < max && s[n])
        n++;
    /* s[n] is the first byte left out: a continuation byte there means the cut splits a
     * character, so the prefix ends before that character's lead byte instead. */
    int i = n;
    while (i > 0 && n - i < 4 && ((unsigned char)s[i] & 0xC0) == 0x80)
        i--;
    return i;
}

static unsigned next_cp(const unsigned char **pp)
{
    const unsigned char *p = *pp;
    unsigned c = *p++;
    int k = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
    unsigned cp = k == 3 ? c & 0x07 : k == 2 ? c & 0x0F : k == 1 ? c & 0x1F : c;
    for (int i = 0; i < k && (*p & 0xC0) == 0x80; i++)
        cp = (cp << 6) | (*p++ & 0x3F);
    *pp = p;
    return cp;
}

static int is_wide(unsigned cp)
{
    return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0x303E) ||
           (cp >= 0x3041 && cp <= 0x33FF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
           (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xA000 && cp <= 0xA4CF) ||
           (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
           (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
           (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x20000 && cp <= 0x3FFFD);
}

int plat_utf8_width(const char *s)
{
    int w = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned cp = next_cp(&p);
        if (cp >= 0x300 && cp <= 0x36F) /* combining marks take no column */
            continue;
        w += is_wide(cp) ? 2 : 1;
    }
    return w;
}

static locale_t c_locale(void)
{
    static locale_t loc;
    if (!loc)
        loc = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
    return loc;
}

int plat_parse_double_prefix(const char *s, double *out, const char **end)
{
    if (!s)
        return PLAT_EINVALID;
    while (*s == ' ' || *s == '\t')
        s++;
    /* strtod also takes "nan", "inf" and hex floats; a quantity is never one of those. */
    const char *q = s;
    if (*q == '+' || *q == '-')
        q++;
    if (!((*q >= '0' && *q <= '9') || (*q == '.' && q[1] >= '0' && q[1] <= '9')))
        return PLAT_EINVALID;
    if (q[0] == '0' && (q[1] == 'x' || q[1] == 'X'))
        return PLAT_EINVALID;
    char *e;
    double v = strtod_l(s, &e, c_locale());
    if (e == s || !isfinite(v))
        return PLAT_EINVALID;
    *out = v;
    if (end)
        *end = e;
    return 0;
}

int plat_parse_double(const char *s, double *out)
{
    const char *end;
    double v;
    if (plat_parse_double_prefix(s, &v, &end) < 0)
        return PLAT_EINVALID;
    while (*end == ' ' || *end == '\t')
        end++;
    if (*end)
        return PLAT_EINVALID;
    *out = v;
    return 0;
}

char *plat_format_double(char *buf, size_t n, double v, int digits)
{
    locale_t old = uselocale(c_locale());
    snprintf(buf, n, "%.*f", digits, v);
    uselocale(old);
    if (strchr(buf, '.')) {
        char *p = buf + strlen(buf) - 1;
        while (*p == '0')
            *p-- = '\0';
        if (*p == '.')
            *p = '\0';
    }
    if (strcmp(buf, "-0") == 0)
        strcpy(buf, "0");
    return buf;
}

int plat_date_valid(const char *s)
{
    int y, m, d;
    char tail;
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    if (sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
        return 0;
    static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1)
        return 0;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= mdays[m - 1] + (m == 2 && leap);
}

/* PLAT_NOW when it is a valid YYYY-MM-DDTHH:MM:SSZ, else NULL. */
static const char *clock_override(void)
{
    const char *s = getenv("PLAT_NOW");
    char day[11];
    int hh, mm, ss;
    char z, tail;
    if (!s || strlen(s) != 20)
        return NULL;
    memcpy(day, s, 10);
    day[10] = '\0';
    if (!plat_date_valid(day) || sscanf(s + 10, "T%2d:%2d:%2d%c%c", &hh, &mm, &ss, &z, &tail) != 4 || z != 'Z' ||
        hh > 23 || mm > 59 || ss > 59 || hh < 0 || mm < 0 || ss < 0)
        return NULL;
    return s;
}

char *plat_date_today(char *buf)
{
    const char *o = clock_override();
    if (o) {
        memcpy(buf, o, 10);
        buf[10] = '\0';
        return buf;
    }
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, 11, "%Y-%m-%d", &tm);
    return buf;
}

/* Days since 1970-01-01 of a civil date and back (H. Hinnant's public-domain algorithms). */
static long days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

char *plat_date_before(char *buf, const char *date)
{
    int y, m, d;
    sscanf(date, "%4d-%2d-%2d", &y, &m, &d);
    long z = days_from_civil(y, m, d) - 1 + 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    int dd = (int)(doy - (153 * mp + 2) / 5 + 1);
    int mm = (int)(mp < 10 ? mp + 3 : mp - 9);
    int yy = (int)(yoe + era * 400 + (mm <= 2));
    snprintf(buf, 11, "%04d-%02d-%02d", yy, mm, dd);
    return buf;
}

char *plat_time_now(char *buf)
{
    const char *o = clock_override();
    if (o) {
        memcpy(buf, o, 21);
        return buf;
    }
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}
