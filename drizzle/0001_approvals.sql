CREATE TABLE `approvals` (
	`id` text PRIMARY KEY NOT NULL,
	`request_id` text NOT NULL,
	`session_id` text NOT NULL,
	`turn_id` text NOT NULL,
	`device_id` text NOT NULL,
	`chat_id` integer NOT NULL,
	`tool_name` text NOT NULL,
	`input_digest` text NOT NULL,
	`input` text NOT NULL,
	`description` text,
	`status` text NOT NULL,
	`awaiting_reason` integer DEFAULT false NOT NULL,
	`message_id` integer,
	`created_at` integer NOT NULL,
	`decided_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `approvals_request` ON `approvals` (`session_id`,`request_id`);--> statement-breakpoint
CREATE INDEX `approvals_status` ON `approvals` (`status`);--> statement-breakpoint
CREATE TABLE `audit` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`user_id` integer,
	`device_id` text NOT NULL,
	`session_id` text NOT NULL,
	`tool_name` text NOT NULL,
	`input_digest` text NOT NULL,
	`answer` text NOT NULL,
	`latency_ms` integer NOT NULL,
	`approval_id` text NOT NULL
);
