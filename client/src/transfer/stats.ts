/** What a transfer moved, for `--stats` and for tests that prove a delta sent only what changed. */
export class TransferStats {
  /** Block bodies PUT (upload) and their bytes. */
  blocksSent = 0;
  blockBytesSent = 0;
  /** What those blocks took on the wire (compressed, deltas, or raw): the bodies' bytes. */
  blockWireBytesSent = 0;
  /** Blocks sent as a delta against a block the server had. */
  deltasSent = 0;
  /** Blocks the server or the local file already had (not sent / not fetched). */
  blocksReused = 0;
  /** File bytes downloaded (bodies of GET /download or /blocks). */
  bytesDownloaded = 0;

  toJSON(wire?: { wireSent: number; wireReceived: number }) {
    return {
      blocksSent: this.blocksSent,
      blockBytesSent: this.blockBytesSent,
      blockWireBytesSent: this.blockWireBytesSent,
      deltasSent: this.deltasSent,
      blocksReused: this.blocksReused,
      bytesDownloaded: this.bytesDownloaded,
      ...wire,
    };
  }
}

/** Progress callback: a phase name, bytes done and the total to do. */
export type Progress = (phase: string, done: number, total: number) => void;
