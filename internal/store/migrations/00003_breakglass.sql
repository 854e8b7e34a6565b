-- +goose Up
-- The people who may request or approve break-glass windows.
CREATE TABLE breakglass_persons (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    created_ms BIGINT NOT NULL
);

-- The identities each person signs in with: a principal ARN (a role stands
-- for all its sessions) or one assumed-role session ARN.
CREATE TABLE breakglass_identities (
    identity  TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES breakglass_persons (id)
);

-- Break-glass requests and, once approved, their windows. task and
-- task_param are '' for a root sign-in window; times are Unix ms UTC, 0
-- for not yet.
CREATE TABLE breakglass_requests (
    id            TEXT PRIMARY KEY,
    account_id    TEXT NOT NULL,
    reason        TEXT NOT NULL,
    duration_ms   BIGINT NOT NULL,
    task          TEXT NOT NULL,
    task_param    TEXT NOT NULL,
    requester     TEXT NOT NULL REFERENCES breakglass_persons (id),
    requester_arn TEXT NOT NULL,
    created_ms    BIGINT NOT NULL,
    expires_ms    BIGINT NOT NULL,
    state         TEXT NOT NULL,
    decider       TEXT NOT NULL,
    decider_arn   TEXT NOT NULL,
    decided_ms    BIGINT NOT NULL,
    closed_ms     BIGINT NOT NULL,
    closed_by     TEXT NOT NULL
);
CREATE INDEX breakglass_requests_account ON breakglass_requests (account_id, created_ms);

-- Every approve, deny and close, with who made it and as which identity.
CREATE TABLE breakglass_decisions (
    request_id TEXT NOT NULL REFERENCES breakglass_requests (id),
    action     TEXT NOT NULL,
    person_id  TEXT NOT NULL,
    identity   TEXT NOT NULL,
    at_ms      BIGINT NOT NULL,
    PRIMARY KEY (request_id, action)
);

-- +goose Down
DROP TABLE breakglass_decisions;
DROP TABLE breakglass_requests;
DROP TABLE breakglass_identities;
DROP TABLE breakglass_persons;
