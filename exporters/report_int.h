/* exporters/report_int.h - what the HTML report (report.c) and its drawings (svg.c) share:
 * the report's data, read once from the ledger, and the text helpers.
 * Nothing outside exporters/ includes this. */
#ifndef PLAT_REPORT_INT_H
#define PLAT_REPORT_INT_H

#include "plat/coverage.h"
#include "plat/gis.h"
#include "plat/report.h"
#include "plat/util.h"

/* A category of the ledger with what the selected projects have of it. */
typedef struct rcat {
    char *code, *label, *color;
    int by_status[5];       /* planned, under_construction, completed, suspended, other */
    int projects;
    int mapped;             /* projects of it drawn on the map */
    plat_quantity q;        /* the selected projects' whole measures, summed */
    int kinds;              /* PLAT_GEOM_* bits seen */
} rcat;

/* A township on the map and in the coverage table. */
typedef struct rtown {
    char *code, *name, *county;
    GEOSGeometry *g;                  /* in the working CRS; owned */
    const plat_coverage_row *row;     /* its coverage figures, NULL when coverage is not known */
    double value;                     /* the figure that shades it (report measure) */
} rtown;

/* A selected project. */
typedef struct rproj {
    char *code, *name, *category, *county, *status;
    double progress;
    int has_target;
    double target_qty;
    char *target_unit;
    int kinds;              /* PLAT_GEOM_* bits, 0 without geometry */
    plat_quantity q;        /* its whole measure (ellipsoidal or planar as the report measures) */
    char *townships;        /* names joined by 、 */
    GEOSGeometry *g;        /* in the working CRS, NULL without; owned */
    int cat;                /* index into the categories, -1 if unknown */
} rproj;

typedef struct rep {
    plat_store *db;
    plat_ctx *ctx;
    GEOSContextHandle_t h;
    const plat_report_options *o;
    int srid;               /* working CRS, 0 while the ledger has no geometry */
    char category[64];      /* --category resolved to its code, "" for none */
    const char *status;     /* --status resolved, NULL for none */
    rcat *cats;
    int ncats;
    rtown *towns;
    int ntowns;
    rtown *context;         /* with --township or --county: the other townships, drawn around the
                             * chosen ones for orientation (no figures) */
    int ncontext;
    rproj *projs;
    int nprojs;
    plat_coverage *cov;     /* NULL when the ledger has no townships */
    double measure_max;     /* the largest shading figure over the townships shown */
} rep;

/** Append s with the characters XML and HTML treat specially escaped, and control characters
 * XML does not allow replaced by U+FFFD. NULL appends nothing. @return 0 or PLAT_ENOMEM */
int plat_report__text(plat_buf *out, const char *s);
/** The Chinese name of the report's measure and its unit ("项目面积占乡镇比例", "%"). */
const char *plat_report__measure_label(int measure);
const char *plat_report__measure_unit(int measure);
/** A shading figure as shown (share in per cent, km, 亩) into buf. @return buf */
char *plat_report__measure_text(char *buf, size_t n, int measure, double value);

/** A measured quantity as tables show it: "12.345 km", "1234.5 亩", "2 点" (the line part first
 * for mixed geometry, "—" without geometry). @return buf */
char *plat_report__quantity_text(char *buf, size_t n, const plat_quantity *q, int kinds);
/** A project's target as written ("21 km", "20.8 万亩"), "" without one. @return buf */
char *plat_report__target_text(char *buf, size_t n, const rproj *p);

/** Append the map: an <svg> of the townships shaded by r's measure, county outlines, the
 * projects in their category colours with a <title> each, township names, the legend, scale
 * bar and north arrow. @return 0 or < 0 (recorded) */
int plat_report__map(rep *r, plat_buf *out);

/* One series of the monthly chart. */
typedef struct rseries {
    const char *title;      /* "完成长度" */
    const char *unit;       /* "km" */
    const double *values;   /* one per month */
    int digits;             /* decimals shown */
} rseries;
/** Append a small bar chart (<svg>) of values by month, labels "YYYY-MM". @return 0 or PLAT_ENOMEM */
int plat_report__bars(plat_buf *out, const rseries *s, const char *const *months, int n);

#endif
