/**
 * Zod types for option values, from the raw string a flag or variable gives. Their messages
 * complete "--flag …" (define.ts adds the flag and the value), so they say what the flag takes.
 */
import { z } from "../proto/zod";

/** A whole number in a range: "takes a whole number from 1 to 50", "takes whole seconds, at least 1". */
export function whole(range: { min: number; max?: number }, unit?: "seconds" | "milliseconds") {
  const what = unit ? `whole ${unit}` : "a whole number";
  const takes = range.max === undefined ? `takes ${what}, at least ${range.min}` : `takes ${what} from ${range.min} to ${range.max}`;
  return z
    .pipe(z.string({ error: takes }).check(z.trim(), z.regex(/^\d+$/, takes)), z.transform(Number))
    .check(z.refine((n) => n >= range.min && (range.max === undefined || n <= range.max), takes));
}

/** A switch: true/false from the flag, 1/true/yes or 0/false/no from the variable. */
export const onOff = () => z.boolean({ error: "is a switch: set its variable to 1 or 0" });

export const text = (what: string) => z.string({ error: `takes ${what}` }).check(z.trim(), z.minLength(1, `takes ${what}`));

/** An http(s) URL. */
export const url = (example: string) =>
  z.string().check(
    z.trim(),
    z.refine((v) => URL.canParse(v) && /^https?:$/.test(new URL(v).protocol), `takes an http(s) URL such as ${example}`),
  );

export const oneOf = <const V extends string>(values: readonly V[], takes: string) => z.enum(values as [V, ...V[]], { error: takes });
