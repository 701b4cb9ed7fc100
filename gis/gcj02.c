/* gis/gcj02.c - the Chinese map offsets GCJ-02 ("Mars coordinates", AMap/Tencent/Google China
 * roads) and BD-09 (Baidu), written from the public formulas in DOMAIN.md 4.5.
 *
 * The forward directions are closed formulas. Their inverses are not, so both inverses run
 * the fixed-point iteration  p <- p - (forward(p) - target), starting from the target itself,
 * until the correction is below 1e-9 degree (about 0.1 mm) or after 10 steps; DOMAIN.md 4.5
 * measured three steps to reach floating-point noise across Hunan, so 10 is a guard, not a
 * budget. No state, no allocation: every function is pure and thread-safe.
 *
 * Out of China the GCJ-02 offset is not applied. We use the rectangle lon in [72.004, 137.8347],
 * lat in [0.8293, 55.8271] (the one eviltransform publishes): it is crude (it holds parts of
 * neighbouring countries) but generous, so no Chinese point is ever left un-shifted, and plat's
 * users are county offices inside China where the choice never matters. BD-09 is a further
 * rotation-and-scale of GCJ-02 and is applied everywhere, as Baidu does. */
#include <math.h>

#include "plat/gis.h"

#define KRASOVSKY_A 6378245.0             /* Krasovsky 1940 semi-major axis, m */
#define KRASOVSKY_EE 0.00669342162296594323 /* its e^2 = 2f - f^2, f = 1/298.3 */
#define BD_XPI (M_PI * 3000.0 / 180.0)
#define STOP_DEG 1e-9
#define MAX_STEPS 10

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

static int outside_china(double lon, double lat)
{
    return !(lon >= 72.004 && lon <= 137.8347 && lat >= 0.8293 && lat <= 55.8271);
}

/* The offsets in metres of arc north (dlat) and east (dlon), x = lon - 105, y = lat - 35. */
static double offset_lat_m(double x, double y)
{
    double r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt(fabs(x));
    r += (20.0 * sin(6.0 * M_PI * x) + 20.0 * sin(2.0 * M_PI * x)) * 2.0 / 3.0;
    r += (20.0 * sin(M_PI * y) + 40.0 * sin(M_PI * y / 3.0)) * 2.0 / 3.0;
    r += (160.0 * sin(M_PI * y / 12.0) + 320.0 * sin(M_PI * y / 30.0)) * 2.0 / 3.0;
    return r;
}

static double offset_lon_m(double x, double y)
{
    double r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt(fabs(x));
    r += (20.0 * sin(6.0 * M_PI * x) + 20.0 * sin(2.0 * M_PI * x)) * 2.0 / 3.0;
    r += (20.0 * sin(M_PI * x) + 40.0 * sin(M_PI * x / 3.0)) * 2.0 / 3.0;
    r += (150.0 * sin(M_PI * x / 12.0) + 300.0 * sin(M_PI * x / 30.0)) * 2.0 / 3.0;
    return r;
}

void plat_gcj02_from_wgs84(double lon, double lat, double *glon, double *glat)
{
    if (outside_china(lon, lat)) {
        *glon = lon;
        *glat = lat;
        return;
    }
    double x = lon - 105.0, y = lat - 35.0;
    double phi = lat * M_PI / 180.0;
    double s = sin(phi);
    double m = 1.0 - KRASOVSKY_EE * s * s;
    /* Metres of arc to degrees with the Krasovsky meridian and prime-vertical radii. */
    double dlat = offset_lat_m(x, y) * 180.0 / (M_PI * KRASOVSKY_A * (1.0 - KRASOVSKY_EE) / (m * sqrt(m)));
    double dlon = offset_lon_m(x, y) * 180.0 / (M_PI * KRASOVSKY_A * cos(phi) / sqrt(m));
    *glon = lon + dlon;
    *glat = lat + dlat;
}

void plat_gcj02_to_wgs84(double glon, double glat, double *lon, double *lat)
{
    double x = glon, y = glat;
    if (!outside_china(glon, glat)) {
        for (int i = 0; i < MAX_STEPS; i++) {
            double fx, fy;
            plat_gcj02_from_wgs84(x, y, &fx, &fy);
            double dx = fx - glon, dy = fy - glat;
            x -= dx;
            y -= dy;
            if (fabs(dx) < STOP_DEG && fabs(dy) < STOP_DEG)
                break;
        }
    }
    *lon = x;
    *lat = y;
}

void plat_bd09_from_gcj02(double glon, double glat, double *blon, double *blat)
{
    double z = sqrt(glon * glon + glat * glat) + 0.00002 * sin(glat * BD_XPI);
    double theta = atan2(glat, glon) + 0.000003 * cos(glon * BD_XPI);
    *blon = z * cos(theta) + 0.0065;
    *blat = z * sin(theta) + 0.006;
}

void plat_bd09_to_gcj02(double blon, double blat, double *glon, double *glat)
{
    /* Start from the published approximate inverse (about 0.1 m off), then iterate. */
    double x0 = blon - 0.0065, y0 = blat - 0.006;
    double z = sqrt(x0 * x0 + y0 * y0) - 0.00002 * sin(y0 * BD_XPI);
    double theta = atan2(y0, x0) - 0.000003 * cos(x0 * BD_XPI);
    double x = z * cos(theta), y = z * sin(theta);
    for (int i = 0; i < MAX_STEPS; i++) {
        double fx, fy;
        plat_bd09_from_gcj02(x, y, &fx, &fy);
        double dx = fx - blon, dy = fy - blat;
        x -= dx;
        y -= dy;
        if (fabs(dx) < STOP_DEG && fabs(dy) < STOP_DEG)
            break;
    }
    *glon = x;
    *glat = y;
}
