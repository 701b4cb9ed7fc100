/* gis/wkb.c - 2D ISO WKB to and from GEOS geometries, straight from and into their coordinates.
 *
 * Every feature an import stores comes in as WKB and goes out as WKB. GEOS's WKBWriter writes through a C++
 * output stream a few bytes at a time (8,000 instructions for a parcel of seven vertices,
 * 17,000 for a road); WKB is a fixed layout (OGC 06-103r4, 8.2), so it is written here in one
 * pass into a buffer of the exact size, with the same bytes GEOS writes: little-endian (NDR),
 * 2D (Z and M dropped), ISO type codes 1-7, every part with its own byte order and type.
 *
 * Geometries with an empty part (GEOS writes an empty point as NaN NaN) and linear rings
 * standing alone are left to GEOS's writer: plat_gis__wkb_write says so and writes nothing.
 *
 * Reading is the same in reverse (GEOS's WKBReader takes 2,500 instructions for a parcel):
 * plat_gis__wkb_read takes the plain case, little-endian 2D ISO WKB of types 1-7 whose every
 * part has points, and builds the geometry from whole coordinate arrays. Anything else (big-
 * endian, Z or M, an empty part, a count beyond the bytes given, bytes left over, a ring GEOS
 * refuses, parts nested deeper than MAX_DEPTH) it declines without a message, and GEOS's reader
 * reads it, or reports what is wrong with it, exactly as before.
 * Ownership: the buffer handed out is the caller's (plat_free); so is the geometry
 * (GEOSGeom_destroy_r). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "plat/util.h"
#include "gis_int.h"

/* Points of a sequence copied at once onto the stack; longer ones get a buffer of their own. */
#define STACK_POINTS 256
/* Collections within collections read here; deeper ones are left to GEOS. */
#define MAX_DEPTH 8

static unsigned char *put_u32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        *p++ = (unsigned char)(v >> (8 * i));
    return p;
}

static unsigned char *put_f64(unsigned char *p, double d)
{
    uint64_t v;
    memcpy(&v, &d, sizeof v);
    for (int i = 0; i < 8; i++)
        *p++ = (unsigned char)(v >> (8 * i));
    return p;
}

static unsigned char *put_header(unsigned char *p, uint32_t type)
{
    *p++ = 1; /* NDR */
    return put_u32(p, type);
}

/* Points of a non-empty sequence; 0 when it cannot be read or is empty. */
static size_t seq_size(GEOSContextHandle_t h, const GEOSCoordSequence *seq)
{
    unsigned int n = 0;
    return seq && GEOSCoordSeq_getSize_r(h, seq, &n) ? n : 0;
}

/* Bytes of g's WKB, or 0 when GEOS's writer must write it (an empty part, a lone ring). */
static size_t wkb_size(GEOSContextHandle_t h, const GEOSGeometry *g)
{
    size_t n = 0, k;
    switch (GEOSGeomTypeId_r(h, g)) {
    case GEOS_POINT:
        return seq_size(h, GEOSGeom_getCoordSeq_r(h, g)) == 1 ? 5 + 16 : 0;
    case GEOS_LINESTRING:
        return (k = seq_size(h, GEOSGeom_getCoordSeq_r(h, g))) > 0 ? 9 + 16 * k : 0;
    case GEOS_POLYGON: {
        int holes = GEOSGetNumInteriorRings_r(h, g);
        const GEOSGeometry *shell = GEOSGetExteriorRing_r(h, g);
        if (holes < 0 || !shell || !(k = seq_size(h, GEOSGeom_getCoordSeq_r(h, shell))))
            return 0;
        n = 9 + 4 + 16 * k;
        for (int i = 0; i < holes; i++) {
            const GEOSGeometry *ring = GEOSGetInteriorRingN_r(h, g, i);
            if (!ring || !(k = seq_size(h, GEOSGeom_getCoordSeq_r(h, ring))))
                return 0;
            n += 4 + 16 * k;
        }
        return n;
    }
    case GEOS_MULTIPOINT:
    case GEOS_MULTILINESTRING:
    case GEOS_MULTIPOLYGON:
    case GEOS_GEOMETRYCOLLECTION: {
        int parts = GEOSGetNumGeometries_r(h, g);
        if (parts <= 0)
            return 0;
        n = 9;
        for (int i = 0; i < parts; i++) {
            if (!(k = wkb_size(h, GEOSGetGeometryN_r(h, g, i))))
                return 0;
            n += k;
        }
        return n;
    }
    default:
        return 0;
    }
}

/* The n points of seq as x y pairs. @return the end, or NULL when out of memory */
static unsigned char *put_points(GEOSContextHandle_t h, unsigned char *p, const GEOSCoordSequence *seq, size_t n)
{
    double stack[2 * STACK_POINTS], *xy = n <= STACK_POINTS ? stack : malloc(2 * n * sizeof *xy);
    if (!xy || !GEOSCoordSeq_copyToBuffer_r(h, seq, xy, 0, 0)) {
        if (xy != stack)
            free(xy);
        return NULL;
    }
    const uint16_t one = 1;
    if (*(const unsigned char *)&one == 1) { /* a little-endian machine: the doubles as they lie */
        memcpy(p, xy, 2 * n * sizeof *xy);
        p += 2 * n * sizeof *xy;
    } else {
        for (size_t i = 0; i < 2 * n; i++)
            p = put_f64(p, xy[i]);
    }
    if (xy != stack)
        free(xy);
    return p;
}

static unsigned char *put_ring(GEOSContextHandle_t h, unsigned char *p, const GEOSGeometry *ring)
{
    const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(h, ring);
    size_t n = seq_size(h, seq);
    return put_points(h, put_u32(p, (uint32_t)n), seq, n);
}

/* g's WKB at p (wkb_size said how much). @return the end, or NULL when out of memory */
static unsigned char *put_geom(GEOSContextHandle_t h, unsigned char *p, const GEOSGeometry *g)
{
    int type = GEOSGeomTypeId_r(h, g);
    switch (type) {
    case GEOS_POINT:
        return put_points(h, put_header(p, 1), GEOSGeom_getCoordSeq_r(h, g), 1);
    case GEOS_LINESTRING:
        return put_ring(h, put_header(p, 2), g);
    case GEOS_POLYGON: {
        int holes = GEOSGetNumInteriorRings_r(h, g);
        p = put_u32(put_header(p, 3), (uint32_t)holes + 1);
        p = put_ring(h, p, GEOSGetExteriorRing_r(h, g));
        for (int i = 0; i < holes && p; i++)
            p = put_ring(h, p, GEOSGetInteriorRingN_r(h, g, i));
        return p;
    }
    default: { /* the collections, whose GEOS type ids are their WKB codes (4-7) */
        int parts = GEOSGetNumGeometries_r(h, g);
        p = put_u32(put_header(p, (uint32_t)type), (uint32_t)parts);
        for (int i = 0; i < parts && p; i++)
            p = put_geom(h, p, GEOSGetGeometryN_r(h, g, i));
        return p;
    }
    }
}

int plat_gis__wkb_write(GEOSContextHandle_t h, unsigned char **out, size_t *size, const GEOSGeometry *g)
{
    *out = NULL;
    *size = 0;
    size_t n = wkb_size(h, g);
    if (!n)
        return 0;
    unsigned char *buf = malloc(n);
    if (!buf)
        return PLAT_ENOMEM;
    unsigned char *end = put_geom(h, buf, g);
    if (!end || (size_t)(end - buf) != n) {
        free(buf);
        return end ? 0 : PLAT_ENOMEM;
    }
    *out = buf;
    *size = n;
    return 1;
}

/* ---- reading ---- */

typedef struct wkb_in {
    const unsigned char *p, *end;
} wkb_in;

static int get_u32(wkb_in *in, uint32_t *v)
{
    if (in->end - in->p < 4)
        return 0;
    *v = (uint32_t)in->p[0] | (uint32_t)in->p[1] << 8 | (uint32_t)in->p[2] << 16 | (uint32_t)in->p[3] << 24;
    in->p += 4;
    return 1;
}

/* n points (x y doubles) as a sequence. @return it, or NULL to decline */
static GEOSCoordSequence *get_xy(GEOSContextHandle_t h, wkb_in *in, uint32_t n)
{
    if (n == 0 || (size_t)(in->end - in->p) / 16 < n)
        return NULL;
    double stack[2 * STACK_POINTS], *xy = n <= STACK_POINTS ? stack : malloc(2 * (size_t)n * sizeof *xy);
    if (!xy)
        return NULL;
    const uint16_t one = 1;
    if (*(const unsigned char *)&one == 1) { /* little-endian: the bytes are the doubles */
        memcpy(xy, in->p, 16 * (size_t)n);
    } else {
        for (size_t i = 0; i < 2 * (size_t)n; i++) {
            uint64_t v = 0;
            for (int b = 7; b >= 0; b--)
                v = v << 8 | in->p[8 * i + (size_t)b];
            memcpy(&xy[i], &v, sizeof v);
        }
    }
    in->p += 16 * (size_t)n;
    GEOSCoordSequence *seq = GEOSCoordSeq_copyFromBuffer_r(h, xy, n, 0, 0);
    if (xy != stack)
        free(xy);
    return seq;
}

/* A count, then that many points, at least `min`. @return the sequence, or NULL to decline */
static GEOSCoordSequence *get_points(GEOSContextHandle_t h, wkb_in *in, uint32_t min)
{
    uint32_t n;
    return get_u32(in, &n) && n >= min ? get_xy(h, in, n) : NULL;
}

static GEOSGeometry *get_point(GEOSContextHandle_t h, wkb_in *in)
{
    GEOSCoordSequence *seq = get_xy(h, in, 1);
    double x, y;
    if (seq && GEOSCoordSeq_getXY_r(h, seq, 0, &x, &y) && !isnan(x) && !isnan(y))
        return GEOSGeom_createPoint_r(h, seq);
    if (seq) /* NaN NaN is how WKB writes an empty point */
        GEOSCoordSeq_destroy_r(h, seq);
    return NULL;
}

static GEOSGeometry *get_geom(GEOSContextHandle_t h, wkb_in *in, int depth);

static GEOSGeometry *get_polygon(GEOSContextHandle_t h, wkb_in *in)
{
    uint32_t n;
    /* each ring takes 4 bytes at least: a count beyond the bytes is declined before allocating */
    if (!get_u32(in, &n) || n == 0 || (size_t)(in->end - in->p) / 4 < n)
        return NULL;
    GEOSGeometry *shell = NULL, **holes = n > 1 ? calloc(n - 1, sizeof *holes) : NULL;
    unsigned got = 0;
    if (n > 1 && !holes)
        return NULL;
    for (uint32_t i = 0; i < n; i++) {
        GEOSCoordSequence *seq = get_points(h, in, 4);
        GEOSGeometry *ring = seq ? GEOSGeom_createLinearRing_r(h, seq) : NULL; /* takes seq, even failing */
        if (!ring)
            break;
        if (i == 0)
            shell = ring;
        else
            holes[got++] = ring;
    }
    GEOSGeometry *g = NULL;
    if (shell && got == n - 1 && (g = GEOSGeom_createPolygon_r(h, shell, holes, got)) != NULL)
        shell = NULL, got = 0; /* the polygon took them */
    if (shell)
        GEOSGeom_destroy_r(h, shell);
    for (unsigned i = 0; i < got; i++)
        GEOSGeom_destroy_r(h, holes[i]);
    free(holes);
    return g;
}

static GEOSGeometry *get_collection(GEOSContextHandle_t h, wkb_in *in, int type, int depth)
{
    uint32_t n;
    if (depth >= MAX_DEPTH || !get_u32(in, &n) || n == 0 || (size_t)(in->end - in->p) / 9 < n)
        return NULL; /* a part takes 9 bytes at least */
    GEOSGeometry **parts = malloc(n * sizeof *parts), *g = NULL;
    unsigned got = 0;
    if (!parts)
        return NULL;
    /* the parts of a multi are of its one kind (GEOS type ids: multi = simple + 3, polygon + 3) */
    int want = type == GEOS_MULTIPOINT ? GEOS_POINT : type == GEOS_MULTILINESTRING ? GEOS_LINESTRING
             : type == GEOS_MULTIPOLYGON ? GEOS_POLYGON : -1;
    while (got < n) {
        GEOSGeometry *part = get_geom(h, in, depth + 1);
        if (!part)
            break;
        parts[got++] = part;
        if (want >= 0 && GEOSGeomTypeId_r(h, part) != want)
            break;
    }
    if (got == n && (want < 0 || GEOSGeomTypeId_r(h, parts[n - 1]) == want) &&
        (g = GEOSGeom_createCollection_r(h, type, parts, n)) != NULL)
        got = 0; /* the collection took them */
    for (unsigned i = 0; i < got; i++)
        GEOSGeom_destroy_r(h, parts[i]);
    free(parts);
    return g;
}

static GEOSGeometry *get_geom(GEOSContextHandle_t h, wkb_in *in, int depth)
{
    uint32_t type;
    if (in->p >= in->end || *in->p != 1) /* little-endian only */
        return NULL;
    in->p++;
    if (!get_u32(in, &type))
        return NULL;
    switch (type) {
    case 1:
        return get_point(h, in);
    case 2: {
        GEOSCoordSequence *seq = get_points(h, in, 2);
        return seq ? GEOSGeom_createLineString_r(h, seq) : NULL;
    }
    case 3:
        return get_polygon(h, in);
    case 4:
    case 5:
    case 6:
    case 7: /* GEOS's type ids of the collections are their WKB codes */
        return get_collection(h, in, (int)type, depth);
    default:
        return NULL;
    }
}

GEOSGeometry *plat_gis__wkb_read(GEOSContextHandle_t h, const unsigned char *wkb, size_t size)
{
    wkb_in in = { wkb, wkb + size };
    GEOSGeometry *g = get_geom(h, &in, 0);
    if (g && in.p != in.end) { /* bytes left over: GEOS decides what they mean */
        GEOSGeom_destroy_r(h, g);
        g = NULL;
    }
    return g;
}
