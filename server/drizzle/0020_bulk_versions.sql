-- New revisions of existing files in bulk (issue 20). A batch commit ran each one through the
-- general path (files/versions.ts commitVersion) in a savepoint: ~15 statements per file, each
-- its own round trip (snapshot 2 of bench:tree: ~106 edited files, ~1,600 statements).
-- coffer_commit_new_versions does what that path does for the plain ones, set-based: the entries
-- locked in id order; one release of the reservations, one quota UPDATE per namespace, one INSERT
-- each for versions and block lists, one refcount UPDATE, one UPDATE of the entries, one INSERT
-- of journal entries. An item commits here only when nothing about it is unusual: its entry is
-- still the live file at its name (namespace, folder, name key), not pending, at the revision the
-- caller read (whose rule the caller checked against that revision), with no upload to it under
-- way. Any other item answers null and the caller commits it through the general path, which
-- gives its own answer (a conflict, a conflicted copy). When the whole could answer differently
-- from one by one (the growth does not fit the quota, a block was claimed by GC meanwhile) every
-- item answers null and nothing is written.
CREATE FUNCTION coffer_commit_new_versions_together(p_items jsonb, p_journal_lock integer, p_journal_channel text) RETURNS json AS $$
DECLARE
  v_old jsonb;
  v_rows jsonb;
  v_keys text[];
  v_counted integer;
  v_ns record;
BEGIN
  -- The entries, locked in id order (the general path locks each one FOR UPDATE after its folder).
  PERFORM 1 FROM files WHERE id IN (SELECT (v->>'file')::uuid FROM jsonb_array_elements(p_items) v) ORDER BY id FOR UPDATE;
  -- The items that commit here: file id -> the entry's size before.
  SELECT coalesce(jsonb_object_agg(f.id::text, f.size), '{}'::jsonb) INTO v_old
  FROM jsonb_array_elements(p_items) v JOIN files f ON f.id = (v->>'file')::uuid
  WHERE f.namespace_id = (v->>'namespace')::uuid AND f.parent_id IS NOT DISTINCT FROM (v->>'parent')::uuid
    AND f.name_key = v->>'nameKey' AND f.trashed_at IS NULL AND NOT f.is_dir AND NOT f.pending
    AND f.rev = (v->>'rev')::integer
    AND NOT EXISTS (SELECT 1 FROM upload_sessions s WHERE s.file_id = f.id AND s.committed_rev IS NULL);
  IF v_old = '{}'::jsonb THEN
    RETURN (SELECT json_agg(NULL::json) FROM jsonb_array_elements(p_items));
  END IF;
  -- What the committed versions use stops being reserved; the usage changes by each size's change.
  SELECT coalesce(array_agg(k), '{}') INTO v_keys
  FROM jsonb_array_elements(p_items) v, jsonb_array_elements_text(v->'blockKeys') k
  WHERE v_old ? (v->>'file');
  PERFORM coffer_release('block', v_keys);
  -- Every growth must fit together (then each fits alone, in any order); shrinking never refuses.
  FOR v_ns IN
    SELECT ns, sum(greatest(d, 0)) AS grown, sum(d) AS net
    FROM (SELECT (v->>'namespace')::uuid AS ns, (v->>'size')::bigint - (v_old->>(v->>'file'))::bigint AS d
          FROM jsonb_array_elements(p_items) v WHERE v_old ? (v->>'file')) c
    GROUP BY ns ORDER BY ns
  LOOP
    IF v_ns.grown = 0 THEN
      UPDATE users SET used_bytes = greatest(0, used_bytes + v_ns.net) WHERE namespace_id = v_ns.ns AND v_ns.net < 0;
    ELSE
      UPDATE users SET used_bytes = greatest(0, used_bytes + v_ns.net)
      WHERE namespace_id = v_ns.ns AND used_bytes + reserved_bytes + v_ns.grown <= quota_bytes;
      IF NOT FOUND THEN RAISE EXCEPTION 'coffer: the batch does not fit the quota as a whole' USING ERRCODE = 'CF003'; END IF;
    END IF;
  END LOOP;
  -- One reference per committed version per distinct block (blockKeys is distinct per item).
  UPDATE blocks b SET refcount = b.refcount + c.n
  FROM (SELECT k, count(*)::integer AS n FROM unnest(v_keys) k GROUP BY k) c
  WHERE b.key = c.k AND b.refcount >= 0;
  GET DIAGNOSTICS v_counted = ROW_COUNT;
  IF v_counted <> (SELECT count(DISTINCT k) FROM unnest(v_keys) k) THEN
    RAISE EXCEPTION 'coffer: a block of the batch is gone' USING ERRCODE = 'CF003';
  END IF;
  INSERT INTO file_versions (id, file_id, rev, size, content_hash, author_id, device_id)
  SELECT (v->>'version')::uuid, (v->>'file')::uuid, (v->>'rev')::integer + 1, (v->>'size')::bigint, v->>'contentHash', (v->>'author')::uuid, (v->>'device')::uuid
  FROM jsonb_array_elements(p_items) v WHERE v_old ? (v->>'file');
  INSERT INTO version_blocks (version_id, ordinal, block_key, "offset", length)
  SELECT (v->>'version')::uuid, b.ordinal, b.key, b."offset", b.length
  FROM jsonb_array_elements(p_items) v,
       jsonb_to_recordset(v->'blocks') AS b(ordinal integer, key text, "offset" bigint, length integer)
  WHERE v_old ? (v->>'file');
  WITH upd AS (
    UPDATE files f SET head_version_id = (v->>'version')::uuid, rev = f.rev + 1, size = (v->>'size')::bigint,
      content_hash = v->>'contentHash', pending = false, modified_at = (v->>'modifiedAt')::timestamptz
    FROM jsonb_array_elements(p_items) v
    WHERE f.id = (v->>'file')::uuid AND v_old ? (v->>'file')
    RETURNING f.*
  )
  SELECT jsonb_object_agg(upd.id::text, to_jsonb(upd)) INTO v_rows FROM upd;
  FOR v_ns IN SELECT DISTINCT (v->>'namespace')::uuid AS ns FROM jsonb_array_elements(p_items) v WHERE v_old ? (v->>'file') ORDER BY 1 LOOP
    PERFORM pg_advisory_xact_lock(p_journal_lock, hashtext(v_ns.ns::text));
  END LOOP;
  INSERT INTO journal (namespace_id, file_id, op, rev, device_id, payload)
  SELECT (v->>'namespace')::uuid, (v->>'file')::uuid, 'update', (v->>'rev')::integer + 1, (v->>'device')::uuid, v->'payload'
  FROM jsonb_array_elements(p_items) WITH ORDINALITY AS i(v, ord) WHERE v_old ? (v->>'file')
  ORDER BY ord;
  PERFORM pg_notify(p_journal_channel, ns::text)
  FROM (SELECT DISTINCT (v->>'namespace')::uuid AS ns FROM jsonb_array_elements(p_items) v WHERE v_old ? (v->>'file')) n;
  RETURN (
    SELECT json_agg((v_rows -> (v->>'file'))::json ORDER BY ord)
    FROM jsonb_array_elements(p_items) WITH ORDINALITY AS i(v, ord)
  );
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
-- The entry point: all together, or — where the whole could answer otherwise — nothing here
-- (undone, one subtransaction) and every item null, for the general path one by one.
CREATE FUNCTION coffer_commit_new_versions(p_items jsonb, p_journal_lock integer, p_journal_channel text) RETURNS json AS $$
BEGIN
  BEGIN
    RETURN coffer_commit_new_versions_together(p_items, p_journal_lock, p_journal_channel);
  EXCEPTION WHEN SQLSTATE 'CF003' THEN
    RETURN (SELECT json_agg(NULL::json) FROM jsonb_array_elements(p_items));
  END;
END;
$$ LANGUAGE plpgsql;
