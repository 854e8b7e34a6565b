-- +goose Up
-- The custody registry, one row per record: an account's custody or a
-- person (kind 'account' or 'person'), keyed by its ID, the record's JSON
-- as body. Writers change a row only if its body is still the one they
-- read, so that two concurrent edits of one record never both win.
CREATE TABLE custody (
    kind       TEXT NOT NULL,
    id         TEXT NOT NULL,
    body       TEXT NOT NULL,
    updated_ms BIGINT NOT NULL,
    PRIMARY KEY (kind, id)
);

-- +goose Down
DROP TABLE custody;
