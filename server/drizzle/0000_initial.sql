CREATE TABLE "auth_tokens" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"device_id" uuid,
	"kind" text NOT NULL,
	"token_hash" text NOT NULL,
	"label" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"expires_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "devices" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"push_id" text,
	"cursor" bigint DEFAULT 0 NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"username" text NOT NULL,
	"email" text,
	"display_name" text,
	"password_hash" text NOT NULL,
	"role" text DEFAULT 'user' NOT NULL,
	"quota_bytes" bigint DEFAULT 10737418240 NOT NULL,
	"used_bytes" bigint DEFAULT 0 NOT NULL,
	"namespace_id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"disabled" boolean DEFAULT false NOT NULL,
	"must_change_password" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "block_shards" (
	"block_key" text NOT NULL,
	"index" integer NOT NULL,
	"node_id" text NOT NULL,
	"checksum" bigint NOT NULL,
	CONSTRAINT "block_shards_block_key_index_pk" PRIMARY KEY("block_key","index")
);
--> statement-breakpoint
CREATE TABLE "blocks" (
	"key" text PRIMARY KEY NOT NULL,
	"namespace_id" text NOT NULL,
	"hash" text NOT NULL,
	"size" bigint NOT NULL,
	"frame_size" bigint NOT NULL,
	"generation" text NOT NULL,
	"layout" jsonb NOT NULL,
	"tier" text DEFAULT 'hot' NOT NULL,
	"refcount" integer DEFAULT 0 NOT NULL,
	"last_access" timestamp with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "namespace_keys" (
	"namespace_id" text NOT NULL,
	"generation" integer NOT NULL,
	"key_id" text NOT NULL,
	"wrapped" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "namespace_keys_namespace_id_generation_pk" PRIMARY KEY("namespace_id","generation")
);
--> statement-breakpoint
CREATE TABLE "file_versions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"file_id" uuid NOT NULL,
	"rev" integer NOT NULL,
	"size" bigint NOT NULL,
	"content_hash" text NOT NULL,
	"author_id" uuid,
	"device_id" uuid,
	"restored_from" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "files" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"namespace_id" uuid NOT NULL,
	"parent_id" uuid,
	"name" text NOT NULL,
	"name_key" text NOT NULL,
	"is_dir" boolean DEFAULT false NOT NULL,
	"head_version_id" uuid,
	"rev" integer DEFAULT 0 NOT NULL,
	"size" bigint DEFAULT 0 NOT NULL,
	"content_hash" text,
	"pending" boolean DEFAULT false NOT NULL,
	"trashed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"modified_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "version_blocks" (
	"version_id" uuid NOT NULL,
	"ordinal" integer NOT NULL,
	"block_key" text NOT NULL,
	"offset" bigint NOT NULL,
	"length" integer NOT NULL,
	CONSTRAINT "version_blocks_version_id_ordinal_pk" PRIMARY KEY("version_id","ordinal")
);
--> statement-breakpoint
CREATE TABLE "journal" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"namespace_id" uuid NOT NULL,
	"file_id" uuid,
	"op" text NOT NULL,
	"rev" integer,
	"device_id" uuid,
	"payload" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "upload_sessions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"namespace_id" uuid NOT NULL,
	"file_id" uuid NOT NULL,
	"parent_id" uuid,
	"name" text NOT NULL,
	"size" bigint,
	"received" bigint DEFAULT 0 NOT NULL,
	"blocks" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"base_rev" integer,
	"overwrite" text DEFAULT 'no' NOT NULL,
	"device_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "auth_tokens" ADD CONSTRAINT "auth_tokens_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "auth_tokens" ADD CONSTRAINT "auth_tokens_device_id_devices_id_fk" FOREIGN KEY ("device_id") REFERENCES "public"."devices"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "devices" ADD CONSTRAINT "devices_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "block_shards" ADD CONSTRAINT "block_shards_block_key_blocks_key_fk" FOREIGN KEY ("block_key") REFERENCES "public"."blocks"("key") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "file_versions" ADD CONSTRAINT "file_versions_file_id_files_id_fk" FOREIGN KEY ("file_id") REFERENCES "public"."files"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "files" ADD CONSTRAINT "files_parent_id_files_id_fk" FOREIGN KEY ("parent_id") REFERENCES "public"."files"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "version_blocks" ADD CONSTRAINT "version_blocks_version_id_file_versions_id_fk" FOREIGN KEY ("version_id") REFERENCES "public"."file_versions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "auth_tokens_hash" ON "auth_tokens" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "auth_tokens_user" ON "auth_tokens" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "devices_user" ON "devices" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "users_username_ci" ON "users" USING btree (lower("username"));--> statement-breakpoint
CREATE UNIQUE INDEX "users_namespace" ON "users" USING btree ("namespace_id");--> statement-breakpoint
CREATE INDEX "block_shards_node" ON "block_shards" USING btree ("node_id");--> statement-breakpoint
CREATE INDEX "blocks_namespace_hash" ON "blocks" USING btree ("namespace_id","hash");--> statement-breakpoint
CREATE INDEX "blocks_gc" ON "blocks" USING btree ("refcount","created_at") WHERE refcount = 0;--> statement-breakpoint
CREATE INDEX "namespace_keys_key_id" ON "namespace_keys" USING btree ("namespace_id","key_id");--> statement-breakpoint
CREATE UNIQUE INDEX "file_versions_rev" ON "file_versions" USING btree ("file_id","rev");--> statement-breakpoint
CREATE UNIQUE INDEX "files_unique_live_name" ON "files" USING btree ("namespace_id",coalesce("parent_id", '00000000-0000-0000-0000-000000000000'::uuid),"name_key") WHERE "files"."trashed_at" is null;--> statement-breakpoint
CREATE INDEX "files_parent" ON "files" USING btree ("namespace_id","parent_id");--> statement-breakpoint
CREATE INDEX "version_blocks_block" ON "version_blocks" USING btree ("block_key");--> statement-breakpoint
CREATE INDEX "journal_namespace_seq" ON "journal" USING btree ("namespace_id","seq");--> statement-breakpoint
CREATE INDEX "upload_sessions_user" ON "upload_sessions" USING btree ("user_id");