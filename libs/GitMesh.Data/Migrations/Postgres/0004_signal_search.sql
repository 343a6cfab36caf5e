-- Full-text search over signals: a GIN index on the weighted document (title 'A', normalized body 'B'), live signals
-- only. PostgreSQL maintains it with every write to signals, so nothing else has to. Queries must repeat this
-- expression exactly (PostgresSignalSearchIndex.Document) for the planner to use the index. The body is capped at
-- 100000 characters (SearchDocument.MaxBodyLength): a tsvector over 1 MB would make the signal's INSERT fail.
CREATE INDEX ix_signals_search ON signals USING GIN (
    (setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') || setweight(to_tsvector('english'::regconfig, left(coalesce(body_text, ''), 100000)), 'B'))
) WHERE NOT is_deleted;
