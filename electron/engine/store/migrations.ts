import { HISTOGRAM_FOLD_SQL, histogramTriggers } from './duration-histogram';

/** Schema versions, applied in order; `PRAGMA user_version` records the last one applied. Never edit a shipped one. */
export const migrations: string[] = [
  // 1: projects, invocations with their logs, saved events, settings.
  `
  CREATE TABLE projects (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    path TEXT NOT NULL UNIQUE,
    opened_at INTEGER NOT NULL
  );
  CREATE TABLE invocations (
    id TEXT PRIMARY KEY,
    request_id TEXT NOT NULL,
    project_id INTEGER REFERENCES projects(id) ON DELETE SET NULL,
    function_id TEXT NOT NULL,
    qualifier TEXT NOT NULL DEFAULT '$LATEST',
    trigger TEXT NOT NULL,
    status TEXT NOT NULL,
    error_type TEXT,
    error_message TEXT,
    event TEXT,
    event_truncated INTEGER NOT NULL DEFAULT 0,
    response TEXT,
    response_truncated INTEGER NOT NULL DEFAULT 0,
    started_at INTEGER NOT NULL,
    ended_at INTEGER,
    duration_ms REAL,
    billed_duration_ms INTEGER,
    init_duration_ms REAL,
    cold_start INTEGER,
    memory_size_mb INTEGER NOT NULL,
    max_memory_used_mb INTEGER,
    architecture TEXT NOT NULL,
    gb_seconds REAL,
    cost_usd REAL,
    environment_id TEXT,
    pid INTEGER NOT NULL
  );
  CREATE INDEX invocations_by_time ON invocations(started_at DESC, id DESC);
  CREATE INDEX invocations_by_function ON invocations(project_id, function_id, started_at DESC, id DESC);
  CREATE INDEX invocations_running ON invocations(status) WHERE status = 'running';
  CREATE TABLE invocation_logs (
    invocation_id TEXT PRIMARY KEY REFERENCES invocations(id) ON DELETE CASCADE,
    text TEXT NOT NULL,
    truncated INTEGER NOT NULL DEFAULT 0
  );
  CREATE TABLE saved_events (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    function_id TEXT NOT NULL,
    name TEXT NOT NULL,
    body TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (project_id, function_id, name)
  );
  CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  `,
  // 2: phase timings for the timeline, and memory sweeps (power tuning) with their runs.
  `
  ALTER TABLE invocations ADD COLUMN container_start_ms REAL;
  CREATE TABLE sweeps (
    id INTEGER PRIMARY KEY,
    project_id INTEGER REFERENCES projects(id) ON DELETE CASCADE,
    function_id TEXT NOT NULL,
    event TEXT NOT NULL,
    memory_sizes TEXT NOT NULL,
    runs_per_size INTEGER NOT NULL,
    status TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    ended_at INTEGER,
    result TEXT
  );
  ALTER TABLE invocations ADD COLUMN sweep_id INTEGER REFERENCES sweeps(id) ON DELETE SET NULL;
  CREATE INDEX invocations_by_sweep ON invocations(sweep_id) WHERE sweep_id IS NOT NULL;
  CREATE INDEX invocations_by_status ON invocations(status, started_at DESC);
  `,
  // 3: History queries. Status pages need the id tiebreak to stay in index order (keyset pagination), also
  // within one function; a function's percentiles are read straight from a duration index; searching the
  // error text scans only invocations that failed. (No request_id index: random keys cost a third of the
  // insert rate, and an exact request id search is rare enough to scan.)
  `
  DROP INDEX invocations_by_status;
  CREATE INDEX invocations_by_status ON invocations(status, started_at DESC, id DESC);
  CREATE INDEX invocations_by_function_status
    ON invocations(project_id, function_id, status, started_at DESC, id DESC);
  CREATE INDEX invocations_by_duration ON invocations(project_id, function_id, duration_ms)
    WHERE billed_duration_ms > 0;
  CREATE INDEX invocations_failed ON invocations(started_at DESC, id DESC) WHERE error_type IS NOT NULL;
  `,
  // 4: faster recording. Time indexes ascending (SQLite walks them backwards for newest-first pages): new rows
  // land at the right edge, where page splits leave full pages, instead of the left edge, which left them half
  // empty. Status indexes hold only the 5% of rows that did not succeed: a success page walks the time index.
  `
  DROP INDEX invocations_by_time;
  CREATE INDEX invocations_by_time ON invocations(started_at, id);
  DROP INDEX invocations_by_function;
  CREATE INDEX invocations_by_function ON invocations(project_id, function_id, started_at, id);
  DROP INDEX invocations_failed;
  CREATE INDEX invocations_failed ON invocations(started_at, id) WHERE error_type IS NOT NULL;
  DROP INDEX invocations_by_status;
  CREATE INDEX invocations_by_status ON invocations(status, started_at, id) WHERE status != 'success';
  DROP INDEX invocations_by_function_status;
  CREATE INDEX invocations_by_function_status
    ON invocations(project_id, function_id, status, started_at, id) WHERE status != 'success';
  `,
  // 5: published versions (immutable snapshots: code folder by content hash, config as JSON) and aliases,
  // per project and logical id; which version ran each invocation (Lambda's ExecutedVersion).
  `
  CREATE TABLE function_versions (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    function_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    code_sha256 TEXT NOT NULL,
    code_size INTEGER NOT NULL,
    config TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (project_id, function_id, version)
  );
  CREATE TABLE function_aliases (
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    function_id TEXT NOT NULL,
    name TEXT NOT NULL,
    version TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    routing TEXT,
    deployment TEXT,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (project_id, function_id, name)
  );
  ALTER TABLE invocations ADD COLUMN executed_version TEXT NOT NULL DEFAULT '$LATEST';
  `,
  // 6: triggers (issue 12). What caused a triggered invocation (route, schedule rule, object key), and
  // whether a project's schedules run: they start off, and the user's choice outlives a restart.
  `
  ALTER TABLE invocations ADD COLUMN trigger_source TEXT;
  CREATE TABLE project_triggers (
    project_id INTEGER PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
    schedules_enabled INTEGER NOT NULL DEFAULT 0
  );
  `,
  // 7: asynchronous invocation (issue 11). Each attempt is an invocation row linked to its event; the queue
  // lives in SQLite so a restart loses no event, and a failed event keeps its destination record.
  `
  ALTER TABLE invocations ADD COLUMN invocation_type TEXT NOT NULL DEFAULT 'RequestResponse';
  ALTER TABLE invocations ADD COLUMN attempt INTEGER;
  ALTER TABLE invocations ADD COLUMN async_event_id TEXT;
  CREATE INDEX invocations_by_async_event ON invocations(async_event_id, started_at)
    WHERE async_event_id IS NOT NULL;
  CREATE TABLE async_events (
    id TEXT PRIMARY KEY,
    project_id INTEGER REFERENCES projects(id) ON DELETE CASCADE,
    function_id TEXT NOT NULL,
    qualifier TEXT,
    trigger TEXT NOT NULL,
    payload TEXT NOT NULL,
    client_context TEXT,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    throttles INTEGER NOT NULL DEFAULT 0,
    redrives INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    owner_pid INTEGER,
    last_invocation_id TEXT,
    last_status TEXT,
    last_error_type TEXT,
    last_error_message TEXT,
    condition TEXT,
    destination_type TEXT,
    destination_target TEXT,
    destination TEXT
  );
  CREATE INDEX async_events_due ON async_events(next_attempt_at) WHERE status = 'queued';
  CREATE INDEX async_events_by_status ON async_events(status, updated_at);
  `,
  // 8 (issue 16): maintained duration histograms, so a function's percentiles over any range are read from a
  // few thousand aggregate rows instead of a sort of every duration. Per function and per UTC minute, hour and
  // day, a count per log bucket of ratio 1.02 (bucket k holds [1.02^k, 1.02^(k+1)) ms). Rows are folded in
  // by rowid in batches (an insert trigger cost a third of the insert rate); rows at or below the watermark
  // that finish or go later are kept by triggers. The backfill is the first fold.
  // Cold-start phases for the timeline (create, start, runtime ready), beside container_start_ms.
  `
  CREATE TABLE duration_histogram (
    project_id INTEGER NOT NULL,
    function_id TEXT NOT NULL,
    span INTEGER NOT NULL,
    start INTEGER NOT NULL,
    bucket INTEGER NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (project_id, function_id, span, start, bucket)
  ) WITHOUT ROWID;
  CREATE TABLE duration_histogram_folded (id INTEGER PRIMARY KEY CHECK (id = 1), upto INTEGER NOT NULL);
  INSERT INTO duration_histogram_folded (id, upto) VALUES (1, 0);
  ${histogramTriggers()}
  ${HISTOGRAM_FOLD_SQL}
  ALTER TABLE invocations ADD COLUMN phases TEXT;
  `,
  // 9: what caused an asynchronous event that a trigger queued (the schedule rule, the object key), so each
  // attempt's History row names its source as a synchronous trigger's does.
  `
  ALTER TABLE async_events ADD COLUMN trigger_source TEXT;
  `,
  // 10 (issue 16): a fifth more History rows/s. Logs live in their invocation's row: a second table cost
  // every invocation another statement, two B-tree inserts and a foreign-key check (a fifth of the insert
  // rate). Pages and scans do not read them (they sit at the row's end). The duration index went unused once
  // percentiles came from the histograms, and its random inserts cost another sixth.
  `
  DROP INDEX invocations_by_duration;
  ALTER TABLE invocations ADD COLUMN logs TEXT;
  ALTER TABLE invocations ADD COLUMN logs_truncated INTEGER NOT NULL DEFAULT 0;
  UPDATE invocations SET logs = l.text, logs_truncated = l.truncated
    FROM invocation_logs l WHERE l.invocation_id = invocations.id;
  DROP TABLE invocation_logs;
  `,
];
