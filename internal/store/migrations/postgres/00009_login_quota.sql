-- +goose Up
-- Login code requests are counted in quota_hits (package quota) with the
-- other limits that must hold on every node, so login_requests goes. The
-- requests of the last hour move over, so that no phone or address starts
-- afresh when a node is upgraded.
INSERT INTO quota_hits (bucket, at)
SELECT CASE WHEN bucket LIKE 'ip:%' THEN 'login.address:' || substr(bucket, 4)
            ELSE 'login.' || bucket END, at
FROM login_requests
WHERE bucket LIKE 'ip:%' OR bucket LIKE 'phone:%';
DROP TABLE login_requests;

-- +goose Down
-- login_requests as 00003 made it, with the counts moved back.
CREATE TABLE login_requests (
    bucket      TEXT NOT NULL,
    at          BIGINT NOT NULL
);
CREATE INDEX login_requests_bucket ON login_requests (bucket, at);
CREATE INDEX login_requests_at ON login_requests (at);
INSERT INTO login_requests (bucket, at)
SELECT CASE WHEN bucket LIKE 'login.address:%' THEN 'ip:' || substr(bucket, 15)
            ELSE substr(bucket, 7) END, at
FROM quota_hits
WHERE bucket LIKE 'login.address:%' OR bucket LIKE 'login.phone:%';
DELETE FROM quota_hits WHERE bucket LIKE 'login.%';
