-- Full-text search over signals (title + normalized body), SQLite FTS5. Maintained by SqliteSignalSearchIndex
-- (GitMesh.Search); deleted signals are not indexed. signal_id and workspace_id hold the same upper-case TEXT as
-- signals.id / signals.workspace_id and are stored, not tokenized. Porter stemming, so "crashing" finds "crashed".
CREATE VIRTUAL TABLE signals_fts USING fts5(
    signal_id UNINDEXED,
    workspace_id UNINDEXED,
    title,
    body,
    tokenize = 'porter unicode61 remove_diacritics 2'
);

-- FTS5 keeps the column values in its shadow table signals_fts_content (c0 = signal_id). Without this index,
-- re-indexing one signal would scan every indexed document to find its row.
CREATE INDEX ix_signals_fts_content_signal_id ON signals_fts_content (c0);

-- Existing signals; the body is capped as in SearchDocument.MaxBodyLength.
INSERT INTO signals_fts (signal_id, workspace_id, title, body)
SELECT id, workspace_id, coalesce(title, ''), substr(coalesce(body_text, ''), 1, 100000)
FROM signals WHERE is_deleted = 0;
