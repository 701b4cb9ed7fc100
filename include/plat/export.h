/* plat/export.h - writing the ledger out for QGIS, Google Earth / 奥维 and spreadsheets.
 *
 * Six writers share one model of what is exported (exporters/export.c):
 *
 *   projects   every project with all its attributes (code, name, category and its Chinese
 *              label, county, status and its Chinese label, progress, quantity done, target,
 *              measured km / m2 / 亩 / points, townships touched, lead unit, document, clause,
 *              year, investment, dates) plus its kept source attributes; one layer per
 *              geometry type (points, lines, polygons) and one table for projects without one;
 *   townships  the township polygons (code, name, county, area);
 *   coverage   the township polygons again, carrying the coverage figures of
 *              plat_coverage_compute as attributes (km, 亩, share ...), ready for a choropleth;
 *   layers     every reference layer, its source attributes kept.
 *
 * Field names are short English ASCII names (code, name, cat_label, status_lbl ...; README
 * lists them) that fit a Shapefile's 10 bytes; QGIS styles and projects give them Chinese
 * aliases. Writes are safe: everything is written under temporary names next to DEST and moved
 * into place only when all of it succeeded, so a failed export leaves no file behind; existing
 * files are refused unless `overwrite` is set. */
#ifndef PLAT_EXPORT_H
#define PLAT_EXPORT_H

#include "common.h"
#include "store.h"

/* What to export (bits of plat_export_options.what). */
enum {
    PLAT_EXPORT_PROJECTS = 1,
    PLAT_EXPORT_TOWNSHIPS = 2,
    PLAT_EXPORT_COVERAGE = 4,
    PLAT_EXPORT_LAYERS = 8,
    PLAT_EXPORT_ALL = 15
};

typedef struct plat_export_options {
    int version;            /* 1 */
    int what;               /* PLAT_EXPORT_* bits; 0 means PLAT_EXPORT_ALL */
    /* Filters, as `plat project list` takes them. */
    const char *township;   /* township or county, by name or code: projects touching it, and only
                             * those townships (and the reference features near them) */
    const char *county;     /* projects of this county, and the townships of this county */
    const char *category;   /* a category code or label; projects and coverage */
    const char *status;     /* a status code or Chinese name; projects and coverage */
    const char *t_srs;      /* target CRS (anything PROJ accepts: EPSG:N, WKT, a .prj); NULL: the
                             * working CRS, or WGS 84 longitude/latitude for GeoJSON and KML */
    int overwrite;          /* replace existing files instead of refusing */
    int planar;             /* measured quantities and coverage in the working CRS plane */
    plat_progress_fn progress;
    void *progress_ud;
    const char *as_of;      /* YYYY-MM-DD: projects and coverage as they stood at the end of that day */
    const char *as_recorded;/* YYYY-MM-DD: as the ledger said when read that day */
} plat_export_options;
#define PLAT_EXPORT_OPTIONS_INIT { 1, 0, NULL, NULL, NULL, NULL, NULL, 0, 0, NULL, NULL, NULL, NULL }

/* What an export wrote. */
typedef struct plat_export_file {
    char *path;             /* the file as written (DEST/projects_lines.shp ...) */
    char *layer;            /* the layer inside it ("projects_lines"); for one-file formats the
                             * file holds several layers and appears once per layer */
    int64_t features;
} plat_export_file;

typedef struct plat_export_result {
    int nfiles;
    plat_export_file *files;
    int64_t features;       /* all features written */
    int warnings;           /* warnings given (truncated texts, skipped projects ...) */
} plat_export_result;

/** Free what a result holds (not res itself). NULL is a no-op. */
PLAT_API void plat_export_result_dispose(plat_export_result *res);

/* Every writer: db the open ledger (errors recorded in its context, naming the file); res
 * (may be NULL) filled on success and disposed by the caller with plat_export_result_dispose;
 * opts NULL for defaults. Each returns 0, PLAT_EEXISTS (a destination file exists and
 * overwrite is not set), PLAT_EUSAGE (a DEST of the wrong kind, --t-srs where it does not
 * apply), PLAT_EINVALID (an unknown filter value or CRS, a layer name that cannot be a file
 * name), PLAT_ENOTFOUND (an unknown township), PLAT_EIO (a file could not be written; nothing
 * is left behind) or another negative code. */

/** GeoJSON (RFC 7946: WGS 84 longitude/latitude, no crs member): DEST is a folder, one
 * .geojson per layer and geometry type, each with a .qml style beside it. With opts->t_srs
 * another CRS is written with the legacy crs member and a warning that the files are outside
 * RFC 7946. */
PLAT_API int plat_export_geojson(plat_store *db, plat_export_result *res, const char *dest,
                                 const plat_export_options *opts);
/** ESRI Shapefile: DEST is a folder, one file set per layer and geometry type with .prj, .cpg
 * (UTF-8) and a .qml style; field names cut to 10 bytes by the mapping of exporters/shp.c;
 * texts longer than 254 bytes are cut on a character boundary with a warning. Projects
 * without geometry go to projects_nogeom.dbf. Source attributes stay in the `attrs` field. */
PLAT_API int plat_export_shp(plat_store *db, plat_export_result *res, const char *dest,
                             const plat_export_options *opts);
/** GeoPackage: DEST is a .gpkg file holding every layer, with QGIS styles in its layer_styles
 * table (projects by category in the category colours with Chinese labels, townships as
 * outlines, coverage graduated), applied as soon as QGIS opens a layer. */
PLAT_API int plat_export_gpkg(plat_store *db, plat_export_result *res, const char *dest,
                              const plat_export_options *opts);
/** KML for Google Earth and 奥维: DEST is a .kml file, one folder per layer, placemarks named
 * after the project (or township) with a description of its attributes and the category
 * colour. Always WGS 84 longitude/latitude: opts->t_srs is refused. Projects without
 * geometry are left out with a warning. */
PLAT_API int plat_export_kml(plat_store *db, plat_export_result *res, const char *dest,
                             const plat_export_options *opts);
/** CSV (UTF-8 with BOM, for Excel): DEST is a folder, one .csv per layer (projects.csv holds
 * every project, any geometry type or none) with the geometry as WKT in the first column,
 * a .csvt of column types and a .prj. */
PLAT_API int plat_export_csv(plat_store *db, plat_export_result *res, const char *dest,
                             const plat_export_options *opts);
/** A ready QGIS project: DEST is a folder receiving plat.gpkg (as plat_export_gpkg) and
 * plat.qgs, which references it by relative path (the folder can be moved or zipped), with
 * the data's CRS as project CRS, layers grouped (projects by geometry type, reference layers,
 * townships and coverage), styled and labelled in Chinese. */
PLAT_API int plat_export_qgis(plat_store *db, plat_export_result *res, const char *dest,
                              const plat_export_options *opts);

/** Parse a --what list ("projects,townships", "all") into PLAT_EXPORT_* bits.
 * @return 0 and *what, or PLAT_EUSAGE (recorded on ctx) naming the unknown word */
PLAT_API int plat_export_parse_what(plat_ctx *ctx, int *what, const char *text);

#endif
