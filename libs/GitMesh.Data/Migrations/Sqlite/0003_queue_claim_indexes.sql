-- Queue: partial indexes for claiming (live messages in visible_at, id order) and for dead letters,
-- replacing the single index of 0001 that mixed both.
DROP INDEX IF EXISTS "ix_queue_messages_queue_dead_lettered_at_visible_at_id";

CREATE INDEX "ix_queue_messages_claim" ON "queue_messages" ("queue", "visible_at", "id") WHERE dead_lettered_at IS NULL;

CREATE INDEX "ix_queue_messages_dead_letters" ON "queue_messages" ("queue", "dead_lettered_at", "id") WHERE dead_lettered_at IS NOT NULL;
