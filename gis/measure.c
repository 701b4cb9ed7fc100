/* gis/measure.c - lengths and areas, ellipsoidal (the default) or planar.
 *
 * The definition (gis.h, DESIGN.md "Measurement") follows how Chinese land statistics are
 * made (国土调查办发〔2008〕32号, used for 二调 and 三调) on the CGCS2000 ellipsoid:
 *  - a line's length is the sum of the geodesic distances between its consecutive vertices,
 *    inverse-projected from the working Gauss-Kruger plane (PROJ geod_inverse; for segments
 *    under 200 m the ellipsoid's metric at the mid-latitude, equal to it within 5e-11);
 *  - a polygon's area is that of the region whose edges are straight in the Gauss-Kruger plane:
 *    edges longer than DENSIFY_M are divided in the plane, every vertex is inverse-projected to
 *    (B, L), and the ring is summed as narrow strips between each edge and the meridian of the
 *    ring's first vertex, each strip by the 32号 trapezoid series (formula (2)) with B from the
 *    edge's two ends and the strip's width the edge's mean longitude; holes are subtracted.
 *    Two small second-order terms per edge (ring_sum below) make the sum exact for the
 *    Gauss-plane polygon however its edges are cut, so a polygon and its clipped parts add up.
 * This is not the geodesic-edged polygon of geod_polygonarea: the two differ by the thin
 * lenses between a geodesic and its Gauss-plane chord, which grow with the distance from the
 * central meridian and the edge length: under 0.01 m2 per km2 for parcels near the central
 * meridian, 0.08 m2 per km2 for a 0.6 km2 parcel at the zone edge, 20 m2 for a 10 km block
 * there (tests/unit/gis/test_measure.c pins the definition and these differences).
 * With `planar`, GEOS measures in the working CRS as it is.
 *
 * Speed: this is the inner loop of coverage. A measurer keeps one PROJ operation (working CRS
 * -> EPSG:4490 lon/lat) and two pairs of scratch coordinate arrays that only grow; each ring or
 * line is copied out of GEOS in one call, densified into the scratch, and inverse-projected by
 * one proj_trans_generic call. No allocation per vertex or per geometry once warm.
 *
 * Ownership: a plat_measure holds a PJ made with its context's PJ_CONTEXT, so it must be freed
 * (plat_measure_free) before that context. It is not thread-safe (scratch arrays): one per
 * thread, like the context. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <geodesic.h>

#include "plat/util.h"
#include "gis_int.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif
#define D2R (M_PI / 180.0)

/* CGCS2000 ellipsoid (DOMAIN.md 4.1). */
#define CGCS_A 6378137.0
#define CGCS_F (1.0 / 298.257222101)
/* Edges longer than this are divided in the Gauss plane before inverse projection (gis.h). */
#define DENSIFY_M 100.0
/* Line segments shorter than this in the plane are measured by short_geodesic. */
#define SHORT_M 200.0

struct plat_measure {
    plat_ctx *ctx;
    GEOSContextHandle_t h;
    int planar;
    int epsg;
    int gk;                    /* the working CRS is a CGCS2000 GK zone: edges bend (ring_edge) */
    double cm;                 /* its central meridian, radians */
    double fe;                 /* its false easting, metres (zone prefix included) */
    PJ *inv;                   /* working CRS -> EPSG:4490 (x = lon, y = lat, degrees) */
    struct geod_geodesic geod; /* CGCS2000 */
    double *ox, *oy;           /* scratch: a ring or line as GEOS has it */
    double *x, *y;             /* scratch: densified, then lon/lat in place */
    size_t ocap, cap;
};

/* ---- the 32号 series ---- */

/* The series coefficients A..E of 32号 formula (2) for the CGCS2000 ellipsoid, and b^2. */
typedef struct series {
    double a, b, c, d, e, b2;
} series;

static series series_cgcs2000(void)
{
    double f = CGCS_F, e2 = f * (2.0 - f), e4 = e2 * e2, e6 = e4 * e2, e8 = e6 * e2;
    double bb = CGCS_A * (1.0 - f);
    series s = {
        1.0 + (3.0 / 6.0) * e2 + (30.0 / 80.0) * e4 + (35.0 / 112.0) * e6 + (630.0 / 2304.0) * e8,
        (1.0 / 6.0) * e2 + (15.0 / 80.0) * e4 + (21.0 / 112.0) * e6 + (420.0 / 2304.0) * e8,
        (3.0 / 80.0) * e4 + (7.0 / 112.0) * e6 + (180.0 / 2304.0) * e8,
        (1.0 / 112.0) * e6 + (45.0 / 2304.0) * e8,
        (5.0 / 2304.0) * e8,
        bb * bb,
    };
    return s;
}

/* The bracket of formula (2) for latitudes b1, b2 (radians), given cos Bm:
 *   A sin(dB/2) cos Bm - B sin(3dB/2) cos 3Bm + C sin(5dB/2) cos 5Bm - D ... + E ...
 * The multiple angles come from the Chebyshev recurrences
 *   sin((k+2)x) = 2 cos 2x sin kx - sin((k-2)x),  cos((k+2)x) = 2 cos 2x cos kx - cos((k-2)x),
 * so an edge costs two sines/cosines instead of ten; sin(dB/2) keeps full precision for the
 * tiny dB of densified edges (no difference of nearly equal sines). */
static inline double bracket(const series *s, double b1, double b2, double c1)
{
    double hx = 0.5 * (b2 - b1);
    double s1 = sin(hx), c2x = 1.0 - 2.0 * s1 * s1;
    double s3 = 2.0 * c2x * s1 + s1, s5 = 2.0 * c2x * s3 - s1;
    double s7 = 2.0 * c2x * s5 - s3, s9 = 2.0 * c2x * s7 - s5;
    double c2m = 2.0 * c1 * c1 - 1.0;
    double c3 = 2.0 * c2m * c1 - c1, c5 = 2.0 * c2m * c3 - c1;
    double c7 = 2.0 * c2m * c5 - c3, c9 = 2.0 * c2m * c7 - c5;
    return s->a * s1 * c1 - s->b * s3 * c3 + s->c * s5 * c5 - s->d * s7 * c7 + s->e * s9 * c9;
}

double plat_gis__quad_area(double lat1, double lat2, double dlon)
{
    series s = series_cgcs2000();
    double b1 = lat1 * D2R, b2 = lat2 * D2R;
    return 2.0 * s.b2 * (dlon * D2R) * bracket(&s, b1, b2, cos(0.5 * (b1 + b2)));
}

/* The running sums of one ring. A ring's area is the sum over its edges of
 *  - strips: formula (2) for the strip between the edge and the meridian l0 (the ring's first
 *    vertex, not Greenwich, so the terms stay the size of the parcel and nothing large
 *    cancels), with the strip's width taken at the edge's mean longitude;
 *  - slant: formula (2) takes that width as constant; along a slanted edge it changes
 *    linearly with B, which adds dL dB^2 f'(Bm) / 12 (f the area element per radian^2).
 *    Tiny per edge (3e-3 m2 for a 100 m diagonal edge) but of one sign all round a ring;
 *  - bend: the edge is straight in the Gauss plane, not in (L, B): its image bows away from
 *    the (L, B) chord by (1/8) H(d, d), H the second derivatives of the inverse projection and
 *    d the edge in the plane, which adds the parabolic segment -(1/12)(d2L dB - d2B dL) f.
 *    Without it the area depends on how finely edges are cut (by 0.05 m2 per km2 for 100 m
 *    pieces), so a parcel and the sum of its clipped parts would not agree.
 * Together they give the area of the Gauss-plane polygon to about 1e-3 m2 per km2 whatever
 * the densification (tests/unit/gis/test_measure.c). */
typedef struct ring_sum {
    series s;
    double e2, ep2; /* e^2, e'^2 */
    double l0;      /* reference meridian, radians */
    double strips, slant, bend;
} ring_sum;

static void ring_begin(ring_sum *r, double l0_deg)
{
    r->s = series_cgcs2000();
    r->e2 = CGCS_F * (2.0 - CGCS_F);
    r->ep2 = r->e2 / (1.0 - r->e2);
    r->l0 = l0_deg * D2R;
    r->strips = r->slant = r->bend = 0.0;
}

/* Add the edge (lon1, lat1) -> (lon2, lat2), in degrees. When gk is set, the edge is the
 * Gauss-Kruger plane segment (de, dn) metres of a zone with central meridian cm (radians). */
static inline void ring_edge(ring_sum *r, double lon1, double lat1, double lon2, double lat2, int gk,
                             double cm, double de, double dn)
{
    double b1 = lat1 * D2R, b2 = lat2 * D2R, db = b2 - b1, dl = (lon2 - lon1) * D2R;
    double bm = 0.5 * (b1 + b2), lm = 0.5 * (lon1 + lon2) * D2R;
    double c = cos(bm);
    r->strips += (lm - r->l0) * bracket(&r->s, b1, b2, c);
    if (db == 0.0 && !gk)
        return;
    double sn = sin(bm), w = 1.0 - r->e2 * sn * sn;
    double mn = r->s.b2 / (w * w); /* M N */
    r->slant += dl * db * db * mn * sn * (4.0 * r->e2 * c * c / w - 1.0);
    if (!gk)
        return;
    /* Second derivatives of the inverse Gauss-Kruger projection (x north, y east, k0 = 1),
     * leading terms of the classical series B = Bf - t y^2 / 2MN + ..., l = y / N cos Bf - ...;
     * the terms left out are e^2 or (y/R)^2 of these, a few per cent of a small correction. */
    double n = CGCS_A / sqrt(w), m = n * (1.0 - r->e2) / w, t = sn / c;
    double y = (lm - cm) * n * c; /* easting from the central meridian */
    double byy = -t / (m * n), bxy = -y / (m * m * n * c * c), bxx = -3.0 * r->e2 * sn * c / (w * m * m);
    double lyy = -(1.0 + 2.0 * t * t + r->ep2 * c * c) * y / (n * n * n * c);
    double lxy = t / (m * n * c), lxx = y * (1.0 + 2.0 * t * t) / (m * m * n * c);
    double d2b = byy * de * de + 2.0 * bxy * de * dn + bxx * dn * dn;
    double d2l = lyy * de * de + 2.0 * lxy * de * dn + lxx * dn * dn;
    r->bend -= (d2l * db - d2b * dl) * mn * c;
}

static double ring_total(const ring_sum *r)
{
    return fabs(2.0 * r->s.b2 * r->strips + (r->slant + r->bend) / 12.0);
}

double plat_gis__ring_area_lonlat(const double *lon, const double *lat, size_t n)
{
    if (n < 3)
        return 0.0;
    ring_sum r;
    ring_begin(&r, lon[0]);
    int closed = lon[n - 1] == lon[0] && lat[n - 1] == lat[0];
    size_t edges = closed ? n - 1 : n;
    for (size_t i = 0; i < edges; i++) {
        size_t j = i + 1 < n ? i + 1 : 0;
        ring_edge(&r, lon[i], lat[i], lon[j], lat[j], 0, 0.0, 0.0, 0.0);
    }
    return ring_total(&r);
}

/* ---- the measurer ---- */

int plat_measure_new(plat_ctx *ctx, plat_measure **out, int working_epsg, int planar)
{
    *out = NULL;
    GEOSContextHandle_t h = plat_gis_geos(ctx);
    if (!h)
        return plat_error_set(ctx, PLAT_ENOMEM, "out of memory");
    /* Both modes need metres: planar measures in them, ellipsoidal densifies by them. */
    if (!plat_crs_is_metric_projected(ctx, working_epsg))
        return plat_error_last(ctx)->code < 0 ? plat_error_last(ctx)->code : PLAT_EINVALID;
    plat_measure *m = calloc(1, sizeof(*m));
    if (!m)
        return plat_error_set(ctx, PLAT_ENOMEM, "out of memory");
    m->ctx = ctx;
    m->h = h;
    m->planar = planar != 0;
    m->epsg = working_epsg;
    geod_init(&m->geod, CGCS_A, CGCS_F);
    /* Only the GK zones have the bend term; for another working CRS the area is that of the
     * polygon cut into 100 m pieces straight in (L, B) (0.05 m2 per km2 from the ideal). */
    double cm = plat_crs_gk_central_meridian(working_epsg);
    m->gk = !isnan(cm);
    m->cm = m->gk ? cm * D2R : 0.0;
    m->fe = plat_crs_gk_false_easting(working_epsg);
    if (!m->planar) {
        char def[32];
        snprintf(def, sizeof(def), "EPSG:%d", working_epsg);
        int rc = plat_gis__op_new(ctx, &m->inv, NULL, NULL, def, NULL, PLAT_EPSG_CGCS2000);
        if (rc < 0) {
            free(m);
            return rc;
        }
    }
    *out = m;
    return 0;
}

void plat_measure_free(plat_measure *m)
{
    if (!m)
        return;
    proj_destroy(m->inv);
    free(m->ox);
    free(m->oy);
    free(m->x);
    free(m->y);
    free(m);
}

static int grow(plat_ctx *ctx, double **a, double **b, size_t *cap, size_t need)
{
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap : 256;
    while (n < need)
        n *= 2;
    double *na = realloc(*a, n * sizeof(double));
    if (na)
        *a = na;
    double *nb = na ? realloc(*b, n * sizeof(double)) : NULL;
    if (nb)
        *b = nb;
    if (!na || !nb)
        return plat_error_set(ctx, PLAT_ENOMEM, "out of memory");
    *cap = n;
    return 0;
}

/* Into how many pieces a plane edge (dx, dy) is cut: edges longer than DENSIFY_M are divided. */
static inline size_t pieces(double dx, double dy)
{
    double d = hypot(dx, dy);
    return d > DENSIFY_M ? (size_t)ceil(d / DENSIFY_M) : 1;
}

/* Copy a coordinate sequence into ox/oy. @return its size, or < 0. */
static long copy_seq(plat_measure *m, const GEOSCoordSequence *seq)
{
    unsigned int n = 0;
    if (!seq || !GEOSCoordSeq_getSize_r(m->h, seq, &n))
        return plat_gis__geos_err(m->ctx, PLAT_EINTERNAL, "cannot read coordinates");
    if (n == 0)
        return 0;
    int rc = grow(m->ctx, &m->ox, &m->oy, &m->ocap, n);
    if (rc < 0)
        return rc;
    if (!GEOSCoordSeq_copyToArrays_r(m->h, seq, m->ox, m->oy, NULL, NULL))
        return plat_gis__geos_err(m->ctx, PLAT_EINTERNAL, "cannot read coordinates");
    return (long)n;
}

/* Name the first original vertex PROJ cannot take to lon/lat (the slow path of a failure). */
static int unprojectable(plat_measure *m, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        PJ_COORD c = proj_trans(m->inv, PJ_FWD, proj_coord(m->ox[i], m->oy[i], 0, HUGE_VAL));
        if (!isfinite(c.xy.x) || !isfinite(c.xy.y) || c.xy.x == HUGE_VAL)
            return plat_error_set(m->ctx, PLAT_EINVALID,
                                  "coordinate (%.10g %.10g) cannot be converted from EPSG:%d to "
                                  "longitude/latitude",
                                  m->ox[i], m->oy[i], m->epsg);
    }
    return plat_error_set(m->ctx, PLAT_EINVALID,
                          "a densified vertex cannot be converted from EPSG:%d to longitude/latitude",
                          m->epsg);
}

/* Inverse-project x/y[0..n) in place to lon/lat degrees. */
static int to_lonlat(plat_measure *m, size_t n, size_t n_orig)
{
    proj_trans_generic(m->inv, PJ_FWD, m->x, sizeof(double), n, m->y, sizeof(double), n, NULL, 0,
                       0, NULL, 0, 0);
    for (size_t i = 0; i < n; i++)
        if (!isfinite(m->x[i]) || !isfinite(m->y[i]) || m->x[i] == HUGE_VAL)
            return unprojectable(m, n_orig);
    return 0;
}

/* The geodesic distance between two points less than SHORT_M apart, by the ellipsoid's metric
 * at their mean latitude: ds^2 = (M dB)^2 + (N cos B dL)^2. The terms it leaves out are of
 * order (s/R)^2 of the distance and cancel to first order at the mid-point, so up to 200 m it
 * is within 5e-11 of geod_inverse (checked on 10^5 random segments from 1 m to 200 m between
 * 24 and 30 N: the worst is 3e-11, a hundredth of a millimetre per 100 km), at a fifth of its
 * cost. Digitised roads are mostly segments of metres to tens of metres, and geod_inverse was
 * the largest single cost of an ellipsoidal `plat coverage --layer roads`. */
static inline double short_geodesic(double lat1, double lat2, double dlon)
{
    double e2 = CGCS_F * (2.0 - CGCS_F);
    double bm = 0.5 * (lat1 + lat2) * D2R, sn = sin(bm), w = 1.0 - e2 * sn * sn;
    double n = CGCS_A / sqrt(w), mr = n * (1.0 - e2) / w;
    return hypot(mr * (lat2 - lat1) * D2R, n * cos(bm) * dlon * D2R);
}

/* 1 / the Gauss-Kruger point scale factor at u metres from the central meridian and latitude
 * lat (radians): k = 1 + u^2 / (2 rho nu) + u^4 / (24 rho^2 nu^2), k0 = 1 in every CGCS2000 zone. */
static inline double gk_inverse_scale(double u, double lat)
{
    double e2 = CGCS_F * (2.0 - CGCS_F), sn = sin(lat), w = 1.0 - e2 * sn * sn;
    double rn = CGCS_A * CGCS_A * (1.0 - e2) / (w * w); /* rho * nu */
    double t = u * u / rn;
    return 1.0 / (1.0 + 0.5 * t + t * t / 24.0);
}

/* A line in a GK zone: each segment's grid length divided by the scale factor averaged along
 * it (Simpson's rule over its ends and middle). The conformal projection makes this the length
 * of the segment's preimage, and that preimage is within (u L / rho nu)^2 / 24 of the geodesic
 * between the ends: against geod_inverse between the inverse-projected vertices (the
 * definition), 1e-8 relative at worst for 2 * 10^5 random segments of 1 m to 100 km up to 200
 * km from the central meridian between 24 and 30 N (tests/unit/gis/test_measure.c checks it).
 * One vertex per line is inverse-projected, for the latitude rho nu needs; the others'
 * latitudes follow from their northing, closely enough for a factor that varies by 1e-6 per
 * degree. This is what makes an ellipsoidal road layer cost little more than a planar one:
 * inverse-projecting every vertex was most of the difference. */
static int gk_line_length(plat_measure *m, long n, double *len)
{
    PJ_COORD c = proj_trans(m->inv, PJ_FWD, proj_coord(m->ox[0], m->oy[0], 0, HUGE_VAL));
    if (!isfinite(c.xy.x) || !isfinite(c.xy.y) || c.xy.x == HUGE_VAL)
        return unprojectable(m, 1);
    double e2 = CGCS_F * (2.0 - CGCS_F), lat0 = c.xy.y * D2R, sn = sin(lat0), w = 1.0 - e2 * sn * sn;
    double per_m = w * sqrt(w) / (CGCS_A * (1.0 - e2)); /* radians of latitude per metre north */
    double y0 = m->oy[0], sum = 0.0;
    double prev = gk_inverse_scale(m->ox[0] - m->fe, lat0);
    for (long i = 1; i < n; i++) {
        double x1 = m->ox[i - 1], y1 = m->oy[i - 1], x2 = m->ox[i], y2 = m->oy[i];
        double mid = gk_inverse_scale(0.5 * (x1 + x2) - m->fe, lat0 + (0.5 * (y1 + y2) - y0) * per_m);
        double end = gk_inverse_scale(x2 - m->fe, lat0 + (y2 - y0) * per_m);
        sum += hypot(x2 - x1, y2 - y1) * (prev + 4.0 * mid + end) / 6.0;
        prev = end;
    }
    *len += sum;
    return 0;
}

static int line_length(plat_measure *m, const GEOSGeometry *g, double *len)
{
    const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(m->h, g);
    long n = copy_seq(m, seq);
    if (n < 2)
        return n < 0 ? (int)n : 0;
    if (m->gk)
        return gk_line_length(m, n, len);
    int rc = grow(m->ctx, &m->x, &m->y, &m->cap, (size_t)n);
    if (rc < 0)
        return rc;
    memcpy(m->x, m->ox, (size_t)n * sizeof(double));
    memcpy(m->y, m->oy, (size_t)n * sizeof(double));
    if ((rc = to_lonlat(m, (size_t)n, (size_t)n)) < 0)
        return rc;
    double sum = 0.0;
    for (long i = 1; i < n; i++) {
        double dx = m->ox[i] - m->ox[i - 1], dy = m->oy[i] - m->oy[i - 1];
        double dlon = m->x[i] - m->x[i - 1];
        if (dx * dx + dy * dy < SHORT_M * SHORT_M && fabs(dlon) < 1.0) {
            sum += short_geodesic(m->y[i - 1], m->y[i], dlon);
        } else {
            double s12 = 0.0;
            geod_inverse(&m->geod, m->y[i - 1], m->x[i - 1], m->y[i], m->x[i], &s12, NULL, NULL);
            sum += s12;
        }
    }
    *len += sum;
    return 0;
}

/* Area of one ring: densify in the plane, inverse-project, sum 32号 strips (ring_sum). */
static int ring_area(plat_measure *m, const GEOSGeometry *ring, double *area)
{
    long n = copy_seq(m, GEOSGeom_getCoordSeq_r(m->h, ring));
    if (n < 4) /* a ring has at least 4 points (closed triangle); fewer is no area */
        return n < 0 ? (int)n : 0;
    size_t total = 1;
    for (long i = 1; i < n; i++)
        total += pieces(m->ox[i] - m->ox[i - 1], m->oy[i] - m->oy[i - 1]);
    int rc = grow(m->ctx, &m->x, &m->y, &m->cap, total);
    if (rc < 0)
        return rc;
    size_t k = 0;
    for (long i = 1; i < n; i++) {
        double x0 = m->ox[i - 1], y0 = m->oy[i - 1], dx = m->ox[i] - x0, dy = m->oy[i] - y0;
        size_t parts = pieces(dx, dy);
        for (size_t j = 0; j < parts; j++) {
            double t = (double)j / (double)parts;
            m->x[k] = x0 + t * dx;
            m->y[k] = y0 + t * dy;
            k++;
        }
    }
    m->x[k] = m->ox[n - 1];
    m->y[k] = m->oy[n - 1];
    k++;
    if ((rc = to_lonlat(m, k, (size_t)n)) < 0)
        return rc;
    /* Walk the pieces again edge by edge: each knows its plane vector for the bend term. */
    ring_sum r;
    ring_begin(&r, m->x[0]);
    k = 0;
    for (long i = 1; i < n; i++) {
        double dx = m->ox[i] - m->ox[i - 1], dy = m->oy[i] - m->oy[i - 1];
        size_t parts = pieces(dx, dy);
        for (size_t j = 0; j < parts; j++, k++)
            ring_edge(&r, m->x[k], m->y[k], m->x[k + 1], m->y[k + 1], m->gk, m->cm, dx / (double)parts,
                      dy / (double)parts);
    }
    *area = ring_total(&r);
    return 0;
}

static int polygon_area(plat_measure *m, const GEOSGeometry *g, double *area)
{
    double outer = 0.0, hole;
    int rc = ring_area(m, GEOSGetExteriorRing_r(m->h, g), &outer);
    int holes = GEOSGetNumInteriorRings_r(m->h, g);
    for (int i = 0; rc == 0 && i < holes; i++) {
        hole = 0.0;
        if ((rc = ring_area(m, GEOSGetInteriorRingN_r(m->h, g, i), &hole)) == 0)
            outer -= hole;
    }
    if (rc == 0)
        *area += outer;
    return rc;
}

static int measure_part(plat_measure *m, plat_quantity *q, const GEOSGeometry *g)
{
    int type = GEOSGeomTypeId_r(m->h, g);
    if (type == GEOS_POINT || type == GEOS_LINESTRING || type == GEOS_LINEARRING ||
        type == GEOS_POLYGON) {
        if (GEOSisEmpty_r(m->h, g) != 0)
            return 0;
    }
    double v = 0.0;
    switch (type) {
    case GEOS_POINT:
        q->points++;
        return 0;
    case GEOS_LINESTRING:
    case GEOS_LINEARRING:
        if (!m->planar)
            return line_length(m, g, &q->length_m);
        if (!GEOSLength_r(m->h, g, &v))
            return plat_gis__geos_err(m->ctx, PLAT_EINTERNAL, "cannot measure length");
        q->length_m += v;
        return 0;
    case GEOS_POLYGON:
        if (!m->planar)
            return polygon_area(m, g, &q->area_m2);
        if (!GEOSArea_r(m->h, g, &v))
            return plat_gis__geos_err(m->ctx, PLAT_EINTERNAL, "cannot measure area");
        q->area_m2 += v;
        return 0;
    default: {
        int n = GEOSGetNumGeometries_r(m->h, g), rc;
        for (int i = 0; i < n; i++)
            if ((rc = measure_part(m, q, GEOSGetGeometryN_r(m->h, g, i))) < 0)
                return rc;
        return 0;
    }
    }
}

int plat_measure_geom(plat_measure *m, plat_quantity *out, const GEOSGeometry *g)
{
    memset(out, 0, sizeof(*out));
    if (!g)
        return 0;
    plat_quantity q = { 0, 0, 0 };
    int rc = measure_part(m, &q, g);
    if (rc == 0)
        *out = q;
    return rc;
}
