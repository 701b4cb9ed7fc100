/* cli/out.c - tables, CSV and JSON for people and programs.
 *
 * Tables measure cells in terminal columns, not bytes, so 平江县 (9 bytes, 6 columns) lines up
 * with G536. JSON is printed with json-c, slashes unescaped and Chinese kept as UTF-8. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

struct cli_table {
    int ncols, nrows, cap;
    char **cells; /* (nrows + 1) * ncols, row 0 the headers */
    int *right;
};

cli_table *cli_table_new(int ncols, const char *const *headers)
{
    cli_table *t = calloc(1, sizeof(*t));
    if (!t)
        return NULL;
    t->ncols = ncols;
    t->right = calloc((size_t)ncols, sizeof(int));
    cli_table_row(t, headers);
    return t;
}

void cli_table_row(cli_table *t, const char *const *cells)
{
    if (!t)
        return;
    if (t->nrows == t->cap) {
        int cap = t->cap ? t->cap * 2 : 16;
        char **c = realloc(t->cells, (size_t)cap * (size_t)t->ncols * sizeof(*c));
        if (!c)
            return;
        t->cells = c;
        t->cap = cap;
    }
    for (int i = 0; i < t->ncols; i++)
        t->cells[t->nrows * t->ncols + i] = plat_strdup(cells[i] ? cells[i] : "");
    t->nrows++;
}

void cli_table_align_right(cli_table *t, int i)
{
    if (t && i >= 0 && i < t->ncols)
        t->right[i] = 1;
}

void cli_table_print(cli_table *t, FILE *f)
{
    if (!t)
        return;
    int *w = calloc((size_t)t->ncols, sizeof(int));
    if (!w)
        return;
    for (int r = 0; r < t->nrows; r++)
        for (int c = 0; c < t->ncols; c++) {
            int cw = plat_utf8_width(t->cells[r * t->ncols + c]);
            if (cw > w[c])
                w[c] = cw;
        }
    for (int r = 0; r < t->nrows; r++) {
        for (int c = 0; c < t->ncols; c++) {
            const char *s = t->cells[r * t->ncols + c];
            int pad = w[c] - plat_utf8_width(s);
            int last = c == t->ncols - 1;
            if (t->right[c])
                fprintf(f, "%*s%s", pad, "", s);
            else
                fprintf(f, "%s%*s", s, last ? 0 : pad, "");
            fputs(last ? "\n" : "  ", f);
        }
    }
    free(w);
}

void cli_table_free(cli_table *t)
{
    if (!t)
        return;
    for (int i = 0; i < t->nrows * t->ncols; i++)
        free(t->cells[i]);
    free(t->cells);
    free(t->right);
    free(t);
}

void cli_csv_row(FILE *f, int n, const char *const *fields)
{
    for (int i = 0; i < n; i++) {
        const char *s = fields[i] ? fields[i] : "";
        if (i)
            fputc(',', f);
        if (strpbrk(s, ",\"\r\n")) {
            fputc('"', f);
            for (; *s; s++) {
                if (*s == '"')
                    fputc('"', f);
                fputc(*s, f);
            }
            fputc('"', f);
        } else {
            fputs(s, f);
        }
    }
    fputs("\r\n", f);
}

void cli_json_print(json_object *o)
{
    puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                               JSON_C_TO_STRING_NOSLASHESCAPE));
}

static int format_rounded(json_object *o, struct printbuf *pb, int level, int flags)
{
    (void)level, (void)flags;
    char buf[64];
    plat_format_double(buf, sizeof buf, json_object_get_double(o), (int)(intptr_t)json_object_get_userdata(o));
    return sprintbuf(pb, "%s", buf);
}

json_object *cli_json_number(double v, int digits)
{
    double scale = pow(10, digits);
    json_object *o = json_object_new_double(round(v * scale) / scale);
    json_object_set_serializer(o, format_rounded, (void *)(intptr_t)digits, NULL);
    return o;
}

json_object *cli_json_quantity(const plat_quantity *q, int kinds)
{
    if (!kinds)
        return NULL;
    json_object *m = json_object_new_object();
    if (kinds & PLAT_GEOM_LINE)
        json_object_object_add(m, "km", cli_json_number(q->length_m / 1000.0, 6));
    if (kinds & PLAT_GEOM_POLYGON) {
        json_object_object_add(m, "m2", cli_json_number(q->area_m2, 2));
        json_object_object_add(m, "mu", cli_json_number(q->area_m2 / PLAT_M2_PER_MU, 3));
    }
    if (kinds & PLAT_GEOM_POINT)
        json_object_object_add(m, "points", json_object_new_int(q->points));
    return m;
}

char *cli_format_quantity(char *buf, size_t n, const plat_quantity *q, int kinds)
{
    char a[32], b[32];
    buf[0] = '\0';
    if (kinds & PLAT_GEOM_LINE)
        snprintf(buf, n, "%s km", plat_format_double(a, sizeof a, q->length_m / 1000.0, 3));
    else if (kinds & PLAT_GEOM_POLYGON)
        snprintf(buf, n, "%s 亩 (%s ha)", plat_format_double(a, sizeof a, q->area_m2 / PLAT_M2_PER_MU, 1),
                 plat_format_double(b, sizeof b, q->area_m2 / 1e4, 2));
    else if (kinds & PLAT_GEOM_POINT)
        snprintf(buf, n, "%d 点", q->points);
    return buf;
}
