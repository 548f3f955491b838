-- Functions for the statements every request or upload runs (db/raw.ts calls them). PL/pgSQL
-- keeps its statement plans for the session, and one call replaces a round trip per step: on the
-- embedded PGlite, parsing and planning each statement, its JS protocol overhead and parsing wide
-- result rows were most of an upload's CPU. Each answers JSON: one column is the cheapest to return.

-- The live token and its user (auth/tokens.ts lookupToken), null when unknown or expired.
CREATE OR REPLACE FUNCTION coffer_token(p_hash text, p_now timestamptz) RETURNS json AS $$
DECLARE
  v json;
BEGIN
  SELECT json_build_object(
    'id', u.id, 'username', u.username, 'role', u.role, 'namespace_id', u.namespace_id, 'disabled', u.disabled,
    'must_change_password', u.must_change_password, 'device_id', t.device_id, 'kind', t.kind, 'token_id', t.id,
    'last_used_at', t.last_used_at, 'expires_at', t.expires_at)
  INTO v
  FROM auth_tokens t JOIN users u ON u.id = t.user_id
  WHERE t.token_hash = p_hash AND (t.expires_at IS NULL OR t.expires_at > p_now);
  RETURN v;
END;
$$ LANGUAGE plpgsql STABLE;
--> statement-breakpoint
-- A change that can end or alter what coffer_token answers for some token: the embedded server
-- keeps those answers in memory (db/token-cache.ts) and forgets them all on this notification.
-- (Updates of last_used_at, label or used_bytes change nothing a lookup decides on.)
CREATE OR REPLACE FUNCTION coffer_auth_changed() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('coffer_auth', '');
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER auth_tokens_changed AFTER DELETE OR UPDATE OF user_id, device_id, kind, token_hash, expires_at ON auth_tokens
  FOR EACH ROW EXECUTE FUNCTION coffer_auth_changed();
--> statement-breakpoint
CREATE TRIGGER users_auth_changed AFTER DELETE OR UPDATE OF username, role, namespace_id, disabled, must_change_password ON users
  FOR EACH ROW EXECUTE FUNCTION coffer_auth_changed();
--> statement-breakpoint
-- The live entries along a path (a JSON array of files rows), one per name key from the root
-- down; stops at the first missing name and after the first entry that is not a folder.
CREATE OR REPLACE FUNCTION coffer_walk(p_namespace uuid, p_keys text[]) RETURNS json AS $$
DECLARE
  v_parent uuid := NULL;
  v_row files;
  v_out json[] := '{}';
BEGIN
  FOR i IN 1 .. coalesce(array_length(p_keys, 1), 0) LOOP
    -- Exactly the expression of the files_unique_live_name index.
    SELECT * INTO v_row FROM files
    WHERE namespace_id = p_namespace
      AND coalesce(parent_id, '00000000-0000-0000-0000-000000000000'::uuid) = coalesce(v_parent, '00000000-0000-0000-0000-000000000000'::uuid)
      AND name_key = p_keys[i]
      AND trashed_at IS NULL;
    EXIT WHEN NOT FOUND;
    v_out := v_out || row_to_json(v_row);
    EXIT WHEN NOT v_row.is_dir;
    v_parent := v_row.id;
  END LOOP;
  RETURN array_to_json(v_out);
END;
$$ LANGUAGE plpgsql STABLE;
--> statement-breakpoint
-- A block row and its shards in index order (db/block-metadata.ts getBlock), null when unknown.
CREATE OR REPLACE FUNCTION coffer_block(p_key text) RETURNS json AS $$
DECLARE
  v json;
BEGIN
  SELECT json_build_object('block', row_to_json(b), 'shards', coalesce(
    (SELECT json_agg(json_build_object('index', s.index, 'nodeId', s.node_id, 'checksum', s.checksum) ORDER BY s.index)
     FROM block_shards s WHERE s.block_key = b.key), '[]'::json))
  INTO v
  FROM blocks b WHERE b.key = p_key;
  RETURN v;
END;
$$ LANGUAGE plpgsql STABLE;
--> statement-breakpoint
-- A new block and its shards (db/block-metadata.ts insertBlock), in one statement: false, and
-- nothing written, when a block with that key exists already. (The shards' foreign key is checked
-- at the end of the statement, when the block row is there.)
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
    INSERT INTO block_shards (block_key, index, node_id, checksum)
    SELECT block.key, s.index, s.node_id, s.checksum
    FROM block, jsonb_to_recordset(p_shards) AS s(index integer, node_id text, checksum bigint)
  )
  SELECT count(*) > 0 INTO v_inserted FROM block;
  RETURN v_inserted;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
-- The first version of a new entry, in the order and with the locks of the general path
-- (uploads/target.ts fileForUpload + files/versions.ts commitVersion): share-lock the folder and
-- insert the entry, charge the quota, insert the version and its block list, count one reference
-- per distinct block (refcount >= 0: never a block GC has claimed), append the journal row and
-- NOTIFY — five statements. Answers the entry's row. Anything unusual (folder gone, name taken,
-- over quota, a block gone) raises SQLSTATE CF001, which undoes the whole statement; the caller
-- then runs the general path, which answers it. Ids come from the caller (random v4 UUIDs, as the
-- columns' defaults would make).
CREATE OR REPLACE FUNCTION coffer_commit_new_file(
  p_file uuid, p_version uuid, p_namespace uuid, p_parent uuid, p_name text, p_name_key text,
  p_size bigint, p_content_hash text, p_author uuid, p_device uuid,
  p_blocks jsonb, p_block_keys text[], p_now timestamptz, p_payload jsonb,
  p_journal_lock integer, p_journal_channel text
) RETURNS json AS $$
DECLARE
  v_row files;
  v_counted integer;
BEGIN
  -- Inserted as it will stand after the commit (the general path inserts, then updates it); the
  -- folder share-locked first, so a concurrent delete of it waits or is seen.
  WITH folder AS (
    SELECT 1 FROM files WHERE id = p_parent AND trashed_at IS NULL FOR SHARE
  )
  INSERT INTO files (id, namespace_id, parent_id, name, name_key, is_dir, pending, head_version_id, rev, size, content_hash, modified_at)
  SELECT p_file, p_namespace, p_parent, p_name, p_name_key, false, false, p_version, 1, p_size, p_content_hash, p_now
  WHERE p_parent IS NULL OR EXISTS (SELECT 1 FROM folder)
  ON CONFLICT DO NOTHING
  RETURNING * INTO v_row;
  IF NOT FOUND THEN RAISE EXCEPTION 'coffer: the folder is gone or the name is taken' USING ERRCODE = 'CF001'; END IF;
  IF p_size > 0 THEN
    UPDATE users SET used_bytes = used_bytes + p_size WHERE namespace_id = p_namespace AND used_bytes + p_size <= quota_bytes;
    IF NOT FOUND THEN RAISE EXCEPTION 'coffer: over quota' USING ERRCODE = 'CF001'; END IF;
  END IF;
  WITH version AS (
    INSERT INTO file_versions (id, file_id, rev, size, content_hash, author_id, device_id)
    VALUES (p_version, p_file, 1, p_size, p_content_hash, p_author, p_device)
  )
  INSERT INTO version_blocks (version_id, ordinal, block_key, "offset", length)
  SELECT p_version, b.ordinal, b.key, b."offset", b.length
  FROM jsonb_to_recordset(p_blocks) AS b(ordinal integer, key text, "offset" bigint, length integer);
  -- = ANY of an array keeps it an index lookup in the cached plan.
  UPDATE blocks SET refcount = refcount + 1 WHERE key = ANY(p_block_keys) AND refcount >= 0;
  GET DIAGNOSTICS v_counted = ROW_COUNT;
  IF v_counted <> cardinality(p_block_keys) THEN RAISE EXCEPTION 'coffer: a block is gone' USING ERRCODE = 'CF001'; END IF;
  -- As files/journal.ts appendJournal: the namespace's journal lock, the row, the wake-up.
  PERFORM pg_advisory_xact_lock(p_journal_lock, hashtext(p_namespace::text));
  INSERT INTO journal (namespace_id, file_id, op, rev, device_id, payload)
  VALUES (p_namespace, p_file, 'create', 1, p_device, p_payload);
  PERFORM pg_notify(p_journal_channel, p_namespace::text);
  RETURN row_to_json(v_row);
END;
$$ LANGUAGE plpgsql;
