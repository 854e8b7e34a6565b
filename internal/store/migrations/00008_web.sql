-- +goose Up
-- The dashboard's role of each break-glass person: viewer, approver or
-- admin (a person without a row is a viewer).
CREATE TABLE web_roles (
    person_id  TEXT PRIMARY KEY REFERENCES breakglass_persons (id),
    role       TEXT NOT NULL,
    granted_by TEXT NOT NULL,
    granted_ms BIGINT NOT NULL
);

-- Dashboard sessions, kept here so that any replica serves them. id_hash
-- is the SHA-256 of the cookie's value (the value itself is never
-- stored); csrf is the session's form token.
CREATE TABLE web_sessions (
    id_hash    TEXT PRIMARY KEY,
    identity   TEXT NOT NULL,
    csrf       TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    expires_ms BIGINT NOT NULL
);
CREATE INDEX web_sessions_expires ON web_sessions (expires_ms);

-- OIDC sign-ins under way: the state sent to the provider, with the nonce
-- and PKCE verifier to check its answer against; each is used once.
CREATE TABLE web_logins (
    state      TEXT PRIMARY KEY,
    nonce      TEXT NOT NULL,
    verifier   TEXT NOT NULL,
    expires_ms BIGINT NOT NULL
);

-- +goose Down
DROP TABLE web_logins;
DROP TABLE web_sessions;
DROP TABLE web_roles;
