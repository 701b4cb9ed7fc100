/* gis/units.c - the units the seed plans use for targets, and their spellings.
 *
 * The plans write "公里", "km" and "千米" for the same thing, and "万亩" for 10 000 亩. The ledger
 * stores one code per unit so `check targets` (issue: coverage engine) can compare a declared
 * 20.8万亩 against the measured m2 without guessing. 1 亩 = 10000/15 m2 (DOMAIN.md 4.3). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "plat/units.h"
#include "plat/util.h"

static const struct {
    const char *spelling;
    const char *code;
    int kind;
    double factor;
} units[] = {
    { "km", "km", PLAT_UNIT_LENGTH, 1000.0 },
    { "公里", "km", PLAT_UNIT_LENGTH, 1000.0 },
    { "千米", "km", PLAT_UNIT_LENGTH, 1000.0 },
    { "m", "m", PLAT_UNIT_LENGTH, 1.0 },
    { "米", "m", PLAT_UNIT_LENGTH, 1.0 },
    { "延米", "m", PLAT_UNIT_LENGTH, 1.0 },
    { "m2", "m2", PLAT_UNIT_AREA, 1.0 },
    { "m²", "m2", PLAT_UNIT_AREA, 1.0 },
    { "平方米", "m2", PLAT_UNIT_AREA, 1.0 },
    { "万平方米", "万m2", PLAT_UNIT_AREA, 1e4 },
    { "万m2", "万m2", PLAT_UNIT_AREA, 1e4 },
    { "ha", "ha", PLAT_UNIT_AREA, 1e4 },
    { "公顷", "ha", PLAT_UNIT_AREA, 1e4 },
    { "km2", "km2", PLAT_UNIT_AREA, 1e6 },
    { "km²", "km2", PLAT_UNIT_AREA, 1e6 },
    { "平方公里", "km2", PLAT_UNIT_AREA, 1e6 },
    { "平方千米", "km2", PLAT_UNIT_AREA, 1e6 },
    { "亩", "亩", PLAT_UNIT_AREA, 10000.0 / 15.0 },
    { "mu", "亩", PLAT_UNIT_AREA, 10000.0 / 15.0 },
    { "万亩", "万亩", PLAT_UNIT_AREA, 1e8 / 15.0 },
    { "berth", "berth", PLAT_UNIT_OTHER, 0 },
    { "berths", "berth", PLAT_UNIT_OTHER, 0 },
    { "泊位", "berth", PLAT_UNIT_OTHER, 0 },
    { "个泊位", "berth", PLAT_UNIT_OTHER, 0 },
    { "mw", "MW", PLAT_UNIT_OTHER, 0 },
    { "兆瓦", "MW", PLAT_UNIT_OTHER, 0 },
    { "kw", "kW", PLAT_UNIT_OTHER, 0 },
    { "千瓦", "kW", PLAT_UNIT_OTHER, 0 },
};

static int find(const char *s)
{
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
        if (strcasecmp(units[i].spelling, s) == 0 || strcmp(units[i].code, s) == 0)
            return (int)i;
    return -1;
}

int plat_target_parse(plat_ctx *ctx, double *qty, char *unit_buf, size_t n, const char *text)
{
    const char *end;
    double v;
    if (!text || plat_parse_double_prefix(text, &v, &end) < 0)
        return plat_error_set(ctx, PLAT_EINVALID,
                              "target '%s' does not start with a number: write it like 21km, 20.8万亩 or 4berth",
                              text ? text : "");
    if (v < 0)
        return plat_error_set(ctx, PLAT_EINVALID, "target '%s' is negative", text);
    while (*end == ' ' || *end == '\t')
        end++;
    char unit[64];
    snprintf(unit, sizeof unit, "%s", end);
    size_t len = strlen(unit);
    while (len && (unit[len - 1] == ' ' || unit[len - 1] == '\t'))
        unit[--len] = '\0';
    if (!len)
        return plat_error_set(ctx, PLAT_EINVALID, "target '%s' has no unit: write it like 21km, 20.8万亩 or 4berth", text);
    if (strlen(end) >= sizeof unit || !plat_utf8_valid(unit, len))
        return plat_error_set(ctx, PLAT_EINVALID, "target '%s' has an unreadable unit", text);
    int i = find(unit);
    snprintf(unit_buf, n, "%s", i >= 0 ? units[i].code : unit);
    *qty = v;
    return 0;
}

plat_unit plat_unit_lookup(const char *code)
{
    int i = code ? find(code) : -1;
    if (i < 0) {
        plat_unit u = { code, PLAT_UNIT_OTHER, 0 };
        return u;
    }
    plat_unit u = { units[i].code, units[i].kind, units[i].factor };
    return u;
}
