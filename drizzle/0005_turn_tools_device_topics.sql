CREATE TABLE `device_topics` (
	`chat_id` integer NOT NULL,
	`device_id` text NOT NULL,
	`thread_id` integer NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `device_topics_chat_device` ON `device_topics` (`chat_id`,`device_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `device_topics_chat_thread` ON `device_topics` (`chat_id`,`thread_id`);--> statement-breakpoint
ALTER TABLE `turns` ADD `tools` text DEFAULT '[]' NOT NULL;