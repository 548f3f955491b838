-- Issue 23: the orphan sweep's candidates (jobs/orphans.ts): shard objects no metadata row names, with when first seen.
CREATE TABLE "orphan_candidates" (
	"node_id" text NOT NULL,
	"object_key" text NOT NULL,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "orphan_candidates_object" ON "orphan_candidates" USING btree ("node_id","object_key");