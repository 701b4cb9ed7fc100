/* plat/locate.h - where projects lie: the townships a geometry touches and how much of it
 * (km of line, m2 of polygon) lies inside each, measured as DESIGN.md "Measurement" says. */
#ifndef PLAT_LOCATE_H
#define PLAT_LOCATE_H

#include "common.h"
#include "gis.h"
#include "store.h"

/* The ledger's townships in a spatial index, with a measurer for the working CRS. */
typedef struct plat_locator plat_locator;

typedef struct plat_place {
    int township;             /* index into the locator's townships */
    const char *code, *name, *county; /* borrowed from the locator */
    plat_quantity q;          /* the part inside this township */
} plat_place;

typedef struct plat_placement {
    plat_quantity total;      /* the whole geometry */
    int kinds;                /* PLAT_GEOM_* bits, 0 without geometry */
    int n;                    /* townships touched */
    plat_place *places;       /* n entries, ordered by township code */
} plat_placement;

/** Load the townships of db. @param planar measure in the working CRS instead of the ellipsoid.
 * @param[out] out new locator; caller frees with plat_locator_free() before closing db.
 * @return 0 or < 0 */
PLAT_API int plat_locator_new(plat_store *db, plat_locator **out, int planar);
/** NULL is a no-op. */
PLAT_API void plat_locator_free(plat_locator *loc);

/** Place a geometry (WKB in the working CRS; NULL for none: an empty placement).
 * @param with_parts  also measure the part inside each township (costs an intersection)
 * @param[out] out    filled; caller frees with plat_placement_dispose(). @return 0 or < 0 */
PLAT_API int plat_locator_place(plat_locator *loc, plat_placement *out, const unsigned char *wkb, size_t size,
                                int with_parts);
/** Free what a placement holds. NULL is a no-op. */
PLAT_API void plat_placement_dispose(plat_placement *p);

/** Townships matching `text` (a township code or name, or else a county name or code).
 * @param[out] idx new array of township indexes (free with plat_free), *n its length
 * @return 0 or PLAT_ENOTFOUND naming text */
PLAT_API int plat_locator_find(plat_locator *loc, int **idx, int *n, const char *text);
/** The number of townships, and one township's code, name, county and area (ellipsoidal or
 * planar as the locator measures). Borrowed strings, valid while loc lives. */
PLAT_API int plat_locator_count(const plat_locator *loc);
PLAT_API const plat_township *plat_locator_township(const plat_locator *loc, int i);
PLAT_API double plat_locator_area_m2(plat_locator *loc, int i);
/** WKB of the union envelope of some townships, for the store's spatial filter.
 * @param[out] wkb new buffer (free with plat_free). @return 0 or < 0 */
PLAT_API int plat_locator_envelope(plat_locator *loc, unsigned char **wkb, size_t *size, const int *idx, int n);

#endif
