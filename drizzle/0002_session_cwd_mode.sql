ALTER TABLE `sessions` ADD `cwd` text;--> statement-breakpoint
ALTER TABLE `sessions` ADD `mode` text DEFAULT 'default' NOT NULL;