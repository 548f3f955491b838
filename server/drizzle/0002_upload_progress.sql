ALTER TABLE "upload_sessions" ADD COLUMN "tail" jsonb;--> statement-breakpoint
ALTER TABLE "upload_sessions" ADD COLUMN "committed_rev" integer;