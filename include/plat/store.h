/* plat/store.h - the ledger: townships, projects and their history, categories, meta.
 *
 * The store speaks of townships, projects and events, never of SQL. Geometries cross this
 * border as 2D ISO WKB in the working CRS of the database (a metric CGCS2000 Gauss-Kruger
 * zone, see plat_store_srid). Every function that writes runs inside the caller's
 * transaction when one is open (plat_store_begin), or in its own otherwise, so a command's
 * writes land together or not at all. */
#ifndef PLAT_STORE_H
#define PLAT_STORE_H

#include "common.h"
#include "gis.h"

typedef struct plat_store plat_store;

/* How to open. */
enum {
    PLAT_OPEN_READ = 0,     /* the database must exist and be a plat ledger */
    PLAT_OPEN_WRITE = 1,    /* same, for writing */
    PLAT_OPEN_CREATE = 2    /* create a new ledger; fails if the file exists */
};

/** Open (or create) a ledger: a SQLite file at `target`, or, when target is a PostgreSQL
 * connection string as libpq takes it (postgresql://..., postgres://..., key=value pairs such
 * as "service=NAME", or GDAL's "PG:" prefix before either), the ledger in the schema "plat" of
 * that database. Passwords come from libpq's own places (.pgpass, PGPASSWORD, service files);
 * one given in target is used but never appears in any message (see plat_store_where).
 * On success the store owns ctx's use for its lifetime but not ctx itself: the caller frees
 * ctx after plat_store_close().
 * @param[out] out  new store; caller closes with plat_store_close()
 * @return 0, PLAT_ENOTFOUND (no such database), PLAT_EEXISTS (creating over a file or an
 *         existing ledger schema), PLAT_EINVALID (not a plat database, or one newer than this
 *         plat), PLAT_EIO (also: the server refused the connection or a privilege) */
PLAT_API int plat_store_open(plat_ctx *ctx, plat_store **out, const char *target, int mode);
/** plat_store_open with the PostgreSQL schema named (a plain lower-case identifier; NULL:
 * "plat"); ignored for a SQLite file. */
PLAT_API int plat_store_open_schema(plat_ctx *ctx, plat_store **out, const char *target, const char *schema,
                                    int mode);
/** Where the ledger is, for messages: the file, or the connection string with any password
 * replaced by "***" and the schema after a '#'. Owned by the store. */
PLAT_API const char *plat_store_where(const plat_store *db);
/** The ledger's connection string as given but for any password, usable again as --db; the
 * file for a SQLite ledger. Owned by the store. */
PLAT_API const char *plat_store_target(const plat_store *db);
/** Remove a whole ledger: the file with its companions, or the PostgreSQL schema with
 * everything in it. Refuses (PLAT_EINVALID) when target is not a plat ledger.
 * @return 0, PLAT_ENOTFOUND when there is none, or < 0 */
PLAT_API int plat_store_destroy(plat_ctx *ctx, const char *target, const char *schema);
/** 1 when target names a PostgreSQL database rather than a file. */
PLAT_API int plat_store_target_is_server(const char *target);
/** Close; an open transaction is rolled back. NULL is a no-op. */
PLAT_API void plat_store_close(plat_store *db);
/** The context that receives this store's errors. Never NULL. */
PLAT_API plat_ctx *plat_store_ctx(plat_store *db);

/** Begin the command's write transaction (immediate: waits for other writers up to the busy
 * timeout, then PLAT_EBUSY). @return 0 or < 0. */
PLAT_API int plat_store_begin(plat_store *db);
/** Commit. @return 0 or < 0 (then everything is rolled back). */
PLAT_API int plat_store_commit(plat_store *db);
/** Roll back and return rc unchanged, so `return plat_store_rollback(db, rc);` reads right. */
PLAT_API int plat_store_rollback(plat_store *db, int rc);

/** The working CRS (EPSG code), 0 while the ledger has no geometry yet. Cannot fail. */
PLAT_API int plat_store_srid(plat_store *db);
/** Fix the working CRS. Allowed once, while it is 0; must be a metric projected CRS.
 * @return 0, PLAT_EEXISTS if one is set already, PLAT_EINVALID */
PLAT_API int plat_store_set_srid(plat_store *db, int epsg);
/** Schema version of the open ledger. */
PLAT_API int plat_store_schema_version(plat_store *db);
/** Value of a meta key as a new string (free with plat_free), NULL if unset. */
PLAT_API char *plat_store_meta_get(plat_store *db, const char *key);

/* ---- copying a whole ledger (plat copy) ---- */
typedef struct plat_copy_counts {
    int64_t townships, projects, events, layers, features;
} plat_copy_counts;
/** Copy the whole ledger src into dst, on either backend: the working CRS, meta (the source's
 * `created` and history head; not the rows that describe dst's own schema), categories,
 * townships, projects with where they lie and their whole history, reference layers with their
 * features and stored figures. Row ids, event hashes and measured figures are copied as they
 * are (nothing is measured again), so the copy verifies (plat_history_verify) with the same
 * chain, byte for byte. dst must be a ledger just created (PLAT_OPEN_CREATE) and still empty.
 * The copy is one transaction on dst: when it fails dst is as it was created, and the caller
 * removes it (plat_store_destroy). Features are read as a stream, so a province copies in
 * bounded memory. Both stores must share one context: it receives the errors of either.
 * @param[out] counts what was copied; may be NULL
 * @param progress   NULL, or called now and then with the fraction done; non-zero stops
 * @return 0, PLAT_EINVALID (dst not empty, two contexts, a source table the registry does
 *         not name as plat does), PLAT_ECANCEL (progress stopped it), or another < 0 */
PLAT_API int plat_store_copy(plat_store *dst, plat_store *src, plat_copy_counts *counts, plat_progress_fn progress,
                             void *ud);
/** 1 when a and b are one ledger however they were named (the same file, or the same schema of
 * the same database on the same running server), 0 when not or when it cannot be told. */
PLAT_API int plat_store_same_ledger(plat_store *a, plat_store *b);

/* ---- categories ---- */
typedef struct plat_category {
    const char *code;     /* "highway" */
    const char *label_zh; /* "公路" */
    const char *label_en; /* "Highway" */
    const char *color;    /* "#d7301f" */
} plat_category;
/** Call fn for each category, ordered by code. Strings are valid during the call only.
 * fn returns non-zero to stop (and that value is returned). */
PLAT_API int plat_category_foreach(plat_store *db, int (*fn)(const plat_category *, void *), void *ud);
/** Resolve a category given as its code, Chinese or English label (case-insensitive for
 * ASCII) into its code, written into buf (size n).
 * @return 0 or PLAT_EINVALID listing the known codes */
PLAT_API int plat_category_resolve(plat_store *db, char *buf, size_t n, const char *text);
/** Chinese label of a category code into buf (the code itself if unknown). @return buf. */
PLAT_API const char *plat_category_label(plat_store *db, char *buf, size_t n, const char *code);

/* ---- townships ---- */
typedef struct plat_township {
    int64_t id;
    char *code;        /* 9-digit GB/T 2260 + GB/T 10114 code (or a 6-digit county code) */
    char *name;
    char *county_code; /* may be NULL */
    char *county;      /* may be NULL */
    char *source;      /* where the boundary came from, may be NULL */
    unsigned char *wkb;/* polygon or multipolygon in the working CRS */
    size_t wkb_size;
    double area_m2;        /* ellipsoidal area, 0 until places are refreshed (read only) */
    double planar_area_m2; /* area in the working CRS plane (read only) */
} plat_township;
/** Free the strings and WKB of t (not t itself). NULL is a no-op. */
PLAT_API void plat_township_dispose(plat_township *t);
/** Insert, or replace the township with the same code. Borrowed input.
 * @return 0 when inserted, 1 when it replaced a township, or < 0 */
PLAT_API int plat_township_put(plat_store *db, const plat_township *t);
/** Call fn for every township ordered by county code, then code. t is valid during the call
 * only (the store disposes it). fn returns non-zero to stop; that value is returned. */
PLAT_API int plat_township_foreach(plat_store *db, int (*fn)(const plat_township *t, void *), void *ud);
/** Number of townships (>= 0) or < 0 on error. */
PLAT_API int64_t plat_township_count(plat_store *db);

/* ---- projects ---- */

/* The four states of a project; DESIGN.md. Chinese names are what tables show. */
PLAT_API const char *plat_status_label(const char *status);
/** Resolve a status written in English (planned, under_construction, completed, suspended)
 * or Chinese (计划/规划/拟建, 在建/建设中, 已完工/完工/竣工/建成, 暂停/停建/缓建) into its code.
 * @return the static code string, or NULL when unknown. */
PLAT_API const char *plat_status_resolve(const char *text);

typedef struct plat_project {
    int64_t id;             /* set by the store */
    char *code;             /* unique, required */
    char *name;             /* required */
    char *category;         /* a category code, required */
    char *county;
    char *status;           /* a status code; "planned" when NULL on add */
    double progress;        /* 0..100 */
    int has_done;
    double done;            /* quantity done, in the target's unit (set by updates) */
    int has_target;
    double target_qty;
    char *target_unit;      /* "km", "万亩", "berth" ... */
    char *lead_unit;        /* 牵头单位 */
    char *source_doc;       /* the plan document */
    char *clause;           /* clause of the plan */
    int year;               /* 0 if unknown */
    int has_investment;
    double investment;      /* 万元 */
    char *start_date, *end_date; /* YYYY-MM-DD or NULL */
    char *attrs;            /* JSON object of kept source attributes, or NULL */
    unsigned char *wkb;     /* geometry in the working CRS, NULL for none */
    size_t wkb_size;
    char *created_at, *updated_at; /* set by the store */
    char *precision;        /* how well its place is known: "surveyed" (from a survey or CAD file),
                             * "sketched" (placed by hand), "township" or "county" (only that is
                             * known: no geometry), "none"; NULL on add: from the geometry */
    char *place;            /* the township code (precision township) or county (precision
                             * county) the project is known by, else NULL */
    unsigned char *done_wkb;/* the finished section(s) so far, NULL if none reported */
    size_t done_wkb_size;
    int kinds;              /* PLAT_GEOM_* bits of the geometry (read only) */
    plat_quantity measured; /* the whole geometry, ellipsoidal (read only) */
    plat_quantity measured_planar; /* the same in the working CRS plane (read only) */
    int64_t version;        /* the id of its newest history event when read (of those visible at
                             * the cut, read at one): what an edit made on this copy started from,
                             * see plat_project_change.expect_version (read only; an importer sets
                             * it to the version a file's row was exported at) */
} plat_project;

/** Free everything p points to (not p). NULL is a no-op. */
PLAT_API void plat_project_dispose(plat_project *p);

/** Add a project and its first history event (dated `date`, today when NULL), which carries its
 * description, geometry and precision. p->precision NULL: surveyed with a geometry, none
 * without; township and county take no geometry and p->place (a township's code or name; for
 * county, p->place or p->county). Borrowed input.
 * @return 0, PLAT_EEXISTS (code taken), PLAT_EINVALID (unknown category, bad value, a precision
 *         that does not fit the geometry, an unknown township or county) */
PLAT_API int plat_project_add(plat_store *db, const plat_project *p, const char *date, const char *note);
/** Read one project by code. @param[out] out filled; caller disposes with plat_project_dispose.
 * @return 0 or PLAT_ENOTFOUND */
PLAT_API int plat_project_get(plat_store *db, plat_project *out, const char *code);
/** Read one project as it stood at the end of day as_of, by what was recorded up to the end
 * of day as_recorded (either NULL: no cut; both NULL: as plat_project_get). Status, progress,
 * quantity done, description, precision and geometry come from the history; `measured` is of
 * that geometry. @return 0, PLAT_ENOTFOUND (no such project then), PLAT_EINVALID (bad date) */
PLAT_API int plat_project_get_at(plat_store *db, plat_project *out, const char *code, const char *as_of,
                                 const char *as_recorded);
/** 1 if precision is one of surveyed, sketched, township, county, none. */
PLAT_API int plat_precision_valid(const char *precision);

typedef struct plat_project_filter {
    const char *township;  /* a township's code or name, or a county's (all its townships): only
                            * projects with a part there; NULL: anywhere */
    const char *county;    /* NULL: any */
    const char *category;  /* a category code, NULL: any */
    const char *status;    /* a status code, NULL: any */
    const unsigned char *bbox_wkb; /* only projects whose envelope meets this geometry's envelope */
    size_t bbox_wkb_size;
    const char *as_of;      /* YYYY-MM-DD: the projects as they stood at the end of that day */
    const char *as_recorded;/* YYYY-MM-DD: as the ledger said when read at the end of that day */
} plat_project_filter;
/** Call fn for each project matching f (NULL: all), ordered by code. p is valid during the
 * call only. fn returns non-zero to stop; that value is returned. With f->as_of or
 * f->as_recorded each project is read as plat_project_get_at reads it (and bbox_wkb is not
 * applied: the caller filters by place). */
PLAT_API int plat_project_foreach(plat_store *db, const plat_project_filter *f,
                                  int (*fn)(const plat_project *p, void *), void *ud);

/** 1 if `text` names a township (code or name) or a county of the ledger, 0 if not, < 0 on error. */
PLAT_API int plat_township_known(plat_store *db, const char *text);

/* Where a project lies: one township's part of it. */
typedef struct plat_place_row {
    const char *code, *name, *county; /* the township */
    plat_quantity q;                  /* the project's part inside it */
} plat_place_row;
/** Call fn for each township project `id` lies in (ordered by county code, then code), with
 * the part inside it, ellipsoidal or planar. r is valid during fn only.
 * @return 0 or fn's non-zero value, or < 0 */
PLAT_API int plat_project_places(plat_store *db, int64_t project_id, int planar,
                                 int (*fn)(const plat_place_row *r, void *), void *ud);
/** Measure again where every project lies and every township's area, and forget the reference
 * layers' stored figures per township (importers call it after changing townships; the store
 * does the same for one project when its geometry changes). Inside a transaction the work waits
 * for the outermost commit, so it runs once however often it is asked for. @return 0 or < 0 */
PLAT_API int plat_store_refresh_places(plat_store *db);

/* A change to a project: NULL / has_* = 0 fields are left as they are. */
typedef struct plat_project_change {
    const char *status;
    int has_progress;
    double progress;
    int has_done;
    double done;            /* quantity done so far, in the target's unit */
    const char *note;
    const char *date;       /* YYYY-MM-DD the change is true for; NULL: today */
    const unsigned char *wkb; /* new geometry in the working CRS */
    size_t wkb_size;
    const unsigned char *done_wkb; /* the finished section(s) so far, in the working CRS */
    size_t done_wkb_size;
    const char *precision;  /* with wkb: surveyed or sketched (default: kept when the project
                             * was surveyed or sketched, else sketched) */
    int64_t corrects;       /* id of an event this change corrects (0: none); fields it does
                             * not give are those of the corrected event, and so is the date */
    int64_t expect_version; /* the project's version the change was made on (plat_project.version
                             * as read); if the project has an event newer than that, the change
                             * is refused, checked inside the write transaction so no writer can
                             * slip in between. 0: no check (last writer wins) */
} plat_project_change;
/** Apply a change and append it to the history.
 * @return 0, PLAT_ENOTFOUND, PLAT_EINVALID (bad status/progress/date, nothing to change, or an
 *         expect_version that is no version of this project), PLAT_ECONFLICT (the project changed
 *         since c->expect_version: nothing is written, the message names its version now and
 *         the event that made it) */
PLAT_API int plat_project_update(plat_store *db, const char *code, const plat_project_change *c);
/** Re-import a project that is in the ledger (plat project import --upsert): replace its
 * descriptive fields (name, category, county, target, lead unit, source document, clause, year,
 * investment, dates, attrs) with p's, and append c to its history as one 'update' event
 * (status, progress, quantity done and geometry when c gives them, c->note, c->date). p->status,
 * p->progress, p->wkb and p->version are not used: the history holds those, and c->expect_version
 * is checked as plat_project_update checks it. Borrowed input.
 * @return 0, PLAT_ENOTFOUND (no such project, or a removed one), PLAT_EINVALID (bad value),
 *         PLAT_ECONFLICT (changed, or removed, since c->expect_version) */
PLAT_API int plat_project_replace(plat_store *db, const plat_project *p, const plat_project_change *c);
/** Remove a project from the ledger; its history stays (with a final "removed" event) and its
 * code cannot be reused. expect_version: as plat_project_change.expect_version (0: no check).
 * @return 0, PLAT_ENOTFOUND, PLAT_EINVALID (bad date, or no such version), PLAT_ECONFLICT (the
 *         project changed since expect_version) */
PLAT_API int plat_project_remove(plat_store *db, const char *code, const char *date, const char *note,
                                 int64_t expect_version);

typedef struct plat_event {
    int64_t id;
    const char *kind;       /* "add", "update", "remove" */
    const char *date;       /* true for */
    const char *recorded_at;
    const char *status;     /* NULL when unchanged */
    int has_progress;
    double progress;
    int has_done;
    double done;
    const char *note;       /* NULL when none */
    int geometry_changed;   /* 1 when the event set a new geometry */
    int done_geometry;      /* 1 when the event reported the finished section(s) */
    int description_changed;/* 1 when the event set the project's description */
    const char *precision;  /* NULL when unchanged */
    int64_t corrects;       /* the event this one corrects, 0 if none */
    int corrected;          /* 1 when a later event corrects this one */
    const char *hash;       /* SHA-256 chaining it to the event before it in the ledger */
} plat_event;
/** Call fn for each history event of a project: the registration first, then the others
 * oldest first (by date, then as recorded).
 * e is valid during the call only. @return 0, PLAT_ENOTFOUND, or fn's non-zero value. */
PLAT_API int plat_project_history(plat_store *db, const char *code,
                                  int (*fn)(const plat_event *e, void *), void *ud);

/* ---- trust (plat verify) ---- */
typedef struct plat_history_check {
    int ok;                 /* 1 when the chain and the schema hold */
    int schema_version;
    int64_t events;         /* events checked and found sound */
    int64_t bad_event;      /* the first broken event's id, 0 for a problem of the schema */
    char event_desc[160];   /* "event 12 (update 2024-06-30 of project G536)" */
    char problem[160];      /* what is wrong with it */
} plat_history_check;
/** Walk the hash chain of the whole history and check the schema that keeps it append-only.
 * A broken chain is a finding, not an error: out->ok = 0 and the first broken event.
 * @return 0, or < 0 when the ledger cannot be read */
PLAT_API int plat_history_verify(plat_store *db, plat_history_check *out);

/* ---- reference layers (roads, farmland, basic farmland, ecological red line ...) ----
 * Each layer is a table of its own holding geometries in the working CRS, with the source's
 * attributes kept as a JSON object; the `layers` registry names it. */

/** 1 if kind is one of roads, farmland, basic_farmland, eco_redline, wetland, other. */
PLAT_API int plat_layer_kind_valid(const char *kind);

typedef struct plat_layer_info {
    const char *name;          /* as the user named it, any UTF-8 ("roads", "道路") */
    const char *kind;          /* see plat_layer_kind_valid */
    const char *geometry_kind; /* "point", "line", "polygon", "mixed" or NULL while empty */
    const char *source_file;   /* may be NULL */
    int64_t feature_count;
    const char *imported_at;
} plat_layer_info;

/** Create an empty layer. @return 0, PLAT_EEXISTS (the name is taken), PLAT_EINVALID (bad kind
 * or name: empty, longer than 64 bytes, or not UTF-8) */
PLAT_API int plat_layer_create(plat_store *db, const char *name, const char *kind, const char *source_file);
/** Add one feature (WKB in the working CRS; attrs a JSON object or NULL; fid the feature's id
 * in its source, -1 if none). @return 0 or < 0 */
PLAT_API int plat_layer_add_feature(plat_store *db, const char *name, const unsigned char *wkb, size_t size,
                                    const char *attrs, int64_t fid);
/** Record the layer's feature count and geometry kind after its features are added. */
PLAT_API int plat_layer_finish(plat_store *db, const char *name);
/** Drop a layer and its table. @return 0 or PLAT_ENOTFOUND */
PLAT_API int plat_layer_drop(plat_store *db, const char *name);
/** One layer's registry entry; strings valid during fn only. @return 0, PLAT_ENOTFOUND, or
 * fn's non-zero value */
PLAT_API int plat_layer_get(plat_store *db, const char *name, int (*fn)(const plat_layer_info *, void *), void *ud);
/** Every layer, ordered by name. fn returns non-zero to stop; that value is returned. */
PLAT_API int plat_layer_foreach(plat_store *db, int (*fn)(const plat_layer_info *, void *), void *ud);

typedef struct plat_feature {
    int64_t id;                /* row id in the layer */
    int64_t fid;               /* id in the source file, -1 if none */
    const unsigned char *wkb;  /* in the working CRS */
    size_t wkb_size;
    const char *attrs;         /* JSON object or NULL */
} plat_feature;
/** Stream a layer's features, in row order, optionally only those whose envelope meets the
 * envelope of bbox_wkb (NULL: all). f is valid during fn only. @return 0, PLAT_ENOTFOUND,
 * or fn's non-zero value */
PLAT_API int plat_layer_foreach_feature(plat_store *db, const char *name, const unsigned char *bbox_wkb,
                                        size_t bbox_size, int (*fn)(const plat_feature *f, void *), void *ud);
/** Stream the geometries of a layer's features, in row order and each once: all of them (boxes
 * NULL), or those whose envelope meets at least one of nboxes boxes, given as xmin, ymin, xmax,
 * ymax in the working CRS (4 * nboxes doubles; none when nboxes is 0). For readers that need
 * the geometry alone: no attributes, and no WKB in between. fn owns g (destroy it with
 * GEOSGeom_destroy_r(plat_gis_geos(ctx), g)) and returns non-zero to stop.
 * @return 0, PLAT_ENOTFOUND, PLAT_EINVALID (a damaged geometry, naming the feature), or the
 * first non-zero fn return */
PLAT_API int plat_layer_foreach_geometry(plat_store *db, const char *name, const double *boxes, int nboxes,
                                         int (*fn)(int64_t id, GEOSGeometry *g, void *), void *ud);

#endif
