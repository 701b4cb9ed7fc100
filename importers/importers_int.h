/* importers/importers_int.h - the OGR source every importer reads through. */
#ifndef PLAT_IMPORTERS_INT_H
#define PLAT_IMPORTERS_INT_H

#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include "plat/gis.h"
#include "plat/import.h"

typedef struct plat_ogr_source {
    GDALDatasetH ds;
    OGRLayerH layer;         /* borrowed from ds */
    OGRFeatureDefnH defn;    /* borrowed from layer */
    const char *path;        /* borrowed from the caller */
    char *srs;               /* the source SRS as PROJ reads it ("EPSG:4490" or WKT) */
    int64_t count;           /* features, -1 when the driver cannot tell cheaply */
} plat_ogr_source;

/** Open path (any OGR vector source) and pick its layer (opts->layer or the first).
 * The source SRS comes from opts->s_srs, else the file; a file without one is an error.
 * @param[out] out new source; caller frees with plat_ogr__close(). @return 0 or < 0 */
int plat_ogr__open(plat_ctx *ctx, plat_ogr_source **out, const char *path, const plat_import_options *opts);
/** NULL is a no-op. */
void plat_ogr__close(plat_ogr_source *src);
/** Find the field named `given` (an error when given but absent), else the first field whose
 * name matches one of `candidates` (case-insensitive). @param[out] index the field, -1 if none
 * @return 0 or PLAT_EINVALID (recorded, naming the file) */
int plat_ogr__field(plat_ctx *ctx, plat_ogr_source *src, const char *given, const char *const *candidates,
                    const char *what, int *index);
/** Field i of f as UTF-8 text, trimmed; NULL when unset or empty. Borrowed until the next call.
 * Text that is not valid UTF-8 is an error suggesting --encoding. */
int plat_ogr__text(plat_ctx *ctx, plat_ogr_source *src, OGRFeatureH f, int i, const char **out);
/** The feature's geometry as GEOS (in the source CRS), or NULL when it has none.
 * @param[out] out new geometry, caller destroys. @return 0 or < 0 */
int plat_ogr__geom(plat_ctx *ctx, OGRFeatureH f, GEOSGeometry **out);

#endif
