-- Redaction at ingest: how many values the collector masked in each span, and each
-- project's redaction settings (JSON, validated by redactionSettingsSchema).
ALTER TABLE spans ADD COLUMN IF NOT EXISTS redactions UInt32 DEFAULT 0;

CREATE TABLE IF NOT EXISTS redaction_settings
(
    project_id   String,
    settings     String,
    updated_at   DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY project_id;
