CREATE TABLE `selected_sessions` (
	`chat_id` integer NOT NULL,
	`device_id` text NOT NULL,
	`session_id` text NOT NULL,
	PRIMARY KEY(`chat_id`, `device_id`)
);
--> statement-breakpoint
ALTER TABLE `sessions` ADD `number` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `sessions` ADD `cost_usd` real DEFAULT 0 NOT NULL;--> statement-breakpoint
UPDATE `sessions` SET `number` = (SELECT count(*) FROM `sessions` AS `s2` WHERE `s2`.`chat_id` = `sessions`.`chat_id` AND `s2`.`device_id` = `sessions`.`device_id` AND (`s2`.`created_at` < `sessions`.`created_at` OR (`s2`.`created_at` = `sessions`.`created_at` AND `s2`.`id` <= `sessions`.`id`)));
