/* importers/importers_int.h - what the importers share: the OGR source every importer reads
 * through, the working-CRS choice, and the per-feature geometry pipeline. */
#ifndef PLAT_IMPORTERS_INT_H
#define PLAT_IMPORTERS_INT_H

#include <iconv.h>

#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include "plat/gis.h"
#include "plat/import.h"
#include "plat/util.h"

/* ---- ogr_source.c ---- */

typedef struct plat_ogr_source {
    GDALDatasetH ds;
    const char *driver;      /* GDAL's short name ("ESRI Shapefile", "CSV" ...), static */
    const char *path;        /* borrowed from the caller */
    char *srs;               /* the source SRS as PROJ reads it ("EPSG:4490" or WKT); NULL when the
                              * layers have no geometry at all */
    int assumed_srs;         /* 1 when srs was assumed (a lon/lat CSV), not read or given */
    int64_t count;           /* features in all layers to read, -1 when the driver cannot tell cheaply */
    OGRLayerH *layers;       /* the layers to read, in order (borrowed from ds) */
    int nlayers;
    int cur;                 /* index into layers of the one being read */
    int multi;               /* the dataset has several layers: messages name the layer */
    OGRLayerH layer;         /* layers[cur] */
    OGRFeatureDefnH defn;    /* its definition, borrowed */
    char **names;            /* its field names as UTF-8 */
    int nnames;
    int bad_names;           /* some field name is not valid text in the encoding (shown escaped) */
    unsigned char *geom_cols; /* per field: 1 for a CSV column GDAL takes the geometry from (kept, so
                               * a value it could not read can be reported); NULL for other formats */
    int wkt_col, x_col, y_col; /* those columns of a CSV, -1 when absent */
    int64_t last_fid;        /* the feature plat_ogr__next returned last, -1 before the first */
    char *pending;           /* a read failure GDAL reported that no feature has accounted for yet */
    GDALDatasetH raw_ds;     /* the CSV opened again without geometry, to show a coordinate's text */
    const plat_import_options *opts; /* borrowed from the caller of plat_ogr__open */
    char *where;             /* "FILE" or "FILE (layer NAME)": how messages name the source */
    iconv_t dec;             /* decoder of the attribute bytes to UTF-8; (iconv_t)-1: already UTF-8 */
    char *encoding;          /* the encoding dec decodes, NULL for none */
    char *old_launder, *old_dxf; /* the thread's GDAL config options before open, restored on close */
    int config_set;
    char *tbuf;              /* what plat_ogr__text returned last */
    size_t tcap;
} plat_ogr_source;

/** Open path (any OGR vector source) and pick the layers to read: opts->layer, else every
 * folder of a KML/KMZ, the tracks and routes of a GPX, or the first layer (with a warning
 * naming the others). Applies opts->where and the CSV geometry-column options. The source
 * SRS comes from opts->s_srs, else the file; a file without one is an error whose message
 * guesses the CRS from the coordinates, except a CSV whose coordinates are plainly
 * longitude/latitude inside China, which is taken as EPSG:4490 with a warning, and an 奥维
 * .ovkml/.ovkmz export, which is GCJ-02 whatever it claims.
 * @param[out] out new source, positioned before the first feature; caller frees with
 *             plat_ogr__close(). @return 0 or < 0 (recorded, naming the file) */
int plat_ogr__open(plat_ctx *ctx, plat_ogr_source **out, const char *path, const plat_import_options *opts);
/** NULL is a no-op. */
void plat_ogr__close(plat_ogr_source *src);
/** Go back to before the first feature of the first layer. @return 0 or < 0. */
int plat_ogr__rewind(plat_ctx *ctx, plat_ogr_source *src);
/** The next feature, moving on to the next layer at the end of one (src->layer, defn, names and
 * where then describe the new layer; src->cur says which).
 * @param[out] f new feature (OGR_F_Destroy), NULL at the end
 * @return 1 with a feature, 0 at the end, or < 0 when the file cannot be read further */
int plat_ogr__next(plat_ctx *ctx, plat_ogr_source *src, OGRFeatureH *f);
/** Find the field named `given` (an error when given but absent), else the first field whose
 * name matches one of `candidates` (case-insensitive). @param[out] index the field, -1 if none
 * @return 0 or PLAT_EINVALID (recorded, naming the file) */
int plat_ogr__field(plat_ctx *ctx, plat_ogr_source *src, const char *given, const char *const *candidates,
                    const char *what, int *index);
/** Field i of f as UTF-8 text (decoded from the source encoding), trimmed; NULL when unset or
 * empty. Borrowed: valid until the next call on src. Text that is not valid in the encoding is
 * an error naming the feature and suggesting --encoding. */
int plat_ogr__text(plat_ctx *ctx, plat_ogr_source *src, OGRFeatureH f, int i, const char **out);
/** The feature's geometry as 2D GEOS (in the source CRS), or NULL when it has none or an empty
 * one. Curves become line segments. *zm (may be NULL) is set to 1 when Z or M was dropped.
 * @param[out] out new geometry, caller destroys. @return 0 or < 0 */
int plat_ogr__geom(plat_ctx *ctx, OGRFeatureH f, GEOSGeometry **out, int *zm);
/** Call when f came without a geometry: a CSV whose geometry column holds text OGR could not
 * read (bad WKT, a longitude without a latitude) is an error naming the feature, the column and
 * the value; anything else really has no geometry. @return 0 or PLAT_EINVALID (recorded) */
int plat_ogr__check_no_geom(plat_ctx *ctx, plat_ogr_source *src, OGRFeatureH f);
/** Record the feature (fid, -1 for the whole file) on the error in ctx, naming the source (and
 * its layer when the file has several). @return the recorded code. */
int plat_ogr__locate(plat_ctx *ctx, plat_ogr_source *src, int64_t fid);

/* ---- crs_guess.c: plausibility of coordinates for their CRS ---- */

/** A hint (one sentence, or "") saying which CRS the coordinate (x, y) looks like it is in:
 * an 8-digit easting is zone-prefixed Gauss-Kruger (EPSG:4488 + zone), a 6-digit easting with a
 * 7-digit northing is GK without prefix, a northing in x is the Chinese survey order, degrees
 * may be swapped. working_srid (0 if none) is offered for unprefixed GK. Writes into buf. */
void plat_import__crs_hint(char *buf, size_t n, double x, double y, int working_srid);
/** 1 if (lon, lat) lies in the rectangle plat takes as China (the one gis/gcj02.c uses). */
int plat_import__in_china(double lon, double lat);

/* ---- zone.c: choosing the working CRS from the data ---- */

/* The weighted centre of some geometries in CGCS2000 longitude/latitude: polygons weigh by
 * area, lines by length, points by count; the highest dimension present decides, so a few
 * labels do not pull the centre of a road network. */
typedef struct plat_centre {
    double w[3], wx[3];      /* [0] points, [1] lines, [2] polygons: weight and weighted lon */
    double min_lon, max_lon; /* extent of everything added */
    int64_t n;
} plat_centre;

/** Start an empty centre. Cannot fail. */
void plat_import__centre_init(plat_centre *c);
/** Add one geometry given in CGCS2000 longitude/latitude. @return 0 or < 0. */
int plat_import__centre_add(plat_ctx *ctx, plat_centre *c, const GEOSGeometry *lonlat);
/** Fix the ledger's working CRS to the 3-degree Gauss-Kruger zone around the centre (call it
 * inside the command's transaction), warn when the data reach beyond the zone's band, and say
 * which was chosen. `what` names the data in messages ("the townships").
 * @param[out] epsg the zone chosen. @return 0 or PLAT_EINVALID (no data, centre outside China) */
int plat_import__choose_zone(plat_store *db, const plat_centre *c, const char *what, int *epsg);

/* ---- fieldmap.c: which source column is which project field ---- */

enum {
    PF_CODE, PF_NAME, PF_CATEGORY, PF_COUNTY, PF_STATUS, PF_PROGRESS, PF_TARGET, PF_LENGTH, PF_AREA,
    PF_LEAD_UNIT, PF_SOURCE_DOC, PF_CLAUSE, PF_YEAR, PF_INVESTMENT, PF_START, PF_END, PF_PRECISION, PF_TOWNSHIP,
    PF_VERSION, PF_TARGET_UNIT, PF_COUNT
};

typedef struct plat_fieldmap {
    plat_store *db;
    const plat_import_options *opts;
    const char *given[PF_COUNT];   /* column named by --map (borrowed from opts) */
    int off[PF_COUNT];             /* --map FIELD= : no automatic matching */
    int src[PF_COUNT];             /* column feeding each field in the current layer, -1 none */
    char unit[PF_COUNT][32];       /* unit written in that column's name ("km" of 长度(km)) */
    int noted_default[PF_COUNT];   /* the "no unit, taken as ..." warning was given */
    unsigned char *used;           /* per column of the current layer: 1 when it feeds a field */
    int export_attrs;              /* the layer is a plat export: its `attrs` column (-1: none, or
                                    * not an export) */
    char default_category[64];     /* --category, resolved */
    struct {
        char *text;
        char code[64];
    } cache[32];                   /* category values already resolved */
    int ncache;
} plat_fieldmap;

/** Parse opts->map and resolve opts->category. @return 0, PLAT_EUSAGE (bad --map), PLAT_EINVALID */
int plat_fieldmap__init(plat_fieldmap *m, plat_store *db, const plat_import_options *opts);
/** Match the columns of src's current layer (call again when the layer changes).
 * @return 0 or PLAT_EINVALID (a --map column that is not there) */
int plat_fieldmap__bind(plat_fieldmap *m, plat_ogr_source *src);
/** Fill p (empty on entry; its strings become the caller's, plat_project_dispose) from feature
 * f; *has_progress says whether the file gave a progress. p->wkb is left alone. Under --upsert
 * p->version is the ledger version the row was exported at (0 when the file gives none).
 * @return 0 or PLAT_EINVALID naming the feature, the column and the value */
int plat_fieldmap__read(plat_fieldmap *m, plat_ogr_source *src, OGRFeatureH f, plat_project *p, int *has_progress);
/** For a layer plat exported, the attributes kept from the export's `attrs` column, with the
 * other columns of the feature (*attrs as plat_reader__attrs made it, edited in QGIS perhaps)
 * laid over them; *attrs is replaced. Other layers: *attrs is left alone.
 * @return 0 or < 0 (text not valid in the file's encoding) */
int plat_fieldmap__export_attrs(plat_fieldmap *m, plat_ogr_source *src, OGRFeatureH f, char **attrs);
/** Resolve a category as plans write it (code, label or plan wording) into buf.
 * @return 0 or PLAT_EINVALID */
int plat_fieldmap__category(plat_fieldmap *m, char *buf, size_t n, const char *text);
/** NULL is a no-op. */
void plat_fieldmap__dispose(plat_fieldmap *m);

/* ---- reader.c: one feature's geometry, from the file into the working CRS ---- */

typedef struct plat_reader {
    plat_store *db;
    plat_ctx *ctx;
    GEOSContextHandle_t h;
    plat_ogr_source *src;
    const plat_import_options *opts;
    plat_import_result *res;
    plat_transform *to_work; /* source -> working CRS */
    plat_transform *to_geo;  /* source -> CGCS2000 lon/lat, for the plausibility check */
    int geographic;          /* the source CRS is in degrees */
    double ok[4];            /* x0 y0 x1 y1 of a box whose corners lie in China (projected source) */
    int have_ok;
    int zm_noted;            /* the note about dropped Z/M has been given */
    int64_t seen;            /* features read in this pass, for progress */
    int shown;               /* last progress step reported, in tenths of a percent */
    int names_layer;         /* the layer (src->cur) same_next describes, -1 none yet */
    int *same_next;          /* per field of that layer: the next field of the same name, -1 none;
                              * followed by one byte per field for plat_reader__attrs. NULL when
                              * the names are all different */
} plat_reader;

/** Open the source for an import. @return 0 or < 0 (recorded). */
int plat_reader__open(plat_reader *r, plat_store *db, const char *path, const plat_import_options *opts,
                      plat_import_result *res);
/** Inside the import's transaction: choose the working CRS from the data when the ledger has
 * none (a first pass over the file), then make the transforms. `what` names the data.
 * @return 0 or < 0 */
int plat_reader__prepare(plat_reader *r, const char *what);
/** The geometry of feature f in the working CRS, checked (coordinates plausible for the source
 * CRS and inside China), transformed and valid (repaired with a warning, or refused under
 * --strict). NULL without a geometry (the caller decides what that means).
 * @param[out] out new geometry, caller destroys; *repaired set to 1 when it was repaired
 * @return 0 or < 0 (recorded, naming file, layer and feature) */
int plat_reader__geom(plat_reader *r, OGRFeatureH f, GEOSGeometry **out, int *repaired);
/** Report progress after one more feature; label says what is being done.
 * @return 0, or PLAT_ECANCEL when the callback asked to stop */
int plat_reader__progress(plat_reader *r, const char *label);
/** Refuse a polygon drawn without area (its points on one line), checked in the CRS it was drawn
 * in: projected to Gauss-Kruger a straight line of latitude bends into a sliver of a few square
 * metres that is valid there and would pass. @return 1 for a valid polygon, 0 for any other
 * geometry that may be kept (repaired later), or PLAT_EINVALID (recorded, not located) */
int plat_import__check_area(plat_ctx *ctx, const GEOSGeometry *source);
/** Free what the reader holds. NULL-safe. */
void plat_reader__close(plat_reader *r);
/** The source's attributes of f, all fields or those with skip[i] == 0 (skip may be NULL), as a
 * JSON object (numbers as numbers, dates as YYYY-MM-DD, unset fields left out); NULL when
 * nothing is left. Drivers' own rendering fields (KML tessellate, DXF SubClasses ...) are
 * left out. @param[out] out new string (free), @return 0 or < 0 */
int plat_reader__attrs(plat_reader *r, OGRFeatureH f, const unsigned char *skip, char **out);

#endif
