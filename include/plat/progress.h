/* plat/progress.h - work done per township: planned and finished km of project lines and 亩 of
 * project polygons, at a moment and within a period (layers/progress_run.c).
 *
 * A project's finished part is known one of three ways, and each result says which:
 * "geometry" (the finished sections were drawn: they are clipped to townships like coverage),
 * "quantity" (only the quantity done, in the target's unit: spread along the project's geometry
 * in proportion to the part in each township), "progress" (only a percentage: the same share
 * of every part). Projects known only by their township or county (precision township or
 * county), or without geometry, are listed apart and never added into the km or 亩. */
#ifndef PLAT_PROGRESS_H
#define PLAT_PROGRESS_H

#include "common.h"
#include "store.h"

typedef struct plat_progress_options {
    int version;
    int by_county;          /* sum townships into their counties */
    const char *category;   /* only projects of this category code */
    const char *to;         /* YYYY-MM-DD: read the ledger at the end of this day (NULL: today) */
    const char *from;       /* YYYY-MM-DD: the period starts this day (NULL: no period start) */
    const char *as_recorded;/* YYYY-MM-DD: as the ledger said when read that day (NULL: as now) */
    int planar;
} plat_progress_options;
#define PLAT_PROGRESS_OPTIONS_INIT { 1, 0, NULL, NULL, NULL, NULL, 0 }

/* Lengths in metres, areas in m2. */
typedef struct plat_progress_sum {
    double planned_m, done_m, period_m;
    double planned_m2, done_m2, period_m2;
} plat_progress_sum;

/* One project's part in one township (or county). */
typedef struct plat_progress_item {
    char *code, *name, *category;
    const char *basis;      /* "geometry", "quantity" or "progress" (static) */
    plat_progress_sum sum;
} plat_progress_item;

typedef struct plat_progress_row {
    char *code, *name, *county; /* the township (or county) */
    char *county_code;
    plat_progress_sum sum;
    int nitems;
    plat_progress_item *items; /* ordered by project code */
} plat_progress_row;

/* A project whose place is known only as a township or a county, or not at all. */
typedef struct plat_progress_unmapped {
    char *code, *name, *category, *precision;
    char *place;            /* the township code or county it is known by, NULL if none */
    char *place_name;       /* the township's name or the county, NULL if none */
    char *county;
    int has_target;
    double target_qty;
    char *target_unit;
    int has_done;
    double done;            /* in the target's unit */
    double progress;        /* 0..100 */
} plat_progress_unmapped;

typedef struct plat_progress {
    char as_of[11];         /* the day the ledger was read at */
    char from[11];          /* "" without a period start */
    char as_recorded[11];   /* "" when read as now */
    int planar;
    int nrows;
    plat_progress_row *rows;   /* ordered by county code, then code */
    plat_progress_row totals;  /* every row together (items: none) */
    plat_progress_row outside; /* parts outside every township (items: the projects) */
    int nunmapped;
    plat_progress_unmapped *unmapped; /* ordered by precision, place, code */
} plat_progress;

/** Work done per township (or county) at opts->to, and within [opts->from, opts->to].
 * @param[out] out new result; caller frees with plat_progress_free()
 * @return 0, PLAT_EINVALID (a bad date, from after to), or another negative code */
PLAT_API int plat_progress_compute(plat_store *db, plat_progress **out, const plat_progress_options *opts);
/** NULL is a no-op. */
PLAT_API void plat_progress_free(plat_progress *pr);

#endif
