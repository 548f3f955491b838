-- Batches on the wire (issue 20): functions only, no table changes.
--
-- coffer_commit_new_files: many first commits in one statement. Each item is what
-- coffer_commit_new_file (migrations 0005, 0006) takes; each runs in its own subtransaction
-- (BEGIN … EXCEPTION), so one that declines (CF001: the name is taken, the folder is gone, over
-- quota, a block is gone) is undone alone and answers null, and the caller commits it through the
-- general path. The others stand, in the caller's transaction. Answers a JSON array, one element
-- (the new files row, or null) per item, in order.
CREATE FUNCTION coffer_commit_new_files(p_items jsonb, p_journal_lock integer, p_journal_channel text) RETURNS json AS $$
DECLARE
  v_item jsonb;
  v_row json;
  v_out json[] := '{}';
BEGIN
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
-- coffer_reserve_blocks: the reservations of a pack's new blocks (kind 'block', keyed by stored
-- key), all or none: each is coffer_reserve's; when one is refused, those taken before it in this
-- call are undone and the refusal (coffer_reserve's answer) is returned. Answers {"ok": true} otherwise.
CREATE FUNCTION coffer_reserve_blocks(p_refs text[], p_namespace uuid, p_bytes bigint[], p_expires timestamptz) RETURNS json AS $$
DECLARE
  v_answer json;
  v_refused json;
BEGIN
  BEGIN
    FOR i IN 1 .. coalesce(cardinality(p_refs), 0) LOOP
      v_answer := coffer_reserve('block', p_refs[i], p_namespace, p_bytes[i], p_bytes[i], p_expires);
      IF (v_answer->>'refused') IS NOT NULL THEN
        v_refused := v_answer;
        RAISE EXCEPTION 'coffer: a pack does not fit the quota' USING ERRCODE = 'CF002';
      END IF;
    END LOOP;
  EXCEPTION WHEN SQLSTATE 'CF002' THEN
    RETURN v_refused;
  END;
  RETURN json_build_object('ok', true);
END;
$$ LANGUAGE plpgsql;
