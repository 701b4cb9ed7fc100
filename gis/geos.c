/* gis/geos.c - the GEOS handle of a context and the small geometry helpers everything else
 * uses: reading WKT/GeoJSON/WKB, writing WKB/WKT, repairing, checking coordinates.
 *
 * Each plat_ctx owns at most one GEOSContextHandle_t, made on first use by plat_gis_geos()
 * and kept in the context's PLAT_SLOT_GEOS slot inside a `geos_slot`, which also keeps the
 * readers and writers we reuse (a store reads thousands of WKB blobs; making a reader per blob
 * is wasted work) and the last message GEOS reported. The slot is freed with the context:
 * readers and writers first, then GEOS_finish_r. Since a context belongs to one thread, so
 * do its GEOS handle and its readers.
 *
 * GEOS reports errors through a message handler, not a return value. Ours copies the message
 * (made one line) into the slot and records it on the context as PLAT_EINTERNAL; the caller
 * that knows what it was doing then replaces it with plat_gis__geos_err(), e.g.
 * "cannot read geometry: ParseException: ...". Notices (GEOSisValid_r emits one for every
 * invalid geometry) are kept in the slot only: they are not failures.
 *
 * Ownership: every GEOSGeometry handed out is the caller's (GEOSGeom_destroy_r); WKB and WKT
 * text handed out is copied into plat-allocated memory (plat_free), GEOS's own buffers are
 * released here with GEOSFree_r. */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "plat/util.h"
#include "gis_int.h"

typedef struct geos_slot {
    GEOSContextHandle_t h;
    plat_ctx *ctx;
    GEOSWKTReader *wkt_reader; /* made on first use, like the three below */
    GEOSGeoJSONReader *json_reader;
    GEOSWKBReader *wkb_reader;
    GEOSWKBWriter *wkb_writer; /* 2D, ISO flavour */
    char msg[384];             /* last GEOS error, one line */
    char notice[384];          /* last GEOS notice */
} geos_slot;

/* Copy a GEOS message into dst as one line: GEOS (and the JSON parser inside it) may put
 * newlines in messages, and plat's error messages are one line by contract. */
static void one_line(char *dst, size_t n, const char *src)
{
    size_t i = 0, j = 0;
    for (; src && src[i] && j + 1 < n; i++) {
        char c = src[i];
        if (c == '\n' || c == '\r' || c == '\t')
            c = ' ';
        if (c == ' ' && (j == 0 || dst[j - 1] == ' '))
            continue;
        dst[j++] = c;
    }
    if (src && ((unsigned char)src[i] & 0xC0) == 0x80) { /* cut inside a character: drop its start */
        while (j > 0 && ((unsigned char)dst[j - 1] & 0xC0) == 0x80)
            j--;
        if (j > 0)
            j--;
    }
    while (j > 0 && dst[j - 1] == ' ')
        j--;
    dst[j] = '\0';
}

static void on_geos_error(const char *message, void *ud)
{
    geos_slot *s = ud;
    one_line(s->msg, sizeof(s->msg), message);
    plat_error_set(s->ctx, PLAT_EINTERNAL, "GEOS: %s", s->msg);
}

static void on_geos_notice(const char *message, void *ud)
{
    geos_slot *s = ud;
    one_line(s->notice, sizeof(s->notice), message);
}

static void slot_free(void *p)
{
    geos_slot *s = p;
    if (s->wkt_reader)
        GEOSWKTReader_destroy_r(s->h, s->wkt_reader);
    if (s->json_reader)
        GEOSGeoJSONReader_destroy_r(s->h, s->json_reader);
    if (s->wkb_reader)
        GEOSWKBReader_destroy_r(s->h, s->wkb_reader);
    if (s->wkb_writer)
        GEOSWKBWriter_destroy_r(s->h, s->wkb_writer);
    GEOS_finish_r(s->h);
    free(s);
}

static geos_slot *get_slot(plat_ctx *ctx)
{
    geos_slot *s = plat_ctx__slot(ctx, PLAT_SLOT_GEOS);
    if (s)
        return s;
    if (!ctx || !(s = calloc(1, sizeof(*s))))
        return NULL;
    if (!(s->h = GEOS_init_r())) {
        free(s);
        return NULL;
    }
    s->ctx = ctx;
    GEOSContext_setErrorMessageHandler_r(s->h, on_geos_error, s);
    GEOSContext_setNoticeMessageHandler_r(s->h, on_geos_notice, s);
    plat_ctx__set_slot(ctx, PLAT_SLOT_GEOS, s, slot_free);
    return s;
}

GEOSContextHandle_t plat_gis_geos(plat_ctx *ctx)
{
    geos_slot *s = get_slot(ctx);
    return s ? s->h : NULL;
}

int plat_gis__geos_err(plat_ctx *ctx, int code, const char *what)
{
    geos_slot *s = plat_ctx__slot(ctx, PLAT_SLOT_GEOS);
    if (s && s->msg[0])
        return plat_error_set(ctx, code, "%s: %s", what, s->msg);
    return plat_error_set(ctx, code, "%s", what);
}

int plat_gis__pred(plat_ctx *ctx, char r, const char *what)
{
    if (r == 0 || r == 1)
        return r;
    return plat_gis__geos_err(ctx, PLAT_EINTERNAL, what);
}

/* Forget the last GEOS message so that the one reported belongs to the call that failed. */
static geos_slot *begin(plat_ctx *ctx)
{
    geos_slot *s = get_slot(ctx);
    if (s)
        s->msg[0] = '\0';
    return s;
}

static int no_memory(plat_ctx *ctx)
{
    return plat_error_set(ctx, PLAT_ENOMEM, "out of memory");
}

/* ---- reading ---- */

/* 1 if the n bytes at a equal the upper-case ASCII word b, ignoring case (no locale). */
static int same_word(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (toupper((unsigned char)a[i]) != (unsigned char)b[i])
            return 0;
    return 1;
}

/* 1 if the GeoJSON text's top-level "type" is "FeatureCollection". A scan, not a parser:
 * GEOS parses the text; this only decides whether to merge the features' geometries. */
static int is_feature_collection(const char *text)
{
    const char *p = text;
    while ((p = strstr(p, "\"FeatureCollection\"")) != NULL) {
        const char *q = p;
        while (q > text && isspace((unsigned char)q[-1]))
            q--;
        if (q > text && q[-1] == ':') {
            q--;
            while (q > text && isspace((unsigned char)q[-1]))
                q--;
            if (q - text >= 6 && strncmp(q - 6, "\"type\"", 6) == 0)
                return 1;
        }
        p++;
    }
    return 0;
}

/* GEOS 3.11's GeoJSON reader dereferences an empty position inside a list of positions: the
 * --geom {"type":"LineString","coordinates":[[],[113.5,28.7]]} crashed plat. So the nesting of
 * every geometry's coordinates is checked first, with json-c; GEOS judges everything else,
 * including text json-c cannot parse (its message says more). 1 when GEOS may read it. */
static int positions_safe(json_object *coords, int depth)
{
    if (!json_object_is_type(coords, json_type_array))
        return 1;
    size_t n = json_object_array_length(coords);
    for (size_t i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(coords, i);
        if (depth == 1 ? json_object_is_type(e, json_type_array) && json_object_array_length(e) == 0
                       : !positions_safe(e, depth - 1))
            return 0;
    }
    return 1;
}

static int geojson_safe(json_object *o)
{
    static const struct {
        const char *type;
        int depth; /* levels of arrays above a position */
    } lists[] = { { "MultiPoint", 1 }, { "LineString", 1 }, { "Polygon", 2 }, { "MultiLineString", 2 },
                  { "MultiPolygon", 3 } };
    json_object *t, *v;
    if (!json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, "type", &t) ||
        !json_object_is_type(t, json_type_string))
        return 1;
    const char *type = json_object_get_string(t);
    for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
        if (strcmp(type, lists[i].type) == 0)
            return !json_object_object_get_ex(o, "coordinates", &v) || positions_safe(v, lists[i].depth);
    const char *inner = strcmp(type, "Feature") == 0             ? "geometry"
                        : strcmp(type, "GeometryCollection") == 0 ? "geometries"
                        : strcmp(type, "FeatureCollection") == 0  ? "features"
                                                                  : NULL;
    if (!inner || !json_object_object_get_ex(o, inner, &v))
        return 1;
    if (!json_object_is_type(v, json_type_array))
        return geojson_safe(v);
    for (size_t i = 0; i < json_object_array_length(v); i++)
        if (!geojson_safe(json_object_array_get_idx(v, i)))
            return 0;
    return 1;
}

/* 1 when GEOS may read the GeoJSON text; 0 with the reason in msg (size n). */
static int geojson_readable(const char *text, char *msg, size_t n)
{
    json_tokener *tok = json_tokener_new_ex(4096); /* as deep as any text GEOS is given */
    if (!tok) {
        snprintf(msg, n, "out of memory");
        return 0;
    }
    json_object *o = json_tokener_parse_ex(tok, text, (int)strlen(text));
    int ok = 1;
    if (!o && json_tokener_get_error(tok) == json_tokener_error_depth) {
        snprintf(msg, n, "the GeoJSON is nested too deeply");
        ok = 0;
    } else if (o && !geojson_safe(o)) {
        snprintf(msg, n, "a coordinate is an empty array; each must be [longitude, latitude]");
        ok = 0;
    }
    json_object_put(o);
    json_tokener_free(tok);
    return ok;
}

static int kind_of_type(int type)
{
    switch (type) {
    case GEOS_POINT:
    case GEOS_MULTIPOINT:
        return PLAT_GEOM_POINT;
    case GEOS_LINESTRING:
    case GEOS_LINEARRING:
    case GEOS_MULTILINESTRING:
        return PLAT_GEOM_LINE;
    case GEOS_POLYGON:
    case GEOS_MULTIPOLYGON:
        return PLAT_GEOM_POLYGON;
    default:
        return 0;
    }
}

/* Count the non-empty single parts (points, lines, polygons) of g, recursively. */
static int count_atoms(GEOSContextHandle_t h, const GEOSGeometry *g)
{
    int type = GEOSGeomTypeId_r(h, g);
    if (type == GEOS_POINT || type == GEOS_LINESTRING || type == GEOS_LINEARRING ||
        type == GEOS_POLYGON)
        return GEOSisEmpty_r(h, g) == 0 ? 1 : 0;
    int n = GEOSGetNumGeometries_r(h, g), c = 0;
    for (int i = 0; i < n; i++)
        c += count_atoms(h, GEOSGetGeometryN_r(h, g, i));
    return c;
}

/* Clone the non-empty single parts of g into parts[*n...]. @return 0 or -1 (no memory). */
static int clone_atoms(GEOSContextHandle_t h, const GEOSGeometry *g, GEOSGeometry **parts, int *n)
{
    int type = GEOSGeomTypeId_r(h, g);
    if (type == GEOS_POINT || type == GEOS_LINESTRING || type == GEOS_LINEARRING ||
        type == GEOS_POLYGON) {
        if (GEOSisEmpty_r(h, g) != 0)
            return 0;
        GEOSGeometry *c;
        if (type == GEOS_LINEARRING) /* a ring on its own is a line to us */
            c = GEOSGeom_createLineString_r(h, GEOSCoordSeq_clone_r(h, GEOSGeom_getCoordSeq_r(h, g)));
        else
            c = GEOSGeom_clone_r(h, g);
        if (!c)
            return -1;
        parts[(*n)++] = c;
        return 0;
    }
    int k = GEOSGetNumGeometries_r(h, g);
    for (int i = 0; i < k; i++)
        if (clone_atoms(h, GEOSGetGeometryN_r(h, g, i), parts, n) < 0)
            return -1;
    return 0;
}

/* The geometries of a FeatureCollection arrive as a GeometryCollection. When every part is of
 * one kind, make it the matching Multi* (what a user drawing "the road" as several features
 * means); mixed kinds stay a GeometryCollection. Replaces *g on success. */
static int homogenize(plat_ctx *ctx, GEOSContextHandle_t h, GEOSGeometry **g)
{
    int kinds = plat_geom_kinds(ctx, *g);
    if (GEOSGeomTypeId_r(h, *g) != GEOS_GEOMETRYCOLLECTION ||
        (kinds != PLAT_GEOM_POINT && kinds != PLAT_GEOM_LINE && kinds != PLAT_GEOM_POLYGON))
        return 0;
    int n = count_atoms(h, *g), k = 0;
    GEOSGeometry **parts = calloc((size_t)n, sizeof(*parts));
    if (!parts)
        return no_memory(ctx);
    int type = kinds == PLAT_GEOM_POINT  ? GEOS_MULTIPOINT
               : kinds == PLAT_GEOM_LINE ? GEOS_MULTILINESTRING
                                         : GEOS_MULTIPOLYGON;
    GEOSGeometry *multi = NULL;
    if (clone_atoms(h, *g, parts, &k) == 0)
        multi = GEOSGeom_createCollection_r(h, type, parts, (unsigned)k);
    if (!multi) {
        for (int i = 0; i < k; i++)
            GEOSGeom_destroy_r(h, parts[i]);
        free(parts);
        return plat_gis__geos_err(ctx, PLAT_EINTERNAL, "cannot collect the features' geometries");
    }
    free(parts); /* the collection took the parts, not the array */
    GEOSGeom_destroy_r(h, *g);
    *g = multi;
    return 0;
}

/* Where a WKT geometry ends: the type word, optional Z/M/ZM, then EMPTY or a balanced
 * parenthesised body. Returns the first character after it, or NULL when the text does not
 * have that shape (GEOS then says what is wrong). GEOS 3.11 stops reading at the end of the
 * geometry and ignores what follows, so "POINT (1 1) xyz" would pass as a point; this is
 * how we refuse it. */
static const char *wkt_end(const char *p)
{
    for (int words = 0; words < 3; words++) {
        while (isspace((unsigned char)*p))
            p++;
        if (*p == '(')
            break;
        if (!isalpha((unsigned char)*p))
            return NULL;
        const char *w = p;
        while (isalpha((unsigned char)*p))
            p++;
        if (p - w == 5 && same_word(w, "EMPTY", 5))
            return p;
    }
    if (*p != '(')
        return NULL;
    int depth = 0;
    for (; *p; p++) {
        if (*p == '(')
            depth++;
        else if (*p == ')' && --depth == 0)
            return p + 1;
    }
    return NULL;
}

/* Drop Z (and M) by a round trip through the 2D writer: plat is 2D, and a Z left in place
 * would surface in WKT output and in every copy. Rare (3D input only), so not optimised. */
static int force_2d(plat_ctx *ctx, geos_slot *s, GEOSGeometry **g)
{
    if (GEOSHasZ_r(s->h, *g) != 1)
        return 0;
    unsigned char *wkb = NULL;
    size_t size = 0;
    int rc = plat_geom_to_wkb(ctx, &wkb, &size, *g);
    if (rc < 0)
        return rc;
    GEOSGeometry *flat = GEOSWKBReader_read_r(s->h, s->wkb_reader, wkb, size);
    plat_free(wkb);
    if (!flat)
        return plat_gis__geos_err(ctx, PLAT_EINTERNAL, "cannot drop Z from geometry");
    GEOSGeom_destroy_r(s->h, *g);
    *g = flat;
    return 0;
}

int plat_geom_parse(plat_ctx *ctx, GEOSGeometry **out, const char *text)
{
    geos_slot *s = begin(ctx);
    GEOSGeometry *g = NULL;
    char *copy = NULL, shown[48];
    int rc = 0;
    *out = NULL;
    if (!s)
        return no_memory(ctx);
    if (!text)
        text = "";
    while (isspace((unsigned char)*text))
        text++;
    size_t n = strlen(text);
    while (n > 0 && isspace((unsigned char)text[n - 1]))
        n--;
    if (n == 0)
        return plat_error_set(ctx, PLAT_EINVALID, "cannot read geometry: the text is empty");
    if (!(copy = malloc(n + 1)))
        return no_memory(ctx);
    memcpy(copy, text, n);
    copy[n] = '\0';

    if (copy[0] == '{') {
        if (!s->json_reader && !(s->json_reader = GEOSGeoJSONReader_create_r(s->h))) {
            rc = no_memory(ctx);
            goto done;
        }
        if (geojson_readable(copy, s->msg, sizeof s->msg))
            g = GEOSGeoJSONReader_readGeometry_r(s->h, s->json_reader, copy);
    } else {
        if (!s->wkt_reader && !(s->wkt_reader = GEOSWKTReader_create_r(s->h))) {
            rc = no_memory(ctx);
            goto done;
        }
        const char *end = wkt_end(copy);
        if (end && *end)
            snprintf(s->msg, sizeof(s->msg), "unexpected text after the geometry: \"%.*s\"",
                     plat_utf8_prefix(end, 40), end);
        else
            g = GEOSWKTReader_read_r(s->h, s->wkt_reader, copy);
    }
    if (!g) {
        /* Show the start of the text: the user may have passed a file name or a WKT typo. */
        one_line(shown, sizeof(shown) - 4, copy);
        if (n > sizeof(shown) - 5)
            strcat(shown, "...");
        rc = plat_error_set(ctx, PLAT_EINVALID, "cannot read geometry \"%s\": %s", shown,
                            s->msg[0] ? s->msg : "not WKT or GeoJSON");
        goto done;
    }
    if (copy[0] == '{' && is_feature_collection(copy) && (rc = homogenize(ctx, s->h, &g)) < 0)
        goto done;
    if (!s->wkb_reader && !(s->wkb_reader = GEOSWKBReader_create_r(s->h))) {
        rc = no_memory(ctx);
        goto done;
    }
    if ((rc = force_2d(ctx, s, &g)) < 0)
        goto done;
    *out = g;
    g = NULL;
done:
    if (g)
        GEOSGeom_destroy_r(s->h, g);
    free(copy);
    return rc;
}

int plat_geom_from_wkb(plat_ctx *ctx, GEOSGeometry **out, const unsigned char *wkb, size_t size)
{
    geos_slot *s = begin(ctx);
    *out = NULL;
    if (!s || (!s->wkb_reader && !(s->wkb_reader = GEOSWKBReader_create_r(s->h))))
        return no_memory(ctx);
    if (!wkb || size == 0)
        return plat_error_set(ctx, PLAT_EINVALID, "cannot read WKB: no bytes");
    GEOSGeometry *g = plat_gis__wkb_read(s->h, wkb, size); /* wkb.c; NULL: GEOS reads it */
    if (g) {
        *out = g; /* 2D already */
        return 0;
    }
    g = GEOSWKBReader_read_r(s->h, s->wkb_reader, wkb, size);
    if (!g)
        return plat_gis__geos_err(ctx, PLAT_EINVALID, "cannot read WKB");
    int rc = force_2d(ctx, s, &g);
    if (rc < 0) {
        GEOSGeom_destroy_r(s->h, g);
        return rc;
    }
    *out = g;
    return 0;
}

/* Clones of the non-empty points, lines and polygons of g, appended to *parts. */
static int simple_parts(GEOSContextHandle_t h, const GEOSGeometry *g, GEOSGeometry ***parts, size_t *n, size_t *cap)
{
    int type = GEOSGeomTypeId_r(h, g);
    if (type == GEOS_MULTIPOINT || type == GEOS_MULTILINESTRING || type == GEOS_MULTIPOLYGON ||
        type == GEOS_GEOMETRYCOLLECTION) {
        int k = GEOSGetNumGeometries_r(h, g);
        for (int i = 0; i < k; i++)
            if (simple_parts(h, GEOSGetGeometryN_r(h, g, i), parts, n, cap) < 0)
                return -1;
        return 0;
    }
    if (GEOSisEmpty_r(h, g) != 0)
        return 0;
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 16;
        GEOSGeometry **p = realloc(*parts, c * sizeof(*p));
        if (!p)
            return -1;
        *parts = p;
        *cap = c;
    }
    if (!((*parts)[*n] = GEOSGeom_clone_r(h, g)))
        return -1;
    (*n)++;
    return 0;
}

/* SpatiaLite reads a collection of points, lines and polygons only: one that holds a multi or
 * another collection comes back NULL from GeomFromWKB and would be stored as no geometry at
 * all. So such a collection is flattened first: the same parts, one level deep.
 * @param[out] flat new geometry, or NULL when g needs no flattening. @return 0 or < 0 */
static int flatten(plat_ctx *ctx, geos_slot *s, const GEOSGeometry *g, GEOSGeometry **flat)
{
    *flat = NULL;
    if (GEOSGeomTypeId_r(s->h, g) != GEOS_GEOMETRYCOLLECTION)
        return 0;
    int k = GEOSGetNumGeometries_r(s->h, g), nested = 0;
    for (int i = 0; i < k && !nested; i++) {
        int t = GEOSGeomTypeId_r(s->h, GEOSGetGeometryN_r(s->h, g, i));
        nested = t == GEOS_MULTIPOINT || t == GEOS_MULTILINESTRING || t == GEOS_MULTIPOLYGON ||
                 t == GEOS_GEOMETRYCOLLECTION;
    }
    if (!nested)
        return 0;
    GEOSGeometry **parts = NULL;
    size_t n = 0, cap = 0;
    int rc = simple_parts(s->h, g, &parts, &n, &cap);
    if (rc >= 0)
        *flat = GEOSGeom_createCollection_r(s->h, GEOS_GEOMETRYCOLLECTION, parts, (unsigned)n);
    if (rc < 0 || !*flat) {
        for (size_t i = 0; i < n; i++)
            GEOSGeom_destroy_r(s->h, parts[i]);
        rc = no_memory(ctx);
    }
    free(parts); /* the collection owns the parts, not the array */
    return rc;
}

int plat_geom_to_wkb(plat_ctx *ctx, unsigned char **out, size_t *size, const GEOSGeometry *g)
{
    geos_slot *s = begin(ctx);
    *out = NULL;
    *size = 0;
    if (!s)
        return no_memory(ctx);
    GEOSGeometry *flat = NULL;
    if (flatten(ctx, s, g, &flat) < 0)
        return PLAT_ENOMEM;
    const GEOSGeometry *w = flat ? flat : g;
    int rc = plat_gis__wkb_write(s->h, out, size, w); /* wkb.c; 0: left to GEOS's writer */
    if (rc == 0 && !s->wkb_writer && (s->wkb_writer = GEOSWKBWriter_create_r(s->h)) != NULL) {
        GEOSWKBWriter_setOutputDimension_r(s->h, s->wkb_writer, 2);
        GEOSWKBWriter_setFlavor_r(s->h, s->wkb_writer, GEOS_WKB_ISO);
        GEOSWKBWriter_setIncludeSRID_r(s->h, s->wkb_writer, 0);
    }
    size_t n = 0;
    unsigned char *buf = rc == 0 && s->wkb_writer ? GEOSWKBWriter_write_r(s->h, s->wkb_writer, w, &n) : NULL;
    if (flat)
        GEOSGeom_destroy_r(s->h, flat);
    if (rc != 0)
        return rc < 0 ? no_memory(ctx) : 0;
    if (!s->wkb_writer)
        return no_memory(ctx);
    if (!buf)
        return plat_gis__geos_err(ctx, PLAT_EINTERNAL, "cannot write WKB");
    unsigned char *copy = malloc(n ? n : 1);
    if (!copy) {
        GEOSFree_r(s->h, buf);
        return no_memory(ctx);
    }
    memcpy(copy, buf, n);
    GEOSFree_r(s->h, buf);
    *out = copy;
    *size = n;
    return 0;
}

int plat_geom_to_wkt(plat_ctx *ctx, char **out, const GEOSGeometry *g, int decimals)
{
    geos_slot *s = begin(ctx);
    GEOSWKTWriter *w = NULL;
    char *text = NULL;
    int rc = 0;
    *out = NULL;
    if (!s || !(w = GEOSWKTWriter_create_r(s->h)))
        return no_memory(ctx);
    GEOSWKTWriter_setTrim_r(s->h, w, 1);
    GEOSWKTWriter_setRoundingPrecision_r(s->h, w, decimals < 0 ? 0 : decimals);
    GEOSWKTWriter_setOutputDimension_r(s->h, w, 2);
    if (!(text = GEOSWKTWriter_write_r(s->h, w, g))) {
        rc = plat_gis__geos_err(ctx, PLAT_EINTERNAL, "cannot write WKT");
        goto done;
    }
    if (!(*out = plat_strdup(text)))
        rc = no_memory(ctx);
done:
    if (text)
        GEOSFree_r(s->h, text);
    GEOSWKTWriter_destroy_r(s->h, w);
    return rc;
}

/* ---- validity ---- */

int plat_geom_make_valid(plat_ctx *ctx, GEOSGeometry **g, int *repaired, char *why, size_t n)
{
    geos_slot *s = begin(ctx);
    GEOSMakeValidParams *params = NULL;
    GEOSGeometry *fixed = NULL;
    char *reason = NULL;
    int rc;
    if (repaired)
        *repaired = 0;
    if (why && n)
        why[0] = '\0';
    if (!s)
        return no_memory(ctx);
    if ((rc = plat_geom_is_valid(ctx, *g)) != 0)
        return rc < 0 ? rc : 0; /* 1: already valid, nothing to do */

    if ((reason = GEOSisValidReason_r(s->h, *g)) != NULL && why && n)
        one_line(why, n, reason);
    int kinds_before = plat_geom_kinds(ctx, *g);
    /* "structure" keeps polygon area as drawn (a bow-tie becomes two triangles) instead of
     * the "linework" method's noding of every line; collapsed parts are dropped, not turned
     * into lines, so a polygon that had no area does not sneak in as a line. */
    if (!(params = GEOSMakeValidParams_create_r(s->h))) {
        rc = no_memory(ctx);
        goto done;
    }
    GEOSMakeValidParams_setMethod_r(s->h, params, GEOS_MAKE_VALID_STRUCTURE);
    GEOSMakeValidParams_setKeepCollapsed_r(s->h, params, 0);
    if (!(fixed = GEOSMakeValidWithParams_r(s->h, *g, params))) {
        rc = plat_gis__geos_err(ctx, PLAT_EINVALID, "cannot repair geometry");
        goto done;
    }
    int kinds_after = plat_geom_kinds(ctx, fixed);
    if (kinds_after == 0 || ((kinds_before & PLAT_GEOM_POLYGON) && !(kinds_after & PLAT_GEOM_POLYGON))) {
        rc = plat_error_set(ctx, PLAT_EINVALID, "geometry is empty after repair (%s)",
                            reason ? reason : "invalid");
        goto done;
    }
    GEOSGeom_destroy_r(s->h, *g);
    *g = fixed;
    fixed = NULL;
    if (repaired)
        *repaired = 1;
    rc = 0;
done:
    if (fixed)
        GEOSGeom_destroy_r(s->h, fixed);
    if (params)
        GEOSMakeValidParams_destroy_r(s->h, params);
    if (reason)
        GEOSFree_r(s->h, reason);
    return rc;
}

/* Check one coordinate sequence; on the first bad coordinate record it and return < 0. */
static int check_seq(plat_ctx *ctx, GEOSContextHandle_t h, const GEOSCoordSequence *seq,
                     int geographic)
{
    unsigned int size = 0;
    if (!seq || !GEOSCoordSeq_getSize_r(h, seq, &size))
        return plat_gis__geos_err(ctx, PLAT_EINTERNAL, "cannot read coordinates");
    for (unsigned int i = 0; i < size; i++) {
        double x, y;
        if (!GEOSCoordSeq_getXY_r(h, seq, i, &x, &y))
            return plat_gis__geos_err(ctx, PLAT_EINTERNAL, "cannot read coordinates");
        if (!isfinite(x) || !isfinite(y))
            return plat_error_set(ctx, PLAT_EINVALID, "coordinate (%g %g) is not a finite number",
                                  x, y);
        if (geographic && (x < -180 || x > 180 || y < -90 || y > 90))
            return plat_error_set(ctx, PLAT_EINVALID,
                                  "coordinate (%.10g %.10g) is not a longitude/latitude in degrees; "
                                  "if the data are projected, give their SRS",
                                  x, y);
    }
    return 0;
}

static int check_geom(plat_ctx *ctx, GEOSContextHandle_t h, const GEOSGeometry *g, int geographic)
{
    int rc = 0;
    switch (GEOSGeomTypeId_r(h, g)) {
    case GEOS_POINT:
    case GEOS_LINESTRING:
    case GEOS_LINEARRING:
        return check_seq(ctx, h, GEOSGeom_getCoordSeq_r(h, g), geographic);
    case GEOS_POLYGON: {
        if (GEOSisEmpty_r(h, g) == 1)
            return 0;
        if ((rc = check_geom(ctx, h, GEOSGetExteriorRing_r(h, g), geographic)) < 0)
            return rc;
        int holes = GEOSGetNumInteriorRings_r(h, g);
        for (int i = 0; i < holes; i++)
            if ((rc = check_geom(ctx, h, GEOSGetInteriorRingN_r(h, g, i), geographic)) < 0)
                return rc;
        return 0;
    }
    default: {
        int parts = GEOSGetNumGeometries_r(h, g);
        for (int i = 0; i < parts; i++)
            if ((rc = check_geom(ctx, h, GEOSGetGeometryN_r(h, g, i), geographic)) < 0)
                return rc;
        return 0;
    }
    }
}

int plat_geom_check_coords(plat_ctx *ctx, const GEOSGeometry *g, int geographic)
{
    geos_slot *s = begin(ctx);
    if (!s)
        return no_memory(ctx);
    return check_geom(ctx, s->h, g, geographic);
}

int plat_geom_kinds(plat_ctx *ctx, const GEOSGeometry *g)
{
    GEOSContextHandle_t h = plat_gis_geos(ctx);
    if (!h || !g)
        return 0;
    int type = GEOSGeomTypeId_r(h, g);
    int kind = kind_of_type(type);
    if (type == GEOS_POINT || type == GEOS_LINESTRING || type == GEOS_LINEARRING ||
        type == GEOS_POLYGON)
        return GEOSisEmpty_r(h, g) == 0 ? kind : 0;
    int bits = 0, n = GEOSGetNumGeometries_r(h, g);
    for (int i = 0; i < n; i++)
        bits |= plat_geom_kinds(ctx, GEOSGetGeometryN_r(h, g, i));
    return bits;
}
