DROP INDEX "turns_session";--> statement-breakpoint
CREATE INDEX "turns_session_status" ON "turns" USING btree ("session_id","status","created_at");--> statement-breakpoint
CREATE INDEX "turns_session" ON "turns" USING btree ("session_id","created_at");