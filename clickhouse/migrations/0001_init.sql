-- Spans: one row per span, LLM fields promoted to columns.
-- ReplacingMergeTree on the full identity (project, hour, trace, span) so a span sent
-- twice by a client collapses; exporter batch retries are dropped earlier by
-- insert_deduplication_token (non_replicated_deduplication_window), which also
-- protects the rollups below.
CREATE TABLE IF NOT EXISTS spans
(
    project_id          LowCardinality(String),
    trace_id            String CODEC(ZSTD(1)),
    span_id             String CODEC(ZSTD(1)),
    parent_span_id      String CODEC(ZSTD(1)),
    name                LowCardinality(String),
    kind                LowCardinality(String),
    otel_kind           LowCardinality(String),
    start_time          DateTime64(9, 'UTC') CODEC(Delta, ZSTD(1)),
    end_time            DateTime64(9, 'UTC') CODEC(Delta, ZSTD(1)),
    duration_ns         UInt64,
    model               LowCardinality(String),
    request_model       LowCardinality(String),
    provider            LowCardinality(String),
    operation           LowCardinality(String),
    input_tokens        UInt64,
    output_tokens       UInt64,
    total_tokens        UInt64,
    cached_tokens       UInt64,
    reasoning_tokens    UInt64,
    tokens_estimated    Bool,
    cost_usd            Float64,
    cost_estimated      Bool,
    cost_source         LowCardinality(String),
    ttft_ms             Nullable(Float64),
    finish_reason       LowCardinality(String),
    status              LowCardinality(String),
    status_message      String CODEC(ZSTD(3)),
    input               String CODEC(ZSTD(3)),
    output              String CODEC(ZSTD(3)),
    user_id             String CODEC(ZSTD(1)),
    session_id          String CODEC(ZSTD(1)),
    service             LowCardinality(String),
    environment         LowCardinality(String),
    release             LowCardinality(String),
    prompt_name         LowCardinality(String),
    prompt_version      LowCardinality(String),
    tags                Array(LowCardinality(String)),
    attributes          Map(LowCardinality(String), String) CODEC(ZSTD(3)),
    resource_attributes Map(LowCardinality(String), String) CODEC(ZSTD(3)),
    events              String CODEC(ZSTD(3)),
    ingested_at         DateTime64(3, 'UTC') DEFAULT now64(3),
    INDEX idx_trace_id trace_id TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_user_id user_id TYPE bloom_filter(0.01) GRANULARITY 4,
    INDEX idx_session_id session_id TYPE bloom_filter(0.01) GRANULARITY 4
)
ENGINE = ReplacingMergeTree(ingested_at)
PARTITION BY toYYYYMMDD(start_time)
ORDER BY (project_id, toStartOfHour(start_time), trace_id, span_id)
TTL toDateTime(start_time) + INTERVAL 30 DAY
SETTINGS non_replicated_deduplication_window = 10000, ttl_only_drop_parts = 1;

-- Where each trace lives in time, so a trace lookup by id touches only its hours.
CREATE TABLE IF NOT EXISTS trace_index
(
    project_id  LowCardinality(String),
    trace_id    String,
    start_min   SimpleAggregateFunction(min, DateTime64(9, 'UTC')),
    start_max   SimpleAggregateFunction(max, DateTime64(9, 'UTC'))
)
ENGINE = AggregatingMergeTree
ORDER BY (project_id, trace_id)
TTL toDateTime(start_max) + INTERVAL 30 DAY
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS trace_index_mv TO trace_index AS
SELECT project_id, trace_id, min(start_time) AS start_min, max(start_time) AS start_max
FROM spans
GROUP BY project_id, trace_id;

-- Minute rollups for wide time ranges.
CREATE TABLE IF NOT EXISTS spans_1m
(
    project_id     LowCardinality(String),
    minute         DateTime('UTC'),
    service        LowCardinality(String),
    environment    LowCardinality(String),
    kind           LowCardinality(String),
    model          LowCardinality(String),
    provider       LowCardinality(String),
    is_root        Bool,
    spans          SimpleAggregateFunction(sum, UInt64),
    errors         SimpleAggregateFunction(sum, UInt64),
    input_tokens   SimpleAggregateFunction(sum, UInt64),
    output_tokens  SimpleAggregateFunction(sum, UInt64),
    total_tokens   SimpleAggregateFunction(sum, UInt64),
    cost_usd       SimpleAggregateFunction(sum, Float64),
    duration_ms_sum SimpleAggregateFunction(sum, Float64),
    duration_ms_q  AggregateFunction(quantilesTDigest(0.5, 0.95, 0.99), Float64)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(minute)
ORDER BY (project_id, minute, service, environment, kind, model, provider, is_root)
TTL minute + INTERVAL 30 DAY
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS spans_1m_mv TO spans_1m AS
SELECT
    project_id,
    toStartOfMinute(start_time) AS minute,
    service, environment, kind, model, provider,
    parent_span_id = '' AS is_root,
    count() AS spans,
    countIf(status = 'error') AS errors,
    sum(input_tokens) AS input_tokens,
    sum(output_tokens) AS output_tokens,
    sum(total_tokens) AS total_tokens,
    sum(cost_usd) AS cost_usd,
    sum(duration_ns / 1e6) AS duration_ms_sum,
    quantilesTDigestState(0.5, 0.95, 0.99)(duration_ns / 1e6) AS duration_ms_q
FROM spans
GROUP BY project_id, minute, service, environment, kind, model, provider, is_root;

CREATE TABLE IF NOT EXISTS feedback
(
    project_id   LowCardinality(String),
    id           String,
    trace_id     String,
    span_id      String,
    name         LowCardinality(String),
    data_type    LowCardinality(String),
    value        Float64,
    string_value String,
    comment      String CODEC(ZSTD(3)),
    source       LowCardinality(String),
    author       String,
    user_id      String,
    created_at   DateTime64(3, 'UTC'),
    ingested_at  DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(ingested_at)
PARTITION BY toYYYYMM(created_at)
ORDER BY (project_id, trace_id, id)
TTL toDateTime(created_at) + INTERVAL 30 DAY
SETTINGS non_replicated_deduplication_window = 10000;

CREATE TABLE IF NOT EXISTS projects
(
    id          String,
    name        String,
    created_at  DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(created_at)
ORDER BY id;

-- Only the SHA-256 of a key is stored; keys are 256-bit random, so a fast hash is enough.
CREATE TABLE IF NOT EXISTS api_keys
(
    key_hash    String,
    project_id  String,
    key_prefix  String,
    name        String,
    created_at  DateTime64(3, 'UTC') DEFAULT now64(3),
    revoked     Bool DEFAULT false,
    version     UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY key_hash;

-- Per-project prices (USD per million tokens) that override the public price table.
CREATE TABLE IF NOT EXISTS model_prices
(
    project_id                 String,
    provider                   LowCardinality(String),
    model                      String,
    input_per_mtok             Float64,
    output_per_mtok            Float64,
    cached_input_per_mtok      Nullable(Float64),
    updated_at                 DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY (project_id, provider, model);
