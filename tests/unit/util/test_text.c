/* tests/unit/util/test_text.c - UTF-8, widths, numbers and dates. */
#include <stdlib.h>

#include "plat/util.h"
#include "../../t.h"

static void chinese_is_valid_utf8_and_gbk_bytes_are_not(void)
{
    const char *ok = "平江县伍市镇";
    T_CHECK(plat_utf8_valid(ok, strlen(ok)));
    const char gbk[] = { (char)0xC6, (char)0xBD, (char)0xBD, (char)0xAD, 0 }; /* 平江 in GBK */
    T_CHECK(!plat_utf8_valid(gbk, strlen(gbk)));
    const char overlong[] = { (char)0xC0, (char)0xAF, 0 };
    T_CHECK(!plat_utf8_valid(overlong, 2));
    const char surrogate[] = { (char)0xED, (char)0xA0, (char)0x80, 0 };
    T_CHECK(!plat_utf8_valid(surrogate, 3));
}

static void cjk_characters_take_two_columns(void)
{
    T_EQ_INT(plat_utf8_width("abc"), 3);
    T_EQ_INT(plat_utf8_width("平江县"), 6);
    T_EQ_INT(plat_utf8_width("G536青冲至伍市"), 4 + 10);
    T_EQ_INT(plat_utf8_width("（）"), 4);
}

static void prefixes_end_on_a_character(void)
{
    T_EQ_INT(plat_utf8_prefix("平江县", 9), 9);  /* three 3-byte characters, all of them */
    T_EQ_INT(plat_utf8_prefix("平江县", 20), 9); /* shorter than max */
    T_EQ_INT(plat_utf8_prefix("平江县", 8), 6);  /* 县 would be cut: left out whole */
    T_EQ_INT(plat_utf8_prefix("平江县", 7), 6);
    T_EQ_INT(plat_utf8_prefix("G536青冲", 5), 4);
    T_EQ_INT(plat_utf8_prefix("abc", 2), 2);
    T_EQ_INT(plat_utf8_prefix("", 5), 0);
}

static void long_messages_are_cut_on_a_character(void)
{
    plat_ctx *ctx = plat_ctx_new();
    char name[700] = "";
    for (int i = 0; i < 200; i++) /* 600 bytes of 伍, past the 511 a message holds */
        strcat(name, "伍");
    for (int lead = 0; lead < 3; lead++) { /* every alignment of the cut within a character */
        T_EQ_INT(plat_error_set(ctx, PLAT_EINVALID, "%.*stownship %s", lead, "xx", name), PLAT_EINVALID);
        const char *m = plat_error_last(ctx)->msg;
        T_CHECK(plat_utf8_valid(m, strlen(m)));
        T_CHECK(strlen(m) >= 508 && strlen(m) <= 511);
    }
    plat_error_set(ctx, PLAT_EINVALID, "target '%s' has no unit", "21\r\n公里");
    T_EQ_STR(plat_error_last(ctx)->msg, "target '21  公里' has no unit");
    const char gbk[] = { (char)0xBD, (char)0xAD, 'x', (char)0xE5, (char)0x90, 0 }; /* GBK 江, x, half a 名 */
    plat_warn(ctx, "unused"); /* no sink: nothing happens */
    plat_error_set(ctx, PLAT_EINVALID, "field '%s' is not valid", gbk);
    T_EQ_STR(plat_error_last(ctx)->msg, "field '?" "?x?" "?' is not valid");
    plat_error_locate(ctx, name, 3);
    T_CHECK(plat_utf8_valid(plat_error_last(ctx)->file, strlen(plat_error_last(ctx)->file)));
    T_EQ_INT(strlen(plat_error_last(ctx)->file), 255);
    plat_ctx_free(ctx);
}

static void numbers_parse_in_the_c_locale(void)
{
    double v = 0;
    T_EQ_INT(plat_parse_double("20.8", &v), 0);
    T_NEAR(v, 20.8, 1e-12);
    T_EQ_INT(plat_parse_double(" -3e2 ", &v), 0);
    T_NEAR(v, -300, 1e-12);
    T_CHECK(plat_parse_double("1,5", &v) < 0);
    T_CHECK(plat_parse_double("nan", &v) < 0);
    T_CHECK(plat_parse_double("0x10", &v) < 0);
    T_CHECK(plat_parse_double("", &v) < 0);
    const char *end;
    T_EQ_INT(plat_parse_double_prefix("20.8万亩", &v, &end), 0);
    T_NEAR(v, 20.8, 1e-12);
    T_EQ_STR(end, "万亩");
    char buf[64];
    T_EQ_STR(plat_format_double(buf, sizeof buf, 21.0, 3), "21");
    T_EQ_STR(plat_format_double(buf, sizeof buf, 20.80, 3), "20.8");
    T_EQ_STR(plat_format_double(buf, sizeof buf, -0.0001, 2), "0");
}

static void dates_must_exist_on_the_calendar(void)
{
    T_CHECK(plat_date_valid("2024-02-29"));
    T_CHECK(!plat_date_valid("2023-02-29"));
    T_CHECK(!plat_date_valid("2024-13-01"));
    T_CHECK(!plat_date_valid("2024-1-01"));
    T_CHECK(!plat_date_valid("2024-01-01x"));
    char buf[32];
    T_CHECK(plat_date_valid(plat_date_today(buf)));
}

static void errors_keep_file_and_feature(void)
{
    plat_ctx *ctx = plat_ctx_new();
    T_EQ_INT(plat_error_last(ctx)->code, 0);
    T_EQ_INT(plat_error_set(ctx, PLAT_EINVALID, "bad %s", "thing"), PLAT_EINVALID);
    T_EQ_INT(plat_error_locate(ctx, "a.shp", 7), PLAT_EINVALID);
    T_EQ_STR(plat_error_last(ctx)->msg, "bad thing");
    T_EQ_STR(plat_error_last(ctx)->file, "a.shp");
    T_EQ_INT(plat_error_last(ctx)->fid, 7);
    plat_error_clear(ctx);
    T_EQ_INT(plat_error_last(ctx)->code, 0);
    plat_ctx_free(ctx);
}

static void buffers_grow(void)
{
    plat_buf b = PLAT_BUF_INIT;
    T_EQ_STR(plat_buf_cstr(&b), "");
    for (int i = 0; i < 1000; i++)
        plat_buf_printf(&b, "%d,", i % 10);
    T_EQ_INT(b.len, 2000);
    char *s = plat_buf_detach(&b);
    T_CHECK(strncmp(s, "0,1,2,", 6) == 0);
    plat_free(s);
    T_CHECK(b.s == NULL);
}

static const char *sha(const char *text, size_t repeat, char *hex)
{
    plat_sha256 s;
    plat_sha256_init(&s);
    for (size_t i = 0; i < repeat; i++)
        plat_sha256_update(&s, text, strlen(text));
    return plat_sha256_hex(&s, hex);
}

/* The test vectors of FIPS 180-4's examples (NIST CSRC), including the two-block message of
 * 56 bytes whose padding spills into a second block, and a million 'a' fed in pieces. */
static void sha256_matches_the_published_vectors(void)
{
    char hex[65];
    T_EQ_STR(sha("", 1, hex), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    T_EQ_STR(sha("abc", 1, hex), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    T_EQ_STR(sha("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1, hex),
             "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    T_EQ_STR(sha("aaaaaaaaaaaaaaaaaaaaaaaaa", 40000, hex),
             "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static void the_day_before_crosses_months_years_and_leap_days(void)
{
    char buf[11];
    T_EQ_STR(plat_date_before(buf, "2024-07-01"), "2024-06-30");
    T_EQ_STR(plat_date_before(buf, "2024-03-01"), "2024-02-29");
    T_EQ_STR(plat_date_before(buf, "2023-03-01"), "2023-02-28");
    T_EQ_STR(plat_date_before(buf, "2025-01-01"), "2024-12-31");
    T_EQ_STR(plat_date_before(buf, "2000-03-01"), "2000-02-29");
    T_EQ_STR(plat_date_before(buf, "2100-03-01"), "2100-02-28");
}

static void the_folder_of_a_path(void)
{
    const char *cases[][2] = { { "out/report.html", "out" }, { "report.html", "." }, { "/report.html", "/" },
                               { "/tmp/县/报告.html", "/tmp/县" } };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *d = plat_path_dir(cases[i][0]);
        T_EQ_STR(d, cases[i][1]);
        plat_free(d);
    }
}

int main(void)
{
    T_RUN(sha256_matches_the_published_vectors);
    T_RUN(the_day_before_crosses_months_years_and_leap_days);
    T_RUN(chinese_is_valid_utf8_and_gbk_bytes_are_not);
    T_RUN(cjk_characters_take_two_columns);
    T_RUN(prefixes_end_on_a_character);
    T_RUN(long_messages_are_cut_on_a_character);
    T_RUN(numbers_parse_in_the_c_locale);
    T_RUN(dates_must_exist_on_the_calendar);
    T_RUN(errors_keep_file_and_feature);
    T_RUN(buffers_grow);
    T_RUN(the_folder_of_a_path);
    return t_done();
}
