-- 0001 initial schema (generated from the EF model by 'dotnet run --project src/Api -- migrations script --provider sqlite', then frozen).
CREATE TABLE "outbox_events" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_outbox_events" PRIMARY KEY AUTOINCREMENT,
    "workspace_id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "payload_json" TEXT NOT NULL,
    "created_at" TEXT NOT NULL,
    "dispatched_at" TEXT NULL
);


CREATE TABLE "queue_messages" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_queue_messages" PRIMARY KEY AUTOINCREMENT,
    "queue" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "enqueued_at" TEXT NOT NULL,
    "visible_at" TEXT NOT NULL,
    "receive_count" INTEGER NOT NULL,
    "receipt_handle" TEXT NULL,
    "last_error" TEXT NULL,
    "dead_lettered_at" TEXT NULL
);


CREATE TABLE "roles" (
    "id" TEXT NOT NULL CONSTRAINT "pk_roles" PRIMARY KEY,
    "name" TEXT NULL,
    "normalized_name" TEXT NULL,
    "concurrency_stamp" TEXT NULL
);


CREATE TABLE "system_settings" (
    "key" TEXT NOT NULL CONSTRAINT "pk_system_settings" PRIMARY KEY,
    "value" TEXT NOT NULL,
    "updated_at" TEXT NOT NULL
);


CREATE TABLE "users" (
    "id" TEXT NOT NULL CONSTRAINT "pk_users" PRIMARY KEY,
    "display_name" TEXT NULL,
    "created_at" TEXT NOT NULL,
    "user_name" TEXT NULL,
    "normalized_user_name" TEXT NULL,
    "email" TEXT NULL,
    "normalized_email" TEXT NULL,
    "email_confirmed" INTEGER NOT NULL,
    "password_hash" TEXT NULL,
    "security_stamp" TEXT NULL,
    "concurrency_stamp" TEXT NULL,
    "phone_number" TEXT NULL,
    "phone_number_confirmed" INTEGER NOT NULL,
    "two_factor_enabled" INTEGER NOT NULL,
    "lockout_end" TEXT NULL,
    "lockout_enabled" INTEGER NOT NULL,
    "access_failed_count" INTEGER NOT NULL
);


CREATE TABLE "webhook_deliveries" (
    "id" TEXT NOT NULL CONSTRAINT "pk_webhook_deliveries" PRIMARY KEY,
    "provider" TEXT NOT NULL,
    "delivery_id" TEXT NOT NULL,
    "workspace_id" TEXT NULL,
    "integration_id" TEXT NULL,
    "event_type" TEXT NULL,
    "status" TEXT NOT NULL,
    "received_at" TEXT NOT NULL
);


CREATE TABLE "workflow_runs" (
    "id" TEXT NOT NULL CONSTRAINT "pk_workflow_runs" PRIMARY KEY,
    "workspace_id" TEXT NULL,
    "workflow_type" TEXT NOT NULL,
    "workflow_id" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "input_json" TEXT NOT NULL,
    "output_json" TEXT NULL,
    "error" TEXT NULL,
    "parent_run_id" TEXT NULL,
    "created_at" TEXT NOT NULL,
    "started_at" TEXT NULL,
    "completed_at" TEXT NULL,
    "next_run_at" TEXT NOT NULL,
    "lease_owner" TEXT NULL,
    "lease_expires_at" TEXT NULL,
    "cancel_requested" INTEGER NOT NULL,
    "version" INTEGER NOT NULL
);


CREATE TABLE "workspaces" (
    "id" TEXT NOT NULL CONSTRAINT "pk_workspaces" PRIMARY KEY,
    "name" TEXT NOT NULL,
    "slug" TEXT NOT NULL,
    "created_at" TEXT NOT NULL,
    "updated_at" TEXT NOT NULL
);


CREATE TABLE "role_claims" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_role_claims" PRIMARY KEY AUTOINCREMENT,
    "role_id" TEXT NOT NULL,
    "claim_type" TEXT NULL,
    "claim_value" TEXT NULL,
    CONSTRAINT "fk_role_claims_roles_role_id" FOREIGN KEY ("role_id") REFERENCES "roles" ("id") ON DELETE CASCADE
);


CREATE TABLE "user_claims" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_user_claims" PRIMARY KEY AUTOINCREMENT,
    "user_id" TEXT NOT NULL,
    "claim_type" TEXT NULL,
    "claim_value" TEXT NULL,
    CONSTRAINT "fk_user_claims_users_user_id" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE
);


CREATE TABLE "user_logins" (
    "login_provider" TEXT NOT NULL,
    "provider_key" TEXT NOT NULL,
    "provider_display_name" TEXT NULL,
    "user_id" TEXT NOT NULL,
    CONSTRAINT "pk_user_logins" PRIMARY KEY ("login_provider", "provider_key"),
    CONSTRAINT "fk_user_logins_users_user_id" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE
);


CREATE TABLE "user_roles" (
    "user_id" TEXT NOT NULL,
    "role_id" TEXT NOT NULL,
    CONSTRAINT "pk_user_roles" PRIMARY KEY ("user_id", "role_id"),
    CONSTRAINT "fk_user_roles_roles_role_id" FOREIGN KEY ("role_id") REFERENCES "roles" ("id") ON DELETE CASCADE,
    CONSTRAINT "fk_user_roles_users_user_id" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE
);


CREATE TABLE "user_tokens" (
    "user_id" TEXT NOT NULL,
    "login_provider" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "value" TEXT NULL,
    CONSTRAINT "pk_user_tokens" PRIMARY KEY ("user_id", "login_provider", "name"),
    CONSTRAINT "fk_user_tokens_users_user_id" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE
);


CREATE TABLE "workflow_signals" (
    "id" TEXT NOT NULL CONSTRAINT "pk_workflow_signals" PRIMARY KEY,
    "run_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "payload_json" TEXT NOT NULL,
    "created_at" TEXT NOT NULL,
    "consumed_at" TEXT NULL,
    CONSTRAINT "fk_workflow_signals_workflow_runs_run_id" FOREIGN KEY ("run_id") REFERENCES "workflow_runs" ("id") ON DELETE CASCADE
);


CREATE TABLE "workflow_steps" (
    "id" TEXT NOT NULL CONSTRAINT "pk_workflow_steps" PRIMARY KEY,
    "run_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "sequence" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "result_json" TEXT NULL,
    "error" TEXT NULL,
    "attempts" INTEGER NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "started_at" TEXT NOT NULL,
    "completed_at" TEXT NULL,
    "next_attempt_at" TEXT NULL,
    CONSTRAINT "fk_workflow_steps_workflow_runs_run_id" FOREIGN KEY ("run_id") REFERENCES "workflow_runs" ("id") ON DELETE CASCADE
);


CREATE TABLE "api_keys" (
    "id" TEXT NOT NULL CONSTRAINT "pk_api_keys" PRIMARY KEY,
    "workspace_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "key_hash" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "created_by_user_id" TEXT NULL,
    "created_at" TEXT NOT NULL,
    "last_used_at" TEXT NULL,
    "expires_at" TEXT NULL,
    "revoked_at" TEXT NULL,
    CONSTRAINT "fk_api_keys_workspaces_workspace_id" FOREIGN KEY ("workspace_id") REFERENCES "workspaces" ("id") ON DELETE CASCADE
);


CREATE TABLE "audit_log" (
    "id" TEXT NOT NULL CONSTRAINT "pk_audit_log" PRIMARY KEY,
    "workspace_id" TEXT NOT NULL,
    "actor_user_id" TEXT NULL,
    "actor_api_key_id" TEXT NULL,
    "action" TEXT NOT NULL,
    "entity_type" TEXT NOT NULL,
    "entity_id" TEXT NULL,
    "before_json" TEXT NULL,
    "after_json" TEXT NULL,
    "created_at" TEXT NOT NULL,
    CONSTRAINT "fk_audit_log_workspaces_workspace_id" FOREIGN KEY ("workspace_id") REFERENCES "workspaces" ("id") ON DELETE CASCADE
);


CREATE TABLE "clusters" (
    "id" TEXT NOT NULL CONSTRAINT "pk_clusters" PRIMARY KEY,
    "workspace_id" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "platforms" TEXT NULL,
    "first_seen_at" TEXT NOT NULL,
    "last_seen_at" TEXT NOT NULL,
    "created_at" TEXT NOT NULL,
    "updated_at" TEXT NOT NULL,
    "merged_into_id" TEXT NULL,
    "version" INTEGER NOT NULL,
    CONSTRAINT "fk_clusters_workspaces_workspace_id" FOREIGN KEY ("workspace_id") REFERENCES "workspaces" ("id") ON DELETE CASCADE
);


CREATE TABLE "duplicate_decisions" (
    "id" TEXT NOT NULL CONSTRAINT "pk_duplicate_decisions" PRIMARY KEY,
    "workspace_id" TEXT NOT NULL,
    "signal_a_id" TEXT NOT NULL,
    "signal_b_id" TEXT NOT NULL,
    "decision" TEXT NOT NULL,
    "score" REAL NOT NULL,
    "decided_by_user_id" TEXT NULL,
    "created_at" TEXT NOT NULL,
    "updated_at" TEXT NOT NULL,
    CONSTRAINT "fk_duplicate_decisions_workspaces_workspace_id" FOREIGN KEY ("workspace_id") REFERENCES "workspaces" ("id") ON DELETE CASCADE
);


CREATE TABLE "integrations" (
    "id" TEXT NOT NULL CONSTRAINT "pk_integrations" PRIMARY KEY,
    "workspace_id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "settings_json" TEXT NOT NULL,
    "encrypted_credentials" TEXT NULL,
    "encrypted_webhook_secret" TEXT NULL,
    "status" TEXT NOT NULL,
    "status_message" TEXT NULL,
    "cursor" TEXT NULL,
    "poll_interval_seconds" INTEGER NOT NULL,
    "cron_schedule" TEXT NULL,
    "backfill_days" INTEGER NOT NULL,
    "last_run_at" TEXT NULL,
    "next_run_at" TEXT NULL,
    "items_fetched" INTEGER NOT NULL,
    "last_error" TEXT NULL,
    "created_at" TEXT NOT NULL,
    "updated_at" TEXT NOT NULL,
    CONSTRAINT "fk_integrations_workspaces_workspace_id" FOREIGN KEY ("workspace_id") REFERENCES "workspaces" ("id") ON DELETE CASCADE
);


CREATE TABLE "memberships" (
    "id" TEXT NOT NULL CONSTRAINT "pk_memberships" PRIMARY KEY,
    "workspace_id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "created_at" TEXT NOT NULL,
    CONSTRAINT "fk_memberships_users_user_id" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE,
    CONSTRAINT "fk_memberships_workspaces_workspace_id" FOREIGN KEY ("workspace_id") REFERENCES "workspaces" ("id") ON DELETE CASCADE
);


CREATE TABLE "people" (
    "id" TEXT NOT NULL CONSTRAINT "pk_people" PRIMARY KEY,
    "workspace_id" TEXT NOT NULL,
    "display_name" TEXT NOT NULL,
    "created_at" TEXT NOT NULL,
    CONSTRAINT "fk_people_workspaces_workspace_id" FOREIGN KEY ("workspace_id") REFERENCES "workspaces" ("id") ON DELETE CASCADE
);


CREATE TABLE "saved_views" (
    "id" TEXT NOT NULL CONSTRAINT "pk_saved_views" PRIMARY KEY,
    "workspace_id" TEXT NOT NULL,
    "owner_user_id" TEXT NULL,
    "name" TEXT NOT NULL,
    "filter_json" TEXT NOT NULL,
    "sort" TEXT NULL,
    "shared" INTEGER NOT NULL,
    "created_at" TEXT NOT NULL,
    "updated_at" TEXT NOT NULL,
    CONSTRAINT "fk_saved_views_workspaces_workspace_id" FOREIGN KEY ("workspace_id") REFERENCES "workspaces" ("id") ON DELETE CASCADE
);


CREATE TABLE "tracker_connections" (
    "id" TEXT NOT NULL CONSTRAINT "pk_tracker_connections" PRIMARY KEY,
    "workspace_id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "settings_json" TEXT NOT NULL,
    "encrypted_credentials" TEXT NULL,
    "encrypted_webhook_secret" TEXT NULL,
    "status" TEXT NOT NULL,
    "created_at" TEXT NOT NULL,
    "updated_at" TEXT NOT NULL,
    CONSTRAINT "fk_tracker_connections_workspaces_workspace_id" FOREIGN KEY ("workspace_id") REFERENCES "workspaces" ("id") ON DELETE CASCADE
);


CREATE TABLE "authors" (
    "id" TEXT NOT NULL CONSTRAINT "pk_authors" PRIMARY KEY,
    "workspace_id" TEXT NOT NULL,
    "person_id" TEXT NULL,
    "source" TEXT NOT NULL,
    "username" TEXT NOT NULL,
    "display_name" TEXT NULL,
    "profile_url" TEXT NULL,
    "created_at" TEXT NOT NULL,
    "updated_at" TEXT NOT NULL,
    CONSTRAINT "fk_authors_people_person_id" FOREIGN KEY ("person_id") REFERENCES "people" ("id") ON DELETE SET NULL,
    CONSTRAINT "fk_authors_workspaces_workspace_id" FOREIGN KEY ("workspace_id") REFERENCES "workspaces" ("id") ON DELETE CASCADE
);


CREATE TABLE "tracker_links" (
    "id" TEXT NOT NULL CONSTRAINT "pk_tracker_links" PRIMARY KEY,
    "workspace_id" TEXT NOT NULL,
    "cluster_id" TEXT NOT NULL,
    "tracker_connection_id" TEXT NOT NULL,
    "external_id" TEXT NOT NULL,
    "external_key" TEXT NULL,
    "url" TEXT NULL,
    "base_values_json" TEXT NOT NULL,
    "last_synced_at" TEXT NULL,
    "created_at" TEXT NOT NULL,
    "updated_at" TEXT NOT NULL,
    CONSTRAINT "fk_tracker_links_clusters_cluster_id" FOREIGN KEY ("cluster_id") REFERENCES "clusters" ("id") ON DELETE CASCADE,
    CONSTRAINT "fk_tracker_links_tracker_connections_tracker_connection_id" FOREIGN KEY ("tracker_connection_id") REFERENCES "tracker_connections" ("id") ON DELETE CASCADE
);


CREATE TABLE "signals" (
    "id" TEXT NOT NULL CONSTRAINT "pk_signals" PRIMARY KEY,
    "workspace_id" TEXT NOT NULL,
    "integration_id" TEXT NULL,
    "source" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "external_id" TEXT NOT NULL,
    "url" TEXT NULL,
    "title" TEXT NULL,
    "body" TEXT NULL,
    "body_text" TEXT NULL,
    "code_text" TEXT NULL,
    "author_id" TEXT NULL,
    "parent_external_id" TEXT NULL,
    "source_created_at" TEXT NULL,
    "source_updated_at" TEXT NULL,
    "ingested_at" TEXT NOT NULL,
    "updated_at" TEXT NOT NULL,
    "content_hash" TEXT NULL,
    "intent" TEXT NULL,
    "intent_confidence" REAL NULL,
    "sentiment" TEXT NULL,
    "sentiment_score" REAL NULL,
    "urgency" TEXT NULL,
    "product_areas" TEXT NULL,
    "classification_locked" INTEGER NOT NULL,
    "cluster_id" TEXT NULL,
    "triage_status" TEXT NOT NULL,
    "assignee_user_id" TEXT NULL,
    "tags" TEXT NULL,
    "is_deleted" INTEGER NOT NULL,
    "metadata_json" TEXT NULL,
    "version" INTEGER NOT NULL,
    CONSTRAINT "fk_signals_authors_author_id" FOREIGN KEY ("author_id") REFERENCES "authors" ("id") ON DELETE SET NULL,
    CONSTRAINT "fk_signals_clusters_cluster_id" FOREIGN KEY ("cluster_id") REFERENCES "clusters" ("id") ON DELETE SET NULL,
    CONSTRAINT "fk_signals_integrations_integration_id" FOREIGN KEY ("integration_id") REFERENCES "integrations" ("id") ON DELETE SET NULL,
    CONSTRAINT "fk_signals_workspaces_workspace_id" FOREIGN KEY ("workspace_id") REFERENCES "workspaces" ("id") ON DELETE CASCADE
);


CREATE TABLE "sync_conflicts" (
    "id" TEXT NOT NULL CONSTRAINT "pk_sync_conflicts" PRIMARY KEY,
    "workspace_id" TEXT NOT NULL,
    "tracker_link_id" TEXT NOT NULL,
    "field" TEXT NOT NULL,
    "base_value" TEXT NULL,
    "local_value" TEXT NULL,
    "remote_value" TEXT NULL,
    "status" TEXT NOT NULL,
    "created_at" TEXT NOT NULL,
    "resolved_at" TEXT NULL,
    CONSTRAINT "fk_sync_conflicts_tracker_links_tracker_link_id" FOREIGN KEY ("tracker_link_id") REFERENCES "tracker_links" ("id") ON DELETE CASCADE
);


CREATE TABLE "sync_events" (
    "id" TEXT NOT NULL CONSTRAINT "pk_sync_events" PRIMARY KEY,
    "workspace_id" TEXT NOT NULL,
    "tracker_link_id" TEXT NOT NULL,
    "direction" TEXT NOT NULL,
    "field" TEXT NULL,
    "decision" TEXT NOT NULL,
    "detail" TEXT NULL,
    "created_at" TEXT NOT NULL,
    CONSTRAINT "fk_sync_events_tracker_links_tracker_link_id" FOREIGN KEY ("tracker_link_id") REFERENCES "tracker_links" ("id") ON DELETE CASCADE
);


CREATE TABLE "signal_lsh_bands" (
    "workspace_id" TEXT NOT NULL,
    "band" INTEGER NOT NULL,
    "hash" INTEGER NOT NULL,
    "signal_id" TEXT NOT NULL,
    CONSTRAINT "pk_signal_lsh_bands" PRIMARY KEY ("workspace_id", "band", "hash", "signal_id"),
    CONSTRAINT "fk_signal_lsh_bands_signals_signal_id" FOREIGN KEY ("signal_id") REFERENCES "signals" ("id") ON DELETE CASCADE
);


CREATE UNIQUE INDEX "ix_api_keys_key_hash" ON "api_keys" ("key_hash");


CREATE INDEX "ix_api_keys_workspace_id" ON "api_keys" ("workspace_id");


CREATE INDEX "ix_audit_log_workspace_id_created_at" ON "audit_log" ("workspace_id", "created_at");


CREATE INDEX "ix_authors_person_id" ON "authors" ("person_id");


CREATE UNIQUE INDEX "ix_authors_workspace_id_source_username" ON "authors" ("workspace_id", "source", "username");


CREATE INDEX "ix_clusters_workspace_id_last_seen_at" ON "clusters" ("workspace_id", "last_seen_at");


CREATE INDEX "ix_clusters_workspace_id_size" ON "clusters" ("workspace_id", "size");


CREATE INDEX "ix_duplicate_decisions_workspace_id_decision" ON "duplicate_decisions" ("workspace_id", "decision");


CREATE UNIQUE INDEX "ix_duplicate_decisions_workspace_id_signal_a_id_signal_b_id" ON "duplicate_decisions" ("workspace_id", "signal_a_id", "signal_b_id");


CREATE INDEX "ix_integrations_workspace_id_type" ON "integrations" ("workspace_id", "type");


CREATE INDEX "ix_memberships_user_id" ON "memberships" ("user_id");


CREATE UNIQUE INDEX "ix_memberships_workspace_id_user_id" ON "memberships" ("workspace_id", "user_id");


CREATE INDEX "ix_outbox_events_dispatched_at_id" ON "outbox_events" ("dispatched_at", "id");


CREATE INDEX "ix_outbox_events_workspace_id_id" ON "outbox_events" ("workspace_id", "id");


CREATE INDEX "ix_people_workspace_id" ON "people" ("workspace_id");


CREATE INDEX "ix_queue_messages_queue_dead_lettered_at_visible_at_id" ON "queue_messages" ("queue", "dead_lettered_at", "visible_at", "id");


CREATE INDEX "ix_role_claims_role_id" ON "role_claims" ("role_id");


CREATE UNIQUE INDEX "role_name_index" ON "roles" ("normalized_name");


CREATE INDEX "ix_saved_views_workspace_id_owner_user_id" ON "saved_views" ("workspace_id", "owner_user_id");


CREATE INDEX "ix_signal_lsh_bands_signal_id" ON "signal_lsh_bands" ("signal_id");


CREATE INDEX "ix_signals_author_id" ON "signals" ("author_id");


CREATE INDEX "ix_signals_cluster_id" ON "signals" ("cluster_id");


CREATE INDEX "ix_signals_integration_id" ON "signals" ("integration_id");


CREATE INDEX "ix_signals_workspace_id_cluster_id" ON "signals" ("workspace_id", "cluster_id");


CREATE INDEX "ix_signals_workspace_id_content_hash" ON "signals" ("workspace_id", "content_hash");


CREATE INDEX "ix_signals_workspace_id_ingested_at_id" ON "signals" ("workspace_id", "ingested_at", "id");


CREATE UNIQUE INDEX "ix_signals_workspace_id_source_external_id" ON "signals" ("workspace_id", "source", "external_id");


CREATE INDEX "ix_signals_workspace_id_triage_status" ON "signals" ("workspace_id", "triage_status");


CREATE INDEX "ix_sync_conflicts_tracker_link_id" ON "sync_conflicts" ("tracker_link_id");


CREATE INDEX "ix_sync_conflicts_workspace_id_status" ON "sync_conflicts" ("workspace_id", "status");


CREATE INDEX "ix_sync_events_tracker_link_id_created_at" ON "sync_events" ("tracker_link_id", "created_at");


CREATE INDEX "ix_tracker_connections_workspace_id" ON "tracker_connections" ("workspace_id");


CREATE INDEX "ix_tracker_links_cluster_id" ON "tracker_links" ("cluster_id");


CREATE UNIQUE INDEX "ix_tracker_links_tracker_connection_id_external_id" ON "tracker_links" ("tracker_connection_id", "external_id");


CREATE INDEX "ix_tracker_links_workspace_id_cluster_id" ON "tracker_links" ("workspace_id", "cluster_id");


CREATE INDEX "ix_user_claims_user_id" ON "user_claims" ("user_id");


CREATE INDEX "ix_user_logins_user_id" ON "user_logins" ("user_id");


CREATE INDEX "ix_user_roles_role_id" ON "user_roles" ("role_id");


CREATE INDEX "email_index" ON "users" ("normalized_email");


CREATE UNIQUE INDEX "user_name_index" ON "users" ("normalized_user_name");


CREATE UNIQUE INDEX "ix_webhook_deliveries_provider_delivery_id" ON "webhook_deliveries" ("provider", "delivery_id");


CREATE INDEX "ix_webhook_deliveries_received_at" ON "webhook_deliveries" ("received_at");


CREATE INDEX "ix_workflow_runs_parent_run_id" ON "workflow_runs" ("parent_run_id");


CREATE INDEX "ix_workflow_runs_status_next_run_at" ON "workflow_runs" ("status", "next_run_at");


CREATE INDEX "ix_workflow_runs_workflow_id" ON "workflow_runs" ("workflow_id");


CREATE INDEX "ix_workflow_runs_workspace_id_created_at" ON "workflow_runs" ("workspace_id", "created_at");


CREATE INDEX "ix_workflow_signals_run_id_name_consumed_at" ON "workflow_signals" ("run_id", "name", "consumed_at");


CREATE UNIQUE INDEX "ix_workflow_steps_run_id_name" ON "workflow_steps" ("run_id", "name");


CREATE UNIQUE INDEX "ix_workspaces_slug" ON "workspaces" ("slug");



