-- Alert rules, webhook destinations, per-group rule state, transition events (the outbox)
-- and the log of every delivery attempt. Rules and destinations are versioned rows; the
-- newest version wins and `deleted` hides a removed one.
CREATE TABLE IF NOT EXISTS alert_destinations
(
    project_id  String,
    id          String,
    name        String,
    url         String,
    -- The HMAC key is needed in clear to sign; it is never returned by the API after creation.
    secret      String,
    format      LowCardinality(String),
    deleted     Bool DEFAULT false,
    version     UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (project_id, id);

CREATE TABLE IF NOT EXISTS alert_rules
(
    project_id  String,
    id          String,
    -- The rule as validated JSON (api/src/alerts/rules.ts), so new rule fields need no migration.
    definition  String,
    deleted     Bool DEFAULT false,
    version     UInt64,
    updated_at  DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (project_id, id);

CREATE TABLE IF NOT EXISTS alert_states
(
    project_id        String,
    rule_id           String,
    group_key         String,
    state             LowCardinality(String),
    -- Transitions so far; event ids derive from it, so a transition replayed after a crash keeps its id.
    seq               UInt64,
    since             DateTime64(3, 'UTC'),
    value             Nullable(Float64),
    last_notified_at  DateTime64(3, 'UTC'),
    reminders         UInt32,
    evaluated_at      DateTime64(3, 'UTC'),
    version           UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (project_id, rule_id, group_key);

CREATE TABLE IF NOT EXISTS alert_events
(
    project_id       String,
    id               String,
    rule_id          String,
    group_key        String,
    kind             LowCardinality(String),
    at               DateTime64(3, 'UTC'),
    destination_ids  Array(String),
    payload          String
)
ENGINE = ReplacingMergeTree
ORDER BY (project_id, id)
SETTINGS non_replicated_deduplication_window = 10000;

CREATE TABLE IF NOT EXISTS alert_deliveries
(
    project_id      String,
    event_id        String,
    destination_id  String,
    attempt         UInt16,
    outcome         LowCardinality(String),
    status_code     UInt16,
    latency_ms      Float64,
    error           String,
    at              DateTime64(3, 'UTC'),
    next_attempt_at Nullable(DateTime64(3, 'UTC'))
)
ENGINE = MergeTree
ORDER BY (project_id, event_id, destination_id, attempt);
