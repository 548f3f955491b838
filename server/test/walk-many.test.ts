/**
 * files/walk-many.ts walkPaths (a batch commit's paths walked in two statements) answers, for
 * every path, exactly what walkPath (one coffer_walk per path) answers, on both backends: nested
 * and root-level names, another case, a missing folder, a path below a file, new names, two paths
 * in one folder, names with quotes, commas and braces.
 */
import { describe, expect, it } from 'vitest';
import { createEntry } from '../src/files/entries.js';
import { walkPath } from '../src/files/tree.js';
import { walkPaths } from '../src/files/walk-many.js';
import { seedFile } from './fixtures/seed.js';
import { BACKENDS, useTestServer } from './fixtures/server.js';

for (const backend of BACKENDS) {
  describe(`walking many paths at once on ${backend}`, () => {
    const srv = useTestServer(backend);

    it('answers what walkPath answers for each path', async () => {
      const user = await srv.user();
      const db = srv.database.db;
      await db.transaction((tx) => createEntry(tx, { namespaceId: user.namespaceId, parentId: null, name: 'docs', isDir: true }));
      const odd = 'a "b", {c} \'d\' ü';
      await seedFile(srv, user, `/docs/${odd}/Inner.txt`, 'inner');
      await seedFile(srv, user, '/docs/Second.txt', 'second');
      await seedFile(srv, user, '/Top.txt', 'top');
      const paths = [
        ['DOCS', odd.toUpperCase(), 'inner.TXT'],
        ['docs', odd, 'new.txt'],
        ['docs', 'Second.txt'],
        ['docs', 'missing', 'inner.txt'],
        ['docs', 'missing', 'deeper', 'x.txt'],
        ['docs', odd, 'Inner.txt', 'below-a-file'],
        ['docs', 'Second.txt', 'below-a-file'],
        ['top.txt'],
        ['New.txt'],
        [],
      ];
      const many = await walkPaths(db, user.namespaceId, paths);
      const one = await Promise.all(paths.map((p) => walkPath(db, user.namespaceId, p)));
      expect(many).toEqual(one);
      expect(many[0]!.map((r) => r.name)).toEqual(['docs', odd, 'Inner.txt']);
    });
  });
}
