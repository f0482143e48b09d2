-- +goose Up
-- The staff console shows a subscriber's CoA and Disconnect requests,
-- newest first, found by username without reading the whole queue.
CREATE INDEX isp_changes_username ON isp_changes (username, created_at);

-- +goose Down
DROP INDEX isp_changes_username;
