/* plat/units.h - quantities as the plans write them: 21km, 20.8万亩, 4个泊位, 100MW.
 * Part of gis/: no SQL, no files. */
#ifndef PLAT_UNITS_H
#define PLAT_UNITS_H

#include "common.h"

/* What a unit measures; only lengths and areas can be checked against geometry. */
enum { PLAT_UNIT_OTHER = 0, PLAT_UNIT_LENGTH = 1, PLAT_UNIT_AREA = 2 };

typedef struct plat_unit {
    const char *code;  /* canonical spelling stored in the ledger: "km", "万亩", "berth" */
    int kind;          /* PLAT_UNIT_* */
    double factor;     /* metres or square metres per unit; 0 for PLAT_UNIT_OTHER */
} plat_unit;

/** Parse a target such as "21km", "20.8 万亩", "4berth", "4个泊位", "3000吨级" (number first,
 * then a unit). Known spellings are folded to one code (公里 -> km, 公顷 -> ha, 亩/mu -> 亩);
 * an unknown unit is kept as written with kind PLAT_UNIT_OTHER.
 * @param unit_buf receives the unit code (size n)
 * @return 0, or PLAT_EINVALID (recorded on ctx) when there is no number, the number is
 *         negative, or the unit is missing */
PLAT_API int plat_target_parse(plat_ctx *ctx, double *qty, char *unit_buf, size_t n, const char *text);
/** What a stored unit code measures. Unknown codes give { code, PLAT_UNIT_OTHER, 0 }. Cannot fail. */
PLAT_API plat_unit plat_unit_lookup(const char *code);

#endif
