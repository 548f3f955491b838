-- Stars (a user's marks on entries they can read; a purged entry takes its stars along), the
-- thumbnail cache (each thumbnail a block of its own in the owner's namespace, found by source
-- content and edge), and the index of recent files (a namespace's live files by modification).
CREATE TABLE "stars" (
	"user_id" uuid NOT NULL,
	"file_id" uuid NOT NULL,
	"starred_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "stars_user_id_file_id_pk" PRIMARY KEY("user_id","file_id")
);
--> statement-breakpoint
CREATE TABLE "thumbnails" (
	"namespace_id" uuid NOT NULL,
	"content_hash" text NOT NULL,
	"edge" integer NOT NULL,
	"block_key" text NOT NULL,
	"width" integer NOT NULL,
	"height" integer NOT NULL,
	"bytes" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "thumbnails_namespace_id_content_hash_edge_pk" PRIMARY KEY("namespace_id","content_hash","edge")
);
--> statement-breakpoint
ALTER TABLE "stars" ADD CONSTRAINT "stars_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stars" ADD CONSTRAINT "stars_file_id_files_id_fk" FOREIGN KEY ("file_id") REFERENCES "public"."files"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "thumbnails" ADD CONSTRAINT "thumbnails_block_key_blocks_key_fk" FOREIGN KEY ("block_key") REFERENCES "public"."blocks"("key") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "stars_user_time" ON "stars" USING btree ("user_id","starred_at" DESC NULLS FIRST,"file_id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "files_recent" ON "files" USING btree ("namespace_id","modified_at" DESC NULLS FIRST,"id" DESC NULLS FIRST) WHERE "files"."trashed_at" is null and not "files"."is_dir";