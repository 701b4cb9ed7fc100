/* exporters/qgis.c - `plat export qgis DIR`: DIR/plat.gpkg and a QGIS project DIR/plat.qgs.
 *
 * The project is written as XML text by this file, in the form QGIS 3.22 loads without
 * complaint (../shared/QGIS.md lists the rules found by breaking it):
 *   - a real <qgis version>, else QGIS runs its project-upgrade code on the file;
 *   - every CRS as <wkt> plus <authid> (an authid alone gives an invalid CRS), the data's own
 *     CRS on each layer (a different one would misplace the data) and as the project CRS,
 *     with properties/SpatialRefSys/ProjectionsEnabled = 1, without which it is ignored;
 *   - layer ids longer than 10 characters (shorter ones are replaced and the tree loses them);
 *   - a <layer-tree-group> so the layers show in the Layers panel, grouped: 项目 (points,
 *     lines, polygons, categorized), 参考图层 (reference layers), 乡镇 (boundaries, coverage);
 *   - datasources "./plat.gpkg|layername=T", relative to the project, so the folder can be
 *     moved, zipped and sent on; <Paths><Absolute> false so QGIS keeps them relative;
 *   - the style inside each <maplayer>: QGIS does not read layer_styles for project layers;
 *   - the ellipsoid EPSG:1024 (CGCS2000), so QGIS's own measuring agrees with plat's.
 * Projects without geometry stay a table in plat.gpkg, not a map layer of the project.
 *
 * Ownership: the XML is built in one buffer, written to the staging folder, freed. */
#include <stdlib.h>
#include <string.h>

#include <cpl_conv.h>
#include <cpl_string.h>

#include "exporters_int.h"

#define QGIS_VERSION_TEXT "3.22.16-Białowieża"
#define GPKG_NAME "plat.gpkg"

static int srs_xml(xport *x, plat_buf *b, const char *indent)
{
    char *wkt = NULL;
    const char *const wopts[] = { "FORMAT=WKT2_2019", NULL };
    OGRSpatialReferenceH s = OSRClone(x->layer_srs);
    if (!s)
        return plat_error_set(x->ctx, PLAT_ENOMEM, "out of memory");
    if (!OSRGetAuthorityCode(s, NULL))
        OSRAutoIdentifyEPSG(s); /* a --t-srs given as WKT may still be an EPSG CRS */
    const char *auth = OSRGetAuthorityName(s, NULL), *code = OSRGetAuthorityCode(s, NULL), *name = OSRGetName(s);
    if (OSRExportToWktEx(s, &wkt, wopts) != OGRERR_NONE) {
        CPLFree(wkt);
        OSRRelease(s);
        return plat_error_set(x->ctx, PLAT_EINVALID, "the output CRS cannot be written as WKT");
    }
    plat_buf_printf(b, "%s<spatialrefsys nativeFormat=\"Wkt\">\n%s  <wkt>", indent, indent);
    plat_export__xml_text(b, wkt);
    plat_buf_printf(b, "</wkt>\n");
    if (auth && code)
        plat_buf_printf(b, "%s  <authid>%s:%s</authid>\n", indent, auth, code);
    plat_buf_printf(b, "%s  <description>", indent);
    plat_export__xml_text(b, name ? name : "");
    plat_buf_printf(b, "</description>\n%s  <geographicflag>%s</geographicflag>\n%s</spatialrefsys>\n", indent,
                    x->geographic ? "true" : "false", indent);
    CPLFree(wkt);
    OSRRelease(s);
    return 0;
}

/* A layer id QGIS keeps: ASCII, unique, longer than 10 characters. */
static void layer_id(const xport *x, const xlayer *l, char *buf, size_t n)
{
    int ascii = 1;
    for (const char *p = l->table; *p; p++)
        ascii &= (unsigned char)*p < 0x80;
    snprintf(buf, n, "plat_%s_%02d", ascii ? l->table : "reference_layer", (int)(l - x->layers));
}

static void tree_layer(const xport *x, const xlayer *l, plat_buf *b)
{
    char id[160];
    layer_id(x, l, id, sizeof id);
    plat_buf_printf(b, "      <layer-tree-layer id=\"%s\" name=\"", id);
    plat_export__xml_text(b, l->title);
    plat_buf_puts(b, "\" source=\"./" GPKG_NAME "|layername=");
    plat_export__xml_text(b, l->table);
    plat_buf_printf(b, "\" providerKey=\"ogr\" checked=\"Qt::Checked\" expanded=\"%d\">\n"
                       "        <customproperties/>\n      </layer-tree-layer>\n",
                    l->role == XR_PROJECTS);
}

static void tree_group(const xport *x, plat_buf *b, const char *name, int role_a, int role_b)
{
    int any = 0;
    for (int i = 0; i < x->nlayers; i++)
        any |= x->layers[i].kind != 0 && (x->layers[i].role == role_a || x->layers[i].role == role_b);
    if (!any)
        return;
    plat_buf_printf(b, "    <layer-tree-group name=\"%s\" checked=\"Qt::Checked\" expanded=\"1\">\n"
                       "      <customproperties/>\n", name);
    /* within 乡镇 the boundaries go over the coverage colours */
    for (int pass = 0; pass < (role_a == role_b ? 1 : 2); pass++)
        for (int i = 0; i < x->nlayers; i++) {
            const xlayer *l = &x->layers[i];
            if (l->kind != 0 && l->role == (pass ? role_b : role_a))
                tree_layer(x, l, b);
        }
    plat_buf_puts(b, "    </layer-tree-group>\n");
}

static const char *geometry_word(const xlayer *l)
{
    return l->kind == PLAT_GEOM_POINT ? "Point" : l->kind == PLAT_GEOM_LINE ? "Line" : "Polygon";
}

static int has_role(const xport *x, int role)
{
    for (int i = 0; i < x->nlayers; i++)
        if (x->layers[i].role == role)
            return 1;
    return 0;
}

static int map_layer(xport *x, const xlayer *l, plat_buf *b)
{
    char id[160];
    layer_id(x, l, id, sizeof id);
    /* The coverage labels carry the township names too; two labels on one centroid would hide
     * each other, so the boundaries' own labels start switched off (still set up). */
    int labels = plat_export__labelled(l) && !(l->role == XR_TOWNSHIPS && has_role(x, XR_COVERAGE));
    plat_buf_printf(b, "    <maplayer type=\"vector\" geometry=\"%s\" labelsEnabled=\"%d\" readOnly=\"0\" "
                       "styleCategories=\"AllStyleCategories\">\n",
                    geometry_word(l), labels);
    if (l->has_extent)
        plat_buf_printf(b, "      <extent>\n        <xmin>%.17g</xmin>\n        <ymin>%.17g</ymin>\n"
                           "        <xmax>%.17g</xmax>\n        <ymax>%.17g</ymax>\n      </extent>\n",
                        l->extent[0], l->extent[1], l->extent[2], l->extent[3]);
    plat_buf_printf(b, "      <id>%s</id>\n      <datasource>./" GPKG_NAME "|layername=", id);
    plat_export__xml_text(b, l->table);
    plat_buf_puts(b, "</datasource>\n      <layername>");
    plat_export__xml_text(b, l->title);
    plat_buf_puts(b, "</layername>\n      <srs>\n");
    int rc = srs_xml(x, b, "        ");
    if (rc < 0)
        return rc;
    plat_buf_puts(b, "      </srs>\n      <provider encoding=\"UTF-8\">ogr</provider>\n");
    if ((rc = plat_export__style_elements(x, l, b)) < 0)
        return rc;
    plat_buf_puts(b, "    </maplayer>\n");
    return 0;
}

int plat_export__qgis_write(xport *x)
{
    int maps = 0;
    for (int i = 0; i < x->nlayers; i++)
        maps += x->layers[i].kind != 0;
    if (!maps || !x->layer_srs)
        return plat_error_set(x->ctx, PLAT_ENOTFOUND,
                              "nothing to map: no project, township or layer with a geometry%s (export gpkg or csv "
                              "for the table)", x->o->township || x->o->county || x->o->category || x->o->status
                                                    ? " matches the filters" : " in the ledger");
    int rc = plat_export__gpkg_write(x, GPKG_NAME);
    if (rc < 0)
        return rc;
    plat_buf b = PLAT_BUF_INIT;
    const char *title = "plat 项目台账";
    plat_buf_printf(&b,
                    "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
                    "<qgis version=\"%s\" projectname=\"%s\">\n"
                    "  <homePath path=\"\"/>\n  <title>%s</title>\n  <projectCrs>\n",
                    QGIS_VERSION_TEXT, title, title);
    if ((rc = srs_xml(x, &b, "    ")) < 0)
        goto done;
    plat_buf_puts(&b, "  </projectCrs>\n  <layer-tree-group>\n    <customproperties/>\n");
    tree_group(x, &b, "项目", XR_PROJECTS, XR_PROJECTS);
    tree_group(x, &b, "参考图层", XR_REFERENCE, XR_REFERENCE);
    tree_group(x, &b, "乡镇", XR_TOWNSHIPS, XR_COVERAGE);
    plat_buf_puts(&b, "  </layer-tree-group>\n");
    if (x->has_extent) {
        /* open on the data with a margin of 5 % */
        double dx = (x->extent[2] - x->extent[0]) * 0.05 + 1e-6, dy = (x->extent[3] - x->extent[1]) * 0.05 + 1e-6;
        plat_buf_printf(&b,
                        "  <mapcanvas name=\"theMapCanvas\" annotationsVisible=\"1\">\n"
                        "    <units>%s</units>\n    <extent>\n      <xmin>%.17g</xmin>\n      <ymin>%.17g</ymin>\n"
                        "      <xmax>%.17g</xmax>\n      <ymax>%.17g</ymax>\n    </extent>\n"
                        "    <rotation>0</rotation>\n    <destinationsrs>\n",
                        x->geographic ? "degrees" : "meters", x->extent[0] - dx, x->extent[1] - dy,
                        x->extent[2] + dx, x->extent[3] + dy);
        if ((rc = srs_xml(x, &b, "      ")) < 0)
            goto done;
        plat_buf_puts(&b, "    </destinationsrs>\n    <rendermaptile>0</rendermaptile>\n  </mapcanvas>\n");
    }
    plat_buf_puts(&b, "  <projectlayers>\n");
    for (int i = 0; i < x->nlayers && rc >= 0; i++)
        if (x->layers[i].kind != 0)
            rc = map_layer(x, &x->layers[i], &b);
    if (rc < 0)
        goto done;
    plat_buf_puts(&b, "  </projectlayers>\n"
                      "  <properties>\n"
                      "    <Paths>\n      <Absolute type=\"bool\">false</Absolute>\n    </Paths>\n"
                      "    <SpatialRefSys>\n      <ProjectionsEnabled type=\"int\">1</ProjectionsEnabled>\n"
                      "    </SpatialRefSys>\n"
                      "    <Measure>\n      <Ellipsoid type=\"QString\">EPSG:1024</Ellipsoid>\n    </Measure>\n"
                      "    <Measurement>\n      <DistanceUnits type=\"QString\">km</DistanceUnits>\n"
                      "      <AreaUnits type=\"QString\">ha</AreaUnits>\n    </Measurement>\n"
                      "  </properties>\n</qgis>\n");
    if (!b.s) {
        rc = plat_error_set(x->ctx, PLAT_ENOMEM, "out of memory");
        goto done;
    }
    if ((rc = plat_export__write_text(x, "plat.qgs", b.s, b.len)) >= 0)
        rc = plat_export__report(x, "plat.qgs", "project", 0);
done:
    plat_buf_dispose(&b);
    return rc;
}

int plat_export_qgis(plat_store *db, plat_export_result *res, const char *dest, const plat_export_options *opts)
{
    return plat_export__run(db, res, dest, opts, XF_QGIS);
}
