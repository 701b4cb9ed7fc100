/* gis/crs.c - coordinate reference systems and transforms, on PROJ.
 *
 * Each plat_ctx owns one PJ_CONTEXT (slot PLAT_SLOT_PROJ), made on first use; every PJ plat
 * makes is made with it, so PROJ's state is per thread like the rest of the context. Its log
 * goes to `proj_slot.msg` instead of stderr, and plat_gis__proj_err() turns errno + last log
 * line into the context's error. The context is destroyed with the plat_ctx, so transforms and
 * measurers (which hold PJ objects) must be freed before their context.
 *
 * A plat_transform is one normalised PROJ operation (x = easting/longitude on both sides,
 * whatever the EPSG axis order) plus an optional first step for Chinese map offsets: GCJ-02
 * or BD-09 longitude/latitude are moved back to CGCS2000 longitude/latitude by gcj02.c before
 * the EPSG:4490 -> target operation runs. Treating WGS 84 as CGCS2000 there is deliberate: the
 * offset formulas are defined on WGS 84 and the two frames differ by well under a metre
 * (DOMAIN.md 2.3), far below the offset's own noise.
 *
 * Geometries are transformed with GEOSGeom_transformXY_r, which calls back per coordinate; the
 * callback remembers the first coordinate PROJ could not transform so the error can name it. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "plat/util.h"
#include "gis_int.h"

typedef struct proj_slot {
    PJ_CONTEXT *pj;
    char msg[256]; /* last PROJ log line (errors only) */
} proj_slot;

enum { SHIFT_NONE = 0, SHIFT_GCJ02 = 1, SHIFT_BD09 = 2 };

struct plat_transform {
    plat_ctx *ctx;
    PJ *op;             /* source (EPSG:4490 after a shift) -> EPSG:dst, normalised */
    int shift;          /* SHIFT_*: offset removed before op */
    int src_geographic; /* the source as the user gave it (GCJ02/BD09 are geographic) */
    int same;           /* the source is the target CRS: coordinates pass unchanged */
    int dst_epsg;
    double bad_x, bad_y; /* first coordinate that failed, for the message */
};

/* ---- the PROJ context ---- */

static void on_proj_log(void *ud, int level, const char *msg)
{
    proj_slot *s = ud;
    if (level > PJ_LOG_ERROR || !msg)
        return;
    snprintf(s->msg, sizeof(s->msg), "%s", msg);
    for (char *p = s->msg; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
}

static void slot_free(void *p)
{
    proj_slot *s = p;
    proj_context_destroy(s->pj);
    free(s);
}

static proj_slot *get_slot(plat_ctx *ctx)
{
    proj_slot *s = plat_ctx__slot(ctx, PLAT_SLOT_PROJ);
    if (s)
        return s;
    if (!ctx || !(s = calloc(1, sizeof(*s))))
        return NULL;
    if (!(s->pj = proj_context_create())) {
        free(s);
        return NULL;
    }
    proj_log_func(s->pj, s, on_proj_log);
    proj_log_level(s->pj, PJ_LOG_ERROR);
    plat_ctx__set_slot(ctx, PLAT_SLOT_PROJ, s, slot_free);
    return s;
}

PJ_CONTEXT *plat_gis__proj(plat_ctx *ctx)
{
    proj_slot *s = get_slot(ctx);
    if (s)
        s->msg[0] = '\0'; /* the next message reported belongs to the call being made */
    return s ? s->pj : NULL;
}

int plat_gis__proj_err(plat_ctx *ctx, int code, const char *what)
{
    proj_slot *s = plat_ctx__slot(ctx, PLAT_SLOT_PROJ);
    if (!s)
        return plat_error_set(ctx, code, "%s", what);
    int e = proj_context_errno(s->pj);
    const char *es = e ? proj_context_errno_string(s->pj, e) : NULL;
    /* PROJ 9.1 reports most CRS failures as errno 4096 "Unknown error (code 4096)" and says
     * the useful part in the log ("proj_create: crs not found"): prefer the log line, without
     * the name of the PROJ function it came from. */
    if (es && strncmp(es, "Unknown error", 13) == 0 && s->msg[0])
        es = NULL;
    const char *log = s->msg;
    if (strncmp(log, "proj_", 5) == 0 && strstr(log, ": "))
        log = strstr(log, ": ") + 2;
    if (es && *log)
        return plat_error_set(ctx, code, "%s: %s: %s", what, es, log);
    if (es || *log)
        return plat_error_set(ctx, code, "%s: %s", what, es ? es : log);
    return plat_error_set(ctx, code, "%s", what);
}

/* ---- EPSG codes and zones ---- */

int plat_crs_gk_zone_for_lon(double lon)
{
    /* 3-degree zone n = round(lon / 3), CM = 3n (DOMAIN.md 4.1); EPSG:4534 is CM 75 = n 25.
     * The clamp keeps the outer half-degree of the first and last zone (73.5 and 136.5 round
     * away from the table). */
    if (!(lon >= 73.5 && lon <= 136.5))
        return 0;
    int n = (int)lround(lon / 3.0);
    if (n < 25)
        n = 25;
    if (n > 45)
        n = 45;
    return 4509 + n;
}

double plat_crs_gk_central_meridian(int epsg)
{
    if (epsg >= 4534 && epsg <= 4554) /* no zone prefix: CM = 75 + 3 (code - 4534) */
        return 75.0 + 3.0 * (epsg - 4534);
    if (epsg >= 4513 && epsg <= 4533) /* with prefix: zone = code - 4488, CM = 3 zone */
        return 3.0 * (epsg - 4488);
    return NAN;
}

double plat_crs_gk_false_easting(int epsg)
{
    if (epsg >= 4534 && epsg <= 4554)
        return 500000.0;
    if (epsg >= 4513 && epsg <= 4533) /* the zone number in front: zone 38 is 38 500 000 */
        return (epsg - 4488) * 1e6 + 500000.0;
    return NAN;
}

int plat_crs_parse_epsg(plat_ctx *ctx, int *epsg, const char *text)
{
    const char *p0 = text ? text : "", *p = p0;
    while (isspace((unsigned char)*p))
        p++;
    if (strncasecmp(p, "EPSG:", 5) == 0)
        p += 5;
    long v = 0;
    int digits = 0;
    while (isdigit((unsigned char)*p) && digits < 9) {
        v = v * 10 + (*p++ - '0');
        digits++;
    }
    while (isspace((unsigned char)*p))
        p++;
    if (digits == 0 || *p || v <= 0 || v > 99999999)
        return plat_error_set(ctx, PLAT_EINVALID, "not an EPSG code: \"%.*s\" (expected EPSG:N)",
                              plat_utf8_prefix(p0, 60), p0);
    *epsg = (int)v;
    return 0;
}

/* 1 if crs (or the horizontal part of a bound or compound CRS) is geographic. */
static int crs_is_geographic(PJ_CONTEXT *pj, const PJ *crs)
{
    PJ_TYPE t = proj_get_type(crs);
    if (t == PJ_TYPE_GEOGRAPHIC_2D_CRS || t == PJ_TYPE_GEOGRAPHIC_3D_CRS ||
        t == PJ_TYPE_GEOGRAPHIC_CRS)
        return 1;
    PJ *inner = NULL;
    if (t == PJ_TYPE_BOUND_CRS)
        inner = proj_get_source_crs(pj, crs);
    else if (t == PJ_TYPE_COMPOUND_CRS)
        inner = proj_crs_get_sub_crs(pj, crs, 0);
    if (!inner)
        return 0;
    int r = crs_is_geographic(pj, inner);
    proj_destroy(inner);
    return r;
}

int plat_crs_is_metric_projected(plat_ctx *ctx, int epsg)
{
    PJ_CONTEXT *pj = plat_gis__proj(ctx);
    PJ *crs = NULL, *cs = NULL;
    char def[32], what[64];
    int ok = 0;
    if (!pj) {
        plat_error_set(ctx, PLAT_ENOMEM, "out of memory");
        return 0;
    }
    snprintf(def, sizeof(def), "EPSG:%d", epsg);
    if (!(crs = proj_create(pj, def))) {
        snprintf(what, sizeof(what), "PROJ does not know %s", def);
        plat_gis__proj_err(ctx, PLAT_EINVALID, what);
        goto done;
    }
    if (proj_get_type(crs) != PJ_TYPE_PROJECTED_CRS) {
        plat_error_set(ctx, PLAT_EINVALID, "%s is not a projected CRS", def);
        goto done;
    }
    if (!(cs = proj_crs_get_coordinate_system(pj, crs))) {
        snprintf(what, sizeof(what), "cannot read the axes of %s", def);
        plat_gis__proj_err(ctx, PLAT_EINVALID, what);
        goto done;
    }
    int axes = proj_cs_get_axis_count(pj, cs);
    ok = axes >= 2;
    for (int i = 0; i < axes && ok; i++) {
        double factor = 0;
        const char *unit = NULL;
        if (!proj_cs_get_axis_info(pj, cs, i, NULL, NULL, NULL, &factor, &unit, NULL, NULL) ||
            factor != 1.0) {
            plat_error_set(ctx, PLAT_EINVALID, "%s is not in metres (axis %d in %s)", def, i + 1,
                           unit ? unit : "unknown units");
            ok = 0;
        }
    }
done:
    proj_destroy(cs);
    proj_destroy(crs);
    return ok;
}

/* ---- transforms ---- */

int plat_gis__op_new(plat_ctx *ctx, PJ **out, int *src_geographic, int *same, const char *src_def,
                     const char *label, int dst_epsg)
{
    PJ_CONTEXT *pj = plat_gis__proj(ctx);
    PJ *src = NULL, *dst = NULL, *op = NULL;
    char def[32], what[160];
    int rc = 0;
    *out = NULL;
    if (!pj)
        return plat_error_set(ctx, PLAT_ENOMEM, "out of memory");
    if (!label)
        label = src_def;
    if (!(src = proj_create(pj, src_def)) || !proj_is_crs(src)) {
        snprintf(what, sizeof(what), "unknown SRS \"%.*s%s\"", plat_utf8_prefix(label, 60), label,
                 strlen(label) > 60 ? "..." : "");
        rc = src ? plat_error_set(ctx, PLAT_EINVALID, "%s: not a coordinate reference system", what)
                 : plat_gis__proj_err(ctx, PLAT_EINVALID, what);
        goto done;
    }
    snprintf(def, sizeof(def), "EPSG:%d", dst_epsg);
    if (!(dst = proj_create(pj, def)) || !proj_is_crs(dst)) {
        snprintf(what, sizeof(what), "unknown target CRS %s", def);
        rc = plat_gis__proj_err(ctx, PLAT_EINVALID, what);
        goto done;
    }
    if (!(op = proj_create_crs_to_crs_from_pj(pj, src, dst, NULL, NULL))) {
        snprintf(what, sizeof(what), "no transformation from \"%.*s\" to %s", plat_utf8_prefix(label, 60), label,
                 def);
        rc = plat_gis__proj_err(ctx, PLAT_EINVALID, what);
        goto done;
    }
    /* EPSG:4490 is lat/lon and the GK CRSs northing/easting; plat is always x/y. */
    if (!(*out = proj_normalize_for_visualization(pj, op))) {
        snprintf(what, sizeof(what), "cannot normalise axis order from \"%.*s\" to %s",
                 plat_utf8_prefix(label, 60), label, def);
        rc = plat_gis__proj_err(ctx, PLAT_EINVALID, what);
        goto done;
    }
    if (src_geographic)
        *src_geographic = crs_is_geographic(pj, src);
    if (same) /* the axis order is normalised on both sides, so only the CRS matters */
        *same = proj_is_equivalent_to_with_ctx(pj, src, dst, PJ_COMP_EQUIVALENT);
done:
    proj_destroy(op);
    proj_destroy(dst);
    proj_destroy(src);
    return rc;
}

static int shift_of(const char *s)
{
    if (strcasecmp(s, "GCJ02") == 0 || strcasecmp(s, "GCJ-02") == 0)
        return SHIFT_GCJ02;
    if (strcasecmp(s, "BD09") == 0 || strcasecmp(s, "BD-09") == 0)
        return SHIFT_BD09;
    return SHIFT_NONE;
}

static int ends_with_prj(const char *s, size_t n)
{
    return n > 4 && strcasecmp(s + n - 4, ".prj") == 0;
}

static char *trimmed_copy(const char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    char *c = malloc(n + 1);
    if (c) {
        memcpy(c, s, n);
        c[n] = '\0';
    }
    return c;
}

static int all_digits(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return 0;
    return 1;
}

static int transform_make(plat_ctx *ctx, plat_transform **out, const char *def, const char *label,
                          int shift, int dst_epsg)
{
    plat_transform *t = calloc(1, sizeof(*t));
    if (!t)
        return plat_error_set(ctx, PLAT_ENOMEM, "out of memory");
    int rc = plat_gis__op_new(ctx, &t->op, &t->src_geographic, shift == SHIFT_NONE ? &t->same : NULL, def, label,
                              dst_epsg);
    if (rc < 0) {
        free(t);
        return rc;
    }
    t->ctx = ctx;
    t->shift = shift;
    t->dst_epsg = dst_epsg;
    *out = t;
    return 0;
}

int plat_transform_new(plat_ctx *ctx, plat_transform **out, const char *src_srs, int dst_epsg)
{
    char *src = NULL, *text = NULL, *def = NULL;
    const char *label;
    int rc, shift;
    *out = NULL;
    if (!(src = trimmed_copy(src_srs ? src_srs : "")))
        return plat_error_set(ctx, PLAT_ENOMEM, "out of memory");
    label = src;
    size_t n = strlen(src);
    if (n == 0) {
        rc = plat_error_set(ctx, PLAT_EINVALID, "empty SRS (expected EPSG:N, WKT, a .prj file, GCJ02 or BD09)");
        goto done;
    }
    if ((shift = shift_of(src)) != SHIFT_NONE) {
        /* GCJ-02/BD-09 coordinates are offset WGS 84 lon/lat: remove the offset, then go on
         * as CGCS2000 (see the essay above). */
        rc = transform_make(ctx, out, "EPSG:4490", src, shift, dst_epsg);
        if (rc == 0)
            (*out)->src_geographic = 1;
        goto done;
    }
    if (src[0] == '@' || ends_with_prj(src, n)) {
        const char *path = src[0] == '@' ? src + 1 : src;
        if ((rc = plat_read_file(ctx, &text, NULL, path)) < 0)
            goto done;
        const char *wkt = text;
        if ((unsigned char)wkt[0] == 0xEF && (unsigned char)wkt[1] == 0xBB && (unsigned char)wkt[2] == 0xBF)
            wkt += 3; /* a UTF-8 byte order mark, as some Windows tools write */
        if (!(def = trimmed_copy(wkt))) {
            rc = plat_error_set(ctx, PLAT_ENOMEM, "out of memory");
            goto done;
        }
        label = path;
    } else if (all_digits(src)) {
        if (!(def = malloc(n + 6))) {
            rc = plat_error_set(ctx, PLAT_ENOMEM, "out of memory");
            goto done;
        }
        snprintf(def, n + 6, "EPSG:%s", src);
    } else if ((src[0] == '+' || strncmp(src, "proj=", 5) == 0) && !strstr(src, "type=crs")) {
        /* A bare PROJ string is an operation to PROJ; as an SRS the user means the CRS. */
        if (!(def = malloc(n + 11))) {
            rc = plat_error_set(ctx, PLAT_ENOMEM, "out of memory");
            goto done;
        }
        snprintf(def, n + 11, "%s +type=crs", src);
    }
    rc = transform_make(ctx, out, def ? def : src, label, SHIFT_NONE, dst_epsg);
done:
    free(def);
    plat_free(text);
    free(src);
    return rc;
}

int plat_transform_new_wkt(plat_ctx *ctx, plat_transform **out, const char *src_wkt, int dst_epsg)
{
    *out = NULL;
    if (!src_wkt || !*src_wkt)
        return plat_error_set(ctx, PLAT_EINVALID, "empty WKT for the source SRS");
    return transform_make(ctx, out, src_wkt, NULL, SHIFT_NONE, dst_epsg);
}

int plat_transform_src_is_geographic(const plat_transform *t)
{
    return t ? t->src_geographic : 0;
}

/* Transform one coordinate. @return 1 on success, 0 (and the coordinate remembered) if the
 * offset removal or PROJ produced something that is not a finite number. */
static int transform_xy(double *x, double *y, void *ud)
{
    plat_transform *t = ud;
    double lon = *x, lat = *y;
    /* A file already in the working CRS (a county's survey, the benchmark's parcels) needs no
     * PROJ call per vertex: a twentieth of a large import's instructions. */
    if (t->same && isfinite(lon) && isfinite(lat))
        return 1;
    if (t->shift == SHIFT_BD09)
        plat_bd09_to_gcj02(lon, lat, &lon, &lat);
    if (t->shift != SHIFT_NONE)
        plat_gcj02_to_wgs84(lon, lat, &lon, &lat);
    PJ_COORD c = proj_trans(t->op, PJ_FWD, proj_coord(lon, lat, 0, HUGE_VAL));
    if (!isfinite(c.xy.x) || !isfinite(c.xy.y) || c.xy.x == HUGE_VAL || c.xy.y == HUGE_VAL) {
        t->bad_x = *x;
        t->bad_y = *y;
        return 0;
    }
    *x = c.xy.x;
    *y = c.xy.y;
    return 1;
}

static int bad_coordinate(plat_transform *t)
{
    return plat_error_set(t->ctx, PLAT_EINVALID, "coordinate (%.10g %.10g) cannot be transformed to EPSG:%d",
                          t->bad_x, t->bad_y, t->dst_epsg);
}

int plat_transform_geom(plat_transform *t, GEOSGeometry **out, const GEOSGeometry *g)
{
    GEOSContextHandle_t h = plat_gis_geos(t->ctx);
    *out = NULL;
    if (!h)
        return plat_error_set(t->ctx, PLAT_ENOMEM, "out of memory");
    t->bad_x = t->bad_y = NAN;
    plat_gis__proj(t->ctx); /* clear the last PROJ message */
    GEOSGeometry *r = GEOSGeom_transformXY_r(h, g, transform_xy, t);
    if (!r) {
        if (!isnan(t->bad_x) || !isnan(t->bad_y))
            return bad_coordinate(t);
        return plat_gis__geos_err(t->ctx, PLAT_EINTERNAL, "cannot transform geometry");
    }
    *out = r;
    return 0;
}

int plat_transform_is_identity(const plat_transform *t)
{
    return t->same;
}

int plat_transform_point(plat_transform *t, double *x, double *y)
{
    double tx = *x, ty = *y;
    if (!transform_xy(&tx, &ty, t))
        return bad_coordinate(t);
    *x = tx;
    *y = ty;
    return 0;
}

void plat_transform_free(plat_transform *t)
{
    if (!t)
        return;
    proj_destroy(t->op);
    free(t);
}
