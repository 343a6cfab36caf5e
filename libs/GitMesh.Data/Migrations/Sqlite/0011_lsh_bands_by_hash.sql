-- LSH band rows keyed by (workspace_id, hash, band, signal_id) in a clustered WITHOUT ROWID table. Ingest writes 16
-- band rows per signal and looks them up by (workspace_id, hash): with the old key that took four b-trees per row
-- (rowid table, primary key, signal_id index, (workspace_id, hash) index); now the key itself serves the lookup and
-- each row is written to two (key, signal_id index for edits and cascades).
CREATE TABLE "signal_lsh_bands_0011" (
    "workspace_id" TEXT NOT NULL,
    "band" INTEGER NOT NULL,
    "hash" INTEGER NOT NULL,
    "signal_id" TEXT NOT NULL,
    CONSTRAINT "pk_signal_lsh_bands" PRIMARY KEY ("workspace_id", "hash", "band", "signal_id"),
    CONSTRAINT "fk_signal_lsh_bands_signals_signal_id" FOREIGN KEY ("signal_id") REFERENCES "signals" ("id") ON DELETE CASCADE
) WITHOUT ROWID;

INSERT INTO "signal_lsh_bands_0011" ("workspace_id", "band", "hash", "signal_id")
SELECT "workspace_id", "band", "hash", "signal_id" FROM "signal_lsh_bands";

DROP TABLE "signal_lsh_bands";

ALTER TABLE "signal_lsh_bands_0011" RENAME TO "signal_lsh_bands";

CREATE INDEX "ix_signal_lsh_bands_signal_id" ON "signal_lsh_bands" ("signal_id");
