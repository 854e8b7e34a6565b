-- +goose Up
-- Contact verifications: a mailed one-time token (only its SHA-256 is kept)
-- and when it was confirmed, or a person's attestation (a phone call).
CREATE TABLE contact_verifications (
    id           TEXT PRIMARY KEY,
    account_id   TEXT NOT NULL,
    kind         TEXT NOT NULL,
    address      TEXT NOT NULL,
    method       TEXT NOT NULL,
    token_hash   TEXT,
    sent_ms      BIGINT NOT NULL,
    confirmed_ms BIGINT NOT NULL DEFAULT 0,
    by_person    TEXT NOT NULL DEFAULT '',
    mx           TEXT NOT NULL DEFAULT '[]'
);
-- One token confirms every contact that shares the address it was mailed to.
CREATE INDEX contact_verifications_token ON contact_verifications (token_hash);
CREATE INDEX contact_verifications_account ON contact_verifications (account_id, kind);

-- +goose Down
DROP TABLE contact_verifications;
