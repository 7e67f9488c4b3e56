-- Sign-in failures per (username, client) instead of per username: five wrong passwords lock the client
-- that typed them (with a growing backoff), never the account for its owner elsewhere. `client` is an
-- HMAC of the client address; the row with client '*' counts every client's failures for the username
-- and drives a slower backoff that spares clients the user has signed in from before (last_success_at).
-- Existing counts are transient and are dropped rather than carried over as account-wide locks.
DELETE FROM login_attempts;
ALTER TABLE login_attempts ADD COLUMN client text NOT NULL DEFAULT '*';
ALTER TABLE login_attempts ADD COLUMN last_success_at timestamptz;
ALTER TABLE login_attempts DROP CONSTRAINT login_attempts_pkey;
ALTER TABLE login_attempts ADD PRIMARY KEY (username, client);
