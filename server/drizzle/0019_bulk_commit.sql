-- Batch commits in bulk (issue 20). coffer_commit_new_files (0017) ran coffer_commit_new_file once
-- per item, each in a subtransaction: per item a quota UPDATE of the same users row and a
-- reservation release, so a 500-file batch left ~1,000 versions of that row for each later
-- UPDATE to walk (quadratic), plus 500 subtransactions. coffer_commit_new_files_together does the
-- same work set-based: one INSERT for the files (ON CONFLICT DO NOTHING: a taken name or a gone
-- folder is that item's decline, answered null as before), one release of the reservations, one
-- quota UPDATE per namespace, one INSERT each for versions, block lists and journal entries, one
-- refcount UPDATE. Where the per-item rules could answer differently (the quota does not fit all
-- of them, a block was claimed by GC meanwhile) it raises CF003 and coffer_commit_new_files undoes
-- it and takes the one-by-one loop, so each item still succeeds or declines exactly as before.
CREATE FUNCTION coffer_commit_new_files_together(p_items jsonb, p_journal_lock integer, p_journal_channel text) RETURNS json AS $$
DECLARE
  v_rows jsonb;
  v_keys text[];
  v_counted integer;
  v_ns record;
BEGIN
  -- The folders, share-locked in id order (the caller may have locked them already).
  PERFORM 1 FROM files
  WHERE id IN (SELECT DISTINCT (v->>'parent')::uuid FROM jsonb_array_elements(p_items) v WHERE v->>'parent' IS NOT NULL)
  ORDER BY id FOR SHARE;
  -- The entries, in item order: the first of two items with one name wins, as one by one.
  WITH items AS (
    SELECT v, ord FROM jsonb_array_elements(p_items) WITH ORDINALITY AS i(v, ord)
  ), ins AS (
    INSERT INTO files (id, namespace_id, parent_id, name, name_key, is_dir, pending, head_version_id, rev, size, content_hash, modified_at)
    SELECT (v->>'file')::uuid, (v->>'namespace')::uuid, (v->>'parent')::uuid, v->>'name', v->>'nameKey', false, false,
           (v->>'version')::uuid, 1, (v->>'size')::bigint, v->>'contentHash', (v->>'now')::timestamptz
    FROM items
    WHERE v->>'parent' IS NULL OR EXISTS (SELECT 1 FROM files f WHERE f.id = (v->>'parent')::uuid AND f.trashed_at IS NULL)
    ORDER BY ord
    ON CONFLICT DO NOTHING
    RETURNING *
  )
  SELECT coalesce(jsonb_object_agg(ins.id::text, to_jsonb(ins)), '{}'::jsonb) INTO v_rows FROM ins;
  IF v_rows = '{}'::jsonb THEN
    RETURN (SELECT json_agg(NULL::json) FROM jsonb_array_elements(p_items));
  END IF;
  -- What the committed items use: their reservations go, their usage is charged (all must fit).
  SELECT coalesce(array_agg(k), '{}') INTO v_keys
  FROM jsonb_array_elements(p_items) v, jsonb_array_elements_text(v->'blockKeys') k
  WHERE v_rows ? (v->>'file');
  PERFORM coffer_release('block', v_keys);
  FOR v_ns IN
    SELECT (v->>'namespace')::uuid AS ns, sum((v->>'size')::bigint) AS bytes
    FROM jsonb_array_elements(p_items) v WHERE v_rows ? (v->>'file')
    GROUP BY 1 HAVING sum((v->>'size')::bigint) > 0 ORDER BY 1
  LOOP
    UPDATE users SET used_bytes = used_bytes + v_ns.bytes
    WHERE namespace_id = v_ns.ns AND used_bytes + reserved_bytes + v_ns.bytes <= quota_bytes;
    IF NOT FOUND THEN RAISE EXCEPTION 'coffer: the batch does not fit the quota as a whole' USING ERRCODE = 'CF003'; END IF;
  END LOOP;
  INSERT INTO file_versions (id, file_id, rev, size, content_hash, author_id, device_id)
  SELECT (v->>'version')::uuid, (v->>'file')::uuid, 1, (v->>'size')::bigint, v->>'contentHash', (v->>'author')::uuid, (v->>'device')::uuid
  FROM jsonb_array_elements(p_items) v WHERE v_rows ? (v->>'file');
  INSERT INTO version_blocks (version_id, ordinal, block_key, "offset", length)
  SELECT (v->>'version')::uuid, b.ordinal, b.key, b."offset", b.length
  FROM jsonb_array_elements(p_items) v,
       jsonb_to_recordset(v->'blocks') AS b(ordinal integer, key text, "offset" bigint, length integer)
  WHERE v_rows ? (v->>'file');
  -- One reference per committed file per distinct block (blockKeys is distinct per item).
  UPDATE blocks b SET refcount = b.refcount + c.n
  FROM (SELECT k, count(*)::integer AS n FROM unnest(v_keys) k GROUP BY k) c
  WHERE b.key = c.k AND b.refcount >= 0;
  GET DIAGNOSTICS v_counted = ROW_COUNT;
  IF v_counted <> (SELECT count(DISTINCT k) FROM unnest(v_keys) k) THEN
    RAISE EXCEPTION 'coffer: a block of the batch is gone' USING ERRCODE = 'CF003';
  END IF;
  FOR v_ns IN SELECT DISTINCT (v->>'namespace')::uuid AS ns FROM jsonb_array_elements(p_items) v WHERE v_rows ? (v->>'file') ORDER BY 1 LOOP
    PERFORM pg_advisory_xact_lock(p_journal_lock, hashtext(v_ns.ns::text));
  END LOOP;
  INSERT INTO journal (namespace_id, file_id, op, rev, device_id, payload)
  SELECT (v->>'namespace')::uuid, (v->>'file')::uuid, 'create', 1, (v->>'device')::uuid, v->'payload'
  FROM jsonb_array_elements(p_items) WITH ORDINALITY AS i(v, ord) WHERE v_rows ? (v->>'file')
  ORDER BY ord;
  -- One wake-up per namespace (NOTIFY is a wake-up, not a queue: listeners re-read the journal).
  PERFORM pg_notify(p_journal_channel, ns::text)
  FROM (SELECT DISTINCT (v->>'namespace')::uuid AS ns FROM jsonb_array_elements(p_items) v WHERE v_rows ? (v->>'file')) n;
  RETURN (
    SELECT json_agg((v_rows -> (v->>'file'))::json ORDER BY ord)
    FROM jsonb_array_elements(p_items) WITH ORDINALITY AS i(v, ord)
  );
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION coffer_commit_new_files(p_items jsonb, p_journal_lock integer, p_journal_channel text) RETURNS json AS $$
DECLARE
  v_item jsonb;
  v_row json;
  v_out json[] := '{}';
BEGIN
  -- All together first; undone (one subtransaction) when an item's own rule could answer otherwise.
  BEGIN
    RETURN coffer_commit_new_files_together(p_items, p_journal_lock, p_journal_channel);
  EXCEPTION WHEN SQLSTATE 'CF003' THEN
    NULL;
  END;
  FOR v_item IN SELECT value FROM jsonb_array_elements(p_items) LOOP
    BEGIN
      v_row := coffer_commit_new_file(
        (v_item->>'file')::uuid, (v_item->>'version')::uuid, (v_item->>'namespace')::uuid, (v_item->>'parent')::uuid,
        v_item->>'name', v_item->>'nameKey', (v_item->>'size')::bigint, v_item->>'contentHash',
        (v_item->>'author')::uuid, (v_item->>'device')::uuid, v_item->'blocks',
        ARRAY(SELECT jsonb_array_elements_text(v_item->'blockKeys')), (v_item->>'now')::timestamptz, v_item->'payload',
        p_journal_lock, p_journal_channel, NULL);
    EXCEPTION WHEN SQLSTATE 'CF001' THEN
      v_row := NULL;
    END;
    v_out := array_append(v_out, v_row);
  END LOOP;
  RETURN array_to_json(v_out);
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
-- coffer_insert_blocks: coffer_insert_block (0018) for many records in one statement (the engine's
-- puts that finish together, e.g. all the blocks of one pack write). Keys must be distinct. Each
-- block row is inserted unless one with its key exists, and its shards only with it. Answers the
-- keys that were inserted.
CREATE FUNCTION coffer_insert_blocks(p_records jsonb) RETURNS json AS $$
DECLARE
  v_inserted text[];
BEGIN
  WITH rec AS (
    SELECT r.* FROM jsonb_to_recordset(p_records)
      AS r(key text, namespace text, hash text, size bigint, frame_size bigint, generation text, layout jsonb, tier text, shards jsonb)
  ), block AS (
    INSERT INTO blocks (key, namespace_id, hash, size, frame_size, generation, layout, tier)
    SELECT key, namespace, hash, size, frame_size, generation, layout, tier FROM rec
    -- In key order: two batches in flight that share keys take their index locks in one order (no deadlock).
    ORDER BY key
    ON CONFLICT (key) DO NOTHING
    RETURNING key
  ), shards AS (
    INSERT INTO block_shards (block_key, index, node_id, checksum, pack_object, pack_offset, pack_length)
    SELECT block.key, s.index, s.node_id, s.checksum, s.pack_object, s.pack_offset, s.pack_length
    FROM block JOIN rec ON rec.key = block.key, jsonb_to_recordset(rec.shards)
      AS s(index integer, node_id text, checksum bigint, pack_object text, pack_offset bigint, pack_length integer)
  )
  SELECT coalesce(array_agg(key), '{}') INTO v_inserted FROM block;
  RETURN to_json(v_inserted);
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
-- coffer_blocks: coffer_block (0018) for many keys: a JSON object from each key found to what
-- coffer_block answers for it.
CREATE FUNCTION coffer_blocks(p_keys text[]) RETURNS json AS $$
  SELECT coalesce(json_object_agg(k, v), '{}'::json)
  FROM (SELECT k, coffer_block(k) AS v FROM unnest(p_keys) AS k) found
  WHERE v IS NOT NULL;
$$ LANGUAGE sql STABLE;
--> statement-breakpoint
-- coffer_reserve_blocks (0017) set-based: it ran coffer_reserve per block, each updating the same
-- users row (quadratic in a pack's blocks, like the commits above). Same answers: all or none;
-- each reservation ends up holding at least its block's bytes; the room is taken under the users
-- row lock (after the reservation rows, the lock order everywhere); a refusal changes nothing.
CREATE OR REPLACE FUNCTION coffer_reserve_blocks(p_refs text[], p_namespace uuid, p_bytes bigint[], p_expires timestamptz) RETURNS json AS $$
DECLARE
  v_need bigint;
  v_used bigint;
  v_reserved bigint;
  v_quota bigint;
  v_refused json;
BEGIN
  BEGIN
    WITH wanted AS (
      SELECT ref, max(bytes) AS bytes FROM unnest(p_refs, p_bytes) AS w(ref, bytes) GROUP BY ref
    ), held AS (
      INSERT INTO quota_reservations (kind, ref, namespace_id, bytes, expires_at)
      SELECT 'block', ref, p_namespace, 0, p_expires FROM wanted ORDER BY ref
      ON CONFLICT (kind, ref) DO UPDATE SET expires_at = greatest(quota_reservations.expires_at, excluded.expires_at)
      RETURNING ref, bytes
    )
    SELECT coalesce(sum(greatest(0, wanted.bytes - held.bytes)), 0) INTO v_need FROM wanted JOIN held USING (ref);
    IF v_need = 0 THEN RETURN json_build_object('ok', true); END IF;
    SELECT used_bytes, reserved_bytes, quota_bytes INTO v_used, v_reserved, v_quota
    FROM users WHERE namespace_id = p_namespace FOR UPDATE;
    IF v_need > greatest(0, coalesce(v_quota - v_used - v_reserved, 0)) THEN
      v_refused := json_build_object('refused', true, 'used', coalesce(v_used, 0), 'reserved', coalesce(v_reserved, 0), 'quota', coalesce(v_quota, 0));
      RAISE EXCEPTION 'coffer: a pack does not fit the quota' USING ERRCODE = 'CF002';
    END IF;
    UPDATE users SET reserved_bytes = reserved_bytes + v_need WHERE namespace_id = p_namespace;
    UPDATE quota_reservations q SET bytes = w.bytes
    FROM (SELECT ref, max(bytes) AS bytes FROM unnest(p_refs, p_bytes) AS w(ref, bytes) GROUP BY ref) w
    WHERE q.kind = 'block' AND q.ref = w.ref AND q.bytes < w.bytes;
  EXCEPTION WHEN SQLSTATE 'CF002' THEN
    RETURN v_refused;
  END;
  RETURN json_build_object('ok', true);
END;
$$ LANGUAGE plpgsql;
