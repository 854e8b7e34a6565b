-- +goose Up
-- Leases: work that one replica of rootguard serve does at a time (the
-- scheduled scan). A lease is held by owner until until_ms (Unix ms, UTC).
CREATE TABLE leases (
    name     TEXT PRIMARY KEY,
    owner    TEXT NOT NULL,
    until_ms BIGINT NOT NULL
);

-- +goose Down
DROP TABLE leases;
