CREATE TABLE "nodes" (
	"name" text PRIMARY KEY NOT NULL,
	"tier" text NOT NULL,
	"kind" text NOT NULL,
	"endpoint" text,
	"sealed_url" text,
	"state" text DEFAULT 'active' NOT NULL,
	"origin" text DEFAULT 'config' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"retired_at" timestamp with time zone
);
--> statement-breakpoint
-- Nodes an older version used, named by their position (s3-N, cold-N, local-N): those holding
-- shards or named by a drain job. Known from here on, so a boot whose configuration lacks one
-- refuses instead of stranding its shards; the first boot records a configured node's endpoint.
INSERT INTO "nodes" ("name", "tier", "kind", "endpoint", "origin")
SELECT n.node_id,
       CASE WHEN n.node_id LIKE 'cold-%' THEN 'cold' ELSE 'hot' END,
       CASE WHEN n.node_id LIKE 'local-%' THEN 'local' ELSE 's3' END,
       CASE WHEN n.node_id LIKE 'local-%' THEN 'nodes/node-' || substr(n.node_id, 7) END,
       CASE WHEN n.node_id LIKE 'local-%' THEN 'embedded' ELSE 'config' END
FROM (
  SELECT DISTINCT node_id FROM "block_shards"
  UNION SELECT payload->>'nodeId' FROM "jobs" WHERE kind = 'drain' AND payload->>'nodeId' IS NOT NULL
) n;
--> statement-breakpoint
-- A drain queued, running or done (and no rebalance since) kept a node 'draining' in memory only: persist it.
UPDATE "nodes" SET "state" = 'draining' WHERE "name" IN (
  SELECT node_id FROM (
    SELECT DISTINCT ON (payload->>'nodeId') payload->>'nodeId' AS node_id, kind FROM "jobs"
    WHERE kind IN ('drain', 'rebalance') AND state IN ('queued', 'running', 'done')
    ORDER BY payload->>'nodeId', created_at DESC
  ) latest
  WHERE kind = 'drain'
);
