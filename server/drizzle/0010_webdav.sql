-- WebDAV (server/src/webdav/): dead properties per file (revision-independent; they follow the
-- file through moves and go with it when it is purged) and locks, held here so every server
-- instance sees them.
CREATE TABLE "webdav_props" (
	"file_id" uuid NOT NULL REFERENCES "files"("id") ON DELETE CASCADE,
	"ns" text NOT NULL,
	"name" text NOT NULL,
	"value" text NOT NULL,
	PRIMARY KEY ("file_id", "ns", "name")
);
--> statement-breakpoint
CREATE TABLE "webdav_locks" (
	"token" text PRIMARY KEY NOT NULL,
	"namespace_id" uuid NOT NULL,
	"path_key" text NOT NULL,
	"depth_infinity" boolean NOT NULL,
	"exclusive" boolean NOT NULL,
	"owner_xml" text DEFAULT '' NOT NULL,
	"user_id" uuid NOT NULL,
	"timeout_seconds" integer NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "webdav_locks_path" ON "webdav_locks" ("namespace_id", "path_key");
