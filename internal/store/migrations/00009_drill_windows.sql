-- +goose Up
-- A drill's window is a break-glass window marked as a drill: drill names
-- the drill a request opens a window for, '' for any other request.
ALTER TABLE breakglass_requests ADD COLUMN drill TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE breakglass_requests DROP COLUMN drill;
