-- +goose Up
-- Every recorded scan: when, from what source, and its summary (JSON).
CREATE TABLE scans (
    id                TEXT PRIMARY KEY,
    started_ms        BIGINT NOT NULL,
    finished_ms       BIGINT NOT NULL,
    source            TEXT NOT NULL,
    accounts_assessed BIGINT NOT NULL,
    accounts_failed   BIGINT NOT NULL,
    summary           TEXT NOT NULL
);
CREATE INDEX scans_started ON scans (started_ms, id);

-- Every finding of every recorded scan; evidence and muting as JSON.
CREATE TABLE scan_findings (
    scan_id    TEXT NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
    check_id   TEXT NOT NULL,
    account_id TEXT NOT NULL,
    status     TEXT NOT NULL,
    severity   TEXT NOT NULL,
    detail     TEXT NOT NULL,
    evidence   TEXT NOT NULL,
    muted      TEXT NOT NULL,
    PRIMARY KEY (scan_id, check_id, account_id)
);
CREATE INDEX scan_findings_check_account ON scan_findings (check_id, account_id);

-- Alerts, idempotent by the CloudTrail eventID that raised them.
CREATE TABLE alerts (
    event_id      TEXT PRIMARY KEY,
    rule          TEXT NOT NULL,
    account_id    TEXT NOT NULL,
    severity      TEXT NOT NULL,
    event_time_ms BIGINT NOT NULL,
    body          TEXT NOT NULL,
    created_ms    BIGINT NOT NULL
);
CREATE INDEX alerts_time ON alerts (event_time_ms);

-- The head of each audit log (sequence number and hash of its last
-- record), anchored in the database when the store is shared.
CREATE TABLE audit_head (
    log        TEXT PRIMARY KEY,
    seq        BIGINT NOT NULL,
    hash       TEXT NOT NULL,
    updated_ms BIGINT NOT NULL
);

-- +goose Down
DROP TABLE audit_head;
DROP TABLE alerts;
DROP TABLE scan_findings;
DROP TABLE scans;
