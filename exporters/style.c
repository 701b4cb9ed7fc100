/* exporters/style.c - how QGIS should draw each exported layer, as QGIS style XML (QML).
 *
 * One style per layer, written three ways from the same text: as a row of the GeoPackage's
 * layer_styles table, as a .qml beside a Shapefile or GeoJSON (QGIS applies both on opening,
 * ../shared/QGIS.md), and inside the <maplayer> of the .qgs project (QGIS does not consult
 * layer_styles when reading a project). The styles:
 *
 *   projects    categorized by `category`, one class per category present, drawn in the
 *               category colour of the ledger and titled with its Chinese label; labelled
 *               with the project name;
 *   townships   outlines only, labelled with the township name;
 *   coverage    graduated colours (light yellow to dark green, five equal classes from 0) by
 *               the figure that matters for the data: the area share where there are project
 *               polygons, else the density of project lines, else the project count; labelled
 *               with the name and that figure;
 *   reference   one symbol in the colour usual for the layer kind (red line for the ecological
 *               red line, greens for farmland ...).
 *
 * Every field gets its Chinese alias. The XML is our own minimal form: QGIS 3.22 fills in the
 * defaults of everything left out (checked with ../shared/tools/qgis_check.py). Field names in
 * the XML are the names as written (after the Shapefile mapping).
 *
 * The same colours become OGR style strings for KML (plat_export__ogr_style), so Google Earth
 * and 奥维 show the categories as QGIS does. Nothing here allocates beyond the caller's buffer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exporters_int.h"

#define QGIS_VERSION_TEXT "3.22.16-Białowieża" /* the version our files are checked against */

typedef struct rgba {
    int r, g, b, a;
} rgba;

static rgba parse_color(const char *hex, int alpha)
{
    rgba c = { 115, 115, 115, alpha };
    unsigned r, g, b;
    if (hex && sscanf(hex, "#%2x%2x%2x", &r, &g, &b) == 3)
        c.r = (int)r, c.g = (int)g, c.b = (int)b;
    return c;
}

/* Colours of the coverage classes: ColorBrewer YlGn, light to dark. */
static const char *const ramp[5] = { "#ffffcc", "#c2e699", "#78c679", "#31a354", "#006837" };
#define NCLASSES 5

/* Colours of the reference layer kinds: fill (or line) and outline. */
static void kind_colors(const char *kind, rgba *fill, rgba *line)
{
    static const struct {
        const char *kind, *fill, *line;
    } k[] = {
        { "roads", "#bdbdbd", "#636363" },          { "farmland", "#d9f0a3", "#78c679" },
        { "basic_farmland", "#a6d96a", "#1a9641" }, { "eco_redline", "#fcbba1", "#e31a1c" },
        { "wetland", "#a6cee3", "#1f78b4" },        { "other", "#d9d9d9", "#737373" },
    };
    size_t i = 0;
    while (i + 1 < sizeof(k) / sizeof(k[0]) && strcmp(k[i].kind, kind) != 0)
        i++;
    *fill = parse_color(k[i].fill, 150);
    *line = parse_color(k[i].line, 255);
}

int plat_export__xml_text(plat_buf *out, const char *s)
{
    int rc = 0;
    for (; s && *s && rc >= 0; s++) {
        switch (*s) {
        case '&':
            rc = plat_buf_puts(out, "&amp;");
            break;
        case '<':
            rc = plat_buf_puts(out, "&lt;");
            break;
        case '>':
            rc = plat_buf_puts(out, "&gt;");
            break;
        case '"':
            rc = plat_buf_puts(out, "&quot;");
            break;
        case '\'':
            rc = plat_buf_puts(out, "&apos;");
            break;
        case '\n':
            rc = plat_buf_puts(out, "&#10;");
            break;
        default:
            rc = plat_buf_add(out, s, 1);
        }
    }
    return rc;
}

static const char *out_name(const xlayer *l, const char *name)
{
    int i = plat_export__field(l, name);
    return i >= 0 ? l->fields[i].out : name;
}

/* A line or outline drawn dashed where the project was only sketched (placed by hand): the
 * stroke style is data-defined on the precision field, so one class per category stays. */
static void dash_when_sketched(plat_buf *b, const char *field)
{
    if (!field)
        return;
    plat_buf_puts(b, "          <data_defined_properties>\n"
                     "            <Option type=\"Map\">\n"
                     "              <Option type=\"QString\" name=\"name\" value=\"\"/>\n"
                     "              <Option type=\"Map\" name=\"properties\">\n"
                     "                <Option type=\"Map\" name=\"outlineStyle\">\n"
                     "                  <Option type=\"bool\" name=\"active\" value=\"true\"/>\n"
                     "                  <Option type=\"QString\" name=\"expression\" value=\"CASE WHEN &quot;");
    plat_export__xml_text(b, field);
    plat_buf_puts(b, "&quot; = 'sketched' THEN 'dash' ELSE 'solid' END\"/>\n"
                     "                  <Option type=\"int\" name=\"type\" value=\"3\"/>\n"
                     "                </Option>\n"
                     "              </Option>\n"
                     "              <Option type=\"QString\" name=\"type\" value=\"collection\"/>\n"
                     "            </Option>\n"
                     "          </data_defined_properties>\n");
}

/* One symbol: a circle, a line or a fill, named n (its index in <symbols>); dash_field names
 * the precision field of a project layer (NULL: always solid). */
static void symbol(plat_buf *b, int kind, int n, rgba fill, rgba line, double width, const char *dash_field)
{
    const char *type = kind == PLAT_GEOM_POINT ? "marker" : kind == PLAT_GEOM_LINE ? "line" : "fill";
    plat_buf_printf(b, "      <symbol type=\"%s\" name=\"%d\" alpha=\"1\" clip_to_extent=\"1\" force_rhr=\"0\">\n", type, n);
    if (kind == PLAT_GEOM_POINT) {
        plat_buf_printf(b,
                        "        <layer class=\"SimpleMarker\" enabled=\"1\" locked=\"0\" pass=\"0\">\n"
                        "          <prop k=\"name\" v=\"circle\"/>\n"
                        "          <prop k=\"color\" v=\"%d,%d,%d,%d\"/>\n"
                        "          <prop k=\"outline_color\" v=\"255,255,255,255\"/>\n"
                        "          <prop k=\"outline_width\" v=\"0.4\"/>\n"
                        "          <prop k=\"size\" v=\"3.2\"/>\n"
                        "        </layer>\n",
                        fill.r, fill.g, fill.b, fill.a);
    } else if (kind == PLAT_GEOM_LINE) {
        plat_buf_printf(b,
                        "        <layer class=\"SimpleLine\" enabled=\"1\" locked=\"0\" pass=\"0\">\n"
                        "          <prop k=\"line_color\" v=\"%d,%d,%d,%d\"/>\n"
                        "          <prop k=\"line_width\" v=\"%g\"/>\n"
                        "          <prop k=\"line_width_unit\" v=\"MM\"/>\n"
                        "          <prop k=\"line_style\" v=\"solid\"/>\n"
                        "          <prop k=\"capstyle\" v=\"round\"/>\n"
                        "          <prop k=\"joinstyle\" v=\"round\"/>\n",
                        line.r, line.g, line.b, line.a, width);
        dash_when_sketched(b, dash_field);
        plat_buf_puts(b, "        </layer>\n");
    } else {
        plat_buf_printf(b,
                        "        <layer class=\"SimpleFill\" enabled=\"1\" locked=\"0\" pass=\"0\">\n"
                        "          <prop k=\"color\" v=\"%d,%d,%d,%d\"/>\n"
                        "          <prop k=\"style\" v=\"%s\"/>\n"
                        "          <prop k=\"outline_color\" v=\"%d,%d,%d,%d\"/>\n"
                        "          <prop k=\"outline_style\" v=\"solid\"/>\n"
                        "          <prop k=\"outline_width\" v=\"%g\"/>\n"
                        "          <prop k=\"outline_width_unit\" v=\"MM\"/>\n",
                        fill.r, fill.g, fill.b, fill.a, fill.a ? "solid" : "no", line.r, line.g, line.b, line.a,
                        width);
        dash_when_sketched(b, dash_field);
        plat_buf_puts(b, "        </layer>\n");
    }
    plat_buf_puts(b, "      </symbol>\n");
}

static int symbol_kind(const xlayer *l)
{
    return l->kind == PLAT_GEOM_POINT || l->kind == PLAT_GEOM_LINE ? l->kind : PLAT_GEOM_POLYGON;
}

static void categorized(xport *x, const xlayer *l, plat_buf *b)
{
    int kind = symbol_kind(l);
    plat_buf_puts(b, "  <renderer-v2 type=\"categorizedSymbol\" attr=\"");
    plat_export__xml_text(b, out_name(l, "category"));
    plat_buf_puts(b, "\" symbollevels=\"0\" forceraster=\"0\" enableorderby=\"0\">\n    <categories>\n");
    for (int i = 0; i < l->ncats; i++) {
        const xcat *c = plat_export__cat(x, l->cats[i]);
        plat_buf_printf(b, "      <category symbol=\"%d\" value=\"", i);
        plat_export__xml_text(b, l->cats[i]);
        plat_buf_puts(b, "\" label=\"");
        plat_export__xml_text(b, c ? c->label : l->cats[i]);
        plat_buf_puts(b, "\" render=\"true\"/>\n");
    }
    plat_buf_puts(b, "    </categories>\n    <symbols>\n");
    for (int i = 0; i < l->ncats; i++) {
        const xcat *c = plat_export__cat(x, l->cats[i]);
        rgba line = parse_color(c ? c->color : NULL, 255);
        /* polygons: the colour half transparent over an outline in the full colour */
        rgba fill = parse_color(c ? c->color : NULL, kind == PLAT_GEOM_POLYGON ? 110 : 255);
        symbol(b, kind, i, fill, line, kind == PLAT_GEOM_LINE ? 0.9 : 0.5,
               kind == PLAT_GEOM_POINT ? NULL : out_name(l, "precision"));
    }
    plat_buf_puts(b, "    </symbols>\n    <rotation/>\n    <sizescale/>\n  </renderer-v2>\n");
}

static void single(const xlayer *l, plat_buf *b)
{
    rgba fill, line;
    double width = 0.4;
    if (l->role == XR_TOWNSHIPS) {
        fill = (rgba){ 0, 0, 0, 0 }; /* outlines only: the map underneath stays readable */
        line = parse_color("#505050", 255);
        width = 0.5;
    } else {
        kind_colors(l->ref_kind, &fill, &line);
        if (strcmp(l->ref_kind, "eco_redline") == 0)
            fill.a = 60, width = 0.6;
        if (l->kind == PLAT_GEOM_LINE)
            width = 0.5;
    }
    plat_buf_puts(b, "  <renderer-v2 type=\"singleSymbol\" symbollevels=\"0\" forceraster=\"0\" enableorderby=\"0\">\n"
                     "    <symbols>\n");
    symbol(b, symbol_kind(l), 0, fill, line, width, NULL);
    plat_buf_puts(b, "    </symbols>\n    <rotation/>\n    <sizescale/>\n  </renderer-v2>\n");
}

/* The upper bound of class k of the coverage choropleth (k = 0 .. NCLASSES-1). */
static double class_upper(const xlayer *l, int k)
{
    return l->grad_max * (k + 1) / NCLASSES;
}

static int n_classes(const xlayer *l)
{
    return l->grad_max > 0 ? NCLASSES : 1;
}

static void range_label(const xlayer *l, char *buf, size_t n, double lo, double hi)
{
    char a[32], b[32];
    int pct = strcmp(l->grad_field, "share") == 0;
    int digits = strcmp(l->grad_field, "projects") == 0 ? 1 : pct ? 1 : 2;
    plat_format_double(a, sizeof a, pct ? lo * 100 : lo, digits);
    plat_format_double(b, sizeof b, pct ? hi * 100 : hi, digits);
    const char *unit = pct ? "%" : strcmp(l->grad_field, "road_dens") == 0 ? " km/km²" : " 个";
    if (lo == hi)
        snprintf(buf, n, "%s%s", a, unit);
    else
        snprintf(buf, n, "%s – %s%s", a, b, unit);
}

static void graduated(const xlayer *l, plat_buf *b)
{
    int nc = n_classes(l);
    char label[96];
    plat_buf_printf(b, "  <renderer-v2 type=\"graduatedSymbol\" attr=\"");
    plat_export__xml_text(b, out_name(l, l->grad_field));
    plat_buf_puts(b, "\" graduatedMethod=\"GraduatedColor\" symbollevels=\"0\" forceraster=\"0\" enableorderby=\"0\">\n"
                     "    <ranges>\n");
    for (int k = 0; k < nc; k++) {
        double lo = nc == 1 ? 0 : k == 0 ? 0 : class_upper(l, k - 1), hi = nc == 1 ? 0 : class_upper(l, k);
        range_label(l, label, sizeof label, lo, hi);
        plat_buf_printf(b, "      <range symbol=\"%d\" lower=\"%.15g\" upper=\"%.15g\" label=\"", k, lo, hi);
        plat_export__xml_text(b, label);
        plat_buf_puts(b, "\" render=\"true\"/>\n");
    }
    plat_buf_puts(b, "    </ranges>\n    <symbols>\n");
    for (int k = 0; k < nc; k++)
        symbol(b, PLAT_GEOM_POLYGON, k, parse_color(ramp[nc == 1 ? 0 : k], 220), parse_color("#ffffff", 255), 0.3,
               NULL);
    plat_buf_puts(b, "    </symbols>\n"
                     "    <colorramp type=\"gradient\" name=\"[source]\">\n"
                     "      <prop k=\"color1\" v=\"255,255,204,255\"/>\n"
                     "      <prop k=\"color2\" v=\"0,104,55,255\"/>\n"
                     "      <prop k=\"stops\" v=\"0.25;194,230,153,255:0.5;120,198,121,255:0.75;49,163,84,255\"/>\n"
                     "    </colorramp>\n"
                     "    <classificationMethod id=\"EqualInterval\">\n"
                     "      <symmetricMode enabled=\"0\" symmetrypoint=\"0\" astride=\"0\"/>\n"
                     "      <labelFormat format=\"%1 - %2\" labelprecision=\"4\" trimtrailingzeroes=\"1\"/>\n"
                     "      <parameters/>\n      <extraInformation/>\n"
                     "    </classificationMethod>\n"
                     "    <rotation/>\n    <sizescale/>\n  </renderer-v2>\n");
}

int plat_export__labelled(const xlayer *l)
{
    return l->kind != 0 && l->kind != XK_ANY && l->role != XR_REFERENCE;
}

static void labeling(const xlayer *l, plat_buf *b)
{
    /* QGIS 3.22 placement codes: 1 over the centroid (polygons), 2 along lines, 0 around points */
    int placement = l->kind == PLAT_GEOM_POINT ? 0 : l->kind == PLAT_GEOM_LINE ? 2 : 1;
    plat_buf expr = PLAT_BUF_INIT;
    int is_expr = l->role == XR_COVERAGE;
    if (is_expr) {
        /* the name, and the figure the colours show under it */
        const char *f = out_name(l, l->grad_field), *name = out_name(l, "name");
        if (strcmp(l->grad_field, "share") == 0)
            plat_buf_printf(&expr, "\"%s\" || '\\n' || format_number(\"%s\" * 100, 1) || '%%'", name, f);
        else if (strcmp(l->grad_field, "road_dens") == 0)
            plat_buf_printf(&expr, "\"%s\" || '\\n' || format_number(\"%s\", 2) || ' km/km²'", name, f);
        else
            plat_buf_printf(&expr, "\"%s\" || '\\n' || \"%s\" || ' 个项目'", name, f);
    } else {
        plat_buf_puts(&expr, out_name(l, "name"));
    }
    plat_buf_printf(b, "  <labeling type=\"simple\">\n    <settings calloutType=\"simple\">\n"
                       "      <text-style fieldName=\"");
    plat_export__xml_text(b, plat_buf_cstr(&expr));
    plat_buf_printf(b,
                    "\" isExpression=\"%d\" fontSize=\"%s\" fontSizeUnit=\"Point\" textColor=\"%s\" "
                    "textOpacity=\"1\" fontWeight=\"50\" fontItalic=\"0\" fontUnderline=\"0\" fontStrikeout=\"0\" "
                    "multilineHeight=\"1\" allowHtml=\"0\" blendMode=\"0\">\n"
                    "        <text-buffer bufferDraw=\"1\" bufferSize=\"0.8\" bufferSizeUnits=\"MM\" "
                    "bufferColor=\"255,255,255,255\" bufferOpacity=\"0.85\" bufferJoinStyle=\"128\" bufferNoFill=\"1\"/>\n"
                    "      </text-style>\n"
                    "      <text-format multilineAlign=\"3\" wrapChar=\"\"/>\n"
                    "      <placement placement=\"%d\" placementFlags=\"10\" dist=\"1\" distUnits=\"MM\" "
                    "centroidInside=\"1\" centroidWhole=\"0\" fitInPolygonOnly=\"0\" priority=\"5\" "
                    "repeatDistance=\"0\" offsetType=\"0\" quadOffset=\"4\" xOffset=\"0\" yOffset=\"0\" "
                    "rotationAngle=\"0\" preserveRotation=\"1\" maxCurvedCharAngleIn=\"25\" maxCurvedCharAngleOut=\"-25\"/>\n"
                    "      <rendering drawLabels=\"1\" obstacle=\"1\" obstacleFactor=\"1\" obstacleType=\"1\" "
                    "scaleVisibility=\"0\" displayAll=\"0\" upsidedownLabels=\"0\" labelPerPart=\"0\" mergeLines=\"%d\" "
                    "limitNumLabels=\"0\" maxNumLabels=\"2000\" minFeatureSize=\"0\" zIndex=\"0\"/>\n"
                    "    </settings>\n  </labeling>\n",
                    is_expr, l->role == XR_PROJECTS ? "9" : "10",
                    l->role == XR_PROJECTS ? "35,35,35,255" : "60,60,60,255", placement,
                    l->kind == PLAT_GEOM_LINE);
    plat_buf_dispose(&expr);
}

static void aliases(const xlayer *l, plat_buf *b)
{
    plat_buf_puts(b, "  <aliases>\n");
    for (int i = 0; i < l->nfields; i++) {
        plat_buf_printf(b, "    <alias index=\"%d\" field=\"", i);
        plat_export__xml_text(b, l->fields[i].out);
        plat_buf_puts(b, "\" name=\"");
        plat_export__xml_text(b, l->fields[i].alias);
        plat_buf_puts(b, "\"/>\n");
    }
    plat_buf_puts(b, "  </aliases>\n");
}

int plat_export__style_elements(xport *x, const xlayer *l, plat_buf *out)
{
    plat_buf b = PLAT_BUF_INIT;
    if (l->kind != 0) {
        if (l->role == XR_PROJECTS)
            categorized(x, l, &b);
        else if (l->role == XR_COVERAGE)
            graduated(l, &b);
        else
            single(l, &b);
        if (plat_export__labelled(l))
            labeling(l, &b);
    }
    aliases(l, &b);
    /* plat_buf only fails when out of memory; then s is NULL or short: check once here. */
    int rc = b.s ? plat_buf_add(out, b.s, b.len) : PLAT_ENOMEM;
    plat_buf_dispose(&b);
    return rc < 0 ? plat_error_set(x->ctx, PLAT_ENOMEM, "out of memory") : 0;
}

int plat_export__qml(xport *x, const xlayer *l, plat_buf *out)
{
    int rc = plat_buf_printf(out,
                             "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
                             "<qgis version=\"%s\" styleCategories=\"AllStyleCategories\" labelsEnabled=\"%d\">\n",
                             QGIS_VERSION_TEXT, plat_export__labelled(l));
    if (rc >= 0)
        rc = plat_export__style_elements(x, l, out);
    if (rc >= 0)
        rc = plat_buf_puts(out, "</qgis>\n");
    return rc < 0 ? plat_error_set(x->ctx, PLAT_ENOMEM, "out of memory") : 0;
}

int plat_export__write_text(xport *x, const char *base, const char *text, size_t n)
{
    char *path = plat_export__stage_path(x, base);
    if (!path)
        return plat_error_set(x->ctx, PLAT_ENOMEM, "out of memory");
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(text, 1, n, f) == n;
    if (f && fclose(f) != 0)
        ok = 0;
    free(path);
    if (!ok) {
        plat_error_set(x->ctx, PLAT_EIO, "%s: cannot write %s", x->dest, base);
        return plat_error_locate(x->ctx, x->dest, -1);
    }
    return 0;
}

static void hex(char *buf, size_t n, rgba c)
{
    snprintf(buf, n, "#%02x%02x%02x%02x", c.r, c.g, c.b, c.a);
}

void plat_export__ogr_style(const xport *x, const xlayer *l, const xvalue *v, char *buf, size_t n)
{
    rgba fill, line;
    char f[16], s[16];
    int kind = symbol_kind(l);
    buf[0] = '\0';
    if (l->role == XR_PROJECTS) {
        int i = plat_export__field(l, "category");
        const xcat *c = i >= 0 && v[i].set ? plat_export__cat(x, v[i].s) : NULL;
        line = parse_color(c ? c->color : NULL, 255);
        fill = parse_color(c ? c->color : NULL, kind == PLAT_GEOM_POLYGON ? 110 : 255);
    } else if (l->role == XR_TOWNSHIPS) {
        line = parse_color("#505050", 255);
        fill = (rgba){ 0, 0, 0, 0 };
    } else if (l->role == XR_COVERAGE) {
        int i = plat_export__field(l, l->grad_field), k = 0;
        double val = i < 0 || !v[i].set ? 0 : l->fields[i].type == XT_REAL ? v[i].d : (double)v[i].i;
        while (k + 1 < n_classes(l) && val > class_upper(l, k))
            k++;
        fill = parse_color(ramp[n_classes(l) == 1 ? 0 : k], 200);
        line = parse_color("#ffffff", 255);
    } else {
        kind_colors(l->ref_kind, &fill, &line);
    }
    hex(f, sizeof f, fill);
    hex(s, sizeof s, line);
    /* GDAL's KML driver turns PEN and BRUSH into <Style>; points keep the viewer's own pin */
    if (kind == PLAT_GEOM_POINT)
        return;
    if (kind == PLAT_GEOM_LINE)
        snprintf(buf, n, "PEN(c:%s,w:3px)", s);
    else
        snprintf(buf, n, "PEN(c:%s,w:2px);BRUSH(fc:%s)", s, f);
}
