-- A ticket's public summary: written or approved by staff, with personal data taken out. Until there is
-- one, public views (Open311) show a title made from the ticket's kind and category, never the
-- reporter's own title. Nullable without a default: adding it does not rewrite the table.
ALTER TABLE tickets ADD COLUMN public_summary text;
