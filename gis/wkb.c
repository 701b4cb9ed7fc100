/* gis/wkb.c - 2D ISO WKB of a GEOS geometry, written straight from its coordinates.
 *
 * Every feature an import stores goes out as WKB. GEOS's WKBWriter writes through a C++
 * output stream a few bytes at a time (8,000 instructions for a parcel of seven vertices,
 * 17,000 for a road); WKB is a fixed layout (OGC 06-103r4, 8.2), so it is written here in one
 * pass into a buffer of the exact size, with the same bytes GEOS writes: little-endian (NDR),
 * 2D (Z and M dropped), ISO type codes 1-7, every part with its own byte order and type.
 *
 * Geometries with an empty part (GEOS writes an empty point as NaN NaN) and linear rings
 * standing alone are left to GEOS's writer: plat_gis__wkb_write says so and writes nothing.
 * Ownership: the buffer handed out is the caller's (plat_free). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "plat/util.h"
#include "gis_int.h"

/* Points of a sequence copied at once onto the stack; longer ones get a buffer of their own. */
#define STACK_POINTS 256

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
