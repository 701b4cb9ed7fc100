/* exporters/exporters_int.h - what the writers share: the export plan (layers, fields, values),
 * the OGR layer writer, the shapefile name mapping and the QGIS style text.
 * Nothing outside exporters/ includes this. */
#ifndef PLAT_EXPORTERS_INT_H
#define PLAT_EXPORTERS_INT_H

#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include "plat/coverage.h"
#include "plat/export.h"
#include "plat/gis.h"
#include "plat/locate.h"
#include "plat/util.h"

/* The formats. */
enum { XF_GEOJSON, XF_SHP, XF_GPKG, XF_KML, XF_CSV, XF_QGIS };

/* Field value types. */
enum { XT_TEXT, XT_INT, XT_REAL, XT_INT64 }; /* XT_INT: counts and years; XT_INT64: source ids and values */

/* What a layer holds. */
enum { XR_PROJECTS, XR_TOWNSHIPS, XR_COVERAGE, XR_REFERENCE };

/* Every geometry kind at once: CSV keeps one table per role whatever the geometry. */
#define XK_ANY (PLAT_GEOM_POINT | PLAT_GEOM_LINE | PLAT_GEOM_POLYGON)

typedef struct xfield {
    char *name;  /* canonical name: code, cat_label, km_rural_road, or a source attribute key */
    char *out;   /* the name as written in the file (the shapefile mapping may shorten it) */
    char *alias; /* Chinese alias QGIS shows, never NULL */
    int type;    /* XT_* */
    int attr;    /* 1: a kept source attribute, its value looked up in the row's attrs by name */
} xfield;

/* One value of a row; text is borrowed for the duration of the row callback. */
typedef struct xvalue {
    int set;
    int64_t i;
    double d;
    const char *s;
} xvalue;

typedef struct xlayer {
    int role;          /* XR_* */
    int kind;          /* PLAT_GEOM_* it holds, 0 for a table without geometry, XK_ANY for all */
    int multi;         /* some feature has several parts: the layer type is Multi* */
    char *table;       /* layer / table / file base name: projects_lines, townships, layer_道路 */
    char *title;       /* Chinese title for QGIS and KML folders: 项目（线） */
    char *ref;         /* XR_REFERENCE: the ledger's layer name */
    char ref_kind[24]; /* XR_REFERENCE: roads, farmland, basic_farmland, eco_redline, wetland, other */
    xfield *fields;
    int nfields;
    char **cats;       /* XR_PROJECTS: category codes present, in category order */
    int ncats;
    int64_t planned;   /* features counted by the planning pass */
    int64_t written;   /* features written */
    /* XR_COVERAGE: the field the choropleth is graduated by, and its largest value */
    const char *grad_field;
    double grad_max;
    double extent[4];  /* of what was written, in the output CRS; has_extent when set */
    int has_extent;
} xlayer;

/* A category of the ledger, with the label and colour styles use. */
typedef struct xcat {
    char *code, *label, *color;
} xcat;

typedef struct xport {
    plat_store *db;
    plat_ctx *ctx;
    GEOSContextHandle_t h;
    const plat_export_options *o;
    int format;        /* XF_* */
    int what;          /* PLAT_EXPORT_* bits */
    int srid;          /* working CRS, 0 while the ledger has no geometry */
    const char *dest;  /* as given */
    /* filters, resolved */
    char category[64];
    const char *status;
    plat_locator *loc;
    int *only;         /* --township: township indexes of the locator, NULL for all */
    int nonly;
    unsigned char *box;/* their envelope, for the store's spatial filters */
    size_t box_size;
    plat_coverage *cov;
    xcat *cats;
    int ncats;
    xlayer *layers;
    int nlayers;
    /* CRS: geometries go from the working CRS through ct (NULL: unchanged) and are written with
     * layer_srs; geographic is set when the output is longitude/latitude. */
    OGRSpatialReferenceH work_srs, layer_srs;
    OGRCoordinateTransformationH ct;
    int geographic;
    int rfc7946;       /* GeoJSON: write RFC 7946 (WGS 84, no crs member) */
    double extent[4];  /* everything written, in the output CRS */
    int has_extent;
    /* where files go: final_dir/NAME, written first into stage/NAME; every file in stage is
     * moved into final_dir when the export succeeds */
    char *final_dir;
    char *stage;
    int made_dir;      /* final_dir was created by this export (removed again on failure) */
    plat_export_result *res;
    int warnings;
} xport;

/* ---- export.c: the plan, the rows, safe files ---- */

/** Run one export: check DEST, resolve the filters, plan the layers, write them through the
 * format's writer into a staging folder and move the files into place. @return 0 or < 0 */
int plat_export__run(plat_store *db, plat_export_result *res, const char *dest, const plat_export_options *opts,
                     int format);

/* Called for each row of a layer: values (l->nfields of them) and the geometry in the working
 * CRS (NULL for none; borrowed). Returns 0 to go on, < 0 to stop. */
typedef int (*xrow_fn)(xport *x, xlayer *l, const xvalue *v, const GEOSGeometry *g, void *ud);
/** Produce the rows of l (its filters applied; for one geometry kind only that part of each
 * geometry). @return 0, the callback's negative value, or < 0 */
int plat_export__rows(xport *x, xlayer *l, xrow_fn fn, void *ud);

/** The staging path of a base name into a new string (free). NULL when out of memory. */
char *plat_export__stage_path(xport *x, const char *base);
/** Where a base name lands, as messages name it (DEST/base, or DEST for one-file formats), into
 * a new string (free). NULL when out of memory. */
char *plat_export__shown(xport *x, const char *base);
/** Add a line to the result: file base name (its final path is made here), layer, features. */
int plat_export__report(xport *x, const char *base, const char *layer, int64_t features);
/** Warn through the context and count the warning. */
void plat_export__warn(xport *x, const char *fmt, ...) PLAT_PRINTF(2, 3);
/** The category with this code, NULL if unknown. */
const xcat *plat_export__cat(const xport *x, const char *code);
/** Index of field `name` (canonical) in l, -1 if absent. */
int plat_export__field(const xlayer *l, const char *name);

/* ---- writer.c: OGR layers ---- */

typedef struct xwriter {
    GDALDatasetH ds;   /* borrowed */
    OGRLayerH layer;   /* belongs to ds */
    xlayer *l;
    int *ogr_index;    /* field i of l -> OGR field index, -1 when not written */
    int style_strings; /* KML: set OGR style strings (category colours) */
    int desc_index;    /* KML: OGR field holding the description, -1 for none */
    int cut_text;      /* Shapefile: cut texts to 254 bytes (counted per field in cut[]) */
    int64_t *cut;
    const char *file;  /* for messages */
} xwriter;

/** Create a GDAL dataset for writing at path (in the staging folder); messages name `shown`.
 * @param[out] out the dataset (GDALClose via plat_export__close). @return 0 or PLAT_EIO */
int plat_export__create(xport *x, GDALDatasetH *out, const char *driver, const char *path, const char *shown,
                        char **dsco);
/** Close a dataset, checking GDAL's errors while it flushes. @return 0 or PLAT_EIO naming file */
int plat_export__close(xport *x, GDALDatasetH ds, const char *file);
/** Create layer l in ds (named `name`, NULL: l->table) with its fields and geometry type; the
 * fields' `out` names are set to what the driver really created.
 * @param extra_desc add a "description" text field (KML) @return 0 or < 0 */
int plat_export__layer_open(xport *x, xwriter *w, GDALDatasetH ds, xlayer *l, const char *name, char **lco,
                            int extra_desc, const char *file);
/** Write every row of w->l. @return 0 or < 0 */
int plat_export__layer_write(xport *x, xwriter *w);
/** Free what the writer holds (not the layer: it belongs to the dataset). NULL-safe. */
void plat_export__layer_close(xwriter *w);
/** Start GDAL for an export: drivers registered, GDAL's messages captured instead of printed.
 * Pair with plat_export__gdal_end. */
void plat_export__gdal_begin(void);
void plat_export__gdal_end(void);
/** GDAL's last error message ("" if none). */
const char *plat_export__gdal_msg(void);

/* ---- shp.c ---- */

/** Give every field of l a Shapefile name (the mapping described in shp.c). @return 0 or < 0 */
int plat_export__shp_names(xport *x, xlayer *l);

/* ---- style.c: QGIS styles ---- */

/** The style of l as a QML document (for layer_styles and .qml sidecars), appended to out.
 * @return 0 or PLAT_ENOMEM */
int plat_export__qml(xport *x, const xlayer *l, plat_buf *out);
/** The same style as the elements of a project's <maplayer> (renderer-v2, labeling, aliases).
 * @return 0 or PLAT_ENOMEM */
int plat_export__style_elements(xport *x, const xlayer *l, plat_buf *out);
/** 1 when the layer is labelled. */
int plat_export__labelled(const xlayer *l);
/** Append s to out with XML's five special characters escaped. */
int plat_export__xml_text(plat_buf *out, const char *s);
/** Write text to stage/base. @return 0 or PLAT_EIO */
int plat_export__write_text(xport *x, const char *base, const char *text, size_t n);
/** The OGR style string of a feature of l (KML colours); into buf. */
void plat_export__ogr_style(const xport *x, const xlayer *l, const xvalue *v, char *buf, size_t n);

/* ---- gpkg.c: also the base of the QGIS project ---- */

/** Write the GeoPackage `base` into the staging folder with layer_styles. @return 0 or < 0 */
int plat_export__gpkg_write(xport *x, const char *base);
/** The gpkg format: the GeoPackage DEST. @return 0 or < 0 */
int plat_export__gpkg_file(xport *x);

/* ---- the writers, one per format file ---- */
int plat_export__geojson_write(xport *x);
int plat_export__shp_write(xport *x);
int plat_export__kml_write(xport *x);
int plat_export__csv_write(xport *x);
int plat_export__qgis_write(xport *x);

#endif
