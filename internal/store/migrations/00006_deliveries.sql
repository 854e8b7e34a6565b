-- +goose Up
-- The notification outbox: one row per (CloudTrail event, destination).
-- id is the delivery's idempotency key. kind is 'alert' (sent at once),
-- 'folded' (an alert of the same rule and account inside the first one's
-- de-duplication window: never sent itself) or 'update' (the one message
-- that follows the window's end, counting what was folded into parent_id).
-- state is pending, sending (leased to lease_owner until lease_until_ms),
-- sent, failed (retried at next_attempt_ms), gave_up or folded.
-- possible_repeat is 1 once a lease expired while sending: the process
-- that held it may have sent the message before it died.
CREATE TABLE deliveries (
    id              TEXT PRIMARY KEY,
    event_id        TEXT NOT NULL,
    destination     TEXT NOT NULL,
    kind            TEXT NOT NULL,
    group_key       TEXT NOT NULL,
    parent_id       TEXT NOT NULL,
    body            TEXT NOT NULL,
    state           TEXT NOT NULL,
    attempts        BIGINT NOT NULL,
    next_attempt_ms BIGINT NOT NULL,
    lease_owner     TEXT NOT NULL,
    lease_until_ms  BIGINT NOT NULL,
    possible_repeat INTEGER NOT NULL,
    last_error      TEXT NOT NULL,
    created_ms      BIGINT NOT NULL,
    sent_ms         BIGINT NOT NULL,
    UNIQUE (event_id, destination)
);
CREATE INDEX deliveries_due ON deliveries (state, next_attempt_ms);
CREATE INDEX deliveries_group ON deliveries (group_key, kind, created_ms);
CREATE INDEX deliveries_parent ON deliveries (parent_id);
CREATE INDEX deliveries_sent ON deliveries (destination, sent_ms);

-- +goose Down
DROP TABLE deliveries;
