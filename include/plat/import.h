/* plat/import.h - reading vector files (anything OGR reads) into the ledger. */
#ifndef PLAT_IMPORT_H
#define PLAT_IMPORT_H

#include "common.h"
#include "store.h"

typedef struct plat_import_options {
    int version;              /* 2 */
    const char *layer;        /* layer of a multi-layer source (GeoPackage); NULL: the first, every folder
                               * of a KML/KMZ, the tracks and routes of a GPX */
    const char *s_srs;        /* source SRS overriding the file's own (also GCJ02, BD09); NULL: the file's */
    const char *encoding;     /* text encoding of the attributes (Shapefile DBF, CSV, DXF); NULL: detect */
    const char *name_field;   /* township (or project) name field; NULL: detect (name, 名称, XZQMC ...) */
    const char *code_field;   /* township (or project) code field; NULL: detect (code, 代码, XZQDM ...) */
    const char *county_field; /* county name field; NULL: detect, or derive from the code */
    int strict;               /* refuse invalid geometries instead of repairing them */
    plat_progress_fn progress;
    void *progress_ud;
    /* Since version 2: projects and reference layers. */
    const char *where;        /* OGR attribute filter, e.g. "Layer = '道路中线'" for a DXF; NULL: all */
    const char *wkt_field;    /* CSV column holding WKT; NULL: detect (WKT, geometry, geom) */
    const char *x_field;      /* CSV longitude/easting column; NULL: detect (lon, longitude, 经度, x, lng) */
    const char *y_field;      /* CSV latitude/northing column; NULL: detect (lat, latitude, 纬度, y) */
    const char *const *map;   /* project fields from source fields: "FIELD=SOURCE" strings, NULL-terminated
                               * ("code=项目编号"); "FIELD=" stops FIELD from being matched automatically.
                               * FIELD is one of plat_project_import_fields(). NULL: automatic only */
    const char *category;     /* category for features that have none */
    const char *code;         /* project code for features that have none (one feature, or merge) */
    const char *name;         /* project name for features that have none */
    int upsert;               /* update projects whose code is in the ledger instead of refusing them */
    int merge;                /* make one project of all features read (they must not disagree on the code) */
    int replace;              /* layer import: replace the layer of the same name, in the same transaction */
    const char *precision;    /* location precision of features whose file gives none (surveyed, sketched,
                               * township, county, none; Chinese 实测, 示意 ...); NULL: surveyed with a
                               * geometry, none without */
} plat_import_options;
#define PLAT_IMPORT_OPTIONS_INIT                                                                              \
    { 2, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, 0, \
      NULL }

typedef struct plat_import_result {
    int64_t features;   /* features read */
    int64_t written;    /* rows written (inserted or replaced) */
    int64_t replaced;   /* of those, rows that replaced an existing code (townships; projects updated
                         * under upsert) */
    int64_t repaired;   /* invalid geometries repaired (with a warning each) */
    int srid_chosen;    /* the working CRS this import chose, 0 if it was already set */
    int64_t skipped;    /* features left out with a warning (a layer's empty geometries) */
    int64_t no_geometry;/* projects imported without a geometry (empty in the file) */
} plat_import_result;

/** Import township boundaries from any OGR vector source, reprojected into the working CRS
 * (choosing it from the data's area-weighted centre when the ledger has none). One
 * transaction: on any error nothing is written. Errors name the file and the feature.
 * @param[out] res  counts; may be NULL
 * @return 0, PLAT_ENOTFOUND (no such file), PLAT_EINVALID (bad content), PLAT_EIO */
PLAT_API int plat_township_import(plat_store *db, plat_import_result *res, const char *path,
                                  const plat_import_options *opts);

/** Import projects from any OGR vector source (GeoJSON, Shapefile, GeoPackage, KML/KMZ, CSV,
 * GPX, DXF ...), one project per feature (or one for all of them with opts->merge). Fields are
 * matched by the names plan sheets use (项目编号/编号/code, 项目名称/名称/name, 类别/category,
 * 建设状态/status, 牵头单位, 建设规模, 长度, 面积, 年度 ...) or as opts->map says; categories and
 * states may be written in Chinese; source attributes that map to nothing are kept in the
 * project's attrs. Geometries are checked against the source CRS, moved into the working CRS
 * (chosen from the data when the ledger has none) and repaired (or refused when strict). A
 * feature with an empty geometry becomes a project without one, with a warning.
 * One transaction: on any error nothing is written. Without upsert a code that is in the
 * ledger already, or twice in the file, is an error; with it the ledger's project is updated
 * (an 'update' event in its history).
 * @param[out] res  counts; may be NULL
 * @return 0, PLAT_ENOTFOUND (no such file or layer), PLAT_EINVALID (bad content, naming file,
 *         layer and feature), PLAT_EEXISTS (a code taken), PLAT_EUSAGE (a bad opts->map),
 *         PLAT_ECANCEL (the progress callback stopped it), PLAT_EIO */
PLAT_API int plat_project_import(plat_store *db, plat_import_result *res, const char *path,
                                 const plat_import_options *opts);

/** The project fields opts->map may name ("code", "name", "category" ...), NULL-terminated.
 * Static; cannot fail. */
PLAT_API const char *const *plat_project_import_fields(void);

/** Import a reference layer (roads, farmland, basic_farmland, eco_redline, wetland, other) from
 * any OGR vector source into a new layer called `name` (any UTF-8), every source attribute
 * kept. Features with an empty geometry are skipped with a warning. With opts->replace an
 * existing layer of that name is dropped in the same transaction; without it the name must be
 * free. One transaction: on any error nothing is written.
 * @param[out] res  counts; may be NULL
 * @return 0, PLAT_EEXISTS (the name is taken), PLAT_ENOTFOUND, PLAT_EINVALID (bad kind, name or
 *         content, naming file, layer and feature), PLAT_ECANCEL, PLAT_EIO */
PLAT_API int plat_layer_import(plat_store *db, plat_import_result *res, const char *name, const char *kind,
                               const char *path, const plat_import_options *opts);

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
