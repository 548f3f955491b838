/**
 * An agent's errors, from what it printed: every "…; retrying in N s" line is a failed pass, a
 * failed start-up step or a failed long poll. Those the network explains (a gate cut, a server
 * killed) are expected retries; any other (a file that vanished while being read, an answer the
 * client rejects, a server error) is a finding, as is an agent process that ended by itself.
 */
export interface AgentErrors {
  expected: number;
  unexpected: string[];
}

/** What a connection reset, a refused connection or a server being killed looks like. */
const NETWORK = /ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|socket hang up|other side closed|fetch failed|terminated|aborted|network|connection/i;

export function agentErrors(output: string, exits: string[] = []): AgentErrors {
  let expected = 0;
  const unexpected: string[] = [];
  for (const line of output.split('\n')) {
    const m = / (?:sync pass failed: |remote changes: )?(.*); retrying in [\d.]+ s$/.exec(line);
    if (!m) continue;
    if (NETWORK.test(m[1]!)) expected++;
    else unexpected.push(line.replace(/^\S+ /, ''));
  }
  return { expected, unexpected: [...unexpected, ...exits] };
}
