CREATE TABLE `chats` (
	`chat_id` integer PRIMARY KEY NOT NULL,
	`selected_device_id` text
);
--> statement-breakpoint
CREATE TABLE `devices` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`owner_id` integer NOT NULL,
	`token_hash` text NOT NULL,
	`hostname` text DEFAULT '' NOT NULL,
	`os` text DEFAULT '' NOT NULL,
	`arch` text DEFAULT '' NOT NULL,
	`os_user` text DEFAULT '' NOT NULL,
	`agent_version` text DEFAULT '' NOT NULL,
	`created_at` integer NOT NULL,
	`last_seen_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `devices_token_hash` ON `devices` (`token_hash`);--> statement-breakpoint
CREATE UNIQUE INDEX `devices_owner_name` ON `devices` (`owner_id`,`name`);--> statement-breakpoint
CREATE TABLE `kv` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`device_id` text NOT NULL,
	`chat_id` integer NOT NULL,
	`claude_session_id` text,
	`last_seq` integer DEFAULT -1 NOT NULL,
	`created_at` integer NOT NULL,
	`closed_at` integer
);
--> statement-breakpoint
CREATE INDEX `sessions_chat_device` ON `sessions` (`chat_id`,`device_id`);--> statement-breakpoint
CREATE TABLE `turns` (
	`id` text PRIMARY KEY NOT NULL,
	`session_id` text NOT NULL,
	`chat_id` integer NOT NULL,
	`prompt` text NOT NULL,
	`status` text NOT NULL,
	`text` text DEFAULT '' NOT NULL,
	`message_ids` text DEFAULT '[]' NOT NULL,
	`created_at` integer NOT NULL,
	`ended_at` integer
);
--> statement-breakpoint
CREATE INDEX `turns_session` ON `turns` (`session_id`);--> statement-breakpoint
CREATE TABLE `users` (
	`telegram_id` integer PRIMARY KEY NOT NULL,
	`role` text NOT NULL,
	`name` text DEFAULT '' NOT NULL,
	`created_at` integer NOT NULL
);
