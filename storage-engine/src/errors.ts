/**
 * Typed errors of the storage engine. The server maps them to HTTP answers in one place;
 * here they only say what went wrong, precisely enough for that mapping and for retries.
 */
export class EngineError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A frame, shard or key failed its integrity check (tampering or bitrot). Never retried as-is. */
export class IntegrityError extends EngineError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('integrity', message, options);
  }
}

/** Bytes that are not in a format this engine writes (bad magic, unknown version, truncated). */
export class FormatError extends EngineError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('format', message, options);
  }
}

/** A storage node could not be reached or did not answer in time. The caller may try another node. */
export class NodeDownError extends EngineError {
  constructor(
    readonly nodeId: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('node_down', `node ${nodeId}: ${message}`, options);
  }
}

/** A storage node answered that it does not hold the object. */
export class NotFoundError extends EngineError {
  constructor(
    readonly nodeId: string,
    readonly key: string,
  ) {
    super('not_found', `node ${nodeId}: no object ${key}`);
  }
}

/** Fewer nodes than the write quorum took a block: nothing was acknowledged. */
export class QuorumError extends EngineError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('quorum', message, options);
  }
}

/** Not enough intact shards remain to rebuild a block. */
export class UnrecoverableError extends EngineError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('unrecoverable', message, options);
  }
}

/** A key (master or data key) is missing, malformed, or cannot unwrap. */
export class KeyError extends EngineError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('key', message, options);
  }
}

/** The caller handed the engine something it cannot accept (bad parameters, bad range). */
export class InvalidArgumentError extends EngineError {
  constructor(message: string) {
    super('invalid_argument', message);
  }
}
