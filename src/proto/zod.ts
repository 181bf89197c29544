/**
 * The one zod every part of ra uses: zod/mini, the same schemas and checks as the full build with
 * a functional API (`z.optional(s)`, `s.check(z.maxLength(9))`), at a fraction of the cost to load
 * and to build schemas with, which `ra agent` pays on every machine. Import `z` from here, never
 * from "zod" (tests/unit/agent-imports.test.ts holds the agent to it). The full build sets English
 * issue messages when it loads; mini leaves them at "Invalid input" until told.
 */
import { config } from "zod/mini";
import en from "zod/v4/locales/en.js";

config(en());

export { z } from "zod/mini";
export type { $ZodIssue as ZodIssue } from "zod/v4/core";
