/* plat/import.h - reading vector files (anything OGR reads) into the ledger. */
#ifndef PLAT_IMPORT_H
#define PLAT_IMPORT_H

#include "common.h"
#include "store.h"

typedef struct plat_import_options {
    int version;
    const char *layer;        /* layer of a multi-layer source (GeoPackage); NULL: the first */
    const char *s_srs;        /* source SRS overriding the file's own; NULL: the file's */
    const char *encoding;     /* text encoding of the attributes (Shapefile DBF); NULL: detect */
    const char *name_field;   /* township name field; NULL: detect (name, 名称, XZQMC ...) */
    const char *code_field;   /* township code field; NULL: detect (code, 代码, XZQDM ...) */
    const char *county_field; /* county name field; NULL: detect, or derive from the code */
    int strict;               /* refuse invalid geometries instead of repairing them */
    plat_progress_fn progress;
    void *progress_ud;
} plat_import_options;
#define PLAT_IMPORT_OPTIONS_INIT { 1, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL }

typedef struct plat_import_result {
    int64_t features;   /* features read */
    int64_t written;    /* rows written (inserted or replaced) */
    int64_t replaced;   /* of those, rows that replaced an existing code */
    int64_t repaired;   /* invalid geometries repaired (with a warning each) */
    int srid_chosen;    /* the working CRS this import chose, 0 if it was already set */
} plat_import_result;

/** Import township boundaries from any OGR vector source, reprojected into the working CRS
 * (choosing it from the data's area-weighted centre when the ledger has none). One
 * transaction: on any error nothing is written. Errors name the file and the feature.
 * @param[out] res  counts; may be NULL
 * @return 0, PLAT_ENOTFOUND (no such file), PLAT_EINVALID (bad content), PLAT_EIO */
PLAT_API int plat_township_import(plat_store *db, plat_import_result *res, const char *path,
                                  const plat_import_options *opts);


/** Read a geometry typed by a user: WKT or GeoJSON text, or "@FILE" to read it from a file,
 * in s_srs (NULL: CGCS2000 longitude/latitude, EPSG:4490; "GCJ02"/"BD09" for coordinates
 * picked from AMap/Baidu), and return it in the working CRS. When the ledger has no working
 * CRS yet, the Gauss-Kruger zone around the geometry's centre becomes it: call this inside
 * the command's transaction. Invalid geometries are repaired with a warning, or refused when
 * strict is set.
 * @param[out] wkb new WKB buffer, caller frees with plat_free; *size its length
 * @return 0, PLAT_EINVALID (unreadable text, coordinates out of range, unknown SRS),
 *         PLAT_ENOTFOUND (no such @FILE) */
PLAT_API int plat_geometry_import(plat_store *db, unsigned char **wkb, size_t *size, const char *text,
                                  const char *s_srs, int strict);

#endif
