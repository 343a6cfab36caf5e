-- Classification corrections made during triage, kept for the learning loop.
CREATE TABLE "signal_corrections" (
    "id" TEXT NOT NULL CONSTRAINT "pk_signal_corrections" PRIMARY KEY,
    "workspace_id" TEXT NOT NULL,
    "signal_id" TEXT NOT NULL,
    "field" TEXT NOT NULL,
    "old_value" TEXT NULL,
    "new_value" TEXT NULL,
    "corrected_by_user_id" TEXT NULL,
    "corrected_by_api_key_id" TEXT NULL,
    "created_at" TEXT NOT NULL,
    CONSTRAINT "fk_signal_corrections_workspaces_workspace_id" FOREIGN KEY ("workspace_id") REFERENCES "workspaces" ("id") ON DELETE CASCADE,
    CONSTRAINT "fk_signal_corrections_signals_signal_id" FOREIGN KEY ("signal_id") REFERENCES "signals" ("id") ON DELETE CASCADE
);

CREATE INDEX "ix_signal_corrections_workspace_id_created_at" ON "signal_corrections" ("workspace_id", "created_at");

CREATE INDEX "ix_signal_corrections_signal_id" ON "signal_corrections" ("signal_id");
