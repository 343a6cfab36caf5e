-- Outgoing webhooks: workspace subscriptions to outbox events, and the log of their signed deliveries.
CREATE TABLE outgoing_webhooks (
    id uuid NOT NULL,
    workspace_id uuid NOT NULL,
    url character varying(2000) NOT NULL,
    events character varying(1000) NOT NULL,
    enabled boolean NOT NULL,
    secret_protected character varying(2000) NOT NULL,
    created_by_user_id uuid,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    CONSTRAINT pk_outgoing_webhooks PRIMARY KEY (id),
    CONSTRAINT fk_outgoing_webhooks_workspaces_workspace_id FOREIGN KEY (workspace_id) REFERENCES workspaces (id) ON DELETE CASCADE
);

CREATE INDEX ix_outgoing_webhooks_workspace_id ON outgoing_webhooks (workspace_id);

CREATE TABLE outgoing_webhook_deliveries (
    id uuid NOT NULL,
    workspace_id uuid NOT NULL,
    webhook_id uuid NOT NULL,
    outbox_event_id bigint NOT NULL,
    event_type character varying(100) NOT NULL,
    payload_json text NOT NULL,
    status character varying(32) NOT NULL,
    attempts integer NOT NULL,
    next_attempt_at timestamp with time zone NOT NULL,
    last_status_code integer,
    last_error character varying(2000),
    created_at timestamp with time zone NOT NULL,
    last_attempt_at timestamp with time zone,
    completed_at timestamp with time zone,
    CONSTRAINT pk_outgoing_webhook_deliveries PRIMARY KEY (id),
    CONSTRAINT fk_outgoing_webhook_deliveries_workspaces_workspace_id FOREIGN KEY (workspace_id) REFERENCES workspaces (id) ON DELETE CASCADE,
    CONSTRAINT fk_outgoing_webhook_deliveries_outgoing_webhooks_webhook_id FOREIGN KEY (webhook_id) REFERENCES outgoing_webhooks (id) ON DELETE CASCADE
);

CREATE UNIQUE INDEX ix_outgoing_webhook_deliveries_webhook_id_outbox_event_id ON outgoing_webhook_deliveries (webhook_id, outbox_event_id);

CREATE INDEX ix_outgoing_webhook_deliveries_status_next_attempt_at ON outgoing_webhook_deliveries (status, next_attempt_at);

CREATE INDEX ix_outgoing_webhook_deliveries_workspace_id ON outgoing_webhook_deliveries (workspace_id);
