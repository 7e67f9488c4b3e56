-- Each applied migration's SHA-256, so the runner can refuse a database whose applied files were
-- edited afterwards. Rows applied before this column existed are filled in by the runner.
ALTER TABLE schema_migrations ADD COLUMN IF NOT EXISTS checksum text;
