CREATE TABLE `schedules` (
	`id` text PRIMARY KEY NOT NULL,
	`chat_id` integer NOT NULL,
	`device_id` text NOT NULL,
	`user_id` integer NOT NULL,
	`prompt` text NOT NULL,
	`when` text NOT NULL,
	`time_zone` text NOT NULL,
	`cwd` text,
	`missed` text DEFAULT 'run' NOT NULL,
	`next_at` integer NOT NULL,
	`last_run_at` integer,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `schedules_next` ON `schedules` (`next_at`);--> statement-breakpoint
CREATE TABLE `web_logins` (
	`id` text PRIMARY KEY NOT NULL,
	`secret_hash` text NOT NULL,
	`user_id` integer NOT NULL,
	`kind` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `web_logins_secret` ON `web_logins` (`secret_hash`);--> statement-breakpoint
CREATE TABLE `web_sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`secret_hash` text NOT NULL,
	`user_id` integer NOT NULL,
	`user_agent` text DEFAULT '' NOT NULL,
	`ip` text DEFAULT '' NOT NULL,
	`created_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	`revoked_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `web_sessions_secret` ON `web_sessions` (`secret_hash`);--> statement-breakpoint
CREATE INDEX `web_sessions_user` ON `web_sessions` (`user_id`);--> statement-breakpoint
ALTER TABLE `turns` ADD `attachments` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `turns` ADD `files` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `turns` ADD `origin` text DEFAULT 'chat' NOT NULL;