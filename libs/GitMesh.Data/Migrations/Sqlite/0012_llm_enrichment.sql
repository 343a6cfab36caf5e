-- Optional LLM enrichment: per-signal summary and state (rows already stored wait to be enriched, newest first),
-- and the deployment's token usage per UTC day (the daily budget).
ALTER TABLE "signals" ADD COLUMN "summary" TEXT NULL;
ALTER TABLE "signals" ADD COLUMN "classified_by" TEXT NOT NULL DEFAULT 'model';
ALTER TABLE "signals" ADD COLUMN "llm_state" TEXT NOT NULL DEFAULT 'pending';
ALTER TABLE "signals" ADD COLUMN "llm_attempts" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "signals" ADD COLUMN "llm_next_attempt_at" TEXT NULL;
ALTER TABLE "signals" ADD COLUMN "llm_error" TEXT NULL;

CREATE INDEX "ix_signals_llm_state_ingested_at" ON "signals" ("llm_state", "ingested_at");

CREATE TABLE "llm_usage" (
    "day" TEXT NOT NULL CONSTRAINT "pk_llm_usage" PRIMARY KEY,
    "prompt_tokens" INTEGER NOT NULL,
    "completion_tokens" INTEGER NOT NULL,
    "requests" INTEGER NOT NULL,
    "updated_at" TEXT NOT NULL
);
