-- Issue 23: the orphan sweep's candidates (jobs/orphans.ts) and the namespaces of deleted accounts (jobs/departed.ts).
CREATE TABLE "departed_namespaces" (
	"namespace_id" uuid PRIMARY KEY NOT NULL,
	"username" text,
	"deleted_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "orphan_candidates" (
	"node_id" text NOT NULL,
	"object_key" text NOT NULL,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "orphan_candidates_object" ON "orphan_candidates" USING btree ("node_id","object_key");;--> statement-breakpoint
CREATE OR REPLACE FUNCTION coffer_user_departed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO departed_namespaces (namespace_id, username) VALUES (OLD.namespace_id, OLD.username) ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER users_departed AFTER DELETE ON users FOR EACH ROW EXECUTE FUNCTION coffer_user_departed();--> statement-breakpoint
-- Accounts deleted before this migration left their files behind: their namespaces are departed too.
INSERT INTO departed_namespaces (namespace_id)
  SELECT DISTINCT f.namespace_id FROM files f WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.namespace_id = f.namespace_id)
  ON CONFLICT DO NOTHING;
