-- Outgoing webhooks: workspace subscriptions to outbox events, and the log of their signed deliveries.
CREATE TABLE "outgoing_webhooks" (
    "id" TEXT NOT NULL CONSTRAINT "pk_outgoing_webhooks" PRIMARY KEY,
    "workspace_id" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "events" TEXT NOT NULL,
    "enabled" INTEGER NOT NULL,
    "secret_protected" TEXT NOT NULL,
    "created_by_user_id" TEXT NULL,
    "created_at" TEXT NOT NULL,
    "updated_at" TEXT NOT NULL,
    CONSTRAINT "fk_outgoing_webhooks_workspaces_workspace_id" FOREIGN KEY ("workspace_id") REFERENCES "workspaces" ("id") ON DELETE CASCADE
);

CREATE INDEX "ix_outgoing_webhooks_workspace_id" ON "outgoing_webhooks" ("workspace_id");

CREATE TABLE "outgoing_webhook_deliveries" (
    "id" TEXT NOT NULL CONSTRAINT "pk_outgoing_webhook_deliveries" PRIMARY KEY,
    "workspace_id" TEXT NOT NULL,
    "webhook_id" TEXT NOT NULL,
    "outbox_event_id" INTEGER NOT NULL,
    "event_type" TEXT NOT NULL,
    "payload_json" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL,
    "next_attempt_at" TEXT NOT NULL,
    "last_status_code" INTEGER NULL,
    "last_error" TEXT NULL,
    "created_at" TEXT NOT NULL,
    "last_attempt_at" TEXT NULL,
    "completed_at" TEXT NULL,
    CONSTRAINT "fk_outgoing_webhook_deliveries_workspaces_workspace_id" FOREIGN KEY ("workspace_id") REFERENCES "workspaces" ("id") ON DELETE CASCADE,
    CONSTRAINT "fk_outgoing_webhook_deliveries_outgoing_webhooks_webhook_id" FOREIGN KEY ("webhook_id") REFERENCES "outgoing_webhooks" ("id") ON DELETE CASCADE
);

CREATE UNIQUE INDEX "ix_outgoing_webhook_deliveries_webhook_id_outbox_event_id" ON "outgoing_webhook_deliveries" ("webhook_id", "outbox_event_id");

CREATE INDEX "ix_outgoing_webhook_deliveries_status_next_attempt_at" ON "outgoing_webhook_deliveries" ("status", "next_attempt_at");

CREATE INDEX "ix_outgoing_webhook_deliveries_workspace_id" ON "outgoing_webhook_deliveries" ("workspace_id");
