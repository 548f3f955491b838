CREATE TABLE "quota_reservations" (
	"kind" text NOT NULL,
	"ref" text NOT NULL,
	"namespace_id" uuid NOT NULL,
	"bytes" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	CONSTRAINT "quota_reservations_kind_ref_pk" PRIMARY KEY("kind","ref")
);
--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "reserved_bytes" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX "quota_reservations_namespace" ON "quota_reservations" USING btree ("namespace_id");--> statement-breakpoint
CREATE INDEX "quota_reservations_expiry" ON "quota_reservations" USING btree ("expires_at");--> statement-breakpoint
-- Quota reservations (server/src/quota/reservations.ts): bytes stored for an upload that has not
-- committed count against the owner's quota from the moment they are stored. A reservation row
-- and users.reserved_bytes always change in the same statement, so the column is the rows' sum.
-- Lock order everywhere: reservation rows, then the users row.

-- Make a reservation hold at least p_minimum and up to p_bytes (never less than it holds): the
-- difference is taken from the owner's room (quota − used − reserved) under the users row lock,
-- so concurrent requests never overshoot the quota. Answers {held} (bytes held now), or
-- {refused, used, reserved, quota} with nothing changed when even p_minimum does not fit.
CREATE OR REPLACE FUNCTION coffer_reserve(
  p_kind text, p_ref text, p_namespace uuid, p_bytes bigint, p_minimum bigint, p_expires timestamptz
) RETURNS json AS $$
DECLARE
  v_held bigint;
  v_used bigint;
  v_reserved bigint;
  v_quota bigint;
  v_grant bigint;
BEGIN
  -- The row first (new ones with 0 bytes), locked: two first reservations of one key take turns
  -- here, and the second sees what the first took. A later expiry extends it.
  INSERT INTO quota_reservations (kind, ref, namespace_id, bytes, expires_at)
  VALUES (p_kind, p_ref, p_namespace, 0, p_expires)
  ON CONFLICT (kind, ref) DO UPDATE SET expires_at = greatest(quota_reservations.expires_at, excluded.expires_at)
  RETURNING bytes INTO v_held;
  IF v_held >= p_bytes THEN RETURN json_build_object('held', v_held); END IF;
  SELECT used_bytes, reserved_bytes, quota_bytes INTO v_used, v_reserved, v_quota
  FROM users WHERE namespace_id = p_namespace FOR UPDATE;
  v_grant := least(p_bytes - v_held, greatest(0, coalesce(v_quota - v_used - v_reserved, 0)));
  IF v_held + v_grant < p_minimum THEN
    DELETE FROM quota_reservations WHERE kind = p_kind AND ref = p_ref AND bytes = 0;
    RETURN json_build_object('held', v_held, 'refused', true, 'used', coalesce(v_used, 0), 'reserved', coalesce(v_reserved, 0), 'quota', coalesce(v_quota, 0));
  END IF;
  IF v_grant > 0 THEN
    UPDATE users SET reserved_bytes = reserved_bytes + v_grant WHERE namespace_id = p_namespace;
    UPDATE quota_reservations SET bytes = bytes + v_grant WHERE kind = p_kind AND ref = p_ref;
  END IF;
  RETURN json_build_object('held', v_held + v_grant);
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
-- Release reservations (those of p_refs that exist): rows gone, each owner's reserved_bytes lowered
-- by what they held. Answers the bytes released.
CREATE OR REPLACE FUNCTION coffer_release(p_kind text, p_refs text[]) RETURNS bigint AS $$
DECLARE
  v_freed bigint;
BEGIN
  WITH gone AS (
    DELETE FROM quota_reservations WHERE kind = p_kind AND ref = ANY(p_refs) RETURNING namespace_id, bytes
  ), per AS (
    SELECT namespace_id, sum(bytes)::bigint AS n FROM gone GROUP BY namespace_id
  ), lowered AS (
    UPDATE users u SET reserved_bytes = greatest(0, u.reserved_bytes - per.n) FROM per WHERE u.namespace_id = per.namespace_id
    RETURNING per.n
  )
  SELECT coalesce(sum(n), 0) INTO v_freed FROM lowered;
  RETURN v_freed;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
-- Lower one reservation to p_bytes (an upload that stored less than it reserved), releasing the rest.
CREATE OR REPLACE FUNCTION coffer_shrink_reservation(p_kind text, p_ref text, p_bytes bigint) RETURNS bigint AS $$
DECLARE
  v_ns uuid;
  v_held bigint;
BEGIN
  SELECT namespace_id, bytes INTO v_ns, v_held FROM quota_reservations WHERE kind = p_kind AND ref = p_ref FOR UPDATE;
  IF NOT FOUND OR v_held <= p_bytes THEN RETURN 0; END IF;
  UPDATE quota_reservations SET bytes = greatest(0, p_bytes) WHERE kind = p_kind AND ref = p_ref;
  UPDATE users SET reserved_bytes = greatest(0, reserved_bytes - (v_held - greatest(0, p_bytes))) WHERE namespace_id = v_ns;
  RETURN v_held - greatest(0, p_bytes);
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
-- Release every reservation past its expiry (GC): a crashed or abandoned upload holds no quota forever.
CREATE OR REPLACE FUNCTION coffer_release_expired(p_now timestamptz) RETURNS integer AS $$
DECLARE
  v_count integer;
BEGIN
  WITH gone AS (
    DELETE FROM quota_reservations WHERE expires_at < p_now RETURNING namespace_id, bytes
  ), per AS (
    SELECT namespace_id, sum(bytes)::bigint AS n, count(*)::int AS c FROM gone GROUP BY namespace_id
  ), lowered AS (
    UPDATE users u SET reserved_bytes = greatest(0, u.reserved_bytes - per.n) FROM per WHERE u.namespace_id = per.namespace_id
  )
  SELECT coalesce(sum(c), 0) INTO v_count FROM per;
  RETURN v_count;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
-- The first commit of a new file (migration 0005) now settles reservations as every commit does
-- (files/versions.ts commitVersion): the reservations of the blocks it uses and of the upload
-- that stored them (p_upload, may be null) are released first, and the quota check counts what
-- other uploads hold reserved. A new parameter, so the old function goes.
DROP FUNCTION coffer_commit_new_file(uuid, uuid, uuid, uuid, text, text, bigint, text, uuid, uuid, jsonb, text[], timestamptz, jsonb, integer, text);
--> statement-breakpoint
CREATE FUNCTION coffer_commit_new_file(
  p_file uuid, p_version uuid, p_namespace uuid, p_parent uuid, p_name text, p_name_key text,
  p_size bigint, p_content_hash text, p_author uuid, p_device uuid,
  p_blocks jsonb, p_block_keys text[], p_now timestamptz, p_payload jsonb,
  p_journal_lock integer, p_journal_channel text, p_upload text
) RETURNS json AS $$
DECLARE
  v_row files;
  v_counted integer;
BEGIN
  WITH folder AS (
    SELECT 1 FROM files WHERE id = p_parent AND trashed_at IS NULL FOR SHARE
  )
  INSERT INTO files (id, namespace_id, parent_id, name, name_key, is_dir, pending, head_version_id, rev, size, content_hash, modified_at)
  SELECT p_file, p_namespace, p_parent, p_name, p_name_key, false, false, p_version, 1, p_size, p_content_hash, p_now
  WHERE p_parent IS NULL OR EXISTS (SELECT 1 FROM folder)
  ON CONFLICT DO NOTHING
  RETURNING * INTO v_row;
  IF NOT FOUND THEN RAISE EXCEPTION 'coffer: the folder is gone or the name is taken' USING ERRCODE = 'CF001'; END IF;
  PERFORM coffer_release('block', p_block_keys);
  IF p_upload IS NOT NULL THEN PERFORM coffer_release('upload', ARRAY[p_upload]); END IF;
  IF p_size > 0 THEN
    UPDATE users SET used_bytes = used_bytes + p_size
    WHERE namespace_id = p_namespace AND used_bytes + reserved_bytes + p_size <= quota_bytes;
    IF NOT FOUND THEN RAISE EXCEPTION 'coffer: over quota' USING ERRCODE = 'CF001'; END IF;
  END IF;
  WITH version AS (
    INSERT INTO file_versions (id, file_id, rev, size, content_hash, author_id, device_id)
    VALUES (p_version, p_file, 1, p_size, p_content_hash, p_author, p_device)
  )
  INSERT INTO version_blocks (version_id, ordinal, block_key, "offset", length)
  SELECT p_version, b.ordinal, b.key, b."offset", b.length
  FROM jsonb_to_recordset(p_blocks) AS b(ordinal integer, key text, "offset" bigint, length integer);
  UPDATE blocks SET refcount = refcount + 1 WHERE key = ANY(p_block_keys) AND refcount >= 0;
  GET DIAGNOSTICS v_counted = ROW_COUNT;
  IF v_counted <> cardinality(p_block_keys) THEN RAISE EXCEPTION 'coffer: a block is gone' USING ERRCODE = 'CF001'; END IF;
  PERFORM pg_advisory_xact_lock(p_journal_lock, hashtext(p_namespace::text));
  INSERT INTO journal (namespace_id, file_id, op, rev, device_id, payload)
  VALUES (p_namespace, p_file, 'create', 1, p_device, p_payload);
  PERFORM pg_notify(p_journal_channel, p_namespace::text);
  RETURN row_to_json(v_row);
END;
$$ LANGUAGE plpgsql;
