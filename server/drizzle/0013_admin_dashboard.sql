-- The operator's dashboard: the audit log, usage samples for the charts and the cumulative
-- traffic counters they are computed from, and the run-time settings an admin sets (server_settings.values).
CREATE TABLE "audit_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"kind" text NOT NULL,
	"actor_id" uuid,
	"actor_name" text,
	"target" text,
	"client_address" text,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "traffic_totals" (
	"id" smallint PRIMARY KEY DEFAULT 1 NOT NULL,
	"bytes_in" bigint DEFAULT 0 NOT NULL,
	"bytes_out" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "usage_samples" (
	"at" timestamp with time zone PRIMARY KEY NOT NULL,
	"logical_bytes" bigint NOT NULL,
	"dedup_bytes" bigint NOT NULL,
	"compressed_bytes" bigint NOT NULL,
	"stored_bytes" bigint NOT NULL,
	"bytes_in_total" bigint NOT NULL,
	"bytes_out_total" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "server_settings" ADD COLUMN "values" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
CREATE INDEX "audit_events_at" ON "audit_events" USING btree ("at");--> statement-breakpoint
CREATE INDEX "audit_events_kind" ON "audit_events" USING btree ("kind","id");--> statement-breakpoint
CREATE INDEX "audit_events_actor" ON "audit_events" USING btree (lower("actor_name"),"id");