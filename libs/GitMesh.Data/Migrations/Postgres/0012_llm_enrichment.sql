-- Optional LLM enrichment: per-signal summary and state (rows already stored wait to be enriched, newest first),
-- and the deployment's token usage per UTC day (the daily budget).
ALTER TABLE signals ADD COLUMN summary character varying(1000);
ALTER TABLE signals ADD COLUMN classified_by character varying(20) NOT NULL DEFAULT 'model';
ALTER TABLE signals ADD COLUMN llm_state character varying(20) NOT NULL DEFAULT 'pending';
ALTER TABLE signals ADD COLUMN llm_attempts integer NOT NULL DEFAULT 0;
ALTER TABLE signals ADD COLUMN llm_next_attempt_at timestamp with time zone;
ALTER TABLE signals ADD COLUMN llm_error character varying(1000);

CREATE INDEX ix_signals_llm_state_ingested_at ON signals (llm_state, ingested_at);

CREATE TABLE llm_usage (
    day character varying(10) NOT NULL,
    prompt_tokens bigint NOT NULL,
    completion_tokens bigint NOT NULL,
    requests integer NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    CONSTRAINT pk_llm_usage PRIMARY KEY (day)
);
