-- GET /api/spending?updatedSince= reads the spending records changed after a time across every
-- project, oldest change first: from this index instead of every record.
CREATE INDEX project_spending_updated_idx ON project_spending (updated_at, id);
