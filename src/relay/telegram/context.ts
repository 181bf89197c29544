import type { Context } from "grammy";
import type { User } from "../store/types";

/** grammY's context with the allowed user the access check found (unset for strangers). */
export type RaContext = Context & { user?: User };
