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
ALTER TABLE "block_shards" ADD CONSTRAINT "block_shards_block_key_blocks_key_fk" FOREIGN KEY ("block_key") REFERENCES "public"."blocks"("key") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "block_shards_node" ON "block_shards" USING btree ("node_id");--> statement-breakpoint
CREATE INDEX "blocks_namespace_hash" ON "blocks" USING btree ("namespace_id","hash");--> statement-breakpoint
CREATE INDEX "blocks_gc" ON "blocks" USING btree ("refcount","created_at") WHERE refcount = 0;--> statement-breakpoint
CREATE INDEX "namespace_keys_key_id" ON "namespace_keys" USING btree ("namespace_id","key_id");