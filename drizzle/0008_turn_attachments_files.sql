ALTER TABLE `turns` ADD `attachments` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `turns` ADD `files` text DEFAULT '[]' NOT NULL;