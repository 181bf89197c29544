CREATE TABLE "allowed_groups" (
	"chat_id" bigint PRIMARY KEY NOT NULL,
	"title" text DEFAULT '' NOT NULL,
	"enabled_by" bigint NOT NULL,
	"enabled_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "approvals" (
	"id" text PRIMARY KEY NOT NULL,
	"request_id" text NOT NULL,
	"session_id" text NOT NULL,
	"turn_id" text NOT NULL,
	"device_id" text NOT NULL,
	"chat_id" bigint NOT NULL,
	"tool_name" text NOT NULL,
	"input_digest" text NOT NULL,
	"input" text NOT NULL,
	"description" text,
	"status" text NOT NULL,
	"awaiting_reason" boolean DEFAULT false NOT NULL,
	"message_id" bigint,
	"created_at" bigint NOT NULL,
	"decided_at" bigint
);
--> statement-breakpoint
CREATE TABLE "audit" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" bigint NOT NULL,
	"user_id" bigint,
	"device_id" text NOT NULL,
	"session_id" text NOT NULL,
	"tool_name" text NOT NULL,
	"input_digest" text NOT NULL,
	"answer" text NOT NULL,
	"latency_ms" bigint NOT NULL,
	"approval_id" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "chats" (
	"chat_id" bigint PRIMARY KEY NOT NULL,
	"selected_device_id" text
);
--> statement-breakpoint
CREATE TABLE "device_topics" (
	"chat_id" bigint NOT NULL,
	"device_id" text NOT NULL,
	"thread_id" bigint NOT NULL,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "devices" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"owner_id" bigint NOT NULL,
	"token_hash" text NOT NULL,
	"hostname" text DEFAULT '' NOT NULL,
	"os" text DEFAULT '' NOT NULL,
	"arch" text DEFAULT '' NOT NULL,
	"os_user" text DEFAULT '' NOT NULL,
	"agent_version" text DEFAULT '' NOT NULL,
	"created_at" bigint NOT NULL,
	"last_seen_at" bigint
);
--> statement-breakpoint
CREATE TABLE "invites" (
	"id" text PRIMARY KEY NOT NULL,
	"secret_hash" text NOT NULL,
	"invited_by" bigint NOT NULL,
	"status" text NOT NULL,
	"claimed_by" bigint,
	"claimed_name" text,
	"message_id" bigint,
	"created_at" bigint NOT NULL,
	"expires_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "kv" (
	"key" text PRIMARY KEY NOT NULL,
	"value" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "schedules" (
	"id" text PRIMARY KEY NOT NULL,
	"chat_id" bigint NOT NULL,
	"device_id" text NOT NULL,
	"user_id" bigint NOT NULL,
	"prompt" text NOT NULL,
	"when" text NOT NULL,
	"time_zone" text NOT NULL,
	"cwd" text,
	"missed" text DEFAULT 'run' NOT NULL,
	"next_at" bigint NOT NULL,
	"last_run_at" bigint,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "selected_sessions" (
	"chat_id" bigint NOT NULL,
	"device_id" text NOT NULL,
	"session_id" text NOT NULL,
	CONSTRAINT "selected_sessions_chat_id_device_id_pk" PRIMARY KEY("chat_id","device_id")
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"device_id" text NOT NULL,
	"chat_id" bigint NOT NULL,
	"claude_session_id" text,
	"cwd" text,
	"mode" text DEFAULT 'default' NOT NULL,
	"last_seq" bigint DEFAULT -1 NOT NULL,
	"number" bigint DEFAULT 0 NOT NULL,
	"cost_usd" double precision DEFAULT 0 NOT NULL,
	"worktree" boolean DEFAULT false NOT NULL,
	"thread_id" bigint,
	"created_at" bigint NOT NULL,
	"closed_at" bigint
);
--> statement-breakpoint
CREATE TABLE "telegram_updates" (
	"update_id" bigint PRIMARY KEY NOT NULL,
	"body" text NOT NULL,
	"received_at" bigint NOT NULL,
	"handled_at" bigint
);
--> statement-breakpoint
CREATE TABLE "turn_text" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"turn_id" text NOT NULL,
	"text" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "turns" (
	"id" text PRIMARY KEY NOT NULL,
	"session_id" text NOT NULL,
	"chat_id" bigint NOT NULL,
	"prompt" text NOT NULL,
	"status" text NOT NULL,
	"text" text DEFAULT '' NOT NULL,
	"message_ids" text DEFAULT '[]' NOT NULL,
	"tools" text DEFAULT '[]' NOT NULL,
	"attachments" text DEFAULT '[]' NOT NULL,
	"files" text DEFAULT '[]' NOT NULL,
	"origin" text DEFAULT 'chat' NOT NULL,
	"created_at" bigint NOT NULL,
	"ended_at" bigint
);
--> statement-breakpoint
CREATE TABLE "users" (
	"telegram_id" bigint PRIMARY KEY NOT NULL,
	"role" text NOT NULL,
	"name" text DEFAULT '' NOT NULL,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "web_logins" (
	"id" text PRIMARY KEY NOT NULL,
	"secret_hash" text NOT NULL,
	"user_id" bigint NOT NULL,
	"kind" text NOT NULL,
	"created_at" bigint NOT NULL,
	"expires_at" bigint NOT NULL,
	"used_at" bigint
);
--> statement-breakpoint
CREATE TABLE "web_sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"secret_hash" text NOT NULL,
	"user_id" bigint NOT NULL,
	"user_agent" text DEFAULT '' NOT NULL,
	"ip" text DEFAULT '' NOT NULL,
	"created_at" bigint NOT NULL,
	"last_seen_at" bigint NOT NULL,
	"revoked_at" bigint
);
--> statement-breakpoint
CREATE UNIQUE INDEX "approvals_request" ON "approvals" USING btree ("session_id","request_id");--> statement-breakpoint
CREATE INDEX "approvals_status" ON "approvals" USING btree ("status");--> statement-breakpoint
CREATE UNIQUE INDEX "device_topics_chat_device" ON "device_topics" USING btree ("chat_id","device_id");--> statement-breakpoint
CREATE UNIQUE INDEX "device_topics_chat_thread" ON "device_topics" USING btree ("chat_id","thread_id");--> statement-breakpoint
CREATE UNIQUE INDEX "devices_token_hash" ON "devices" USING btree ("token_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "devices_owner_name" ON "devices" USING btree ("owner_id","name");--> statement-breakpoint
CREATE UNIQUE INDEX "invites_secret" ON "invites" USING btree ("secret_hash");--> statement-breakpoint
CREATE INDEX "schedules_next" ON "schedules" USING btree ("next_at");--> statement-breakpoint
CREATE INDEX "sessions_chat_device" ON "sessions" USING btree ("chat_id","device_id");--> statement-breakpoint
CREATE INDEX "sessions_device" ON "sessions" USING btree ("device_id","closed_at");--> statement-breakpoint
CREATE INDEX "sessions_chat_thread" ON "sessions" USING btree ("chat_id","thread_id");--> statement-breakpoint
CREATE INDEX "turn_text_turn" ON "turn_text" USING btree ("turn_id");--> statement-breakpoint
CREATE INDEX "turns_session" ON "turns" USING btree ("session_id");--> statement-breakpoint
CREATE UNIQUE INDEX "web_logins_secret" ON "web_logins" USING btree ("secret_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "web_sessions_secret" ON "web_sessions" USING btree ("secret_hash");--> statement-breakpoint
CREATE INDEX "web_sessions_user" ON "web_sessions" USING btree ("user_id");