CREATE TABLE "degraded_blocks" (
	"block_key" text PRIMARY KEY NOT NULL,
	"reason" text NOT NULL,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"repair_attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text
);
--> statement-breakpoint
CREATE TABLE "jobs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kind" text NOT NULL,
	"state" text DEFAULT 'queued' NOT NULL,
	"payload" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"progress" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"max_attempts" integer DEFAULT 5 NOT NULL,
	"run_after" timestamp with time zone DEFAULT now() NOT NULL,
	"locked_by" text,
	"locked_until" timestamp with time zone,
	"last_error" text,
	"unique_key" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "degraded_blocks" ADD CONSTRAINT "degraded_blocks_block_key_blocks_key_fk" FOREIGN KEY ("block_key") REFERENCES "public"."blocks"("key") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "degraded_blocks_seen" ON "degraded_blocks" USING btree ("last_seen_at");--> statement-breakpoint
CREATE INDEX "jobs_claim" ON "jobs" USING btree ("state","run_after");--> statement-breakpoint
CREATE INDEX "jobs_kind_created" ON "jobs" USING btree ("kind","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "jobs_unique_key" ON "jobs" USING btree ("unique_key");