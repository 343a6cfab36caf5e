-- Outbox sequence numbers in commit order: nothing to do on SQLite, which has a single writer at a time, so rowids
-- are assigned and committed in the same order. (The PostgreSQL migration of the same number adds a trigger.)
SELECT 1;
