/* exporters/kml.c - `plat export kml FILE.kml`: for Google Earth and 奥维互动地图.
 *
 * GDAL's KML driver (not LIBKML: it keeps Chinese folder and schema names as they are, and
 * its plain KML 2.2 is what 奥维 imports most reliably) writes one <Folder> per layer, named
 * with the layer's Chinese title. Each placemark's <name> is the project (or township) name;
 * its <description> lists every attribute as "别名：值" lines, since that is what both
 * applications show when a placemark is tapped; all fields also go to <ExtendedData>. Each
 * placemark gets an inline <Style> from an OGR style string: projects in their category
 * colour, townships as outlines, coverage in its class colour.
 *
 * KML is WGS 84 longitude/latitude by definition (OGC 07-147r2): the CGCS2000 coordinates are
 * written unchanged (PROJ's 4490 -> 4326 is a null shift) and --t-srs is refused. 奥维 takes a
 * KML as WGS 84 and offsets it onto its GCJ-02 base maps itself. Projects without geometry
 * cannot be placemarks on a map and are left out with a warning.
 * Ownership: one dataset, closed before the file is moved. */
#include <stdlib.h>
#include <string.h>

#include <cpl_string.h>

#include "exporters_int.h"

int plat_export__kml_write(xport *x)
{
    const char *slash = strrchr(x->dest, '/');
    const char *base = slash ? slash + 1 : x->dest;
    GDALDatasetH ds = NULL;
    char **dsco = CSLSetNameValue(NULL, "NameField", "name");
    dsco = CSLSetNameValue(dsco, "DescriptionField", "description");
    char *path = plat_export__stage_path(x, base);
    int rc = path ? plat_export__create(x, &ds, "KML", path, x->dest, dsco)
                  : plat_error_set(x->ctx, PLAT_ENOMEM, "out of memory");
    for (int i = 0; rc >= 0 && i < x->nlayers; i++) {
        xlayer *l = &x->layers[i];
        xwriter w;
        if ((rc = plat_export__layer_open(x, &w, ds, l, l->title, NULL, 1, x->dest)) >= 0) {
            w.style_strings = 1;
            rc = plat_export__layer_write(x, &w);
        }
        plat_export__layer_close(&w);
    }
    if (rc >= 0) {
        rc = plat_export__close(x, ds, x->dest);
        ds = NULL;
    }
    if (ds)
        GDALClose(ds); /* after a failure: its error is the one to report */
    for (int i = 0; rc >= 0 && i < x->nlayers; i++)
        rc = plat_export__report(x, base, x->layers[i].title, x->layers[i].written);
    CSLDestroy(dsco);
    free(path);
    return rc;
}

int plat_export_kml(plat_store *db, plat_export_result *res, const char *dest, const plat_export_options *opts)
{
    return plat_export__run(db, res, dest, opts, XF_KML);
}
