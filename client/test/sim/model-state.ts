/** What the model's operations share: the tree, the versions, the blocks, the journal, and the clock. */
import type { BlockRef } from '@coffer/protocol';
import type { BlockStore } from './model-blocks.js';
import type { Journal } from './model-journal.js';
import type { IdSource } from './model-sources.js';
import type { Tree } from './model-tree.js';

/** One committed revision of a file: read-only once made, kept when the file is trashed. */
export interface Version {
  id: string;
  fileId: string;
  rev: number;
  size: number;
  contentHash: string;
  /** In file order. */
  blocks: readonly BlockRef[];
  deviceId: string | null;
  at: Date;
}

/** The device making a call: its id goes in the journal, its name in conflicted copies' names. */
export interface Caller {
  deviceId: string;
  deviceName: string;
}

export interface ModelState {
  tree: Tree;
  /** File id → its versions, oldest first. */
  versions: Map<string, Version[]>;
  blocks: BlockStore;
  journal: Journal;
  ids: IdSource;
  /** The instant of the call being applied (every call is applied at one instant). */
  at(): Date;
}
