/** Building blocks of answer shapes: how ids, times and optional-or-null values look in JSON. */
import { z } from 'zod';

/** An instant as ISO 8601 in UTC, e.g. `2025-06-01T12:00:00.000Z`. */
export const timestamp = () => z.iso.datetime();

