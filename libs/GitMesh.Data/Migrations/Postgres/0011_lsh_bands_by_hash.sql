-- LSH band rows keyed by (workspace_id, hash, band, signal_id): ingest writes 16 band rows per signal and looks them
-- up by (workspace_id, hash), which the reordered primary key now serves, so the separate (workspace_id, hash) index
-- (0005) and its write cost go.
ALTER TABLE signal_lsh_bands DROP CONSTRAINT pk_signal_lsh_bands;
ALTER TABLE signal_lsh_bands ADD CONSTRAINT pk_signal_lsh_bands PRIMARY KEY (workspace_id, hash, band, signal_id);
DROP INDEX IF EXISTS ix_signal_lsh_bands_workspace_id_hash;
