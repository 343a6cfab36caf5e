-- Duplicate candidate lookup reads a batch's LSH hashes across all bands: index (workspace_id, hash).
CREATE INDEX ix_signal_lsh_bands_workspace_id_hash ON signal_lsh_bands (workspace_id, hash);
