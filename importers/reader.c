/* importers/reader.c - one feature's way from a file into the ledger's working CRS.
 *
 * Project and layer imports read features the same way, so the way lives here once:
 *
 *   OGR geometry -> GEOS (curves linearised, Z/M dropped with one note)
 *     -> plausible for the source CRS? (degrees within the globe and China; a projected CRS
 *        whose numbers land in China once inverse-projected; else a refusal that guesses the
 *        right CRS from the magnitudes, crs_guess.c)
 *     -> transformed into the working CRS (PROJ, or the GCJ-02/BD-09 inverse first)
 *     -> valid (GEOS MakeValid with a warning naming the feature, or refused under --strict).
 *
 * When the ledger has no working CRS yet, plat_reader__prepare runs a first pass over the file
 * that feeds the same checked geometries, in CGCS2000 longitude/latitude, to zone.c; the
 * second pass then writes. Both passes stream: one feature in memory at a time.
 *
 * A plat_reader lives on the importer's stack; it owns the OGR source and the two transforms
 * (plat_reader__close frees them). Geometries it returns are the caller's to destroy. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "importers_int.h"

int plat_reader__open(plat_reader *r, plat_store *db, const char *path, const plat_import_options *opts,
                      plat_import_result *res)
{
    memset(r, 0, sizeof(*r));
    r->db = db;
    r->ctx = plat_store_ctx(db);
    r->h = plat_gis_geos(r->ctx);
    r->opts = opts;
    r->res = res;
    r->names_layer = -1;
    if (!r->h)
        return plat_error_set(r->ctx, PLAT_ENOMEM, "out of memory");
    return plat_ogr__open(r->ctx, &r->src, path, opts);
}

void plat_reader__close(plat_reader *r)
{
    if (!r)
        return;
    plat_transform_free(r->to_work);
    plat_transform_free(r->to_geo);
    plat_ogr__close(r->src);
    free(r->same_next);
    r->same_next = NULL;
    r->to_work = r->to_geo = NULL;
    r->src = NULL;
}

/* How messages name the source CRS: its EPSG code or what the user typed, else "the file's CRS". */
static const char *srs_label(plat_reader *r)
{
    const char *s = r->src->srs;
    if (r->opts && r->opts->s_srs && strlen(r->opts->s_srs) < 60)
        return r->opts->s_srs;
    return s && strncmp(s, "EPSG:", 5) == 0 ? s : "the file's CRS";
}

static int feature_error(plat_reader *r, OGRFeatureH f, const char *hint)
{
    if (hint && *hint) {
        /* Append the hint to the message already recorded. */
        char msg[sizeof(((plat_error *)0)->msg)];
        snprintf(msg, sizeof msg, "%s", plat_error_last(r->ctx)->msg);
        plat_error_set(r->ctx, plat_error_last(r->ctx)->code, "%s; %s", msg, hint);
    }
    return plat_ogr__locate(r->ctx, r->src, f ? OGR_F_GetFID(f) : -1);
}

/* Are g's coordinates (in the source CRS) what that CRS can hold, and inside China? */
/* 1 when the four corners of box b (x0 y0 x1 y1, source CRS) land in China. */
static int corners_in_china(plat_reader *r, const double *b)
{
    const double cx[4] = { b[0], b[2], b[0], b[2] }, cy[4] = { b[1], b[3], b[3], b[1] };
    for (int i = 0; i < 4; i++) {
        double lon = cx[i], lat = cy[i];
        if (plat_transform_point(r->to_geo, &lon, &lat) < 0) {
            plat_error_clear(r->ctx);
            return 0;
        }
        if (!plat_import__in_china(lon, lat))
            return 0;
    }
    return 1;
}

static int check_plausible(plat_reader *r, OGRFeatureH f, const GEOSGeometry *g)
{
    double x0, x1, y0, y1;
    char hint[320];
    int srid = plat_store_srid(r->db);
    if (!GEOSGeom_getExtent_r(r->h, g, &x0, &y0, &x1, &y1)) {
        plat_error_set(r->ctx, PLAT_EINVALID, "cannot read the geometry's extent");
        return feature_error(r, f, NULL);
    }
    if (!isfinite(x0) || !isfinite(x1) || !isfinite(y0) || !isfinite(y1)) {
        plat_error_set(r->ctx, PLAT_EINVALID, "the geometry has coordinates that are not finite numbers");
        return feature_error(r, f, NULL);
    }
    if (r->geographic) {
        if (x0 < -180 || x1 > 180 || y0 < -90 || y1 > 90) {
            double x = x1 > 180 ? x1 : x0, y = y1 > 90 ? y1 : y0;
            plat_error_set(r->ctx, PLAT_EINVALID,
                           "coordinate (%.10g %.10g) is not a longitude/latitude in degrees, yet the source CRS "
                           "(%s) is geographic",
                           x, y, srs_label(r));
            plat_import__crs_hint(hint, sizeof hint, x, y, srid);
            return feature_error(r, f, hint);
        }
        if (!plat_import__in_china(x0, y0) || !plat_import__in_china(x1, y1)) {
            double x = plat_import__in_china(x0, y0) ? x1 : x0, y = plat_import__in_china(x0, y0) ? y1 : y0;
            plat_error_set(r->ctx, PLAT_EINVALID, "coordinate (%.10g %.10g) in %s lies outside China", x, y,
                           srs_label(r));
            plat_import__crs_hint(hint, sizeof hint, x, y, srid);
            return feature_error(r, f, hint);
        }
        return 0;
    }
    /* A projected CRS: where do the extent's corners land on the globe? A feature inside a
     * box whose corners were found in China is taken as found there too, so a layer of a
     * million parcels asks PROJ a few dozen times, not four million. */
    if (r->have_ok && x0 >= r->ok[0] && y0 >= r->ok[1] && x1 <= r->ok[2] && y1 <= r->ok[3])
        return 0;
    if (r->have_ok) { /* try to widen the box to take this feature in */
        const double w[4] = { fmin(x0, r->ok[0]), fmin(y0, r->ok[1]), fmax(x1, r->ok[2]), fmax(y1, r->ok[3]) };
        if (corners_in_china(r, w)) {
            memcpy(r->ok, w, sizeof r->ok);
            return 0;
        }
    }
    const double cx[4] = { x0, x1, x0, x1 }, cy[4] = { y0, y1, y1, y0 };
    for (int i = 0; i < 4; i++) {
        double lon = cx[i], lat = cy[i];
        int bad = plat_transform_point(r->to_geo, &lon, &lat) < 0;
        if (bad || !plat_import__in_china(lon, lat)) {
            if (bad)
                plat_error_set(r->ctx, PLAT_EINVALID, "coordinate (%.10g %.10g) cannot be a position in %s",
                               cx[i], cy[i], srs_label(r));
            else
                plat_error_set(r->ctx, PLAT_EINVALID,
                               "coordinate (%.10g %.10g) in %s lies at %.4fE %.4fN, outside China: the CRS does "
                               "not fit these numbers",
                               cx[i], cy[i], srs_label(r), lon, lat);
            plat_import__crs_hint(hint, sizeof hint, cx[i], cy[i], srid);
            return feature_error(r, f, hint);
        }
    }
    if (!r->have_ok) {
        r->ok[0] = x0, r->ok[1] = y0, r->ok[2] = x1, r->ok[3] = y1;
        r->have_ok = 1;
    }
    return 0;
}

/* The feature's geometry in the source CRS, checked; NULL when it has none. */
static int source_geom(plat_reader *r, OGRFeatureH f, GEOSGeometry **out)
{
    int zm = 0;
    int rc = plat_ogr__geom(r->ctx, f, out, &zm);
    if (rc < 0)
        return feature_error(r, f, NULL);
    if (!*out)
        return plat_ogr__check_no_geom(r->ctx, r->src, f);
    if (zm && !r->zm_noted) {
        r->zm_noted = 1;
        plat_warn(r->ctx, "%s: Z/M coordinates dropped from feature %lld on (plat keeps 2D geometries)",
                  r->src->where, (long long)OGR_F_GetFID(f));
    }
    if ((rc = check_plausible(r, f, *out)) < 0) {
        GEOSGeom_destroy_r(r->h, *out);
        *out = NULL;
    }
    return rc;
}

int plat_reader__progress(plat_reader *r, const char *label)
{
    r->seen++;
    if (!r->opts || !r->opts->progress || r->src->count <= 0)
        return 0;
    double frac = (double)r->seen / (double)r->src->count;
    int step = (int)(frac * 1000);
    if (step == r->shown)
        return 0;
    r->shown = step;
    if (r->opts->progress(frac > 1 ? 1 : frac, label, r->opts->progress_ud))
        return plat_error_set(r->ctx, PLAT_ECANCEL, "import cancelled");
    return 0;
}

int plat_reader__prepare(plat_reader *r, const char *what)
{
    int rc = 0;
    if (!r->src->srs)
        return 0; /* no geometry column anywhere: nothing to transform */
    if ((rc = plat_transform_new(r->ctx, &r->to_geo, r->src->srs, PLAT_EPSG_CGCS2000)) < 0)
        return plat_ogr__locate(r->ctx, r->src, -1);
    r->geographic = plat_transform_src_is_geographic(r->to_geo);
    if (!plat_store_srid(r->db)) {
        plat_centre c;
        plat_import__centre_init(&c);
        OGRFeatureH f = NULL;
        r->seen = 0;
        r->shown = -1;
        while (rc >= 0 && (rc = plat_ogr__next(r->ctx, r->src, &f)) > 0) {
            GEOSGeometry *g = NULL, *geo = NULL;
            if ((rc = source_geom(r, f, &g)) >= 0 && g) {
                if ((rc = plat_transform_geom(r->to_geo, &geo, g)) < 0)
                    feature_error(r, f, NULL);
                else
                    rc = plat_import__centre_add(r->ctx, &c, geo);
            }
            if (rc >= 0)
                rc = plat_reader__progress(r, "scanning");
            GEOSGeom_destroy_r(r->h, geo);
            GEOSGeom_destroy_r(r->h, g);
            OGR_F_Destroy(f);
        }
        if (rc < 0)
            return rc;
        if (c.n > 0) {
            int epsg = 0;
            if ((rc = plat_import__choose_zone(r->db, &c, what, &epsg)) < 0)
                return plat_ogr__locate(r->ctx, r->src, -1);
            r->res->srid_chosen = epsg;
        }
        if ((rc = plat_ogr__rewind(r->ctx, r->src)) < 0)
            return rc;
    }
    r->seen = 0;
    r->shown = -1;
    if (plat_store_srid(r->db) &&
        (rc = plat_transform_new(r->ctx, &r->to_work, r->src->srs, plat_store_srid(r->db))) < 0)
        return plat_ogr__locate(r->ctx, r->src, -1);
    return 0;
}

int plat_import__check_area(plat_ctx *ctx, const GEOSGeometry *g)
{
    GEOSContextHandle_t h = plat_gis_geos(ctx);
    if (!(plat_geom_kinds(ctx, g) & PLAT_GEOM_POLYGON))
        return 0;
    if (plat_geom_is_valid(ctx, g) == 1)
        return 1;
    GEOSGeometry *c = GEOSGeom_clone_r(h, g);
    char why[256];
    int fixed = 0;
    if (!c)
        return plat_error_set(ctx, PLAT_ENOMEM, "out of memory");
    int rc = plat_geom_make_valid(ctx, &c, &fixed, why, sizeof why);
    GEOSGeom_destroy_r(h, c);
    if (rc < 0)
        return plat_error_set(ctx, PLAT_EINVALID, "the polygon has no area (%s); nothing is left of it once repaired",
                              why);
    return 0;
}

int plat_reader__geom(plat_reader *r, OGRFeatureH f, GEOSGeometry **out, int *repaired)
{
    GEOSGeometry *g = NULL, *w = NULL;
    char why[256];
    *out = NULL;
    *repaired = 0;
    int rc = source_geom(r, f, &g);
    if (rc < 0 || !g)
        return rc;
    if (!r->to_work) { /* only when the ledger could not get a working CRS: no geometry anywhere */
        GEOSGeom_destroy_r(r->h, g);
        plat_error_set(r->ctx, PLAT_EINVALID, "the ledger has no working CRS yet");
        return feature_error(r, f, NULL);
    }
    int valid = plat_import__check_area(r->ctx, g);
    /* A file already in the working CRS: a valid geometry is kept as it was read, neither
     * copied by the transform nor checked again (valid means finite coordinates too, all the
     * transform would check). */
    int same = plat_transform_is_identity(r->to_work);
    if (same && valid == 0)
        valid = plat_geom_is_valid(r->ctx, g);
    if (valid < 0) {
        GEOSGeom_destroy_r(r->h, g);
        return feature_error(r, f, NULL);
    }
    if (same && valid == 1) {
        *out = g;
        return 0;
    }
    rc = plat_transform_geom(r->to_work, &w, g);
    GEOSGeom_destroy_r(r->h, g);
    if (rc < 0)
        return feature_error(r, f, NULL);
    if ((rc = plat_geom_make_valid(r->ctx, &w, repaired, why, sizeof why)) < 0) {
        GEOSGeom_destroy_r(r->h, w);
        return feature_error(r, f, NULL);
    }
    if (*repaired) {
        if (r->opts && r->opts->strict) {
            GEOSGeom_destroy_r(r->h, w);
            plat_error_set(r->ctx, PLAT_EINVALID, "the geometry is invalid (%s) and --strict refuses repairs", why);
            return feature_error(r, f, NULL);
        }
        r->res->repaired++;
        plat_warn(r->ctx, "%s: feature %lld: invalid geometry repaired with GEOS MakeValid (%s)", r->src->where,
                  (long long)OGR_F_GetFID(f), why);
    }
    *out = w;
    return 0;
}

/* KML's rendering fields say how Google Earth draws a placemark, not what it is. */
static int rendering_field(const char *driver, const char *name)
{
    static const char *const kml[] = { "tessellate", "extrude", "visibility", "drawOrder", "icon",
                                       "altitudeMode", "snippet", NULL };
    if (strcmp(driver, "LIBKML") != 0 && strcmp(driver, "KML") != 0)
        return 0;
    for (int i = 0; kml[i]; i++)
        if (strcasecmp(name, kml[i]) == 0)
            return 1;
    return 0;
}

/* A field's value as JSON text: a literal (number, true, false) or text to quote. */
typedef struct field_json {
    const char *text; /* NULL when the field gives no value */
    int quoted;
    char buf[64];
} field_json;

static int field_value(plat_reader *r, OGRFeatureH f, int i, field_json *v)
{
    plat_ogr_source *src = r->src;
    OGRFieldDefnH fd = OGR_FD_GetFieldDefn(src->defn, i);
    int y, mo, d, h, mi, tz;
    float s;
    v->text = NULL;
    v->quoted = 0;
    if ((src->geom_cols && src->geom_cols[i]) || !OGR_F_IsFieldSetAndNotNull(f, i) ||
        rendering_field(src->driver, src->names[i]))
        return 0;
    switch (OGR_Fld_GetType(fd)) {
    case OFTInteger:
        if (OGR_Fld_GetSubType(fd) == OFSTBoolean)
            v->text = OGR_F_GetFieldAsInteger(f, i) != 0 ? "true" : "false";
        else
            v->text = plat_format_int64(v->buf, OGR_F_GetFieldAsInteger(f, i));
        return 0;
    case OFTInteger64:
        v->text = plat_format_int64(v->buf, OGR_F_GetFieldAsInteger64(f, i));
        return 0;
    case OFTReal: {
        double x = OGR_F_GetFieldAsDouble(f, i);
        if (isfinite(x))
            v->text = plat_format_g15(v->buf, x); /* as written, not 0.10000000000000001 */
        return 0;
    }
    case OFTDate:
    case OFTDateTime:
        if (!OGR_F_GetFieldAsDateTimeEx(f, i, &y, &mo, &d, &h, &mi, &s, &tz))
            return 0;
        if (OGR_Fld_GetType(fd) == OFTDate || (h == 0 && mi == 0 && s == 0))
            snprintf(v->buf, sizeof v->buf, "%04d-%02d-%02d", y, mo, d);
        else
            snprintf(v->buf, sizeof v->buf, "%04d-%02d-%02dT%02d:%02d:%02d", y, mo, d, h, mi, (int)s);
        v->text = v->buf;
        v->quoted = 1;
        return 0;
    default:
        v->quoted = 1;
        return plat_ogr__text(r->ctx, src, f, i, &v->text);
    }
}

/* Note which fields of the current layer share a name (a DBF or CSV may repeat one). */
static int find_same_names(plat_reader *r)
{
    plat_ogr_source *src = r->src;
    int n = src->nnames;
    if (r->names_layer == src->cur)
        return 0;
    free(r->same_next);
    r->same_next = NULL;
    r->names_layer = src->cur;
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++) {
            if (strcmp(src->names[i], src->names[j]) != 0)
                continue;
            if (!r->same_next) {
                if (!(r->same_next = malloc((size_t)n * (sizeof(int) + 1))))
                    return plat_error_set(r->ctx, PLAT_ENOMEM, "out of memory");
                for (int k = 0; k < n; k++)
                    r->same_next[k] = -1;
            }
            r->same_next[i] = j;
            break;
        }
    return 0;
}

/* Field i gave a value and others after it have its name: as in a json-c object, a later
 * value replaces the earlier one where the name first appeared. Every one of them is read
 * (a bad one is an error, as before); *v ends as the last one's value. */
static int last_of_name(plat_reader *r, OGRFeatureH f, const unsigned char *skip, unsigned char *done, int i,
                        field_json *v)
{
    int last = i, rc;
    for (int j = r->same_next[i]; j >= 0; j = r->same_next[j]) {
        done[j] = 1;
        if (skip && skip[j])
            continue;
        if ((rc = field_value(r, f, j, v)) < 0)
            return rc;
        if (v->text)
            last = j;
    }
    return field_value(r, f, last, v); /* again: reading the others reused its text's buffer */
}

int plat_reader__attrs(plat_reader *r, OGRFeatureH f, const unsigned char *skip, char **out)
{
    plat_ogr_source *src = r->src;
    plat_buf b = PLAT_BUF_INIT;
    field_json v;
    int rc = 0;
    *out = NULL;
    if (src->bad_names) {
        if (src->encoding)
            plat_error_set(r->ctx, PLAT_EINVALID, "the field names are not valid %s text; check the file's encoding",
                           src->encoding);
        else
            plat_error_set(r->ctx, PLAT_EINVALID,
                           "the field names are not valid UTF-8; if the file is GBK-encoded say so with "
                           "--encoding GBK");
        return feature_error(r, f, NULL);
    }
    if ((rc = find_same_names(r)) < 0)
        return rc;
    /* fields already written under the name of an earlier one (after same_next's ints) */
    unsigned char *done = r->same_next ? (unsigned char *)(r->same_next + src->nnames) : NULL;
    if (done)
        memset(done, 0, (size_t)src->nnames);
    for (int i = 0; i < src->nnames; i++) {
        if ((skip && skip[i]) || (done && done[i]))
            continue;
        if ((rc = field_value(r, f, i, &v)) < 0)
            break;
        if (!v.text)
            continue;
        if (done && r->same_next[i] >= 0 && (rc = last_of_name(r, f, skip, done, i, &v)) < 0)
            break;
        const char *name = src->names[i];
        if (plat_buf_add(&b, b.len ? "," : "{", 1) < 0 || plat_buf_json_string(&b, name, strlen(name)) < 0 ||
            plat_buf_add(&b, ":", 1) < 0 ||
            (v.quoted ? plat_buf_json_string(&b, v.text, strlen(v.text)) : plat_buf_puts(&b, v.text)) < 0) {
            rc = plat_error_set(r->ctx, PLAT_ENOMEM, "out of memory");
            break;
        }
    }
    if (rc >= 0 && b.len) {
        if (plat_buf_add(&b, "}", 1) < 0)
            rc = plat_error_set(r->ctx, PLAT_ENOMEM, "out of memory");
        else
            *out = plat_buf_detach(&b);
    }
    plat_buf_dispose(&b);
    return rc;
}
