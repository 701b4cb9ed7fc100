/* importers/ogr_source.c - one way into every file format: OGR layers, their SRS, their fields.
 *
 * GDAL does the format work (GeoJSON, Shapefile, GeoPackage, KML/KMZ, CSV, GPX, DXF ...); this
 * file opens the source with the options each driver needs, picks the layers to read (every
 * folder of a KML, the tracks and routes of a GPX, else one layer), names the SRS for PROJ,
 * finds fields by the names Chinese and English files use, turns attribute bytes into UTF-8,
 * and hands geometries over as GEOS so OGR types never leave importers/. GDAL's own error
 * messages are captured (not printed) and folded into ours, which name file, layer and feature.
 *
 * Text encodings (DOMAIN.md 2.1, 4.6). Without --encoding, GDAL decodes a Shapefile by its .cpg
 * or LDID and hands over raw bytes when neither exists; whatever arrives must then be valid
 * UTF-8 or the feature is refused with a hint to pass --encoding GBK. With --encoding, plat
 * decodes Shapefile and CSV text itself with iconv and refuses any byte sequence that is not
 * valid in that encoding: GDAL's own recoding drops such bytes with one warning per process,
 * which is how mojibake gets stored. The Shapefile is then opened with ENCODING="" (raw bytes),
 * and the CSV geometry-column names and the --where expression are encoded the other way so
 * they still match the raw bytes. DXF declares its code page in the header and GDAL decodes
 * it; --encoding there overrides the header through GDAL's DXF_ENCODING option.
 *
 * Ownership: the source owns the dataset (GDALClose), the layer list, the UTF-8 field names,
 * the decoder and the text buffer; layers and definitions are borrowed from the dataset. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>

#include "importers_int.h"

/* Column names the CSV driver takes geometry from, when --wkt-field / --x-field / --y-field
 * do not say. Longitude/latitude as Chinese office sheets label them. */
#define CSV_GEOM_NAMES "WKT,geometry,geom,wkt,the_geom,shape"
#define CSV_X_NAMES "lon,longitude,经度,x,lng,long"
#define CSV_Y_NAMES "lat,latitude,纬度,y"

/* GDAL's first failure since plat_ogr__open began: when a driver gives up it often reports the
 * cause first and a summary last ("Failed to read GeoJSON data"). Imports run on one thread. */
static char first_failure[512];

static void quiet_handler(CPLErr cls, CPLErrorNum num, const char *msg)
{
    (void)num; /* the last one is kept by CPLGetLastErrorMsg; we report it ourselves */
    if (cls >= CE_Failure && !first_failure[0] && msg)
        snprintf(first_failure, sizeof first_failure, "%s", msg);
}

static char *srs_text(OGRSpatialReferenceH srs)
{
    const char *auth = OSRGetAuthorityName(srs, NULL);
    const char *code = OSRGetAuthorityCode(srs, NULL);
    if (auth && code && strcasecmp(auth, "EPSG") == 0) {
        char buf[64];
        snprintf(buf, sizeof buf, "EPSG:%s", code);
        return plat_strdup(buf);
    }
    char *wkt = NULL;
    const char *const opts[] = { "FORMAT=WKT2_2019", NULL };
    if (OSRExportToWktEx(srs, &wkt, opts) != OGRERR_NONE) {
        CPLFree(wkt);
        return NULL;
    }
    char *copy = plat_strdup(wkt);
    CPLFree(wkt);
    return copy;
}

static int is_utf8_name(const char *enc)
{
    return strcasecmp(enc, "UTF-8") == 0 || strcasecmp(enc, "UTF8") == 0;
}

/* Convert n bytes through cd into *buf (grown as needed, NUL-terminated).
 * @return 0, or -1 when the input holds a sequence that is not valid in the source encoding. */
static int convert(iconv_t cd, const char *in, size_t n, char **buf, size_t *cap)
{
    iconv(cd, NULL, NULL, NULL, NULL); /* a fresh shift state for every string */
    size_t used = 0;
    char *inp = (char *)in;
    size_t left = n;
    for (;;) {
        if (*cap < used + 4 * left + 16) {
            size_t want = used + 4 * left + 64;
            char *b = realloc(*buf, want);
            if (!b)
                return -2;
            *buf = b;
            *cap = want;
        }
        char *outp = *buf + used;
        size_t room = *cap - used - 1;
        size_t r = iconv(cd, &inp, &left, &outp, &room);
        used = (size_t)(outp - *buf);
        if (r != (size_t)-1)
            break;
        if (errno != E2BIG)
            return -1; /* EILSEQ: not in the encoding; EINVAL: a truncated sequence */
    }
    (*buf)[used] = '\0';
    return 0;
}

/* A copy of s in encoding `enc` (from UTF-8), for matching raw bytes; NULL when it cannot be
 * written in that encoding. Free with free(). */
static char *encode_to(const char *enc, const char *s)
{
    iconv_t cd = iconv_open(enc, "UTF-8");
    if (cd == (iconv_t)-1)
        return NULL;
    char *buf = NULL;
    size_t cap = 0;
    if (convert(cd, s, strlen(s), &buf, &cap) < 0) {
        free(buf);
        buf = NULL;
    }
    iconv_close(cd);
    return buf;
}

/* A readable UTF-8 stand-in for bytes that are not UTF-8 (\xNN for each byte above 0x7f). */
static char *escaped(const char *s)
{
    plat_buf b = PLAT_BUF_INIT;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x80)
            plat_buf_add(&b, (const char *)p, 1);
        else
            plat_buf_printf(&b, "\\x%02x", *p);
    return plat_buf_detach(&b);
}

/* The UTF-8 form of a name from the file (a field or layer name); *bad set when it is not
 * valid text and comes back escaped. */
static char *utf8_name(plat_ogr_source *src, const char *raw, int *bad)
{
    if (src->dec != (iconv_t)-1) {
        char *buf = NULL;
        size_t cap = 0;
        if (convert(src->dec, raw, strlen(raw), &buf, &cap) == 0)
            return buf;
        free(buf);
    } else if (plat_utf8_valid(raw, strlen(raw))) {
        return plat_strdup(raw);
    }
    *bad = 1;
    return escaped(raw);
}

/* GDAL's last error message as one line of UTF-8, for our messages (new string, free()).
 * Its messages may span lines (the OGR SQL parser adds the expression and a caret line under
 * it) and quote the file's raw bytes, which under --encoding are not UTF-8. */
static char *gdal_why(plat_ogr_source *src)
{
    static const char caret_intro[] = " Occurred around :";
    const char *msg = CPLGetLastErrorMsg();
    size_t n = strcspn(msg, "\r\n");
    size_t k = sizeof caret_intro - 1;
    if (n >= k && strncmp(msg + n - k, caret_intro, k) == 0)
        n -= k;
    char *line = malloc(n + 1);
    if (!line)
        return NULL;
    memcpy(line, msg, n);
    line[n] = '\0';
    int bad = 0;
    char *text = utf8_name(src, line, &bad);
    free(line);
    return text;
}

static void free_names(plat_ogr_source *src)
{
    for (int i = 0; i < src->nnames; i++)
        free(src->names[i]);
    free(src->names);
    free(src->geom_cols);
    src->names = NULL;
    src->geom_cols = NULL;
    src->nnames = 0;
}

/* Is name one of the comma-separated names in list (case-insensitive, as GDAL's CSV driver)? */
static int in_list(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = list; *p;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == n && strncasecmp(p, name, n) == 0)
            return 1;
        p += len + (e ? 1 : 0);
    }
    return 0;
}

/* The CSV columns GDAL takes the geometry from: the first WKT column, the first X and Y. */
static int find_geom_cols(plat_ctx *ctx, plat_ogr_source *src)
{
    src->wkt_col = src->x_col = src->y_col = -1;
    if (strcmp(src->driver, "CSV") != 0 || src->nnames == 0)
        return 0;
    const plat_import_options *o = src->opts;
    const char *wkt = o && o->wkt_field ? o->wkt_field : CSV_GEOM_NAMES;
    const char *x = o && o->x_field ? o->x_field : CSV_X_NAMES;
    const char *y = o && o->y_field ? o->y_field : CSV_Y_NAMES;
    if (!(src->geom_cols = calloc((size_t)src->nnames, 1)))
        return plat_error_set(ctx, PLAT_ENOMEM, "out of memory");
    for (int i = 0; i < src->nnames; i++) {
        int *col = in_list(wkt, src->names[i]) ? &src->wkt_col
                 : in_list(x, src->names[i])   ? &src->x_col
                 : in_list(y, src->names[i])   ? &src->y_col
                                               : NULL;
        if (col && *col < 0) {
            *col = i;
            src->geom_cols[i] = 1;
        }
    }
    if (src->x_col < 0 || src->y_col < 0) { /* GDAL takes X/Y only as a pair */
        if (src->x_col >= 0)
            src->geom_cols[src->x_col] = 0;
        if (src->y_col >= 0)
            src->geom_cols[src->y_col] = 0;
        src->x_col = src->y_col = -1;
    }
    return 0;
}

/* Make layers[i] the one being read. @return 0 or PLAT_ENOMEM. */
static int select_layer(plat_ctx *ctx, plat_ogr_source *src, int i)
{
    src->cur = i;
    src->layer = src->layers[i];
    src->defn = OGR_L_GetLayerDefn(src->layer);
    free_names(src);
    src->bad_names = 0;
    int n = OGR_FD_GetFieldCount(src->defn);
    if (n > 0 && !(src->names = calloc((size_t)n, sizeof(*src->names))))
        return plat_error_set(ctx, PLAT_ENOMEM, "out of memory");
    for (int k = 0; k < n; k++) {
        if (!(src->names[k] = utf8_name(src, OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(src->defn, k)), &src->bad_names)))
            return plat_error_set(ctx, PLAT_ENOMEM, "out of memory");
        src->nnames = k + 1;
    }
    if (find_geom_cols(ctx, src) < 0)
        return PLAT_ENOMEM;
    free(src->where);
    src->where = NULL;
    if (src->multi) {
        int bad = 0;
        char *lname = utf8_name(src, OGR_L_GetName(src->layer), &bad);
        plat_buf b = PLAT_BUF_INIT;
        plat_buf_printf(&b, "%s (layer %s)", src->path, lname ? lname : "?");
        free(lname);
        src->where = plat_buf_detach(&b);
    } else {
        src->where = plat_strdup(src->path);
    }
    OGR_L_ResetReading(src->layer);
    return src->where ? 0 : plat_error_set(ctx, PLAT_ENOMEM, "out of memory");
}

static int add_layer(plat_ogr_source *src, OGRLayerH l)
{
    OGRLayerH *ls = realloc(src->layers, (size_t)(src->nlayers + 1) * sizeof(*ls));
    if (!ls)
        return PLAT_ENOMEM;
    src->layers = ls;
    src->layers[src->nlayers++] = l;
    return 0;
}

static char *layer_names(GDALDatasetH ds)
{
    plat_buf names = PLAT_BUF_INIT;
    for (int i = 0; i < GDALDatasetGetLayerCount(ds); i++)
        plat_buf_printf(&names, "%s%s", i ? ", " : "", OGR_L_GetName(GDALDatasetGetLayer(ds, i)));
    return plat_buf_detach(&names);
}

/* Which layers to read: the one asked for, every KML folder, a GPX's tracks and routes (its
 * waypoints when it has nothing else), or the first layer of anything else. */
static int pick_layers(plat_ctx *ctx, plat_ogr_source *src, const plat_import_options *opts)
{
    GDALDatasetH ds = src->ds;
    int n = GDALDatasetGetLayerCount(ds);
    src->multi = n > 1;
    if (opts && opts->layer) {
        OGRLayerH l = GDALDatasetGetLayerByName(ds, opts->layer);
        if (!l) {
            char *names = layer_names(ds);
            plat_error_set(ctx, PLAT_ENOTFOUND, "%s: has no layer '%s'; its layers: %s", src->path, opts->layer,
                           names);
            free(names);
            return plat_error_locate(ctx, src->path, -1);
        }
        return add_layer(src, l) < 0 ? plat_error_set(ctx, PLAT_ENOMEM, "out of memory") : 0;
    }
    if (strcmp(src->driver, "LIBKML") == 0 || strcmp(src->driver, "KML") == 0) {
        for (int i = 0; i < n; i++)
            if (add_layer(src, GDALDatasetGetLayer(ds, i)) < 0)
                return plat_error_set(ctx, PLAT_ENOMEM, "out of memory");
    } else if (strcmp(src->driver, "GPX") == 0) {
        static const char *const wanted[] = { "tracks", "routes", NULL };
        for (int k = 0; wanted[k]; k++) {
            OGRLayerH l = GDALDatasetGetLayerByName(ds, wanted[k]);
            if (l && OGR_L_GetFeatureCount(l, 1) > 0 && add_layer(src, l) < 0)
                return plat_error_set(ctx, PLAT_ENOMEM, "out of memory");
        }
        OGRLayerH w = GDALDatasetGetLayerByName(ds, "waypoints");
        if (src->nlayers == 0 && w && OGR_L_GetFeatureCount(w, 1) > 0) {
            plat_warn(ctx, "%s: has no tracks or routes; reading its waypoints", src->path);
            if (add_layer(src, w) < 0)
                return plat_error_set(ctx, PLAT_ENOMEM, "out of memory");
        }
        if (src->nlayers == 0) {
            plat_error_set(ctx, PLAT_EINVALID, "%s: has no tracks, routes or waypoints", src->path);
            return plat_error_locate(ctx, src->path, -1);
        }
    } else if (n > 0) {
        if (add_layer(src, GDALDatasetGetLayer(ds, 0)) < 0)
            return plat_error_set(ctx, PLAT_ENOMEM, "out of memory");
        if (n > 1) {
            char *names = layer_names(ds);
            plat_warn(ctx, "%s: has %d layers (%s); reading '%s', pick another with --layer", src->path, n, names,
                      OGR_L_GetName(src->layers[0]));
            free(names);
        }
    }
    if (src->nlayers == 0) {
        plat_error_set(ctx, PLAT_EINVALID, "%s: has no vector layer", src->path);
        return plat_error_locate(ctx, src->path, -1);
    }
    return 0;
}

static int has_geometry_column(OGRLayerH l)
{
    return OGR_FD_GetGeomFieldCount(OGR_L_GetLayerDefn(l)) > 0;
}

/* The extent of every layer to read; 0 when there is none (no geometry). */
static int full_extent(plat_ogr_source *src, OGREnvelope *env)
{
    int got = 0;
    for (int i = 0; i < src->nlayers; i++) {
        OGREnvelope e;
        if (!has_geometry_column(src->layers[i]) || OGR_L_GetExtent(src->layers[i], &e, 1) != OGRERR_NONE)
            continue;
        if (!got) {
            *env = e;
        } else {
            env->MinX = e.MinX < env->MinX ? e.MinX : env->MinX;
            env->MinY = e.MinY < env->MinY ? e.MinY : env->MinY;
            env->MaxX = e.MaxX > env->MaxX ? e.MaxX : env->MaxX;
            env->MaxY = e.MaxY > env->MaxY ? e.MaxY : env->MaxY;
        }
        got = 1;
    }
    return got;
}

static int find_srs(plat_ctx *ctx, plat_ogr_source *src, const plat_import_options *opts)
{
    if (opts && opts->s_srs) {
        src->srs = plat_strdup(opts->s_srs);
        return 0;
    }
    size_t n = strlen(src->path);
    if (n > 6 && (strcasecmp(src->path + n - 6, ".ovkml") == 0 || strcasecmp(src->path + n - 6, ".ovkmz") == 0)) {
        /* 奥维互动地图 9.3 and later export KML only as .ovkml/.ovkmz, offset to GCJ-02, while the
         * file still claims WGS 84 (DOMAIN.md 2.4). */
        src->srs = plat_strdup("GCJ02");
        src->assumed_srs = 1;
        plat_warn(ctx,
                  "%s: an 奥维 .ovkml/.ovkmz export is offset to GCJ-02: taken as --s-srs GCJ02 (say --s-srs "
                  "EPSG:4326 if this one is not)",
                  src->path);
        return 0;
    }
    int any_geometry = 0;
    for (int i = 0; i < src->nlayers && !src->srs; i++) {
        if (!has_geometry_column(src->layers[i]))
            continue;
        any_geometry = 1;
        OGRSpatialReferenceH srs = OGR_L_GetSpatialRef(src->layers[i]);
        if (srs)
            src->srs = srs_text(srs);
    }
    if (src->srs || !any_geometry)
        return 0;
    OGREnvelope env;
    int got = full_extent(src, &env);
    if (!got) {
        GIntBig features = 0;
        for (int i = 0; i < src->nlayers; i++)
            features += OGR_L_GetFeatureCount(src->layers[i], 1);
        if (features == 0) { /* a header and nothing else: the CRS is not what is missing */
            plat_error_set(ctx, PLAT_EINVALID, "%s: has no features", src->path);
            return plat_error_locate(ctx, src->path, -1);
        }
    }
    if (got && strcmp(src->driver, "CSV") == 0 && plat_import__in_china(env.MinX, env.MinY) &&
        plat_import__in_china(env.MaxX, env.MaxY)) {
        /* A sheet of longitude/latitude columns: plainly degrees, and inside China. */
        src->srs = plat_strdup("EPSG:4490");
        src->assumed_srs = 1;
        plat_warn(ctx,
                  "%s: has no CRS; its coordinates are longitude/latitude inside China, taken as CGCS2000 "
                  "(EPSG:4490). If they were picked on AMap/Tencent say --s-srs GCJ02, on Baidu --s-srs BD09",
                  src->path);
        return 0;
    }
    char hint[256] = "";
    if (got)
        plat_import__crs_hint(hint, sizeof hint, env.MinX, env.MinY, 0);
    char prj[4096];
    struct stat sb;
    snprintf(prj, sizeof prj, "%.*s.prj", (int)(n > 4 ? n - 4 : n), src->path);
    int has_prj = strcmp(src->driver, "ESRI Shapefile") == 0 && stat(prj, &sb) == 0;
    plat_error_set(ctx, PLAT_EINVALID,
                   "%s: has no coordinate reference system (%s): say which with --s-srs, e.g. --s-srs "
                   "EPSG:4490 for CGCS2000 longitude/latitude or EPSG:4547 for Gauss-Kruger CM 114E%s%s",
                   src->path, has_prj ? "its .prj is not one GDAL can read" : "no .prj?", *hint ? "; " : "", hint);
    return plat_error_locate(ctx, src->path, -1);
}

/* The CSV driver's geometry options, names encoded like the file's header. */
static char **csv_options(char **oo, const plat_import_options *opts, const char *enc)
{
    const char *wkt = opts && opts->wkt_field ? opts->wkt_field : CSV_GEOM_NAMES;
    const char *x = opts && opts->x_field ? opts->x_field : CSV_X_NAMES;
    const char *y = opts && opts->y_field ? opts->y_field : CSV_Y_NAMES;
    char *ex = enc ? encode_to(enc, x) : NULL, *ey = enc ? encode_to(enc, y) : NULL;
    char *ew = enc ? encode_to(enc, wkt) : NULL;
    oo = CSLSetNameValue(oo, "GEOM_POSSIBLE_NAMES", ew ? ew : wkt);
    oo = CSLSetNameValue(oo, "X_POSSIBLE_NAMES", ex ? ex : x);
    oo = CSLSetNameValue(oo, "Y_POSSIBLE_NAMES", ey ? ey : y);
    oo = CSLSetNameValue(oo, "KEEP_GEOM_COLUMNS", "YES"); /* geom_cols: shown in errors, kept out of attrs */
    free(ex);
    free(ey);
    free(ew);
    return oo;
}

/* Refuse a sheet where two columns could hold the same coordinate ("lng" and "x", or "经度"
 * twice): which one is meant is a guess, and GDAL's CSV reader (3.6) crashes on some of them
 * when it is told to drop the coordinate columns (KEEP_GEOM_COLUMNS=NO). The header is read
 * with a plain open, names decoded like the file's. */
static int csv_check_coordinate_columns(plat_ctx *ctx, plat_ogr_source *src, const plat_import_options *opts)
{
    const char *const allowed[] = { "CSV", NULL };
    GDALDatasetH ds = GDALOpenEx(src->path, GDAL_OF_VECTOR | GDAL_OF_READONLY, allowed, NULL, NULL);
    OGRLayerH l = ds && GDALDatasetGetLayerCount(ds) > 0 ? GDALDatasetGetLayer(ds, 0) : NULL;
    OGRFeatureDefnH defn = l ? OGR_L_GetLayerDefn(l) : NULL;
    int rc = 0;
    for (int axis = 0; defn && axis < 2 && rc == 0; axis++) {
        const char *given = axis == 0 ? (opts ? opts->x_field : NULL) : (opts ? opts->y_field : NULL);
        const char *list = given ? given : axis == 0 ? CSV_X_NAMES : CSV_Y_NAMES;
        char *first = NULL;
        for (int i = 0; i < OGR_FD_GetFieldCount(defn) && rc == 0; i++) {
            int bad = 0;
            char *name = utf8_name(src, OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i)), &bad);
            if (name && (given ? strcasecmp(name, given) == 0 : in_list(list, name))) {
                if (!first) {
                    first = name;
                    name = NULL;
                } else {
                    plat_error_set(ctx, PLAT_EINVALID,
                                   "%s: columns '%s' and '%s' could both hold the %s: %s", src->path, first, name,
                                   axis == 0 ? "longitude (x)" : "latitude (y)",
                                   given ? "rename one of them"
                                         : "name the ones to use with --x-field and --y-field");
                    rc = plat_error_locate(ctx, src->path, -1);
                }
            }
            free(name);
        }
        free(first);
    }
    if (ds)
        GDALClose(ds);
    return rc;
}

static int set_filter(plat_ctx *ctx, plat_ogr_source *src, const char *where)
{
    char *raw = src->encoding ? encode_to(src->encoding, where) : NULL;
    if (src->encoding && !raw) {
        plat_error_set(ctx, PLAT_EINVALID, "--where cannot be written in %s", src->encoding);
        return plat_error_locate(ctx, src->path, -1);
    }
    int rc = 0;
    for (int i = 0; i < src->nlayers && rc == 0; i++) {
        CPLErrorReset();
        if (OGR_L_SetAttributeFilter(src->layers[i], raw ? raw : where) != OGRERR_NONE) {
            char *why = gdal_why(src);
            plat_error_set(ctx, PLAT_EUSAGE, "--where \"%s\" is not an attribute filter OGR understands%s%s", where,
                           why && *why ? ": " : "", why ? why : "");
            free(why);
            rc = plat_error_locate(ctx, src->path, -1);
        }
    }
    free(raw);
    return rc;
}

int plat_ogr__open(plat_ctx *ctx, plat_ogr_source **out, const char *path, const plat_import_options *opts)
{
    *out = NULL;
    GDALAllRegister();
    CPLSetErrorHandler(quiet_handler);
    CPLErrorReset();
    first_failure[0] = '\0';
    FILE *probe = fopen(path, "rb");
    if (!probe) {
        plat_error_set(ctx, PLAT_ENOTFOUND, "%s: no such file", path);
        return plat_error_locate(ctx, path, -1);
    }
    fclose(probe);
    plat_ogr_source *src = calloc(1, sizeof(*src));
    if (!src)
        return plat_error_set(ctx, PLAT_ENOMEM, "out of memory");
    src->path = path;
    src->opts = opts;
    src->last_fid = -1;
    src->dec = (iconv_t)-1;
    src->count = -1;
    int rc = 0;
    char **oo = NULL;
    const char *enc = opts ? opts->encoding : NULL;
    GDALDriverH drv = GDALIdentifyDriverEx(path, GDAL_OF_VECTOR, NULL, NULL);
    src->driver = drv ? GDALGetDriverShortName(drv) : "";
    int own_decoding = strcmp(src->driver, "ESRI Shapefile") == 0 || strcmp(src->driver, "CSV") == 0;
    if (enc && !is_utf8_name(enc) && own_decoding) {
        if ((src->dec = iconv_open("UTF-8", enc)) == (iconv_t)-1) {
            rc = plat_error_set(ctx, PLAT_EUSAGE, "unknown encoding '%s' (try GBK, GB18030, BIG5 or UTF-8)", enc);
            goto done;
        }
        src->encoding = plat_strdup(enc);
    } else if (enc && !own_decoding && strcmp(src->driver, "DXF") != 0 && !is_utf8_name(enc)) {
        plat_warn(ctx, "%s: --encoding does not apply to %s files, whose text is UTF-8; ignored", path,
                  *src->driver ? src->driver : "these");
    }
    if (strcmp(src->driver, "ESRI Shapefile") == 0 && enc)
        oo = CSLSetNameValue(oo, "ENCODING", ""); /* raw bytes: checked or decoded here */
    if (strcmp(src->driver, "CSV") == 0) {
        if ((rc = csv_check_coordinate_columns(ctx, src, opts)) < 0)
            goto done;
        oo = csv_options(oo, opts, src->encoding);
    }
    /* Drivers read these config options while the dataset opens and later (LIBKML builds a
     * folder's schema when it is first read): they stay set while the source is open, and the
     * caller's values come back on close. */
    src->old_launder = plat_strdup(CPLGetThreadLocalConfigOption("LIBKML_LAUNDER_FIELD_NAMES", NULL));
    src->old_dxf = plat_strdup(CPLGetThreadLocalConfigOption("DXF_ENCODING", NULL));
    src->config_set = 1;
    CPLSetThreadLocalConfigOption("LIBKML_LAUNDER_FIELD_NAMES", "NO"); /* keep ExtendedData names like 编号 */
    if (enc && strcmp(src->driver, "DXF") == 0)
        CPLSetThreadLocalConfigOption("DXF_ENCODING", enc);
    const char *const allowed[] = { src->driver, NULL };
    src->ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, drv ? allowed : NULL, (const char *const *)oo, NULL);
    CSLDestroy(oo);
    if (!src->ds) {
        char *why = gdal_why(src); /* one line, in UTF-8 */
        struct stat sb;
        if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
            rc = plat_error_set(ctx, PLAT_EINVALID, "%s: is a folder GDAL does not read as vector data (as it reads "
                                                    "a .gdb, or a folder of Shapefiles): give the file itself", path);
            free(why);
            goto done;
        }
        const char *msg = why ? why : "";
        int two = first_failure[0] && strcmp(first_failure, msg) != 0;
        rc = plat_error_set(ctx, PLAT_EINVALID, "%s: not a vector file GDAL can read%s%s%s%s%s", path,
                            *msg || two ? ": " : "", two ? first_failure : "", two && *msg ? " (" : "", msg,
                            two && *msg ? ")" : "");
        free(why);
        goto done;
    }
    if ((rc = pick_layers(ctx, src, opts)) < 0)
        goto done;
    if (opts && opts->where && (rc = set_filter(ctx, src, opts->where)) < 0)
        goto done;
    if ((rc = find_srs(ctx, src, opts)) < 0)
        goto done;
    /* Counting may cost a pass over the file; only a progress bar needs it. */
    int force = opts && opts->progress;
    src->count = 0;
    for (int i = 0; i < src->nlayers && src->count >= 0; i++) {
        GIntBig c = OGR_L_GetFeatureCount(src->layers[i], force);
        src->count = c < 0 ? -1 : src->count + c;
    }
    rc = select_layer(ctx, src, 0);
done:
    if (rc < 0) {
        if (!plat_error_last(ctx)->file[0])
            plat_error_locate(ctx, path, -1);
        plat_ogr__close(src);
        return rc;
    }
    *out = src;
    return 0;
}

void plat_ogr__close(plat_ogr_source *src)
{
    if (!src)
        return;
    if (src->ds)
        GDALClose(src->ds);
    if (src->raw_ds)
        GDALClose(src->raw_ds);
    free(src->pending);
    if (src->config_set) {
        CPLSetThreadLocalConfigOption("LIBKML_LAUNDER_FIELD_NAMES", src->old_launder);
        CPLSetThreadLocalConfigOption("DXF_ENCODING", src->old_dxf);
    }
    free(src->old_launder);
    free(src->old_dxf);
    if (src->dec != (iconv_t)-1)
        iconv_close(src->dec);
    free_names(src);
    free(src->layers);
    free(src->where);
    free(src->encoding);
    free(src->srs);
    free(src->tbuf);
    free(src);
}

int plat_ogr__rewind(plat_ctx *ctx, plat_ogr_source *src)
{
    for (int i = 0; i < src->nlayers; i++)
        OGR_L_ResetReading(src->layers[i]);
    free(src->pending);
    src->pending = NULL;
    src->last_fid = -1;
    return select_layer(ctx, src, 0);
}

int plat_ogr__next(plat_ctx *ctx, plat_ogr_source *src, OGRFeatureH *f)
{
    *f = NULL;
    for (;;) {
        CPLErrorReset();
        OGRFeatureH g = OGR_L_GetNextFeature(src->layer);
        if (CPLGetLastErrorType() == CE_Failure && !src->pending)
            src->pending = plat_strdup(CPLGetLastErrorMsg());
        if (g && src->pending && !OGR_F_GetGeometryRef(g)) {
            /* The driver failed to read part of the file (a record cut off in a truncated .shp,
             * coordinates written as strings in a GeoJSON) and hands over what it could: a
             * feature without its geometry, which must not pass for one the file left empty.
             * Drivers that parse ahead report the failure a few features early, so it is
             * pinned on the first feature that came without a geometry since. */
            int rc = plat_ogr__check_no_geom(ctx, src, g);
            if (rc >= 0) {
                plat_error_set(ctx, PLAT_EINVALID, "cannot read this feature's geometry: %s", src->pending);
                rc = plat_ogr__locate(ctx, src, OGR_F_GetFID(g));
            }
            OGR_F_Destroy(g);
            return rc;
        }
        if (g) {
            src->last_fid = OGR_F_GetFID(g);
            *f = g;
            return 1;
        }
        /* NULL is both "no more" and "cannot read on": GDAL's error state tells them apart, and
         * a file that breaks off halfway must fail the import, not end it early. A failure no
         * feature accounted for ends up here too: the file cannot be trusted. */
        if (src->pending) {
            if (src->last_fid >= 0)
                plat_error_set(ctx, PLAT_EINVALID, "cannot read past feature %lld: %s", (long long)src->last_fid,
                               src->pending);
            else
                plat_error_set(ctx, PLAT_EINVALID, "cannot read its features: %s", src->pending);
            return plat_ogr__locate(ctx, src, -1);
        }
        if (src->cur + 1 >= src->nlayers)
            return 0;
        int rc = select_layer(ctx, src, src->cur + 1);
        if (rc < 0)
            return rc;
    }
}

int plat_ogr__field(plat_ctx *ctx, plat_ogr_source *src, const char *given, const char *const *candidates,
                    const char *what, int *index)
{
    *index = -1;
    if (given) {
        for (int i = 0; i < src->nnames; i++)
            if (strcmp(src->names[i], given) == 0)
                return *index = i, 0;
        plat_buf names = PLAT_BUF_INIT;
        for (int i = 0; i < src->nnames; i++)
            plat_buf_printf(&names, "%s%s", i ? ", " : "", src->names[i]);
        plat_error_set(ctx, PLAT_EINVALID, "has no field '%s' for the %s; its fields: %s", given, what,
                       plat_buf_cstr(&names));
        plat_buf_dispose(&names);
        return plat_ogr__locate(ctx, src, -1);
    }
    for (int k = 0; candidates && candidates[k]; k++)
        for (int i = 0; i < src->nnames; i++)
            if (strcasecmp(src->names[i], candidates[k]) == 0)
                return *index = i, 0;
    return 0;
}

static int keep_text(plat_ctx *ctx, plat_ogr_source *src, const char *s, size_t n)
{
    if (src->tcap < n + 1) {
        char *b = realloc(src->tbuf, n + 64);
        if (!b)
            return plat_error_set(ctx, PLAT_ENOMEM, "out of memory");
        src->tbuf = b;
        src->tcap = n + 64;
    }
    memmove(src->tbuf, s, n);
    src->tbuf[n] = '\0';
    return 0;
}

int plat_ogr__text(plat_ctx *ctx, plat_ogr_source *src, OGRFeatureH f, int i, const char **out)
{
    *out = NULL;
    if (i < 0 || !OGR_F_IsFieldSetAndNotNull(f, i))
        return 0;
    const char *s = OGR_F_GetFieldAsString(f, i);
    if (src->dec != (iconv_t)-1) {
        int r = convert(src->dec, s, strlen(s), &src->tbuf, &src->tcap);
        if (r == -2)
            return plat_error_set(ctx, PLAT_ENOMEM, "out of memory");
        if (r < 0) {
            plat_error_set(ctx, PLAT_EINVALID,
                           "field '%s' holds bytes that are not valid %s text; check the file's encoding "
                           "(--encoding GB18030 covers all of GBK and more, --encoding UTF-8 for Unicode)",
                           src->names[i], src->encoding);
            return plat_ogr__locate(ctx, src, OGR_F_GetFID(f));
        }
        s = src->tbuf;
    } else if (!plat_utf8_valid(s, strlen(s))) {
        plat_error_set(ctx, PLAT_EINVALID,
                       "field '%s' is not valid UTF-8 text; if the file is GBK-encoded say so with --encoding GBK",
                       src->names[i]);
        return plat_ogr__locate(ctx, src, OGR_F_GetFID(f));
    }
    /* Leading and trailing blanks are padding (DBF) or typing noise, never meaning. */
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        n--;
    if (!n)
        return 0;
    int rc = keep_text(ctx, src, s, n);
    if (rc < 0)
        return rc;
    *out = src->tbuf;
    return 0;
}

int plat_ogr__geom(plat_ctx *ctx, OGRFeatureH f, GEOSGeometry **out, int *zm)
{
    *out = NULL;
    if (zm)
        *zm = 0;
    OGRGeometryH g = OGR_F_GetGeometryRef(f);
    if (!g || OGR_G_IsEmpty(g))
        return 0;
    if (zm)
        *zm = OGR_G_Is3D(g) || OGR_G_IsMeasured(g);
    /* Curves (CAD arcs, GML) become line segments before GEOS sees them. */
    OGRGeometryH lin = OGR_G_HasCurveGeometry(g, 1) ? OGR_G_GetLinearGeometry(g, 0, NULL) : NULL;
    OGRGeometryH use = lin ? lin : g;
    int size = OGR_G_WkbSize(use);
    unsigned char *wkb = malloc((size_t)size);
    int rc = 0;
    if (!wkb)
        rc = plat_error_set(ctx, PLAT_ENOMEM, "out of memory");
    else if (OGR_G_ExportToIsoWkb(use, wkbNDR, wkb) != OGRERR_NONE)
        rc = plat_error_set(ctx, PLAT_EINVALID, "geometry cannot be written as WKB");
    else
        rc = plat_geom_from_wkb(ctx, out, wkb, (size_t)size);
    free(wkb);
    if (lin)
        OGR_G_DestroyGeometry(lin);
    return rc;
}

/* The text of column i of the CSV row fid as written (NULL when blank), read through a second,
 * plain handle on the file: GDAL leaves a coordinate column unset when its text is not a number
 * (东经, nan, inf), so the first handle no longer has it. The CSV driver reads forward to fid
 * from where it stands, so asking in increasing order costs one pass in all. Valid until the
 * next call on src. */
static int raw_text(plat_ctx *ctx, plat_ogr_source *src, int64_t fid, int i, const char **out)
{
    *out = NULL;
    if (!src->raw_ds) {
        const char *const allowed[] = { "CSV", NULL };
        if (!(src->raw_ds = GDALOpenEx(src->path, GDAL_OF_VECTOR | GDAL_OF_READONLY, allowed, NULL, NULL)))
            return 0;
    }
    OGRLayerH l = GDALDatasetGetLayer(src->raw_ds, 0);
    int k = l ? OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(l), OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(src->defn, i)))
              : -1;
    OGRFeatureH f = k >= 0 ? OGR_L_GetFeature(l, fid) : NULL;
    if (!f)
        return 0;
    const char *s = OGR_F_GetFieldAsString(f, k);
    while (*s == ' ' || *s == '\t')
        s++;
    int rc = 0;
    if (*s) {
        char *e = plat_utf8_valid(s, strlen(s)) ? NULL : escaped(s);
        rc = keep_text(ctx, src, e ? e : s, strlen(e ? e : s));
        free(e);
        if (rc >= 0)
            *out = src->tbuf;
    }
    OGR_F_Destroy(f);
    return rc;
}

int plat_ogr__check_no_geom(plat_ctx *ctx, plat_ogr_source *src, OGRFeatureH f)
{
    int rc = 0;
    const char *text = NULL;
    int64_t fid = OGR_F_GetFID(f);
    if (src->wkt_col >= 0 && (rc = plat_ogr__text(ctx, src, f, src->wkt_col, &text)) >= 0 && text) {
        plat_error_set(ctx, PLAT_EINVALID, "column '%s' holds '%.80s', which is not a geometry (WKT) OGR can read",
                       src->names[src->wkt_col], text);
        return plat_ogr__locate(ctx, src, fid);
    }
    if (rc < 0)
        return rc;
    const int cols[2] = { src->x_col, src->y_col };
    for (int c = 0; c < 2 && src->x_col >= 0; c++) {
        if (OGR_F_IsFieldSetAndNotNull(f, cols[c]))
            continue;
        if ((rc = raw_text(ctx, src, fid, cols[c], &text)) < 0)
            return rc;
        if (text)
            plat_error_set(ctx, PLAT_EINVALID, "column '%s' holds '%.40s', which is not a coordinate (a finite number)",
                           src->names[cols[c]], text);
        else if (OGR_F_IsFieldSetAndNotNull(f, cols[1 - c]))
            plat_error_set(ctx, PLAT_EINVALID, "column '%s' is empty, while '%s' holds a coordinate",
                           src->names[cols[c]], src->names[cols[1 - c]]);
        if (text || OGR_F_IsFieldSetAndNotNull(f, cols[1 - c]))
            return plat_ogr__locate(ctx, src, fid);
    }
    return 0;
}

int plat_ogr__locate(plat_ctx *ctx, plat_ogr_source *src, int64_t fid)
{
    return plat_error_locate(ctx, src->where ? src->where : src->path, fid);
}
