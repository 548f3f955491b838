-- Issue 23. GC's grace counts from the last reference: unreferenced_at is when the refcount last
-- dropped to zero (null while referenced). Kept by a trigger, so every path that counts references
-- (the query builder, the hot-path functions of 0005/0006, thumbnails) keeps it without knowing.
DROP INDEX "blocks_gc";--> statement-breakpoint
ALTER TABLE "blocks" ADD COLUMN "unreferenced_at" timestamp with time zone;--> statement-breakpoint
UPDATE "blocks" SET "unreferenced_at" = "created_at" WHERE "refcount" = 0;--> statement-breakpoint
ALTER TABLE "blocks" ALTER COLUMN "unreferenced_at" SET DEFAULT now();--> statement-breakpoint
CREATE OR REPLACE FUNCTION coffer_block_unreferenced() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.refcount > 0 THEN
    NEW.unreferenced_at := NULL;
  ELSIF NEW.refcount = 0 AND (TG_OP = 'INSERT' OR OLD.refcount <> 0) THEN
    -- clock time, not the transaction's start: a long purge must not shorten the grace
    NEW.unreferenced_at := clock_timestamp();
  END IF;
  RETURN NEW;
END $$;--> statement-breakpoint
CREATE TRIGGER blocks_unreferenced BEFORE INSERT OR UPDATE OF refcount ON blocks
  FOR EACH ROW EXECUTE FUNCTION coffer_block_unreferenced();--> statement-breakpoint
CREATE INDEX "blocks_gc" ON "blocks" USING btree ("refcount","unreferenced_at") WHERE refcount = 0;--> statement-breakpoint
-- Keep forever: retention never thins a kept revision. A table of its own, as versions are
-- read-only (0001). A kept revision counts against its owner's quota while it is not the head
-- (the head counts as the file's size already): keeping or unkeeping one is charged by the
-- service (files/revisions-keep.ts), a head moving off or onto a kept revision by this trigger,
-- a purge of kept revisions by files/purge.ts.
CREATE TABLE "kept_versions" (
	"version_id" uuid PRIMARY KEY NOT NULL,
	"kept_by" uuid,
	"kept_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "kept_versions" ADD CONSTRAINT "kept_versions_version_id_file_versions_id_fk" FOREIGN KEY ("version_id") REFERENCES "public"."file_versions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE OR REPLACE FUNCTION coffer_kept_head_moved() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  delta bigint := 0;
BEGIN
  SELECT delta + coalesce(sum(v.size), 0) INTO delta FROM file_versions v JOIN kept_versions k ON k.version_id = v.id WHERE v.id = OLD.head_version_id;
  SELECT delta - coalesce(sum(v.size), 0) INTO delta FROM file_versions v JOIN kept_versions k ON k.version_id = v.id WHERE v.id = NEW.head_version_id;
  IF delta <> 0 THEN
    UPDATE users SET used_bytes = greatest(0, used_bytes + delta) WHERE namespace_id = NEW.namespace_id;
  END IF;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER files_kept_head_moved AFTER UPDATE OF head_version_id ON files
  FOR EACH ROW WHEN (OLD.head_version_id IS DISTINCT FROM NEW.head_version_id) EXECUTE FUNCTION coffer_kept_head_moved();
