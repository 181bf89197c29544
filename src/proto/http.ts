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

/** GET with the device's bearer token: the bytes of one attachment of a turn running on that device. */
export const attachmentPath = (turnId: string, attachmentId: string) => `/api/attachments/${encodeURIComponent(turnId)}/${encodeURIComponent(attachmentId)}`;

/**
 * POST with the device's bearer token, answering a file.request: the file's bytes, named by the
 * FILE_NAME_HEADER (URI-encoded); or, at `${filePath(id)}/refused`, a FileRefused body.
 */
export const filePath = (requestId: string) => `/api/files/${encodeURIComponent(requestId)}`;
export const FILE_NAME_HEADER = "x-ra-file-name";
export const FileRefused = z.object({ message: z.string().check(z.minLength(1), z.maxLength(1000)) });
export type FileRefused = z.infer<typeof FileRefused>;
