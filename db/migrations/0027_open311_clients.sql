-- Open311 GeoReport v2 client applications and their API keys (issued by admins; stored hashed).
CREATE TABLE open311_clients (
  id serial PRIMARY KEY,
  app_name text NOT NULL,
  -- SHA-256 (hex) of the key. Keys are 256 random bits, so a fast hash is enough (no dictionary to try).
  key_hash text NOT NULL UNIQUE,
  -- The first characters of the key, shown to admins to tell keys apart; never enough to use it.
  key_prefix text NOT NULL,
  issued_by integer REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at timestamptz,
  is_demo boolean NOT NULL DEFAULT false,
  CONSTRAINT open311_clients_app_name_len CHECK (char_length(app_name) BETWEEN 1 AND 100)
);
