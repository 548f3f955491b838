/**
 * Answers to GET requests that boot.ts started before the app's main script ran: `takeEarly(url)`
 * hands one over once, for exactly the URL it was asked with, within a few seconds of page load.
 */
const FRESH_MS = 10_000;

interface Early {
  at: number;
  answers: Record<string, Promise<Response> | undefined>;
}

export function takeEarly(url: string): Promise<Response> | undefined {
  const early = (window as unknown as { __cofferEarly?: Early }).__cofferEarly;
  if (!early || Date.now() - early.at > FRESH_MS) return undefined;
  const answer = early.answers[url];
  if (answer) early.answers[url] = undefined;
  return answer;
}
