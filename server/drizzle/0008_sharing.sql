-- Sharing (issue 15): groups, shares to users and groups, their mounts in recipients' trees,
-- the journal mirrored into recipients' namespaces, and grouped notifications.
CREATE TABLE "groups" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "groups_name_ci" ON "groups" USING btree (lower("name"));
--> statement-breakpoint
CREATE TABLE "group_members" (
	"group_id" uuid NOT NULL REFERENCES "groups"("id") ON DELETE cascade,
	"user_id" uuid NOT NULL REFERENCES "users"("id") ON DELETE cascade,
	"added_at" timestamp with time zone DEFAULT now() NOT NULL,
	PRIMARY KEY ("group_id", "user_id")
);
--> statement-breakpoint
CREATE INDEX "group_members_user" ON "group_members" USING btree ("user_id");
--> statement-breakpoint
CREATE TABLE "shares" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"file_id" uuid NOT NULL REFERENCES "files"("id") ON DELETE cascade,
	"namespace_id" uuid NOT NULL,
	"owner_id" uuid NOT NULL REFERENCES "users"("id") ON DELETE cascade,
	"grantee_user_id" uuid REFERENCES "users"("id") ON DELETE cascade,
	"grantee_group_id" uuid REFERENCES "groups"("id") ON DELETE cascade,
	"role" text NOT NULL CHECK ("role" IN ('viewer', 'editor')),
	"allow_reshare" boolean DEFAULT false NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CHECK (("grantee_user_id" IS NULL) <> ("grantee_group_id" IS NULL))
);
--> statement-breakpoint
CREATE UNIQUE INDEX "shares_file_user" ON "shares" USING btree ("file_id", "grantee_user_id") WHERE "grantee_user_id" IS NOT NULL;
--> statement-breakpoint
CREATE UNIQUE INDEX "shares_file_group" ON "shares" USING btree ("file_id", "grantee_group_id") WHERE "grantee_group_id" IS NOT NULL;
--> statement-breakpoint
CREATE INDEX "shares_user" ON "shares" USING btree ("grantee_user_id");
--> statement-breakpoint
CREATE INDEX "shares_group" ON "shares" USING btree ("grantee_group_id");
--> statement-breakpoint
CREATE INDEX "shares_namespace" ON "shares" USING btree ("namespace_id");
--> statement-breakpoint
-- A recipient's answer to a share: accepted (mounted as files row mount_file_id) or declined.
CREATE TABLE "share_mounts" (
	"share_id" uuid NOT NULL REFERENCES "shares"("id") ON DELETE cascade,
	"user_id" uuid NOT NULL REFERENCES "users"("id") ON DELETE cascade,
	"state" text NOT NULL CHECK ("state" IN ('accepted', 'declined')),
	"mount_file_id" uuid REFERENCES "files"("id") ON DELETE set null,
	"answered_at" timestamp with time zone DEFAULT now() NOT NULL,
	PRIMARY KEY ("share_id", "user_id")
);
--> statement-breakpoint
CREATE INDEX "share_mounts_user" ON "share_mounts" USING btree ("user_id");
--> statement-breakpoint
ALTER TABLE "files" ADD COLUMN "mount_share_id" uuid;
--> statement-breakpoint
CREATE INDEX "files_mount_share" ON "files" USING btree ("mount_share_id") WHERE "mount_share_id" IS NOT NULL;
--> statement-breakpoint
ALTER TABLE "journal" ADD COLUMN "mirror_of" bigint;
--> statement-breakpoint
ALTER TABLE "notifications" ADD COLUMN "group_key" text;
--> statement-breakpoint
ALTER TABLE "notifications" ADD COLUMN "count" integer DEFAULT 1 NOT NULL;
--> statement-breakpoint
ALTER TABLE "notifications" ADD COLUMN "updated_at" timestamp with time zone DEFAULT now() NOT NULL;
--> statement-breakpoint
-- One unread entry per group: changes while it is unread are counted in it.
CREATE UNIQUE INDEX "notifications_group" ON "notifications" USING btree ("user_id", "group_key") WHERE "group_key" IS NOT NULL AND "read_at" IS NULL;
--> statement-breakpoint
-- Every journal row about an entry inside a shared folder is mirrored into the namespace of each
-- recipient that mounted it (one place, so every writer — the JS appends and the one-statement
-- first commit of 0005 alike — is covered): same seq order rules (the recipient namespace's
-- journal lock, then the row, then the wake-up), the folder id of the shared root replaced by the
-- mount's id, and paths under the shared root rewritten under the mount's name. Rows about a shared
-- folder itself are not mirrored: the recipient sees the mount, which the share service
-- journals; rows about a shared *file* are mirrored as rows about its mount. A row that is itself a
-- mirror is never mirrored again (mirror_of set).
CREATE OR REPLACE FUNCTION coffer_mirror_journal() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  m record;
  p jsonb;
  root_path text;
  mount_path text;
  k text;
BEGIN
  IF NEW.mirror_of IS NOT NULL OR NEW.file_id IS NULL THEN RETURN NULL; END IF;
  IF NOT EXISTS (SELECT 1 FROM shares WHERE namespace_id = NEW.namespace_id) THEN RETURN NULL; END IF;
  FOR m IN
    WITH RECURSIVE up(id, parent_id, depth) AS (
      SELECT f.id, f.parent_id, 0 FROM files f WHERE f.id = NEW.file_id
      UNION ALL
      SELECT f.id, f.parent_id, up.depth + 1 FROM files f JOIN up ON f.id = up.parent_id WHERE up.depth < 300
    )
    SELECT s.file_id AS root_id, mf.id AS mount_id, mf.namespace_id AS mount_ns, mf.name AS mount_name, up.depth
    FROM up JOIN shares s ON s.file_id = up.id
    JOIN files mf ON mf.mount_share_id = s.id AND mf.trashed_at IS NULL
    -- The shared root itself: a folder is the mount (not mirrored); a shared file's own changes are.
    WHERE up.depth > 0 OR NOT mf.is_dir
  LOOP
    p := NEW.payload;
    IF m.depth = 0 THEN
      -- A shared file: the recipient knows it as the mount, at their root, under the mount's name.
      p := p || jsonb_build_object('name', m.mount_name, 'parentId', NULL);
      IF p ? 'path' THEN p := jsonb_set(p, '{path}', to_jsonb('/' || m.mount_name)); END IF;
      PERFORM pg_advisory_xact_lock(1785884268, hashtext(m.mount_ns::text));
      INSERT INTO journal (namespace_id, file_id, op, rev, device_id, payload, mirror_of)
      VALUES (m.mount_ns, m.mount_id, NEW.op, NEW.rev, NEW.device_id, p, NEW.seq);
      PERFORM pg_notify('coffer_journal', m.mount_ns::text);
      CONTINUE;
    END IF;
    IF p->>'parentId' = m.root_id::text THEN p := jsonb_set(p, '{parentId}', to_jsonb(m.mount_id::text)); END IF;
    IF p->>'oldParentId' = m.root_id::text THEN p := jsonb_set(p, '{oldParentId}', to_jsonb(m.mount_id::text)); END IF;
    WITH RECURSIVE up(id, parent_id, name, depth) AS (
      SELECT f.id, f.parent_id, f.name, 0 FROM files f WHERE f.id = m.root_id
      UNION ALL
      SELECT f.id, f.parent_id, f.name, up.depth + 1 FROM files f JOIN up ON f.id = up.parent_id WHERE up.depth < 300
    )
    SELECT '/' || string_agg(name, '/' ORDER BY depth DESC) INTO root_path FROM up;
    mount_path := '/' || m.mount_name;
    FOREACH k IN ARRAY ARRAY['path', 'from', 'to'] LOOP
      IF p ? k AND left(p->>k, length(root_path) + 1) = root_path || '/' THEN
        p := jsonb_set(p, ARRAY[k], to_jsonb(mount_path || substr(p->>k, length(root_path) + 1)));
      END IF;
    END LOOP;
    PERFORM pg_advisory_xact_lock(1785884268, hashtext(m.mount_ns::text));
    INSERT INTO journal (namespace_id, file_id, op, rev, device_id, payload, mirror_of)
    VALUES (m.mount_ns, NEW.file_id, NEW.op, NEW.rev, NEW.device_id, p, NEW.seq);
    PERFORM pg_notify('coffer_journal', m.mount_ns::text);
  END LOOP;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "journal_mirror" AFTER INSERT ON "journal" FOR EACH ROW EXECUTE FUNCTION coffer_mirror_journal();
