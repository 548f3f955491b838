-- Small blocks packed on the nodes (issue 20): a shard object may sit inside a pack object, at a
-- byte range of it. All three columns are set for a packed shard and null for a shard stored as an
-- object of its own (every shard written before this migration). coffer_block and
-- coffer_insert_block (0005) carry them.
ALTER TABLE "block_shards" ADD COLUMN "pack_object" text;--> statement-breakpoint
ALTER TABLE "block_shards" ADD COLUMN "pack_offset" bigint;--> statement-breakpoint
ALTER TABLE "block_shards" ADD COLUMN "pack_length" integer;--> statement-breakpoint
ALTER TABLE "block_shards" ADD CONSTRAINT "block_shards_pack_whole" CHECK (
  (pack_object IS NULL AND pack_offset IS NULL AND pack_length IS NULL) OR
  (pack_object IS NOT NULL AND pack_offset >= 0 AND pack_length > 0));--> statement-breakpoint
CREATE OR REPLACE FUNCTION coffer_block(p_key text) RETURNS json AS $$
DECLARE
  v json;
BEGIN
  SELECT json_build_object('block', row_to_json(b), 'shards', coalesce(
    (SELECT json_agg(json_build_object('index', s.index, 'nodeId', s.node_id, 'checksum', s.checksum,
       'pack', CASE WHEN s.pack_object IS NULL THEN NULL
               ELSE json_build_object('object', s.pack_object, 'offset', s.pack_offset, 'length', s.pack_length) END)
     ORDER BY s.index)
     FROM block_shards s WHERE s.block_key = b.key), '[]'::json))
  INTO v
  FROM blocks b WHERE b.key = p_key;
  RETURN v;
END;
$$ LANGUAGE plpgsql STABLE;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION coffer_insert_block(
  p_key text, p_namespace text, p_hash text, p_size bigint, p_frame_size bigint,
  p_generation text, p_layout jsonb, p_tier text, p_shards jsonb
) RETURNS boolean AS $$
DECLARE
  v_inserted boolean;
BEGIN
  WITH block AS (
    INSERT INTO blocks (key, namespace_id, hash, size, frame_size, generation, layout, tier)
    VALUES (p_key, p_namespace, p_hash, p_size, p_frame_size, p_generation, p_layout, p_tier)
    ON CONFLICT (key) DO NOTHING
    RETURNING key
  ), shards AS (
    INSERT INTO block_shards (block_key, index, node_id, checksum, pack_object, pack_offset, pack_length)
    SELECT block.key, s.index, s.node_id, s.checksum, s.pack_object, s.pack_offset, s.pack_length
    FROM block, jsonb_to_recordset(p_shards)
      AS s(index integer, node_id text, checksum bigint, pack_object text, pack_offset bigint, pack_length integer)
  )
  SELECT count(*) > 0 INTO v_inserted FROM block;
  RETURN v_inserted;
END;
$$ LANGUAGE plpgsql;
