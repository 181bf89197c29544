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
ALTER TABLE `turns` ADD `attachments` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `turns` ADD `files` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `turns` ADD `origin` text DEFAULT 'chat' NOT NULL;