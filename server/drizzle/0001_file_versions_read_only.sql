-- History is never rewritten: a version, once written, cannot be updated (only deleted with its file).
CREATE OR REPLACE FUNCTION coffer_reject_version_update() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'file_versions rows are read-only' USING ERRCODE = 'read_only_sql_transaction';
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER file_versions_read_only BEFORE UPDATE ON file_versions
  FOR EACH ROW EXECUTE FUNCTION coffer_reject_version_update();
