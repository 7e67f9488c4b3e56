-- 舆情 (online public opinion) intake: where the item was found, and a screenshot of it.
CREATE TABLE ticket_media_sources (
  ticket_id integer PRIMARY KEY REFERENCES tickets(id) ON DELETE CASCADE,
  source_url text NOT NULL CHECK (source_url ~ '^https?://' AND char_length(source_url) <= 2000),
  screenshot bytea,
  screenshot_type text CHECK (screenshot_type IN ('image/png', 'image/jpeg', 'image/webp')),
  found_at timestamptz NOT NULL DEFAULT now(),
  recorded_by integer REFERENCES users(id)
);
