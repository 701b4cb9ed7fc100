/* tests/unit/util/test_json.c - JSON text written without json-c (util/json.c) is the text
 * json-c writes: strings escaped the same, reals as "%.15g", integers in decimal. */
#include <inttypes.h>
#include <stdlib.h>

#include <json-c/json.h>

#include "plat/util.h"
#include "../../t.h"

/* What json-c writes for the string s (n bytes), as the importers wrote it before. */
static char *jsonc_string(const char *s, size_t n)
{
    json_object *o = json_object_new_string_len(s, (int)n);
    char *text = plat_strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
                                                               JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
    return text;
}

static char *ours(const char *s, size_t n)
{
    plat_buf b = PLAT_BUF_INIT;
    T_EQ_INT(plat_buf_json_string(&b, s, n), 0);
    return plat_buf_detach(&b);
}

static void check_string(const char *s, size_t n, const char *expected)
{
    char *a = ours(s, n), *j = jsonc_string(s, n);
    if (expected)
        T_EQ_STR(a, expected);
    T_EQ_STR(a, j);
    plat_free(a);
    plat_free(j);
}

/* a string literal and its length */
#define LIT(s) s, sizeof(s) - 1

static void strings_are_escaped_as_json_c_escapes_them(void)
{
    check_string(LIT(""), "\"\"");
    check_string(LIT("水田"), "\"水田\"");
    check_string(LIT("say \"hi\""), "\"say \\\"hi\\\"\"");
    check_string(LIT("C:\\图纸\\1.dwg"), "\"C:\\\\图纸\\\\1.dwg\"");
    check_string(LIT("a/b"), "\"a/b\"");
    check_string(LIT("l1\nl2\r\n\tx\b\f"), "\"l1\\nl2\\r\\n\\tx\\b\\f\"");
    check_string(LIT("\x01\x1f\x7f"), "\"\\u0001\\u001f\x7f\"");
    check_string(LIT("伍市镇\"新丰村\"\x1b"), "\"伍市镇\\\"新丰村\\\"\\u001b\"");
    /* every byte but NUL, alone and between text */
    for (int c = 1; c < 256; c++) {
        char one[1] = { (char)c }, mid[5] = { 'a', 'b', (char)c, 'c', 'd' };
        check_string(one, 1, NULL);
        check_string(mid, 5, NULL);
    }
}

static void random_strings_match_json_c(void)
{
    unsigned seed = 7;
    const char *pieces[] = { "水田", "\"", "\\", "\n", "\t", "/", "a", " ", "\x02", "旱地", "\x1f", "~", "\x7f" };
    for (int k = 0; k < 5000; k++) {
        char s[256];
        size_t n = 0;
        int parts = (int)((seed = seed * 1103515245u + 12345u) >> 16) % 20;
        for (int i = 0; i < parts; i++) {
            const char *p = pieces[((seed = seed * 1103515245u + 12345u) >> 16) % 13];
            memcpy(s + n, p, strlen(p));
            n += strlen(p);
        }
        check_string(s, n, NULL);
    }
}

static void check_real(double v)
{
    char ours_[PLAT_G15_SIZE], theirs[64];
    snprintf(theirs, sizeof theirs, "%.15g", v);
    plat_format_g15(ours_, v);
    if (strcmp(ours_, theirs) != 0)
        printf("   %.17g: \"%s\", printf \"%s\"\n", v, ours_, theirs);
    T_EQ_STR(ours_, theirs);
}

static void reals_are_written_as_printf_g15(void)
{
    const double cases[] = { 0,     -0.0,    1,       -1,      261.89,     9.41,       0.1,    0.1 + 0.2,
                             1e-4,  0.0001,  9.9e-5,  1e-5,    123.456e-7, 1e14,       1e15,   999999999999999.0,
                             99999999999999.9, 123456789012345.0, 12345678901234.5, 0.000123456789012345,
                             1.5e300, -2.5e-300, 4.9e-324, 1.7976931348623157e308, 3.0000000000000004,
                             2.675, 1200.5, 80.25, 0.30000000000000004, 1234567.0000001, 5e-5 };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        check_real(cases[i]);
    char buf[PLAT_G15_SIZE];
    T_EQ_STR(plat_format_g15(buf, 261.89), "261.89");
    T_EQ_STR(plat_format_g15(buf, 0.1 + 0.2), "0.3");
    T_EQ_STR(plat_format_g15(buf, -1200.0), "-1200");
    T_EQ_STR(plat_format_g15(buf, 0.00012), "0.00012");
    T_EQ_STR(plat_format_g15(buf, 1e15), "1e+15");
    T_EQ_STR(plat_format_g15(buf, NAN), "nan");
}

static void random_reals_are_written_as_printf_g15(void)
{
    unsigned long long x = 88172645463325252ULL;
    int failures_before = t_failures;
    for (int k = 0; k < 200000 && t_failures == failures_before; k++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        double v;
        char text[64];
        switch (k % 4) {
        case 0: /* a decimal as typed into a table: up to 15 digits, up to 8 decimals */
            snprintf(text, sizeof text, "%lluE-%d", (x >> 14) % 1000000000000000ULL >> (x % 40),
                     (int)(x >> 60) % 9);
            v = strtod(text, NULL);
            break;
        case 1: /* any bit pattern that is a finite number */
            memcpy(&v, &x, sizeof v);
            if (!isfinite(v))
                continue;
            break;
        case 2: /* numbers from 1e-6 to 1e17 */
            v = pow(10, -6 + 23 * (double)(x >> 11) / 9007199254740992.0);
            break;
        default: /* a measured area in mu or m2, rounded to 2 decimals as survey tables are */
            v = round((double)(x >> 11) / 9007199254740992.0 * 1e7) / 100;
            break;
        }
        check_real(x & 1 ? -v : v);
    }
}

static void integers_are_written_in_decimal(void)
{
    char buf[24], want[24];
    const int64_t cases[] = { 0, 1, -1, 9, 10, 431000, -2147483648LL, INT64_MAX, INT64_MIN };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        snprintf(want, sizeof want, "%" PRId64, cases[i]);
        T_EQ_STR(plat_format_int64(buf, cases[i]), want);
    }
}

int main(void)
{
    T_RUN(strings_are_escaped_as_json_c_escapes_them);
    T_RUN(random_strings_match_json_c);
    T_RUN(reals_are_written_as_printf_g15);
    T_RUN(random_reals_are_written_as_printf_g15);
    T_RUN(integers_are_written_in_decimal);
    return t_done();
}
