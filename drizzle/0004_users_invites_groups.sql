CREATE TABLE `allowed_groups` (
	`chat_id` integer PRIMARY KEY NOT NULL,
	`title` text DEFAULT '' NOT NULL,
	`enabled_by` integer NOT NULL,
	`enabled_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `invites` (
	`id` text PRIMARY KEY NOT NULL,
	`secret_hash` text NOT NULL,
	`invited_by` integer NOT NULL,
	`status` text NOT NULL,
	`claimed_by` integer,
	`claimed_name` text,
	`message_id` integer,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `invites_secret` ON `invites` (`secret_hash`);