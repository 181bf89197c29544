CREATE TABLE `turn_text` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`turn_id` text NOT NULL,
	`text` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `turn_text_turn` ON `turn_text` (`turn_id`);