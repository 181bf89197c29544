import { z } from "./zod";
import { Id } from "./common";

/** GET /api/device with the device's bearer token: who the relay thinks this machine is. */
export const DeviceInfo = z.object({ id: Id, name: z.string(), online: z.boolean() });
export type DeviceInfo = z.infer<typeof DeviceInfo>;

/** DELETE /api/device: the machine unpaired itself. */
export const DeviceDeleted = z.object({ ok: z.literal(true) });
export type DeviceDeleted = z.infer<typeof DeviceDeleted>;

/** Every non-2xx JSON answer of the relay's HTTP API. */
export const ApiError = z.object({ error: z.string(), message: z.string() });
export type ApiError = z.infer<typeof ApiError>;
