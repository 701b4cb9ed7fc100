/* plat/report.h - one HTML file people look at: the map and the tables of a ledger.
 *
 * plat_report_write writes a single self-contained HTML file (inline SVG, CSS and a few lines
 * of script; no network, no external font) that opens in any browser and prints on A4
 * landscape. It holds:
 *
 *   the map      townships shaded by a coverage figure, county outlines, the projects in
 *                their category colours (hovering one shows its name, status, progress,
 *                target and measured quantity), township names, a legend in Chinese, a scale
 *                bar and a north arrow; drawn in the working CRS so shapes are true;
 *   the tables   coverage by township (the figures of plat_coverage_compute, sortable),
 *                projects by category and status, targets that disagree with geometry
 *                (plat_targets_compute), overlaps with the protected layers of kind
 *                basic_farmland and eco_redline (plat_conflicts_compute), quantity completed
 *                by month from the project history, and the list of projects.
 *
 * The file is written beside DEST under a temporary name and moved into place when complete:
 * a failed report leaves no file. The text is XHTML-compatible (every element closed, only
 * XML's own entities), so XML tools can read it too. */
#ifndef PLAT_REPORT_H
#define PLAT_REPORT_H

#include "common.h"
#include "store.h"

/* What shades the townships on the map. */
enum {
    PLAT_REPORT_SHARE = 0,     /* share of the township's area covered by project polygons */
    PLAT_REPORT_LINE_KM = 1,   /* km of project lines inside the township */
    PLAT_REPORT_POLYGON_MU = 2 /* 亩 of project polygons inside the township (overlaps once) */
};

typedef struct plat_report_options {
    int version;            /* 1 */
    /* Filters, as `plat project list` takes them. */
    const char *township;   /* township or county, by name or code: projects touching it, and only
                             * those townships on the map and in the coverage table */
    const char *county;     /* projects of this county, and the townships of this county */
    const char *category;   /* a category code or label: projects, coverage, checks */
    const char *status;     /* a status code or Chinese name: projects, coverage, checks */
    int measure;            /* PLAT_REPORT_* */
    int planar;             /* measure in the working CRS plane instead of on the ellipsoid */
    int overwrite;          /* replace an existing DEST instead of refusing */
    const char *date;       /* the date printed as the report's date (YYYY-MM-DD); NULL: as_of,
                             * or today */
    const char *as_of;      /* YYYY-MM-DD: the works as they stood at the end of that day (the
                             * map, every table, the months up to it); NULL: as now */
    const char *as_recorded;/* YYYY-MM-DD: as the ledger said when read that day, before any later
                             * entry or correction; NULL: by everything recorded */
} plat_report_options;
#define PLAT_REPORT_OPTIONS_INIT { 1, NULL, NULL, NULL, NULL, PLAT_REPORT_SHARE, 0, 0, NULL, NULL, NULL }

/* What a report holds. */
typedef struct plat_report_result {
    int projects;           /* projects selected by the filters */
    int mapped;             /* of those, drawn on the map (the others have no geometry) */
    int townships;          /* townships on the map and in the coverage table */
    int mismatches;         /* targets that disagree with geometry */
    int conflicts;          /* project overlaps with protected layers, over all such layers */
    int protected_layers;   /* protected layers checked (basic_farmland, eco_redline) */
    int64_t bytes;          /* size of the file written */
} plat_report_result;

/** Parse a --measure word ("share", "line_km", "polygon_mu") into PLAT_REPORT_*.
 * @return 0 and *measure, or PLAT_EINVALID (recorded on ctx) naming the words allowed */
PLAT_API int plat_report_parse_measure(plat_ctx *ctx, int *measure, const char *text);

/** Write the report of db to the file dest.
 * @param db   open ledger; failures are recorded in its context, naming dest
 * @param res  may be NULL; filled on success
 * @param opts NULL for defaults
 * @return 0, PLAT_EEXISTS (dest exists and overwrite is not set), PLAT_EUSAGE (dest is a
 *         folder or empty), PLAT_EINVALID (an unknown filter value), PLAT_ENOTFOUND (an
 *         unknown township or county, no folder to write in), PLAT_EIO (dest cannot be
 *         written; nothing is left behind) or another negative PLAT_E* code */
PLAT_API int plat_report_write(plat_store *db, plat_report_result *res, const char *dest,
                               const plat_report_options *opts);

#endif
