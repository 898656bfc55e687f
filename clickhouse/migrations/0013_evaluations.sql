-- Online evaluations and annotation queues (api/src/evaluations, api/src/annotations).
-- Their results are feedback rows (source 'evaluation' or 'annotation'), so quality charts,
-- alerts, drift and export read them with no change. An evaluation's score id is
-- `eval:<evaluator>:<version>:<span>`: a span judged twice (a restart, two processes) is
-- stored once by the feedback table's ReplacingMergeTree key.
ALTER TABLE feedback ADD COLUMN IF NOT EXISTS evaluator_id String DEFAULT '';
ALTER TABLE feedback ADD COLUMN IF NOT EXISTS evaluator_version UInt32 DEFAULT 0;
-- The judge's own call: never a span of the user's project, so never in their cost or latency.
ALTER TABLE feedback ADD COLUMN IF NOT EXISTS judge_tokens UInt32 DEFAULT 0;
ALTER TABLE feedback ADD COLUMN IF NOT EXISTS judge_cost_usd Float64 DEFAULT 0;

-- Every version of every evaluator: editing adds a row with the next version, so a result
-- always finds the definition that made it. The judge's API key is encrypted (AES-256-GCM).
CREATE TABLE IF NOT EXISTS evaluators
(
    project_id   String,
    id           String,
    version      UInt32,
    definition   String,
    api_key_enc  String,
    deleted      Bool DEFAULT false,
    created_at   DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(created_at)
ORDER BY (project_id, id, version);

-- Where each evaluator's live scan stands, and its health; one row per evaluator, newest wins.
CREATE TABLE IF NOT EXISTS evaluator_state
(
    project_id        String,
    evaluator_id      String,
    version           UInt32,
    -- Spans ingested up to here have been looked at.
    watermark         DateTime64(3, 'UTC'),
    watermark_span    String,
    healthy           Bool,
    consecutive_failures UInt32,
    last_error        String,
    failed_total      UInt64,
    updated           UInt64
)
ENGINE = ReplacingMergeTree(updated)
ORDER BY (project_id, evaluator_id);

CREATE TABLE IF NOT EXISTS evaluation_backfills
(
    project_id    String,
    id            String,
    evaluator_id  String,
    version       UInt32,
    from_time     DateTime64(9, 'UTC'),
    to_time       DateTime64(9, 'UTC'),
    status        LowCardinality(String),
    total         UInt64,
    done          UInt64,
    -- Keyset position (start_time, span_id) of the last span handled.
    cursor_time   DateTime64(9, 'UTC'),
    cursor_span   String,
    error         String,
    created_at    DateTime64(3, 'UTC'),
    updated       UInt64
)
ENGINE = ReplacingMergeTree(updated)
ORDER BY (project_id, id);

CREATE TABLE IF NOT EXISTS annotation_queues
(
    project_id   String,
    id           String,
    definition   String,
    deleted      Bool DEFAULT false,
    version      UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (project_id, id);

-- One row per queued trace or span; a review or skip writes the item again, newest wins.
CREATE TABLE IF NOT EXISTS annotation_items
(
    project_id        String,
    queue_id          String,
    item_id           String,
    trace_id          String,
    span_id           String,
    status            LowCardinality(String),
    reviewer          String,
    corrected_output  String CODEC(ZSTD(3)),
    added_at          DateTime64(3, 'UTC'),
    reviewed_at       Nullable(DateTime64(3, 'UTC')),
    version           UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (project_id, queue_id, item_id);

-- Locks are appended, never replaced: of the live locks on an item the earliest (by the
-- storage's own clock) wins, so two reviewers opening it at once agree on who has it.
CREATE TABLE IF NOT EXISTS annotation_locks
(
    project_id  String,
    queue_id    String,
    item_id     String,
    reviewer    String,
    locked_at   DateTime64(6, 'UTC') DEFAULT now64(6),
    expires_at  DateTime64(3, 'UTC')
)
ENGINE = MergeTree
ORDER BY (project_id, queue_id, item_id, locked_at)
TTL toDateTime(expires_at) + INTERVAL 1 DAY;
