/* importers/crs_guess.c - is a coordinate plausible for its CRS, and if not, what is it?
 *
 * The commonest import mistake in a county office is a CRS that does not match the numbers:
 * a CAD drawing in Gauss-Kruger metres with no CRS at all, GK eastings read as degrees, the
 * zone-prefixed and unprefixed codes mixed up, or a Chinese survey sheet whose X column is the
 * northing (DOMAIN.md 2.2, 2.3, 4.7). No general tool guesses CGCS2000 GK zones from magnitude,
 * but the magnitudes say a lot: an 8-digit easting carries its zone number in front
 * (38451140 = zone 38, EPSG:4488 + 38 = 4526; 6-degree zones 13-23 are EPSG:4478 + zone), a
 * 6-digit easting beside a 7-digit northing is GK without prefix (EPSG:4534-4554). We only
 * ever suggest: the user passes --s-srs, nothing is assumed from a guess.
 *
 * China, for the plausibility check, is the rectangle gis/gcj02.c uses for its offset (lon
 * 72.004-137.8347, lat 0.8293-55.8271): generous, so no Chinese point is refused, and narrow
 * enough that degrees read as metres or metres as degrees never land inside it. No state, no
 * allocation. */
#include <math.h>
#include <stdio.h>

#include "importers_int.h"

int plat_import__in_china(double lon, double lat)
{
    return lon >= 72.004 && lon <= 137.8347 && lat >= 0.8293 && lat <= 55.8271;
}

static int digits(double v)
{
    v = fabs(v);
    int n = 1;
    while (v >= 10 && n < 20) {
        v /= 10;
        n++;
    }
    return n;
}

/* The hint when x is an easting with a zone number in front; 0 when it is not one. */
static int prefixed_hint(char *buf, size_t n, double easting)
{
    int zone = (int)floor(easting / 1e6);
    if (zone >= 25 && zone <= 45) {
        snprintf(buf, n,
                 "the %.0f easting has 8 digits: Gauss-Kruger with the zone number %d in front, i.e. "
                 "--s-srs EPSG:%d (CGCS2000 3-degree zone %d, CM %dE)",
                 easting, zone, 4488 + zone, zone, 3 * zone);
        return 1;
    }
    if (zone >= 13 && zone <= 23) {
        snprintf(buf, n,
                 "the %.0f easting has 8 digits: Gauss-Kruger with the zone number %d in front, i.e. "
                 "--s-srs EPSG:%d (CGCS2000 6-degree zone %d, CM %dE)",
                 easting, zone, 4478 + zone, zone, 6 * zone - 3);
        return 1;
    }
    return 0;
}

void plat_import__crs_hint(char *buf, size_t n, double x, double y, int working_srid)
{
    buf[0] = '\0';
    if (!isfinite(x) || !isfinite(y))
        return;
    int dx = digits(x), dy = digits(y);
    if (dx == 8 && dy == 7 && y > 0 && prefixed_hint(buf, n, x))
        return;
    if (dy == 8 && dx == 7 && x > 0) {
        char inner[200];
        if (prefixed_hint(inner, sizeof inner, y)) {
            snprintf(buf, n,
                     "x holds a northing and y an easting (the Chinese survey order X = north): swap the "
                     "columns (for a CSV --x-field/--y-field); then %s", inner);
            return;
        }
    }
    if (dx == 6 && dy == 7 && x > 0 && y > 0) {
        if (working_srid >= 4534 && working_srid <= 4554)
            snprintf(buf, n,
                     "a 6-digit easting with a 7-digit northing is Gauss-Kruger without zone number, e.g. "
                     "--s-srs EPSG:%d (the ledger's working CRS) if it is in that zone",
                     working_srid);
        else
            snprintf(buf, n,
                     "a 6-digit easting with a 7-digit northing is Gauss-Kruger without zone number: "
                     "--s-srs EPSG:4534-4554 for the 3-degree zone (EPSG:4547 for CM 114E)");
        return;
    }
    if (dx == 7 && dy == 6 && x > 0 && y > 0) {
        snprintf(buf, n,
                 "x looks like a northing and y like an easting (the Chinese survey order X = north): swap the "
                 "columns (for a CSV --x-field/--y-field)");
        return;
    }
    if (plat_import__in_china(x, y)) {
        snprintf(buf, n, "the numbers look like longitude/latitude in degrees: --s-srs EPSG:4490 (CGCS2000)");
        return;
    }
    if (plat_import__in_china(y, x))
        snprintf(buf, n, "the numbers look like latitude/longitude in degrees, swapped: longitude must come first");
}
