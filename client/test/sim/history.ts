/**
 * Generated histories (fast-check arbitraries) and their replay in a World. A history is a list
 * of events: a person's operation on a device, some steps of a device's agent (which of its
 * pending steps runs is chosen too, so answers and file-system calls interleave in any order),
 * time passing, an agent killed or restarted, a device going offline or back, a dropped
 * connection, a dropped event websocket alone (its undelivered change events lost). After the last event the world settles and the checks run. fast-check shrinks a
 * failing history to a minimal one and prints its seed and path, which replay it exactly.
 */
import fc from 'fast-check';
import type { Faults } from '../../src/sync/faults.js';
import { check, observeWorld, type Verdict } from './checks.js';
import type { UserOp, UserOpKind } from './user-ops.js';
import { World } from './world.js';

export type SimEvent =
  | { t: 'user'; dev: number; op: UserOp }
  | { t: 'step'; dev: number; n: number; pick: number }
  | { t: 'tick'; ms: number }
  | { t: 'crash'; dev: number }
  | { t: 'restart'; dev: number }
  | { t: 'offline'; dev: number }
  | { t: 'online'; dev: number }
  | { t: 'cut'; dev: number }
  | { t: 'cut-socket'; dev: number };

export interface History {
  devices: number;
  seed: number;
  events: SimEvent[];
}

const KINDS: [UserOpKind, number][] = [
  ['create', 8],
  ['burst', 2],
  ['write', 6],
  ['save-via-temp', 3],
  ['rename', 3],
  ['move', 3],
  ['case', 1],
  ['mkdir', 3],
  ['delete', 3],
  ['rmdir', 1],
];

const userOp: fc.Arbitrary<UserOp> = fc.record({
  kind: fc.oneof(...KINDS.map(([k, weight]) => ({ weight, arbitrary: fc.constant(k) }))),
  a: fc.nat(30),
  b: fc.nat(30),
  // Mostly small; now and then a file of a few chunks (read in several steps, sent block by block).
  size: fc.oneof({ weight: 30, arbitrary: fc.integer({ min: 1, max: 48 }) }, { weight: 1, arbitrary: fc.integer({ min: 300_000, max: 900_000 }) }),
});

const dev = fc.nat(2);

export const eventArb: fc.Arbitrary<SimEvent> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ t: fc.constant('user' as const), dev, op: userOp }) },
  { weight: 12, arbitrary: fc.record({ t: fc.constant('step' as const), dev, n: fc.integer({ min: 1, max: 40 }), pick: fc.nat(7) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('tick' as const), ms: fc.constantFrom(10, 100, 400, 2_000, 30_000, 90_000) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('crash' as const), dev }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('restart' as const), dev }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('offline' as const), dev }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('online' as const), dev }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('cut' as const), dev }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('cut-socket' as const), dev }) },
);

export const historyArb: fc.Arbitrary<History> = fc.record({
  devices: fc.constantFrom(2, 3),
  seed: fc.nat(),
  events: fc.array(eventArb, { minLength: 1, maxLength: 60, size: 'max' }),
});

export interface Outcome {
  world: World;
  verdict: Verdict;
}

export async function runHistory(h: History, faults?: Faults): Promise<Outcome> {
  const world = new World({ devices: h.devices, seed: h.seed, faults });
  for (const d of world.devices) world.start(d);
  for (const e of h.events) {
    if (e.t === 'tick') {
      await world.sched.advance(e.ms);
      continue;
    }
    const d = world.devices[e.dev % world.devices.length]!;
    switch (e.t) {
      case 'user':
        world.user(d, e.op);
        break;
      case 'step':
        await world.steps(d, e.n, e.pick);
        break;
      case 'crash':
        world.crash(d);
        break;
      case 'restart':
        world.start(d);
        break;
      case 'offline':
        world.setOnline(d, false);
        break;
      case 'online':
        world.setOnline(d, true);
        break;
      case 'cut':
        world.cut(d);
        break;
      case 'cut-socket':
        world.cutSocket(d);
        break;
    }
    await world.sched.settleMicrotasks();
  }
  const settled = await world.settle();
  return { world, verdict: check(observeWorld(world, settled)) };
}

/** A failing history's story: its problems and the log of what happened, for the test's report. */
export function report(o: Outcome, maxLines = 400): string {
  const lines = o.world.log.length > maxLines ? ['…', ...o.world.log.slice(-maxLines)] : o.world.log;
  return [`problems:`, ...o.verdict.problems.map((p) => `  - ${p}`), `log:`, ...lines.map((l) => `  ${l}`)].join('\n');
}
