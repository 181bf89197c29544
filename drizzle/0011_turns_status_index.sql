DROP INDEX `turns_session`;--> statement-breakpoint
CREATE INDEX `turns_session_status` ON `turns` (`session_id`,`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `turns_session` ON `turns` (`session_id`,`created_at`);