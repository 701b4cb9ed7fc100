/* exporters/svg.c - the report's drawings: the map, and the bars of quantity completed by month.
 *
 * The map is one <svg> of CANVAS_W x CANVAS_H CSS pixels (it scales with the page and prints
 * on A4 landscape): the map frame on the left, the legend on the right. Inside the frame the
 * geometries are drawn in the working CRS itself (a Gauss-Kruger plane in metres), so every
 * shape keeps its true proportions and a scale bar can be drawn at all: one <g> carries the
 * affine map from the plane to the page (a uniform scale, y flipped), and coordinates are
 * written as whole numbers of a map unit of q metres, q being a round number below a quarter
 * of a pixel, so rounding is invisible and the file stays small. Path data is relative after
 * the first point of each ring or line ("M12 34l3-4 5 6z"), taken from the rounded absolute
 * positions so that no error accumulates. Geometries are simplified first by GEOS's
 * topology-preserving simplifier with a tolerance of half a pixel, which a reader cannot see
 * and which keeps a county's townships to a few hundred kilobytes.
 *
 * The root <g id="map-data"> tells how to read the coordinates back: data-epsg, data-unit-m
 * (q) and data-origin (the plane coordinates of unit 0,0, the upper left), so that a test, or
 * anyone, can check a drawn shape against the ledger.
 *
 * Projects smaller than a few pixels (a school's 2 ha at county scale) also get a marker, so
 * that every project can be seen and hovered. North is true north: the arrow is turned by the
 * meridian convergence at the centre of the map (grid north and true north differ by up to a
 * degree at the edge of a 3-degree zone).
 *
 * Ownership: everything made here (simplified geometries, unions, transforms) is freed before
 * returning; the report's geometries are only read. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_int.h"

/* The canvas in CSS pixels, about A4 landscape less the page margins at 96 dpi. */
#define CANVAS_W 1080.0
#define CANVAS_H 700.0
#define FRAME_X 6.0
#define FRAME_Y 6.0
#define FRAME_W 768.0
#define FRAME_H 688.0
#define LEGEND_X 786.0
#define LEGEND_W 288.0

/* Township shading: the ramp of the QGIS coverage style (exporters/style.c), and a pale grey
 * for townships where the figure is 0. */
static const char *const ramp[5] = { "#ffffcc", "#c2e699", "#78c679", "#31a354", "#006837" };
#define ZERO_FILL "#f2f2f2"
#define NO_COLOR "#888888"

typedef struct frame {
    double minx, maxy; /* plane coordinates of map unit (0, 0) */
    double q;          /* metres per map unit */
    double k;          /* pixels per map unit */
    double tx, ty;     /* the pixel of map unit (0, 0) */
    double mpp;        /* metres per pixel */
} frame;

/* ---- numbers ---- */

/* The largest 1, 2 or 5 times a power of ten not above v (v > 0). */
static double nice_floor(double v)
{
    double p = pow(10, floor(log10(v)));
    double m = v / p;
    return (m >= 5 ? 5 : m >= 2 ? 2 : 1) * p;
}

/* The smallest 1, 2, 2.5, 5 or 10 times a power of ten not below v (v > 0). */
static double nice_ceil(double v)
{
    double p = pow(10, floor(log10(v)));
    double m = v / p;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 2.5 ? 2.5 : m <= 5 ? 5 : 10) * p;
}

/* A length in map units, for attributes (stroke widths, radii, font sizes). */
static char *units(char *buf, size_t n, const frame *f, double px)
{
    return plat_format_double(buf, n, px / f->k, 3);
}

/* ---- path data ---- */

typedef struct pen {
    plat_buf *b;
    const frame *f;
    long x, y; /* last position written, in map units */
    int rc;
} pen;

static void put_num(pen *p, long v, int after_command)
{
    /* A minus sign separates numbers by itself: "l3-4". */
    if (p->rc >= 0)
        p->rc = plat_buf_printf(p->b, "%s%ld", after_command || v < 0 ? "" : " ", v);
}

static void pen_coords(pen *p, const GEOSCoordSequence *cs, unsigned n, int closed, GEOSContextHandle_t h)
{
    int started = 0, moved = 0;
    for (unsigned i = 0; i < n && p->rc >= 0; i++) {
        double x, y;
        if (!GEOSCoordSeq_getXY_r(h, cs, i, &x, &y))
            continue;
        long ux = lround((x - p->f->minx) / p->f->q), uy = lround((p->f->maxy - y) / p->f->q);
        if (!started) {
            p->rc = plat_buf_puts(p->b, "M");
            put_num(p, ux, 1);
            put_num(p, uy, 0);
            started = 1;
        } else if (ux != p->x || uy != p->y) {
            if (!moved && p->rc >= 0)
                p->rc = plat_buf_puts(p->b, "l");
            put_num(p, ux - p->x, !moved);
            put_num(p, uy - p->y, 0);
            moved = 1;
        }
        p->x = ux;
        p->y = uy;
    }
    if (started && !moved && !closed && p->rc >= 0)
        p->rc = plat_buf_puts(p->b, "h0"); /* a line shorter than a unit still draws a dot */
    if (started && closed && p->rc >= 0)
        p->rc = plat_buf_puts(p->b, "z");
}

/* What one geometry gives to draw: polygon rings, lines, points (map units). */
typedef struct parts {
    plat_buf poly, line;
    double *pts; /* x, y pairs */
    int npts;
} parts;

static void parts_dispose(parts *s)
{
    plat_buf_dispose(&s->poly);
    plat_buf_dispose(&s->line);
    free(s->pts);
    memset(s, 0, sizeof(*s));
}

static int collect(GEOSContextHandle_t h, const frame *f, const GEOSGeometry *g, parts *s)
{
    int type = GEOSGeomTypeId_r(h, g);
    if (GEOSisEmpty_r(h, g) == 1)
        return 0;
    switch (type) {
    case GEOS_POINT: {
        double x, y;
        double *v = realloc(s->pts, (size_t)(s->npts + 1) * 2 * sizeof(*v));
        if (!v)
            return PLAT_ENOMEM;
        s->pts = v;
        if (GEOSGeomGetX_r(h, g, &x) && GEOSGeomGetY_r(h, g, &y)) {
            v[2 * s->npts] = (x - f->minx) / f->q;
            v[2 * s->npts + 1] = (f->maxy - y) / f->q;
            s->npts++;
        }
        return 0;
    }
    case GEOS_LINESTRING:
    case GEOS_LINEARRING: {
        const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(h, g);
        unsigned n = 0;
        if (!cs || !GEOSCoordSeq_getSize_r(h, cs, &n))
            return 0;
        pen p = { &s->line, f, 0, 0, 0 };
        pen_coords(&p, cs, n, 0, h);
        return p.rc;
    }
    case GEOS_POLYGON: {
        int nholes = GEOSGetNumInteriorRings_r(h, g);
        pen p = { &s->poly, f, 0, 0, 0 };
        for (int i = -1; i < nholes && p.rc >= 0; i++) {
            const GEOSGeometry *ring = i < 0 ? GEOSGetExteriorRing_r(h, g) : GEOSGetInteriorRingN_r(h, g, i);
            const GEOSCoordSequence *cs = ring ? GEOSGeom_getCoordSeq_r(h, ring) : NULL;
            unsigned n = 0;
            if (cs && GEOSCoordSeq_getSize_r(h, cs, &n))
                pen_coords(&p, cs, n, 1, h);
        }
        return p.rc;
    }
    default: {
        int n = GEOSGetNumGeometries_r(h, g), rc = 0;
        for (int i = 0; i < n && rc >= 0; i++)
            rc = collect(h, f, GEOSGetGeometryN_r(h, g, i), s);
        return rc;
    }
    }
}

/* g simplified for drawing (a new geometry), or a clone when simplifying fails or is not needed. */
static GEOSGeometry *simplified(GEOSContextHandle_t h, const GEOSGeometry *g, const frame *f)
{
    GEOSGeometry *s = GEOSTopologyPreserveSimplify_r(h, g, f->mpp / 2);
    return s ? s : GEOSGeom_clone_r(h, g);
}

static int draw_parts(rep *r, const frame *f, const GEOSGeometry *g, parts *s)
{
    GEOSGeometry *d = simplified(r->h, g, f);
    if (!d)
        return plat_error_set(r->ctx, PLAT_ENOMEM, "out of memory");
    int rc = collect(r->h, f, d, s);
    GEOSGeom_destroy_r(r->h, d);
    return rc < 0 ? plat_error_set(r->ctx, PLAT_ENOMEM, "out of memory") : 0;
}

/* ---- the frame ---- */

static void grow(double e[4], int *have, GEOSContextHandle_t h, const GEOSGeometry *g)
{
    double x0, y0, x1, y1;
    if (!g || GEOSisEmpty_r(h, g) == 1 || !GEOSGeom_getXMin_r(h, g, &x0) || !GEOSGeom_getYMin_r(h, g, &y0) ||
        !GEOSGeom_getXMax_r(h, g, &x1) || !GEOSGeom_getYMax_r(h, g, &y1))
        return;
    if (!*have) {
        e[0] = x0, e[1] = y0, e[2] = x1, e[3] = y1;
        *have = 1;
        return;
    }
    e[0] = fmin(e[0], x0), e[1] = fmin(e[1], y0), e[2] = fmax(e[2], x1), e[3] = fmax(e[3], y1);
}

/* Fit what is drawn (the townships shown and every selected project) into the map frame.
 * @return 0, or 1 when there is nothing to draw */
static int make_frame(rep *r, frame *f)
{
    double e[4] = { 0, 0, 0, 0 };
    int have = 0;
    for (int i = 0; i < r->ntowns; i++)
        grow(e, &have, r->h, r->towns[i].g);
    for (int i = 0; i < r->nprojs; i++)
        grow(e, &have, r->h, r->projs[i].g);
    if (!have)
        return 1;
    double w = e[2] - e[0], hgt = e[3] - e[1], cx = (e[0] + e[2]) / 2, cy = (e[1] + e[3]) / 2;
    /* A single point or a short line still gets a map a few hundred metres wide. */
    w = fmax(w, 200) * 1.04;
    hgt = fmax(hgt, 200) * 1.04;
    double s = fmin(FRAME_W / w, FRAME_H / hgt); /* pixels per metre */
    f->mpp = 1 / s;
    f->q = nice_floor(f->mpp / 4);
    f->k = s * f->q;
    /* The origin is the upper left of the frame, so the drawing is centred in it. */
    f->minx = cx - FRAME_W / 2 * f->mpp;
    f->maxy = cy + FRAME_H / 2 * f->mpp;
    f->tx = FRAME_X;
    f->ty = FRAME_Y;
    return 0;
}

/* ---- pieces of the map ---- */

/* The townships on the map: those chosen (nsel, first), then the others the frame shows. */
typedef struct view {
    const rtown **v;
    int n, nsel;
} view;

static int frame_meets(GEOSContextHandle_t h, const frame *f, const GEOSGeometry *g)
{
    double x0, y0, x1, y1;
    return g && GEOSGeom_getXMin_r(h, g, &x0) && GEOSGeom_getYMin_r(h, g, &y0) && GEOSGeom_getXMax_r(h, g, &x1) &&
           GEOSGeom_getYMax_r(h, g, &y1) && x1 >= f->minx && x0 <= f->minx + FRAME_W * f->mpp &&
           y1 >= f->maxy - FRAME_H * f->mpp && y0 <= f->maxy;
}

static int make_view(rep *r, const frame *f, view *w)
{
    w->n = w->nsel = 0;
    if (!(w->v = malloc((size_t)(r->ntowns + r->ncontext + 1) * sizeof(*w->v))))
        return plat_error_set(r->ctx, PLAT_ENOMEM, "out of memory");
    for (int i = 0; i < r->ntowns; i++)
        if (r->towns[i].g)
            w->v[w->n++] = &r->towns[i];
    w->nsel = w->n;
    for (int i = 0; i < r->ncontext; i++)
        if (frame_meets(r->h, f, r->context[i].g))
            w->v[w->n++] = &r->context[i];
    return 0;
}

static const char *shade(const rep *r, double v)
{
    if (!(v > 0) || !(r->measure_max > 0))
        return ZERO_FILL;
    int c = (int)ceil(v / r->measure_max * 5) - 1;
    return ramp[c < 0 ? 0 : c > 4 ? 4 : c];
}

/* The townships outside the filters, around the chosen ones: outlines and names for orientation. */
static int draw_context(rep *r, const frame *f, plat_buf *b, const view *w)
{
    char sw[32];
    if (w->n == w->nsel)
        return 0;
    plat_buf_printf(b, "<g class=\"context\" fill=\"#ffffff\" stroke=\"#c8c8c8\" stroke-width=\"%s\" "
                       "stroke-linejoin=\"round\">\n", units(sw, sizeof sw, f, 0.8));
    for (int i = w->nsel; i < w->n; i++) {
        const rtown *t = w->v[i];
        parts s = { PLAT_BUF_INIT, PLAT_BUF_INIT, NULL, 0 };
        int rc = draw_parts(r, f, t->g, &s);
        if (rc >= 0) {
            plat_buf_puts(b, "<path data-context=\"");
            plat_report__text(b, t->code);
            plat_buf_printf(b, "\" fill-rule=\"evenodd\" d=\"%s\"><title>", plat_buf_cstr(&s.poly));
            plat_report__text(b, t->name);
            if (t->county) {
                plat_buf_puts(b, "（");
                plat_report__text(b, t->county);
                plat_buf_puts(b, "）");
            }
            plat_buf_puts(b, "\n不在筛选范围内</title></path>\n");
        }
        parts_dispose(&s);
        if (rc < 0)
            return rc;
    }
    plat_buf_puts(b, "</g>\n");
    return 0;
}

static int draw_townships(rep *r, const frame *f, plat_buf *b)
{
    char w[32], num[64];
    plat_buf_printf(b, "<g class=\"towns\" stroke=\"#ffffff\" stroke-width=\"%s\" stroke-linejoin=\"round\">\n",
                    units(w, sizeof w, f, 0.8));
    for (int i = 0; i < r->ntowns; i++) {
        const rtown *t = &r->towns[i];
        parts s = { PLAT_BUF_INIT, PLAT_BUF_INIT, NULL, 0 };
        if (!t->g)
            continue;
        int rc = draw_parts(r, f, t->g, &s);
        if (rc < 0) {
            parts_dispose(&s);
            return rc;
        }
        plat_buf_puts(b, "<path data-code=\"");
        plat_report__text(b, t->code);
        plat_buf_printf(b, "\" fill=\"%s\" fill-rule=\"evenodd\" d=\"%s\"><title>", t->row ? shade(r, t->value) : NO_COLOR,
                        plat_buf_cstr(&s.poly));
        plat_report__text(b, t->name);
        if (t->county) {
            plat_buf_puts(b, "（");
            plat_report__text(b, t->county);
            plat_buf_puts(b, "）");
        }
        if (t->row)
            plat_buf_printf(b, "\n%s：%s %s", plat_report__measure_label(r->o->measure),
                            plat_report__measure_text(num, sizeof num, r->o->measure, t->value),
                            plat_report__measure_unit(r->o->measure));
        plat_buf_puts(b, "</title></path>\n");
        parts_dispose(&s);
    }
    return plat_buf_puts(b, "</g>\n") < 0 ? plat_error_set(r->ctx, PLAT_ENOMEM, "out of memory") : 0;
}

/* The counties: the union of their townships on the map, as outlines, and their names. */
typedef struct county_shape {
    const char *name;
    GEOSGeometry *g;
} county_shape;

static int county_shapes(rep *r, const view *w, county_shape **out, int *n)
{
    county_shape *v = NULL;
    int nv = 0, rc = 0;
    for (int i = 0; i < w->n && rc >= 0; i++) {
        const char *c = w->v[i]->county;
        int seen = 0;
        for (int k = 0; c && k < nv && !seen; k++)
            seen = strcmp(v[k].name, c) == 0;
        if (!c || seen)
            continue;
        GEOSGeometry **members = NULL;
        unsigned m = 0;
        for (int j = i; j < w->n; j++) {
            if (!w->v[j]->county || strcmp(w->v[j]->county, c) != 0)
                continue;
            GEOSGeometry **nm = realloc(members, (m + 1) * sizeof(*nm));
            if (!nm)
                break;
            members = nm;
            if (!(members[m] = GEOSGeom_clone_r(r->h, w->v[j]->g)))
                break;
            m++;
        }
        GEOSGeometry *coll = members ? GEOSGeom_createCollection_r(r->h, GEOS_GEOMETRYCOLLECTION, members, m) : NULL;
        GEOSGeometry *u = coll ? GEOSUnaryUnion_r(r->h, coll) : NULL;
        if (!coll)
            for (unsigned j = 0; j < m; j++)
                GEOSGeom_destroy_r(r->h, members[j]);
        free(members);
        GEOSGeom_destroy_r(r->h, coll);
        county_shape *nv2 = u ? realloc(v, (size_t)(nv + 1) * sizeof(*v)) : NULL;
        if (!nv2) {
            GEOSGeom_destroy_r(r->h, u);
            rc = plat_error_set(r->ctx, PLAT_EINTERNAL, "county %s: the outline of its townships cannot be made", c);
            break;
        }
        v = nv2;
        v[nv].name = c;
        v[nv].g = u;
        nv++;
    }
    *out = v;
    *n = nv;
    return rc;
}

static void county_shapes_free(rep *r, county_shape *v, int n)
{
    for (int i = 0; i < n; i++)
        GEOSGeom_destroy_r(r->h, v[i].g);
    free(v);
}

static int draw_counties(rep *r, const frame *f, plat_buf *b, const county_shape *v, int n)
{
    char w[32];
    plat_buf_printf(b, "<g class=\"counties\" fill=\"none\" stroke=\"#3a3a3a\" stroke-width=\"%s\" "
                       "stroke-linejoin=\"round\">\n", units(w, sizeof w, f, 1.8));
    for (int i = 0; i < n; i++) {
        parts s = { PLAT_BUF_INIT, PLAT_BUF_INIT, NULL, 0 };
        int rc = draw_parts(r, f, v[i].g, &s);
        if (rc >= 0) {
            plat_buf_puts(b, "<path data-county=\"");
            plat_report__text(b, v[i].name);
            plat_buf_printf(b, "\" d=\"%s\"/>\n", plat_buf_cstr(&s.poly));
        }
        parts_dispose(&s);
        if (rc < 0)
            return rc;
    }
    plat_buf_puts(b, "</g>\n");
    return 0;
}

/* Where a label goes: a point inside g (GEOS point on surface), in map units. */
static int label_point(rep *r, const frame *f, const GEOSGeometry *g, double *x, double *y)
{
    GEOSGeometry *p = GEOSPointOnSurface_r(r->h, g);
    int ok = p && GEOSisEmpty_r(r->h, p) == 0 && GEOSGeomGetX_r(r->h, p, x) && GEOSGeomGetY_r(r->h, p, y);
    GEOSGeom_destroy_r(r->h, p);
    if (ok) {
        *x = (*x - f->minx) / f->q;
        *y = (f->maxy - *y) / f->q;
    }
    return ok;
}

/* Labels: county names first, then township names from the largest township down, each left
 * out where it would cover a label already placed (its township's tooltip still names it).
 * Boxes are estimated in pixels: a Chinese character is as wide as the font is high. */
#define MAX_LABELS 400
#define TOWN_FONT 10.0
#define COUNTY_FONT 17.0

typedef struct tlabel {
    const char *text;
    double x, y;     /* map units */
    double area;     /* what it names, for the order */
    int rank;        /* 2 a county, 1 a chosen township, 0 one around them */
} tlabel;

typedef struct lbox {
    double x0, y0, x1, y1;
} lbox;

static double text_width(const char *s, double font)
{
    double w = 0;
    for (const unsigned char *p = (const unsigned char *)s; p && *p; p++)
        if (*p < 0x80)
            w += 0.6 * font;
        else if (*p >= 0xC0)
            w += font; /* the lead byte of a multibyte character */
    return w;
}

static lbox label_box(const frame *f, const tlabel *l)
{
    double font = l->rank == 2 ? COUNTY_FONT : TOWN_FONT, w = text_width(l->text, font) + 2;
    double px = l->x * f->k, py = l->y * f->k;
    lbox b = { px - w / 2, py - font, px + w / 2, py + font * 0.3 };
    return b;
}

static int by_label_order(const void *a, const void *b)
{
    const tlabel *p = a, *q = b;
    if (p->rank != q->rank)
        return q->rank - p->rank;
    return p->area > q->area ? -1 : p->area < q->area ? 1 : 0;
}

static int draw_labels(rep *r, const frame *f, plat_buf *b, const view *vw, const county_shape *cs, int ncs)
{
    int towns = vw->n <= MAX_LABELS ? vw->n : 0, counties = ncs > 1 ? ncs : 0; /* one county: it is the map */
    tlabel *v = calloc((size_t)(towns + counties) + 1, sizeof(*v));
    lbox *placed = calloc((size_t)(towns + counties) + 1, sizeof(*placed));
    int n = 0, np = 0;
    char fs[32], w[32];
    if (!v || !placed) {
        free(v);
        free(placed);
        return plat_error_set(r->ctx, PLAT_ENOMEM, "out of memory");
    }
    for (int i = 0; i < counties; i++)
        if (label_point(r, f, cs[i].g, &v[n].x, &v[n].y)) {
            v[n].text = cs[i].name;
            v[n].rank = 2;
            n++;
        }
    for (int i = 0; i < towns; i++)
        if (label_point(r, f, vw->v[i]->g, &v[n].x, &v[n].y)) {
            v[n].text = vw->v[i]->name;
            v[n].rank = i < vw->nsel;
            GEOSArea_r(r->h, vw->v[i]->g, &v[n].area);
            n++;
        }
    qsort(v, (size_t)n, sizeof(*v), by_label_order);
    static const char *const group_class[3] = { "context-labels", "labels", "county-labels" };
    for (int group = 2; group >= 0; group--) {
        plat_buf_printf(b, "<g class=\"%s\" font-size=\"%s\" stroke-width=\"%s\">\n", group_class[group],
                        units(fs, sizeof fs, f, group == 2 ? COUNTY_FONT : TOWN_FONT),
                        units(w, sizeof w, f, group == 2 ? 3.5 : 2.4));
        for (int i = 0; i < n; i++) {
            if (v[i].rank != group)
                continue;
            lbox bx = label_box(f, &v[i]);
            /* a county or township reaching beyond the frame may have its point outside it */
            if (bx.x0 < 0 || bx.y0 < 0 || bx.x1 > FRAME_W || bx.y1 > FRAME_H)
                continue;
            int clash = 0;
            for (int k = 0; k < np && !clash; k++)
                clash = bx.x0 < placed[k].x1 && placed[k].x0 < bx.x1 && bx.y0 < placed[k].y1 && placed[k].y0 < bx.y1;
            if (clash)
                continue;
            placed[np++] = bx;
            plat_buf_printf(b, "<text x=\"%.0f\" y=\"%.0f\">", v[i].x, v[i].y);
            plat_report__text(b, v[i].text);
            plat_buf_puts(b, "</text>\n");
        }
        plat_buf_puts(b, "</g>\n");
    }
    free(v);
    free(placed);
    return 0;
}

static const char *cat_color(const rep *r, const rproj *p)
{
    return p->cat >= 0 ? r->cats[p->cat].color : NO_COLOR;
}

/* Order of drawing: polygons (largest first, so small ones stay on top), then lines, then points. */
static int draw_rank(const rproj *p)
{
    return p->kinds & PLAT_GEOM_POLYGON ? 0 : p->kinds & PLAT_GEOM_LINE ? 1 : 2;
}

static int by_draw_order(const void *a, const void *b)
{
    const rproj *p = *(const rproj *const *)a, *q = *(const rproj *const *)b;
    int ra = draw_rank(p), rb = draw_rank(q);
    if (ra != rb)
        return ra - rb;
    if (ra == 0 && p->q.area_m2 != q->q.area_m2)
        return p->q.area_m2 > q->q.area_m2 ? -1 : 1;
    return strcmp(p->code, q->code);
}

static int draw_projects(rep *r, const frame *f, plat_buf *b, int *drawn)
{
    char lw[32], cw[32], pw[32], rad[32], mrad[32], ow[32];
    const rproj **order = malloc((size_t)(r->nprojs + 1) * sizeof(*order));
    int n = 0;
    if (!order)
        return plat_error_set(r->ctx, PLAT_ENOMEM, "out of memory");
    for (int i = 0; i < r->nprojs; i++)
        if (r->projs[i].g)
            order[n++] = &r->projs[i];
    qsort(order, (size_t)n, sizeof(*order), by_draw_order);
    units(lw, sizeof lw, f, 2.2);
    units(cw, sizeof cw, f, 4.6);
    units(pw, sizeof pw, f, 0.7);
    units(rad, sizeof rad, f, 3.6);
    units(mrad, sizeof mrad, f, 3.0);
    units(ow, sizeof ow, f, 0.8);
    plat_buf_printf(b, "<g class=\"projects\" stroke-linejoin=\"round\" stroke-linecap=\"round\">\n");
    int rc = 0;
    for (int k = 0; k < n && rc >= 0; k++) {
        const rproj *p = order[k];
        const char *col = cat_color(r, p);
        char qty[96], prog[32], tgt[64];
        parts s = { PLAT_BUF_INIT, PLAT_BUF_INIT, NULL, 0 };
        if ((rc = draw_parts(r, f, p->g, &s)) < 0) {
            parts_dispose(&s);
            break;
        }
        plat_buf_puts(b, "<g class=\"pj\" data-code=\"");
        plat_report__text(b, p->code);
        plat_buf_puts(b, "\" data-category=\"");
        plat_report__text(b, p->category);
        plat_buf_puts(b, "\" data-status=\"");
        plat_report__text(b, p->status);
        plat_buf_puts(b, "\"><title>");
        plat_report__text(b, p->code);
        plat_buf_puts(b, " ");
        plat_report__text(b, p->name);
        plat_buf_puts(b, "\n类别：");
        plat_report__text(b, p->cat >= 0 ? r->cats[p->cat].label : p->category);
        plat_buf_puts(b, "　状态：");
        plat_report__text(b, plat_status_label(p->status));
        plat_buf_printf(b, "　进度：%s%%\n目标：", plat_format_double(prog, sizeof prog, p->progress, 1));
        plat_report__text(b, plat_report__target_text(tgt, sizeof tgt, p));
        plat_buf_puts(b, "　实测：");
        plat_report__text(b, plat_report__quantity_text(qty, sizeof qty, &p->q, p->kinds));
        plat_buf_puts(b, "</title>\n");
        /* Outlines and a white casing keep projects apart from the township shading, whatever
         * its class; the casing also makes a thin line easier to point at. */
        if (s.poly.len)
            plat_buf_printf(b, "<path class=\"pg\" fill=\"%s\" fill-opacity=\"0.75\" fill-rule=\"evenodd\" "
                               "stroke=\"#1a1a1a\" stroke-width=\"%s\" d=\"%s\"/>\n", col, pw, plat_buf_cstr(&s.poly));
        if (s.line.len)
            plat_buf_printf(b, "<path class=\"cs\" fill=\"none\" stroke=\"#ffffff\" stroke-opacity=\"0.8\" "
                               "stroke-width=\"%s\" d=\"%s\"/>\n<path class=\"ln\" fill=\"none\" stroke=\"%s\" "
                               "stroke-width=\"%s\" d=\"%s\"/>\n",
                            cw, plat_buf_cstr(&s.line), col, lw, plat_buf_cstr(&s.line));
        for (int i = 0; i < s.npts; i++)
            plat_buf_printf(b, "<circle class=\"pt\" cx=\"%.0f\" cy=\"%.0f\" r=\"%s\" fill=\"%s\" stroke=\"#ffffff\" "
                               "stroke-width=\"%s\"/>\n", s.pts[2 * i], s.pts[2 * i + 1], rad, col, ow);
        /* Too small to see or to point at: a marker at its middle as well. */
        double x0, y0, x1, y1;
        if ((s.poly.len || s.line.len) && GEOSGeom_getXMin_r(r->h, p->g, &x0) && GEOSGeom_getYMin_r(r->h, p->g, &y0) &&
            GEOSGeom_getXMax_r(r->h, p->g, &x1) && GEOSGeom_getYMax_r(r->h, p->g, &y1) &&
            fmax(x1 - x0, y1 - y0) < 4 * f->mpp)
            plat_buf_printf(b, "<circle class=\"mk\" cx=\"%.0f\" cy=\"%.0f\" r=\"%s\" fill=\"%s\" stroke=\"#ffffff\" "
                               "stroke-width=\"%s\"/>\n", ((x0 + x1) / 2 - f->minx) / f->q, (f->maxy - (y0 + y1) / 2) / f->q,
                            mrad, col, ow);
        plat_buf_puts(b, "</g>\n");
        parts_dispose(&s);
        (*drawn)++;
    }
    plat_buf_puts(b, "</g>\n");
    free(order);
    return rc;
}

/* ---- legend, scale bar, north arrow (canvas pixels) ---- */

static void swatch(plat_buf *b, double x, double y, const char *fill, const char *stroke, const char *text)
{
    plat_buf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"22\" height=\"12\" fill=\"%s\" stroke=\"%s\" "
                       "stroke-width=\"0.8\"/>\n<text x=\"%.1f\" y=\"%.1f\">",
                    x, y - 10, fill, stroke, x + 30, y);
    plat_report__text(b, text);
    plat_buf_puts(b, "</text>\n");
}

static void draw_legend(rep *r, plat_buf *b, int ncounties, int context)
{
    const double x = LEGEND_X + 14;
    double y = FRAME_Y + 26;
    char lo[48], hi[48], text[160];
    plat_buf_printf(b, "<g class=\"legend\">\n<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" fill=\"#ffffff\" "
                       "stroke=\"#bbbbbb\"/>\n",
                    LEGEND_X, FRAME_Y, LEGEND_W, FRAME_H);
    plat_buf_printf(b, "<text class=\"lt\" x=\"%.1f\" y=\"%.1f\">图例</text>\n", x, y);
    y += 26;
    if (r->ntowns) {
        plat_buf_printf(b, "<text class=\"lh\" x=\"%.1f\" y=\"%.1f\">乡镇：", x, y);
        plat_report__text(b, plat_report__measure_label(r->o->measure));
        plat_buf_printf(b, "（%s）</text>\n", plat_report__measure_unit(r->o->measure));
        y += 20;
        if (r->cov) {
            swatch(b, x, y, ZERO_FILL, "#cccccc", "0（无项目覆盖）");
            y += 17;
            for (int c = 0; c < 5 && r->measure_max > 0; c++) {
                plat_report__measure_text(lo, sizeof lo, r->o->measure, r->measure_max * c / 5);
                plat_report__measure_text(hi, sizeof hi, r->o->measure, r->measure_max * (c + 1) / 5);
                snprintf(text, sizeof text, "%s – %s", lo, hi);
                swatch(b, x, y, ramp[c], "#cccccc", text);
                y += 17;
            }
        }
        plat_buf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#3a3a3a\" stroke-width=\"1.8\"/>"
                           "<text x=\"%.1f\" y=\"%.1f\">县界%s</text>\n",
                        x, y - 4, x + 22, y - 4, x + 30, y, ncounties > 1 ? "（县名加粗）" : "");
        y += 17;
        plat_buf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"22\" height=\"12\" fill=\"%s\" stroke=\"#ffffff\"/>"
                           "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ffffff\" stroke-width=\"1.5\"/>"
                           "<text x=\"%.1f\" y=\"%.1f\">乡镇界</text>\n",
                        x, y - 10, ramp[1], x + 11, y - 10, x + 11, y + 2, x + 30, y);
        y += 17;
        if (context) {
            swatch(b, x, y, "#ffffff", "#c8c8c8", "筛选范围外的乡镇（灰色名称）");
            y += 17;
        }
        y += 9;
    }
    int shown = 0;
    for (int c = 0; c < r->ncats; c++)
        shown += r->cats[c].mapped > 0;
    plat_buf_printf(b, "<text class=\"lh\" x=\"%.1f\" y=\"%.1f\">项目类别（上图项目数）</text>\n", x, y);
    y += 20;
    /* Two columns when one would run past the frame. */
    double step = 17, room = FRAME_Y + FRAME_H - 12 - y;
    int per_col = shown * step <= room ? shown : (shown + 1) / 2, k = 0;
    if (per_col * step > room)
        step = room / per_col;
    for (int c = 0; c < r->ncats; c++) {
        const rcat *cat = &r->cats[c];
        if (!cat->mapped)
            continue;
        double cx = x + (k / per_col) * 134, cy = y + (k % per_col) * step;
        snprintf(text, sizeof text, "%s %d", cat->label, cat->mapped);
        if (cat->kinds == PLAT_GEOM_LINE) {
            plat_buf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2.5\"/>"
                               "<text x=\"%.1f\" y=\"%.1f\">",
                            cx, cy - 4, cx + 22, cy - 4, cat->color, cx + 30, cy);
            plat_report__text(b, text);
            plat_buf_puts(b, "</text>\n");
        } else if (cat->kinds == PLAT_GEOM_POINT) {
            plat_buf_printf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"/><text x=\"%.1f\" y=\"%.1f\">",
                            cx + 11, cy - 4, cat->color, cx + 30, cy);
            plat_report__text(b, text);
            plat_buf_puts(b, "</text>\n");
        } else {
            swatch(b, cx, cy, cat->color, cat->color, text);
        }
        k++;
    }
    if (!shown)
        plat_buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\">（没有上图的项目）</text>\n", x, y);
    plat_buf_puts(b, "</g>\n");
}

static void draw_scale_bar(const frame *f, plat_buf *b)
{
    /* About a quarter of the frame, a round number of metres. */
    double len_m = nice_floor(FRAME_W / 4 * f->mpp), px = len_m / f->mpp;
    double x = FRAME_X + 16, y = FRAME_Y + FRAME_H - 22;
    int km = len_m >= 1000;
    char a[32], c[32];
    plat_format_double(a, sizeof a, km ? len_m / 2000 : len_m / 2, 3);
    plat_format_double(c, sizeof c, km ? len_m / 1000 : len_m, 3);
    plat_buf_printf(b, "<g class=\"scalebar\" data-metres=\"%.0f\" data-px=\"%.2f\">\n"
                       "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"34\" fill=\"#ffffff\" fill-opacity=\"0.85\"/>\n"
                       "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.2f\" height=\"6\" fill=\"#222222\" stroke=\"#222222\"/>\n"
                       "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.2f\" height=\"6\" fill=\"#ffffff\" stroke=\"#222222\"/>\n"
                       "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">0</text>"
                       "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>"
                       "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s %s</text>\n</g>\n",
                    len_m, px, x - 10, y - 20, px + 60, x, y, px / 2, x + px / 2, y, px / 2, x, y - 5, x + px / 2,
                    y - 5, a, x + px, y - 5, c, km ? "km" : "m");
}

/* True north at the middle of the map, as an angle from grid north (degrees, clockwise). */
static double convergence(rep *r, const frame *f)
{
    plat_transform *to = NULL, *back = NULL;
    char src[32];
    double angle = 0;
    snprintf(src, sizeof src, "EPSG:%d", r->srid);
    double x = f->minx + FRAME_W / 2 * f->mpp, y = f->maxy - FRAME_H / 2 * f->mpp, lon = x, lat = y;
    if (plat_transform_new(r->ctx, &to, src, PLAT_EPSG_CGCS2000) >= 0 &&
        plat_transform_new(r->ctx, &back, "EPSG:4490", r->srid) >= 0 && plat_transform_point(to, &lon, &lat) >= 0) {
        double nx = lon, ny = lat + 0.01;
        if (plat_transform_point(back, &nx, &ny) >= 0)
            angle = atan2(nx - x, ny - y) * 180 / 3.14159265358979323846;
    }
    plat_transform_free(to);
    plat_transform_free(back);
    plat_error_clear(r->ctx); /* a map without a turned arrow is still a map */
    return angle;
}

static void draw_north(rep *r, const frame *f, plat_buf *b)
{
    double cx = FRAME_X + FRAME_W - 32, cy = FRAME_Y + 44;
    char a[32];
    plat_format_double(a, sizeof a, convergence(r, f), 3);
    plat_buf_printf(b, "<g class=\"north\" data-angle=\"%s\" transform=\"translate(%.1f %.1f) rotate(%s)\">\n"
                       "<circle r=\"20\" fill=\"#ffffff\" fill-opacity=\"0.85\" stroke=\"#999999\"/>\n"
                       "<path d=\"M0 -16L7 8L0 3z\" fill=\"#222222\"/><path d=\"M0 -16L-7 8L0 3z\" fill=\"#ffffff\" "
                       "stroke=\"#222222\" stroke-width=\"0.8\"/>\n"
                       "<text y=\"-23\" text-anchor=\"middle\" class=\"n\">北</text>\n</g>\n",
                    a, cx, cy, a);
}

int plat_report__map(rep *r, plat_buf *out)
{
    frame f;
    view vw = { NULL, 0, 0 };
    county_shape *cs = NULL;
    int ncs = 0, drawn = 0, rc;
    char w[32], h[32];
    plat_buf_printf(out, "<svg class=\"map\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %.0f %.0f\" "
                         "width=\"%.0f\" height=\"%.0f\" role=\"img\" aria-label=\"项目分布图\">\n",
                    CANVAS_W, CANVAS_H, CANVAS_W, CANVAS_H);
    plat_buf_printf(out, "<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" fill=\"#fbfdff\" stroke=\"#bbbbbb\"/>\n",
                    FRAME_X, FRAME_Y, FRAME_W, FRAME_H);
    if (make_frame(r, &f) != 0) {
        plat_buf_printf(out, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\">账本中没有可上图的乡镇或项目</text>\n",
                        FRAME_X + FRAME_W / 2, FRAME_Y + FRAME_H / 2);
        draw_legend(r, out, 0, 0);
        return plat_buf_puts(out, "</svg>\n") < 0 ? plat_error_set(r->ctx, PLAT_ENOMEM, "out of memory") : 0;
    }
    plat_buf_printf(out, "<svg x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" viewBox=\"%.0f %.0f %.0f %.0f\" "
                         "overflow=\"hidden\">\n",
                    FRAME_X, FRAME_Y, FRAME_W, FRAME_H, FRAME_X, FRAME_Y, FRAME_W, FRAME_H);
    plat_buf_printf(out, "<g id=\"map-data\" data-epsg=\"%d\" data-unit-m=\"%s\" data-origin=\"%.3f %.3f\" "
                         "transform=\"matrix(%s 0 0 %s %.3f %.3f)\">\n",
                    r->srid, plat_format_double(w, sizeof w, f.q, 6), f.minx, f.maxy,
                    plat_format_double(h, sizeof h, f.k, 9), h, f.tx, f.ty);
    if ((rc = make_view(r, &f, &vw)) >= 0 && (rc = draw_context(r, &f, out, &vw)) >= 0 &&
        (rc = draw_townships(r, &f, out)) >= 0 && (rc = county_shapes(r, &vw, &cs, &ncs)) >= 0 &&
        (rc = draw_counties(r, &f, out, cs, ncs)) >= 0 && (rc = draw_projects(r, &f, out, &drawn)) >= 0)
        rc = draw_labels(r, &f, out, &vw, cs, ncs);
    county_shapes_free(r, cs, ncs);
    int context = vw.n > vw.nsel;
    free(vw.v);
    if (rc < 0)
        return rc;
    plat_buf_puts(out, "</g>\n</svg>\n");
    draw_scale_bar(&f, out);
    draw_north(r, &f, out);
    draw_legend(r, out, ncs, context);
    return plat_buf_puts(out, "</svg>\n") < 0 ? plat_error_set(r->ctx, PLAT_ENOMEM, "out of memory") : 0;
}

/* ---- bars by month ---- */

int plat_report__bars(plat_buf *out, const rseries *s, const char *const *months, int n)
{
    const double W = 340, H = 180, L = 52, R = 10, T = 28, B = 40;
    double pw = W - L - R, ph = H - T - B, max = 0;
    char v[48], t[48];
    for (int i = 0; i < n; i++)
        max = fmax(max, s->values[i]);
    double top = max > 0 ? nice_ceil(max) : 1;
    if (s->digits == 0) /* counts: whole numbers on every tick */
        top = fmax(2, 2 * ceil(top / 2));
    plat_buf_printf(out, "<svg class=\"bars\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" "
                         "height=\"%.0f\" role=\"img\">\n<text class=\"ct\" x=\"%.0f\" y=\"16\">",
                    W, H, W, H, L);
    plat_report__text(out, s->title);
    plat_buf_printf(out, "（%s）</text>\n", s->unit);
    for (int k = 0; k <= 2; k++) {
        double y = T + ph - ph * k / 2;
        plat_buf_printf(out, "<line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" stroke=\"%s\"/>"
                             "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
                        L, y, W - R, y, k ? "#e0e0e0" : "#888888", L - 4, y + 4,
                        plat_format_double(t, sizeof t, top * k / 2, 3));
    }
    double slot = pw / (n > 0 ? n : 1), bw = fmax(slot * 0.7, 1);
    int every = n > 8 ? (n + 7) / 8 : 1;
    for (int i = 0; i < n; i++) {
        double val = fmax(s->values[i], 0), bh = ph * val / top, x = L + slot * i + (slot - bw) / 2;
        plat_buf_printf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#31a354\" data-month=\"%s\" "
                             "data-v=\"%s\"><title>%s：%s %s</title></rect>\n",
                        x, T + ph - bh, bw, bh, months[i], plat_format_double(v, sizeof v, s->values[i], s->digits), months[i],
                        v, s->unit);
        if (i % every == 0)
            plat_buf_printf(out, "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">%s</text>\n", L + slot * (i + 0.5),
                            T + ph + 16, months[i]);
    }
    if (!(max > 0))
        plat_buf_printf(out, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\" fill=\"#888888\">（无）</text>\n",
                        L + pw / 2, T + ph / 2);
    return plat_buf_puts(out, "</svg>\n");
}
