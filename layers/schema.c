/* layers/schema.c - the ledger's tables and their forward migrations.
 *
 * PRAGMA user_version is the schema version. Each entry of `migrations` takes the schema from
 * version i to i + 1 and runs inside one transaction with the version bump, so a ledger is
 * always at exactly one version. A ledger newer than this plat is refused, never downgraded.
 *
 * Geometry columns are added only once the working CRS is known (plat init --crs, or the first
 * township or project geometry), because a SpatiaLite geometry column is bound to one SRID.
 *
 * The history (project_events) is append-only: triggers refuse UPDATE and DELETE, so even a
 * bug in plat cannot rewrite the past. Since version 3 each event is also hash-chained to the
 * one before it (history.c) and carries everything that changed: the project's description
 * (`fields`, a JSON object) when it changed, the finished section (`done_wkb`), the location
 * precision, and the event it corrects. */
#include <stdio.h>
#include <string.h>

#include "layers_int.h"

static const char *const schema_v1 =
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE categories ("
    "  code TEXT PRIMARY KEY, label_zh TEXT NOT NULL UNIQUE, label_en TEXT NOT NULL,"
    "  color TEXT NOT NULL);"
    "CREATE TABLE townships ("
    "  id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, name TEXT NOT NULL,"
    "  county_code TEXT, county TEXT, source TEXT,"
    "  area_m2 REAL, planar_area_m2 REAL);" /* measured when places are refreshed (place.c) */
    "CREATE INDEX townships_name ON townships(name);"
    "CREATE TABLE projects ("
    "  id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, name TEXT NOT NULL,"
    "  category TEXT NOT NULL REFERENCES categories(code),"
    "  county TEXT,"
    "  status TEXT NOT NULL DEFAULT 'planned'"
    "    CHECK (status IN ('planned','under_construction','completed','suspended')),"
    "  progress REAL NOT NULL DEFAULT 0 CHECK (progress >= 0 AND progress <= 100),"
    "  done REAL,"
    "  target_qty REAL, target_unit TEXT,"
    "  lead_unit TEXT, source_doc TEXT, clause TEXT, year INTEGER, investment REAL,"
    "  start_date TEXT, end_date TEXT, attrs TEXT,"
    "  created_at TEXT NOT NULL, updated_at TEXT NOT NULL, removed_at TEXT,"
    /* what the geometry measures, kept with it (place.c): kinds is a PLAT_GEOM_* bit set */
    "  kinds INTEGER NOT NULL DEFAULT 0, length_m REAL, area_m2 REAL, points INTEGER,"
    "  planar_length_m REAL, planar_area_m2 REAL);"
    /* Where each project lies: the part in each township, measured both ways, refreshed
     * whenever a project's geometry or the townships change (place.c), so listing and showing
     * projects never clip geometry again. */
    "CREATE TABLE project_places ("
    "  project_id INTEGER NOT NULL REFERENCES projects(id),"
    "  township_id INTEGER NOT NULL REFERENCES townships(id),"
    "  length_m REAL NOT NULL, area_m2 REAL NOT NULL, points INTEGER NOT NULL,"
    "  planar_length_m REAL NOT NULL, planar_area_m2 REAL NOT NULL,"
    "  PRIMARY KEY (project_id, township_id));"
    "CREATE INDEX project_places_by_township ON project_places(township_id);"
    "CREATE TABLE project_events ("
    "  id INTEGER PRIMARY KEY, project_id INTEGER NOT NULL REFERENCES projects(id),"
    "  kind TEXT NOT NULL CHECK (kind IN ('add','update','remove')),"
    "  date TEXT NOT NULL, recorded_at TEXT NOT NULL,"
    "  status TEXT, progress REAL, done REAL, note TEXT,"
    "  geom_wkb BLOB);" /* the new geometry when the event changed it */
    "CREATE INDEX project_events_by_project ON project_events(project_id, date, id);"
    "CREATE TRIGGER project_events_no_update BEFORE UPDATE ON project_events"
    "  BEGIN SELECT RAISE(ABORT, 'project history is append-only'); END;"
    "CREATE TRIGGER project_events_no_delete BEFORE DELETE ON project_events"
    "  BEGIN SELECT RAISE(ABORT, 'project history is append-only'); END;"
    /* Reference layers: table_name is layer_<id>, never the user's name, so any UTF-8 name
     * ("道路") is safe and SQL never carries user text. */
    "CREATE TABLE layers ("
    "  id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
    "  kind TEXT NOT NULL CHECK (kind IN ('roads','farmland','basic_farmland','eco_redline','wetland','other')),"
    "  table_name TEXT NOT NULL UNIQUE, geometry_kind TEXT, source_file TEXT,"
    "  feature_count INTEGER NOT NULL DEFAULT 0, imported_at TEXT NOT NULL);";

/* The categories the seed plans need: code, Chinese label, English label, colour.
 * Colours are distinct on a map and keep the conventions users know: roads red/orange,
 * water blue, farmland green, power yellow/purple, social services pink/brown. */
static const char *const categories[][4] = {
    { "highway", "公路", "Highway", "#d7301f" },
    { "rural_road", "农村公路", "Rural road", "#fc8d59" },
    { "bridge", "桥梁", "Bridge", "#7f0000" },
    { "railway", "铁路", "Railway", "#404040" },
    { "port", "港口", "Port", "#08519c" },
    { "waterway", "航道", "Waterway", "#4292c6" },
    { "pipe_network", "管网", "Pipe network", "#8c6bb1" },
    { "wetland", "湿地", "Wetland", "#41b6c4" },
    { "farmland", "高标准农田", "High-standard farmland", "#78c679" },
    { "dike", "堤防", "Dike", "#8c510a" },
    { "water_supply", "供水", "Water supply", "#2171b5" },
    { "power_plant", "电厂", "Power plant", "#6a51a3" },
    { "solar", "光伏", "Solar", "#fec44f" },
    { "wind", "风电", "Wind", "#a6bddb" },
    { "pumped_storage", "抽水蓄能", "Pumped storage", "#3f007d" },
    { "substation", "变电站", "Substation", "#e7298a" },
    { "grid", "电网", "Power grid", "#ce1256" },
    { "school", "学校", "School", "#f768a1" },
    { "hospital", "医院", "Hospital", "#e31a1c" },
    { "market", "市场", "Market", "#bf812d" },
    { "industrial_park", "产业园区", "Industrial park", "#969696" },
    { "tourism", "旅游", "Tourism", "#35978f" },
    { "housing", "住房", "Housing", "#dfc27d" },
    { "telecom", "通信", "Telecom", "#1d91c0" },
    { "ev_charging", "充电设施", "EV charging", "#006d2c" },
    { "other", "其他", "Other", "#737373" },
};

static int seed_categories(plat_store *db)
{
    plat_stmt *st = NULL;
    int rc = plat_store__prepare(db, &st, "INSERT INTO categories(code, label_zh, label_en, color) VALUES(?,?,?,?)");
    for (size_t i = 0; rc >= 0 && i < sizeof(categories) / sizeof(categories[0]); i++) {
        for (int k = 0; k < 4; k++)
            plat_sql_bind_text(st, k + 1, categories[i][k]);
        rc = plat_store__step_write(db, st, "seeding categories");
        plat_sql_reset(st);
    }
    plat_sql_finalize(st);
    return rc;
}

static int migrate_to_v1(plat_store *db)
{
    char created[32], sql[256];
    int rc;
    /* Spatial metadata without the full EPSG table: the working CRS is inserted alone when
     * known, which keeps a new ledger small and `plat init` instant. */
    if ((rc = plat_store__exec(db, "SELECT InitSpatialMetadata(0, 'NONE')")) < 0)
        return rc;
    if ((rc = plat_store__exec(db, schema_v1)) < 0)
        return rc;
    if ((rc = seed_categories(db)) < 0)
        return rc;
    snprintf(sql, sizeof sql,
             "INSERT INTO meta(key, value) VALUES('application', 'plat'), ('created', '%s'),"
             " ('plat_version', '%s')", plat_time_now(created), PLAT_VERSION);
    return plat_store__exec(db, sql);
}

/* Version 2: a reference layer's own km, m2 and feature count in each township, kept so that
 * repeated coverage of an unchanged layer clips only the features near covering projects
 * (layer_sums.c). township_id 0 is the part outside every township. */
static int migrate_to_v2(plat_store *db)
{
    return plat_store__exec(db,
        "CREATE TABLE layer_sums ("
        "  layer_id INTEGER NOT NULL REFERENCES layers(id) ON DELETE CASCADE,"
        "  planar INTEGER NOT NULL CHECK (planar IN (0, 1)),"
        "  township_id INTEGER NOT NULL,"
        "  features INTEGER NOT NULL, line_m REAL NOT NULL, area_m2 REAL NOT NULL,"
        "  PRIMARY KEY (layer_id, planar, township_id));");
}

/* Version 3: the ledger over time. project_events is rebuilt (SQLite cannot widen a CHECK in
 * place) with the description, done geometry, precision and correction of each event and the
 * hash chain; the add event of every existing project takes the description the project has
 * now (an older ledger kept no earlier one), and every event that set a geometry is taken as
 * surveyed. Projects gain their precision and, for township- or county-level ones, the place
 * they are known by. */
static int migrate_to_v3(plat_store *db)
{
    int has_geom = 0;
    plat_stmt *st = NULL;
    int rc = plat_store__prepare(db, &st, "SELECT count(*) FROM geometry_columns WHERE f_table_name = 'projects'");
    if (rc < 0)
        return rc;
    if (plat_sql_step(st) == PLAT_SQL_ROW)
        has_geom = plat_sql_column_int(st, 0) > 0;
    plat_sql_finalize(st);
    plat_buf sql = PLAT_BUF_INIT;
    plat_buf_puts(&sql,
        "DROP TRIGGER project_events_no_update; DROP TRIGGER project_events_no_delete;"
        "DROP INDEX project_events_by_project;"
        "ALTER TABLE project_events RENAME TO project_events_v1;"
        "CREATE TABLE project_events ("
        "  id INTEGER PRIMARY KEY, project_id INTEGER NOT NULL REFERENCES projects(id),"
        "  kind TEXT NOT NULL CHECK (kind IN ('add','update','remove','correct')),"
        "  date TEXT NOT NULL, recorded_at TEXT NOT NULL,"
        "  status TEXT, progress REAL, done REAL, note TEXT,"
        "  geom_wkb BLOB,"  /* the new geometry when the event changed it */
        "  done_wkb BLOB,"  /* the finished section(s) so far, when the event reports them */
        "  fields TEXT,"    /* the project's description (JSON object) when the event set it */
        "  precision TEXT CHECK (precision IN ('surveyed','sketched','township','county','none')),"
        "  place TEXT,"     /* township code or county a township/county-level project is known by */
        "  corrects INTEGER REFERENCES project_events(id),"
        "  prev_hash TEXT NOT NULL DEFAULT '', hash TEXT NOT NULL DEFAULT '');"
        "INSERT INTO project_events(id, project_id, kind, date, recorded_at, status, progress, done, note, geom_wkb,"
        "  fields, precision)"
        " SELECT e.id, e.project_id, e.kind, e.date, e.recorded_at, e.status, e.progress, e.done, e.note, e.geom_wkb,"
        "  CASE WHEN e.kind = 'add' THEN json_object('name', p.name, 'category', p.category, 'county', p.county,"
        "    'target_qty', p.target_qty, 'target_unit', p.target_unit, 'lead_unit', p.lead_unit,"
        "    'source_doc', p.source_doc, 'clause', p.clause, 'year', p.year, 'investment', p.investment,"
        "    'start_date', p.start_date, 'end_date', p.end_date, 'attrs', p.attrs) END,"
        "  CASE WHEN e.geom_wkb IS NOT NULL THEN 'surveyed' WHEN e.kind = 'add' THEN 'none' END"
        " FROM project_events_v1 e JOIN projects p ON p.id = e.project_id ORDER BY e.id;"
        "DROP TABLE project_events_v1;"
        "CREATE INDEX project_events_by_project ON project_events(project_id, date, id);"
        "CREATE INDEX project_events_by_correction ON project_events(corrects) WHERE corrects IS NOT NULL;"
        "ALTER TABLE projects ADD COLUMN precision TEXT NOT NULL DEFAULT 'none'"
        "  CHECK (precision IN ('surveyed','sketched','township','county','none'));"
        "ALTER TABLE projects ADD COLUMN place TEXT;"
        "ALTER TABLE projects ADD COLUMN done_wkb BLOB;");
    if (has_geom)
        plat_buf_puts(&sql, "UPDATE projects SET precision = 'surveyed' WHERE geom IS NOT NULL;");
    rc = plat_store__exec(db, plat_buf_cstr(&sql));
    plat_buf_dispose(&sql);
    if (rc >= 0)
        rc = plat_store__chain_events(db);
    if (rc >= 0)
        rc = plat_store__exec(db,
            "CREATE TRIGGER project_events_no_update BEFORE UPDATE ON project_events"
            "  BEGIN SELECT RAISE(ABORT, 'project history is append-only'); END;"
            "CREATE TRIGGER project_events_no_delete BEFORE DELETE ON project_events"
            "  BEGIN SELECT RAISE(ABORT, 'project history is append-only'); END;"
            "CREATE TRIGGER project_events_head AFTER INSERT ON project_events BEGIN"
            "  INSERT OR REPLACE INTO meta(key, value) VALUES('history_head', NEW.hash); END;");
    return rc;
}

static int (*const migrations[])(plat_store *) = { migrate_to_v1, migrate_to_v2, migrate_to_v3 };

/* A PostgreSQL ledger starts at version 3: the same tables, columns, constraints and triggers
 * as a SQLite ledger after its migrations, in PostgreSQL's types (bigint, double precision,
 * bytea) and PL/pgSQL triggers. Row ids are identity columns given by default, so `plat copy`
 * can keep a ledger's ids. Geometry columns come with the working CRS, as in SQLite
 * (dialect.c). Later versions migrate both backends alike. */
static const char *const schema_pg =
    "CREATE TABLE meta (key text PRIMARY KEY, value text NOT NULL);"
    "CREATE TABLE categories ("
    "  code text PRIMARY KEY, label_zh text NOT NULL UNIQUE, label_en text NOT NULL, color text NOT NULL);"
    "CREATE TABLE townships ("
    "  id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, code text NOT NULL UNIQUE, name text NOT NULL,"
    "  county_code text, county text, source text, area_m2 double precision, planar_area_m2 double precision);"
    "CREATE INDEX townships_name ON townships(name);"
    "CREATE TABLE projects ("
    "  id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, code text NOT NULL UNIQUE, name text NOT NULL,"
    "  category text NOT NULL REFERENCES categories(code), county text,"
    "  status text NOT NULL DEFAULT 'planned'"
    "    CHECK (status IN ('planned','under_construction','completed','suspended')),"
    "  progress double precision NOT NULL DEFAULT 0 CHECK (progress >= 0 AND progress <= 100),"
    "  done double precision, target_qty double precision, target_unit text,"
    "  lead_unit text, source_doc text, clause text, year bigint, investment double precision,"
    "  start_date text, end_date text, attrs text,"
    "  created_at text NOT NULL, updated_at text NOT NULL, removed_at text,"
    "  kinds bigint NOT NULL DEFAULT 0, length_m double precision, area_m2 double precision, points bigint,"
    "  planar_length_m double precision, planar_area_m2 double precision,"
    "  precision text NOT NULL DEFAULT 'none' CHECK (precision IN ('surveyed','sketched','township','county','none')),"
    "  place text, done_wkb bytea);"
    "CREATE TABLE project_places ("
    "  project_id bigint NOT NULL REFERENCES projects(id), township_id bigint NOT NULL REFERENCES townships(id),"
    "  length_m double precision NOT NULL, area_m2 double precision NOT NULL, points bigint NOT NULL,"
    "  planar_length_m double precision NOT NULL, planar_area_m2 double precision NOT NULL,"
    "  PRIMARY KEY (project_id, township_id));"
    "CREATE INDEX project_places_by_township ON project_places(township_id);"
    "CREATE TABLE project_events ("
    "  id bigint PRIMARY KEY, project_id bigint NOT NULL REFERENCES projects(id),"
    "  kind text NOT NULL CHECK (kind IN ('add','update','remove','correct')),"
    "  date text NOT NULL, recorded_at text NOT NULL,"
    "  status text, progress double precision, done double precision, note text,"
    "  geom_wkb bytea, done_wkb bytea, fields text,"
    "  precision text CHECK (precision IN ('surveyed','sketched','township','county','none')),"
    "  place text, corrects bigint REFERENCES project_events(id),"
    "  prev_hash text NOT NULL DEFAULT '', hash text NOT NULL DEFAULT '');"
    "CREATE INDEX project_events_by_project ON project_events(project_id, date, id);"
    "CREATE INDEX project_events_by_correction ON project_events(corrects) WHERE corrects IS NOT NULL;"
    "CREATE FUNCTION project_events_refuse() RETURNS trigger LANGUAGE plpgsql AS"
    "  'BEGIN RAISE EXCEPTION ''project history is append-only''; END';"
    "CREATE TRIGGER project_events_no_update BEFORE UPDATE ON project_events"
    "  FOR EACH ROW EXECUTE FUNCTION project_events_refuse();"
    "CREATE TRIGGER project_events_no_delete BEFORE DELETE ON project_events"
    "  FOR EACH ROW EXECUTE FUNCTION project_events_refuse();"
    "CREATE TRIGGER project_events_no_truncate BEFORE TRUNCATE ON project_events"
    "  FOR EACH STATEMENT EXECUTE FUNCTION project_events_refuse();"
    "CREATE FUNCTION project_events_keep_head() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS"
    "  'BEGIN INSERT INTO meta(key, value) VALUES(''history_head'', NEW.hash)"
    "   ON CONFLICT(key) DO UPDATE SET value = excluded.value; RETURN NULL; END';"
    "CREATE TRIGGER project_events_head AFTER INSERT ON project_events"
    "  FOR EACH ROW EXECUTE FUNCTION project_events_keep_head();"
    "CREATE TABLE layers ("
    "  id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, name text NOT NULL UNIQUE,"
    "  kind text NOT NULL CHECK (kind IN ('roads','farmland','basic_farmland','eco_redline','wetland','other')),"
    "  table_name text NOT NULL UNIQUE, geometry_kind text, source_file text,"
    "  feature_count bigint NOT NULL DEFAULT 0, imported_at text NOT NULL);"
    "CREATE TABLE layer_sums ("
    "  layer_id bigint NOT NULL REFERENCES layers(id) ON DELETE CASCADE,"
    "  planar bigint NOT NULL CHECK (planar IN (0, 1)), township_id bigint NOT NULL,"
    "  features bigint NOT NULL, line_m double precision NOT NULL, area_m2 double precision NOT NULL,"
    "  PRIMARY KEY (layer_id, planar, township_id));";

static int create_pg(plat_store *db)
{
    char created[32], sql[320];
    int rc = plat_sql_pg_create_schema(db);
    if (rc >= 0)
        rc = plat_store__exec(db, schema_pg);
    if (rc >= 0)
        rc = seed_categories(db);
    if (rc >= 0) {
        snprintf(sql, sizeof sql,
                 "INSERT INTO meta(key, value) VALUES('application', 'plat'), ('created', '%s'),"
                 " ('plat_version', '%s'), ('schema_version', '%d'), ('generation', '0')", plat_time_now(created), PLAT_VERSION,
                 PLAT_SCHEMA_VERSION);
        rc = plat_store__exec(db, sql);
    }
    return rc;
}

int plat_store__migrate(plat_store *db, int creating)
{
    int version = plat_store_schema_version(db);
    if (version < 0)
        return plat_store__db_err(db, "reading the schema version");
    if (version > PLAT_SCHEMA_VERSION)
        return plat_error_set(db->ctx, PLAT_EINVALID,
                              "%s has schema version %d, newer than this plat understands (%d): upgrade plat",
                              db->path, version, PLAT_SCHEMA_VERSION);
    if (version == 0 && !creating)
        return plat_error_set(db->ctx, PLAT_EINVALID, "%s is not a plat ledger", db->path);
    if (version == 0 && db->pg) {
        int rc = plat_store__tx_begin(db);
        if (rc >= 0)
            rc = create_pg(db);
        return plat_store__tx_end(db, rc);
    }
    while (version < PLAT_SCHEMA_VERSION) {
        int rc = plat_store__tx_begin(db);
        if (rc < 0)
            return rc;
        rc = migrations[version](db);
        if (rc >= 0) {
            char sql[128];
            if (db->pg)
                snprintf(sql, sizeof sql, "UPDATE meta SET value = '%d' WHERE key = 'schema_version'", version + 1);
            else
                snprintf(sql, sizeof sql, "PRAGMA user_version = %d; PRAGMA application_id = %d", version + 1,
                         PLAT_APPLICATION_ID);
            rc = plat_store__exec(db, sql);
        }
        if ((rc = plat_store__tx_end(db, rc)) < 0)
            return rc;
        version++;
    }
    return 0;
}
