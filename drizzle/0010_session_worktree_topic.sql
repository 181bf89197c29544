ALTER TABLE `sessions` ADD `worktree` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `sessions` ADD `thread_id` integer;--> statement-breakpoint
CREATE INDEX `sessions_chat_thread` ON `sessions` (`chat_id`,`thread_id`);