/* layers/blob.c - the geometry blob a SpatiaLite ledger keeps, read straight into GEOS and
 * written straight from WKB.
 *
 * A SpatiaLite blob is a small header (start byte, byte order, SRID, bounding box, a marker)
 * and the coordinates as plain doubles, in the same nesting as WKB. Through SQL, every read
 * went blob -> SpatiaLite's own geometry -> WKB (AsBinary) -> GEOS's WKB reader, and every
 * write WKB -> SpatiaLite's geometry -> blob (GeomFromWKB): four copies of each coordinate
 * and an allocation per ring, which were a third of `plat coverage --layer roads` and a tenth
 * of `plat layer import`. Here a read copies each ring's coordinates once into GEOS, and a write
 * is one pass over the WKB. The blobs written are the very bytes GeomFromWKB writes (the tests
 * compare them), so a ledger stays what SpatiaLite, QGIS and ogr2ogr expect.
 *
 * Only what plat itself stores is handled here: plain (uncompressed) XY, XYZ, XYM and XYZM
 * blobs are read (Z and M dropped, as plat_geom_from_wkb does), 2D WKB is written. A compressed
 * blob, which another tool may have written into a ledger, goes through SpatiaLite's reader. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>
#include <spatialite/gaiageo.h>

#include "plat/gis.h"
#include "layers_int.h"

enum {
    BLOB_START = 0x00,
    BLOB_MBR_END = 0x7C,
    BLOB_ENTITY = 0x69,
    BLOB_END = 0xFE,
    BLOB_HEADER = 43, /* start, order, SRID, 4 doubles, marker, class */
};

/* SpatiaLite's classes: 1..7 as in WKB, plus 1000 for XYZ, 2000 for XYM, 3000 for XYZM;
 * compressed ones from 1000000 on. */
enum { T_POINT = 1, T_LINE = 2, T_POLYGON = 3, T_MPOINT = 4, T_MLINE = 5, T_MPOLYGON = 6, T_COLLECTION = 7 };

static int host_is_little(void)
{
    const uint16_t one = 1;
    unsigned char b;
    memcpy(&b, &one, 1);
    return b == 1;
}

static uint32_t get_u32(const unsigned char *p, int swap)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return swap ? (v >> 24) | ((v >> 8) & 0xFF00u) | ((v << 8) & 0xFF0000u) | (v << 24) : v;
}

static double get_f64(const unsigned char *p, int swap)
{
    unsigned char b[8];
    memcpy(b, p, 8);
    if (swap)
        for (int i = 0; i < 4; i++) {
            unsigned char t = b[i];
            b[i] = b[7 - i];
            b[7 - i] = t;
        }
    double v;
    memcpy(&v, b, 8);
    return v;
}

/* ---- reading a blob into GEOS ---- */

typedef struct reader {
    GEOSContextHandle_t h;
    const unsigned char *p, *end;
    int swap;
    int stride;     /* doubles per vertex: 2, 3 or 4 */
    double *xy;     /* scratch for one ring's x, y */
    size_t cap;
} reader;

static int need(const reader *r, size_t n) { return (size_t)(r->end - r->p) >= n; }

static GEOSCoordSequence *read_coords(reader *r)
{
    if (!need(r, 4))
        return NULL;
    uint32_t n = get_u32(r->p, r->swap);
    r->p += 4;
    size_t bytes = (size_t)r->stride * 8;
    if (n > (size_t)(r->end - r->p) / bytes)
        return NULL;
    if (n * 2 > r->cap) {
        size_t cap = n * 2 > 2 * r->cap ? n * 2 : 2 * r->cap;
        double *v = realloc(r->xy, cap * sizeof(*v));
        if (!v)
            return NULL;
        r->xy = v;
        r->cap = cap;
    }
    if (r->stride == 2 && !r->swap) {
        memcpy(r->xy, r->p, (size_t)n * 16); /* the common case: the bytes are the doubles */
    } else {
        for (uint32_t i = 0; i < n; i++) {
            r->xy[2 * i] = get_f64(r->p + i * bytes, r->swap);
            r->xy[2 * i + 1] = get_f64(r->p + i * bytes + 8, r->swap);
        }
    }
    r->p += (size_t)n * bytes;
    return GEOSCoordSeq_copyFromBuffer_r(r->h, r->xy, n, 0, 0);
}

static GEOSGeometry *read_simple(reader *r, int type)
{
    GEOSContextHandle_t h = r->h;
    if (type == T_POINT) {
        if (!need(r, (size_t)r->stride * 8))
            return NULL;
        GEOSGeometry *g = GEOSGeom_createPointFromXY_r(h, get_f64(r->p, r->swap), get_f64(r->p + 8, r->swap));
        r->p += (size_t)r->stride * 8;
        return g;
    }
    if (type == T_LINE) {
        GEOSCoordSequence *s = read_coords(r);
        return s ? GEOSGeom_createLineString_r(h, s) : NULL;
    }
    if (type != T_POLYGON || !need(r, 4))
        return NULL;
    uint32_t nrings = get_u32(r->p, r->swap);
    r->p += 4;
    if (nrings == 0 || nrings > (size_t)(r->end - r->p) / 4)
        return NULL;
    GEOSGeometry **ring = calloc(nrings, sizeof(*ring));
    if (!ring)
        return NULL;
    GEOSGeometry *g = NULL;
    uint32_t k = 0;
    for (; k < nrings; k++) {
        GEOSCoordSequence *s = read_coords(r);
        if (!s || !(ring[k] = GEOSGeom_createLinearRing_r(h, s)))
            break;
    }
    if (k == nrings)
        g = GEOSGeom_createPolygon_r(h, ring[0], ring + 1, nrings - 1); /* takes the rings */
    else
        for (uint32_t i = 0; i < k; i++)
            GEOSGeom_destroy_r(h, ring[i]);
    free(ring);
    return g;
}

static GEOSGeometry *read_multi(reader *r, int type)
{
    GEOSContextHandle_t h = r->h;
    if (!need(r, 4))
        return NULL;
    uint32_t n = get_u32(r->p, r->swap);
    r->p += 4;
    if (n > (size_t)(r->end - r->p) / 5)
        return NULL;
    GEOSGeometry **part = n ? calloc(n, sizeof(*part)) : NULL;
    if (n && !part)
        return NULL;
    int want = type == T_MPOINT ? T_POINT : type == T_MLINE ? T_LINE : type == T_MPOLYGON ? T_POLYGON : 0;
    uint32_t k = 0;
    for (; k < n; k++) {
        if (!need(r, 5) || r->p[0] != BLOB_ENTITY)
            break;
        int t = (int)(get_u32(r->p + 1, r->swap) % 1000);
        r->p += 5;
        if ((want && t != want) || !(part[k] = read_simple(r, t)))
            break;
    }
    GEOSGeometry *g = NULL;
    int gtype = type == T_MPOINT ? GEOS_MULTIPOINT : type == T_MLINE ? GEOS_MULTILINESTRING
              : type == T_MPOLYGON ? GEOS_MULTIPOLYGON : GEOS_GEOMETRYCOLLECTION;
    if (k == n)
        g = GEOSGeom_createCollection_r(h, gtype, part, n); /* takes the parts */
    else
        for (uint32_t i = 0; i < k; i++)
            GEOSGeom_destroy_r(h, part[i]);
    free(part);
    return g;
}

/* A compressed blob (another tool's: plat never writes one) through SpatiaLite's own reader. */
static int compressed_to_geos(plat_ctx *ctx, const unsigned char *blob, size_t n, GEOSGeometry **out)
{
    gaiaGeomCollPtr c = gaiaFromSpatiaLiteBlobWkb(blob, (unsigned int)n), xy = c ? gaiaCastGeomCollToXY(c) : NULL;
    unsigned char *wkb = NULL;
    int size = 0;
    if (xy)
        gaiaToWkb(xy, &wkb, &size);
    gaiaFreeGeomColl(c);
    gaiaFreeGeomColl(xy);
    int rc = wkb ? plat_geom_from_wkb(ctx, out, wkb, (size_t)size)
                 : plat_error_set(ctx, PLAT_EINVALID, "a damaged SpatiaLite geometry blob");
    free(wkb);
    return rc;
}

int plat_blob__to_geos(plat_ctx *ctx, const unsigned char *blob, size_t n, GEOSGeometry **out)
{
    *out = NULL;
    if (!blob || n < BLOB_HEADER + 1 || blob[0] != BLOB_START || blob[1] > 1 || blob[38] != BLOB_MBR_END ||
        blob[n - 1] != BLOB_END)
        return plat_error_set(ctx, PLAT_EINVALID, "not a SpatiaLite geometry blob");
    reader r = { plat_gis_geos(ctx), blob + BLOB_HEADER, blob + n - 1, (blob[1] == 1) != host_is_little(), 2, NULL, 0 };
    if (!r.h)
        return plat_error_set(ctx, PLAT_ENOMEM, "out of memory");
    uint32_t cls = get_u32(blob + 39, r.swap);
    if (cls >= 1000000)
        return compressed_to_geos(ctx, blob, n, out);
    int type = (int)(cls % 1000), dims = (int)(cls / 1000);
    if (type < T_POINT || type > T_COLLECTION || dims > 3)
        return plat_error_set(ctx, PLAT_EINVALID, "SpatiaLite geometry class %u is not one plat reads", cls);
    r.stride = dims == 0 ? 2 : dims == 3 ? 4 : 3;
    GEOSGeometry *g = type <= T_POLYGON ? read_simple(&r, type) : read_multi(&r, type);
    free(r.xy);
    if (g && r.p != r.end) {
        GEOSGeom_destroy_r(r.h, g);
        g = NULL;
    }
    if (!g)
        return plat_error_set(ctx, PLAT_EINVALID, "a damaged SpatiaLite geometry blob");
    *out = g;
    return 0;
}

/* ---- writing WKB as a blob ---- */

/* Two passes over the WKB: the first (out NULL) counts the parts, sizes their bodies and finds
 * the bounding box; the second writes. `mute` skips a part the second pass does not write yet. */
typedef struct writer {
    const unsigned char *p, *end;
    int depth, mute;
    int multi;                   /* the blob lists entities: each part gets its marker */
    long counts[4];              /* parts by T_POINT, T_LINE, T_POLYGON */
    double box[4];
    unsigned char *out;
    size_t at, cap;
} writer;

static void put(writer *w, const void *src, size_t n)
{
    if (w->mute)
        return;
    if (w->out && w->at + n <= w->cap)
        memcpy(w->out + w->at, src, n);
    w->at += n; /* past cap only if the passes disagree, which the caller checks */
}

static void put_u32(writer *w, uint32_t v) { put(w, &v, 4); }

/* Copy n vertices, 16 bytes each, in byte order `swap` against the host's. */
static int copy_coords(writer *w, uint32_t n, int swap)
{
    if (n > (size_t)(w->end - w->p) / 16)
        return -1;
    if (!w->out || swap) {
        for (uint32_t i = 0; i < n; i++) {
            double xy[2] = { get_f64(w->p + 16 * (size_t)i, swap), get_f64(w->p + 16 * (size_t)i + 8, swap) };
            if (!w->out) {
                w->box[0] = fmin(w->box[0], xy[0]), w->box[1] = fmin(w->box[1], xy[1]);
                w->box[2] = fmax(w->box[2], xy[0]), w->box[3] = fmax(w->box[3], xy[1]);
            }
            put(w, xy, 16);
        }
    } else {
        put(w, w->p, (size_t)n * 16); /* the common case: the bytes are the doubles */
    }
    w->p += (size_t)n * 16;
    return 0;
}

static uint32_t take_u32(writer *w, int swap)
{
    uint32_t v = get_u32(w->p, swap);
    w->p += 4;
    return v;
}

/* Walk one WKB geometry whose type must be `want` (0: any). On the second pass (emit = a T_*
 * type) the simple parts of that type are written, the others skipped. @return 0, or -1 for
 * WKB this writer does not take. */
static int walk(writer *w, int emit, uint32_t want)
{
    if (w->end - w->p < 9 || w->p[0] > 1 || ++w->depth > 8)
        return -1;
    int swap = (w->p[0] == 1) != host_is_little();
    uint32_t type = get_u32(w->p + 1, swap);
    w->p += 5;
    if (type < T_POINT || type > T_COLLECTION || (want && type != want))
        return -1; /* Z, M, EWKB flags: plat writes 2D WKB only; or a multi of other parts */
    int rc = 0;
    if (type > T_POLYGON) {
        uint32_t n = take_u32(w, swap);
        for (uint32_t k = 0; rc == 0 && k < n; k++)
            rc = walk(w, emit, type == T_COLLECTION ? 0 : type - 3);
        w->depth--;
        return rc;
    }
    if (!emit)
        w->counts[type]++;
    w->mute = emit && emit != (int)type;
    if (w->multi && emit) {
        unsigned char mark = BLOB_ENTITY;
        put(w, &mark, 1);
        put_u32(w, type);
    }
    if (type == T_POINT) {
        if (w->end - w->p < 16 || (isnan(get_f64(w->p, swap)) && isnan(get_f64(w->p + 8, swap))))
            return -1; /* short, or an empty point */
        rc = copy_coords(w, 1, swap);
    } else if (type == T_LINE) {
        uint32_t n = take_u32(w, swap);
        put_u32(w, n);
        rc = copy_coords(w, n, swap);
    } else {
        uint32_t n = take_u32(w, swap);
        put_u32(w, n);
        for (uint32_t k = 0; rc == 0 && k < n; k++) {
            if (w->end - w->p < 4)
                return -1;
            uint32_t m = take_u32(w, swap);
            put_u32(w, m);
            rc = copy_coords(w, m, swap);
        }
    }
    w->mute = 0;
    w->depth--;
    return rc;
}

/* SpatiaLite's class for what the WKB holds: a single part keeps the WKB's own type (so a
 * MULTIPOLYGON of one polygon stays a MULTIPOLYGON), and mixed parts make a collection. */
static int class_of(uint32_t declared, const long *counts)
{
    int kinds = (counts[T_POINT] > 0) + (counts[T_LINE] > 0) + (counts[T_POLYGON] > 0);
    if (kinds != 1 || declared == T_COLLECTION)
        return T_COLLECTION;
    int t = counts[T_POINT] ? T_POINT : counts[T_LINE] ? T_LINE : T_POLYGON;
    long n = counts[t];
    if (n > 1 || declared == (uint32_t)t + 3)
        return t + 3;
    return t;
}

int plat_blob__from_wkb(plat_ctx *ctx, const unsigned char *wkb, size_t n, int srid, unsigned char **out,
                        size_t *size)
{
    *out = NULL;
    *size = 0;
    writer w = { wkb, wkb + n, 0, 0, 0, { 0, 0, 0, 0 }, { INFINITY, INFINITY, -INFINITY, -INFINITY }, NULL, 0, 0 };
    if (!wkb || walk(&w, 0, 0) < 0 || w.p != w.end)
        return plat_error_set(ctx, PLAT_EINVALID, "cannot store the geometry: not 2D WKB");
    long parts = w.counts[T_POINT] + w.counts[T_LINE] + w.counts[T_POLYGON];
    if (!parts)
        return plat_error_set(ctx, PLAT_EINVALID, "cannot store an empty geometry");
    int cls = class_of(get_u32(wkb + 1, (wkb[0] == 1) != host_is_little()), w.counts);
    /* the first pass sized the parts' bodies; a multi adds its count and a marker per part */
    size_t total = BLOB_HEADER + (cls > T_POLYGON ? 4 + 5 * (size_t)parts : 0) + w.at + 1;
    unsigned char *b = malloc(total);
    if (!b)
        return plat_error_set(ctx, PLAT_ENOMEM, "out of memory");
    double box[4];
    memcpy(box, w.box, sizeof box);
    w.out = b;
    w.cap = total;
    w.multi = cls > T_POLYGON;
    w.at = 0;
    unsigned char head[2] = { BLOB_START, host_is_little() ? 1 : 0 }, mark = BLOB_MBR_END, end = BLOB_END;
    put(&w, head, 2);
    put_u32(&w, (uint32_t)srid);
    put(&w, box, sizeof box);
    put(&w, &mark, 1);
    put_u32(&w, (uint32_t)cls);
    if (cls > T_POLYGON)
        put_u32(&w, (uint32_t)parts);
    /* A collection lists its points, then its lines, then its polygons, as SpatiaLite keeps them. */
    for (int t = T_POINT; t <= T_POLYGON; t++) {
        if (!w.counts[t])
            continue;
        w.p = wkb;
        w.depth = 0;
        walk(&w, t, 0);
    }
    put(&w, &end, 1);
    if (w.at != total) { /* cannot happen: both passes walked the same WKB */
        free(b);
        return plat_error_set(ctx, PLAT_EINTERNAL, "a SpatiaLite blob came out %zu bytes, not %zu", w.at, total);
    }
    *out = b;
    *size = total;
    return 0;
}
