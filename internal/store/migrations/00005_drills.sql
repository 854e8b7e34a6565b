-- +goose Up
-- Root access drills: a window opened on purpose, then verified from
-- CloudTrail or attested.
CREATE TABLE drills (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL,
    kind        TEXT NOT NULL,
    opened_ms   BIGINT NOT NULL,
    closes_ms   BIGINT NOT NULL,
    opened_by   TEXT NOT NULL,
    result      TEXT NOT NULL,
    checked_ms  BIGINT NOT NULL DEFAULT 0,
    event_id    TEXT NOT NULL DEFAULT '',
    event_ms    BIGINT NOT NULL DEFAULT 0,
    note        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX drills_account ON drills (account_id, kind);

-- +goose Down
DROP TABLE drills;
