-- Full-text search over signals: one row per live signal with its weighted document (title 'A', normalized body 'B',
-- english stemming), GIN-indexed. Maintained by PostgresSignalSearchIndex (GitMesh.Search), which computes the
-- tsvector inside PostgreSQL from the signals row. Stored rather than an expression index on signals so ranking
-- reads the vector instead of re-parsing every matching body. Mapped in the EF model as SignalSearchEntry.
CREATE TABLE signal_search (
    signal_id uuid NOT NULL,
    workspace_id uuid NOT NULL,
    document tsvector NOT NULL,
    CONSTRAINT pk_signal_search PRIMARY KEY (signal_id),
    CONSTRAINT fk_signal_search_signals_signal_id FOREIGN KEY (signal_id) REFERENCES signals (id) ON DELETE CASCADE
);

CREATE INDEX ix_signal_search_document ON signal_search USING GIN (document);

CREATE INDEX ix_signal_search_workspace_id ON signal_search (workspace_id);

-- Existing signals; the body is capped as in SearchDocument.MaxBodyLength (a tsvector over 1 MB is refused).
INSERT INTO signal_search (signal_id, workspace_id, document)
SELECT id, workspace_id, setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') || setweight(to_tsvector('english'::regconfig, left(coalesce(body_text, ''), 100000)), 'B')
FROM signals WHERE NOT is_deleted;
