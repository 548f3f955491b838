/**
 * The scripts' `--name value` options, parsed in one way (node:util parseArgs): each script
 * names its options with their defaults, and gets numbers where the default is a number. An
 * unknown option, a missing value or a number that is not one ends the script with its usage.
 */
import { parseArgs } from 'node:util';

type Defaults = Record<string, string | number | undefined>;
type Parsed<D extends Defaults> = { [K in keyof D]: D[K] extends number ? number : D[K] extends string ? string : string | undefined };

export function scriptOptions<D extends Defaults>(defaults: D, usage: string, args: string[] = process.argv.slice(2)): Parsed<D> {
  const fail = (why: string): never => {
    console.error(`${why}\nusage: ${usage}`);
    process.exit(2);
  };
  let values: Record<string, string | boolean | undefined> = {};
  try {
    values = parseArgs({ args, options: Object.fromEntries(Object.keys(defaults).map((k) => [k, { type: 'string' as const }])), strict: true }).values;
  } catch (err) {
    fail((err as Error).message);
  }
  const out: Record<string, string | number | undefined> = {};
  for (const [name, fallback] of Object.entries(defaults)) {
    const given = values[name] as string | undefined;
    if (typeof fallback !== 'number') {
      out[name] = given ?? fallback;
      continue;
    }
    const n = given === undefined ? fallback : Number(given);
    if (!Number.isFinite(n)) fail(`--${name} takes a number, not ${JSON.stringify(given)}`);
    out[name] = n;
  }
  return out as Parsed<D>;
}
