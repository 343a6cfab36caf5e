-- Indexes for the signal inbox and the cluster list at a million signals (issue #7, bench api).
-- Cluster members: the cluster list and detail count each page cluster's recent members and its top intent in one
-- grouped pass; with every column they read in the index, that pass never touches the (wide) signals rows. It starts
-- with (workspace_id, cluster_id), so it replaces that index.
DROP INDEX ix_signals_workspace_id_cluster_id;
CREATE INDEX ix_signals_cluster_members ON signals (workspace_id, cluster_id, is_deleted, intent, source_created_at, ingested_at);

-- Cluster list by size: the whole ORDER BY (size, last_seen_at, id) from the index, so a page is read in order
-- instead of sorting every cluster of the workspace. Replaces (workspace_id, size), its prefix.
DROP INDEX ix_clusters_workspace_id_size;
CREATE INDEX ix_clusters_workspace_id_size_last_seen_at_id ON clusters (workspace_id, size, last_seen_at, id);
