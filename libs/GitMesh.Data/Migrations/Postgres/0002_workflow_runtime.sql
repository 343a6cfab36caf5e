-- Durable workflow runtime: integration filter, step kinds, attempt history, schedules, and the
-- partial unique index that makes "start workflow id X" idempotent under races.

ALTER TABLE workflow_runs ADD COLUMN integration_id uuid;

ALTER TABLE workflow_steps ADD COLUMN kind character varying(20) NOT NULL DEFAULT 'step';

CREATE TABLE workflow_step_attempts (
    id uuid NOT NULL,
    run_id uuid NOT NULL,
    step_id uuid NOT NULL,
    attempt integer NOT NULL,
    outcome character varying(20) NOT NULL,
    error text,
    worker_id character varying(200),
    started_at timestamp with time zone NOT NULL,
    finished_at timestamp with time zone NOT NULL,
    CONSTRAINT pk_workflow_step_attempts PRIMARY KEY (id),
    CONSTRAINT fk_workflow_step_attempts_workflow_runs_run_id FOREIGN KEY (run_id) REFERENCES workflow_runs (id) ON DELETE CASCADE,
    CONSTRAINT fk_workflow_step_attempts_workflow_steps_step_id FOREIGN KEY (step_id) REFERENCES workflow_steps (id) ON DELETE CASCADE
);

CREATE TABLE schedules (
    id uuid NOT NULL,
    workspace_id uuid,
    name character varying(200) NOT NULL,
    description character varying(1000),
    workflow_type character varying(200) NOT NULL,
    input_json text NOT NULL,
    cron_expression character varying(120),
    interval_seconds integer,
    enabled boolean NOT NULL,
    last_fired_at timestamp with time zone,
    next_fire_at timestamp with time zone,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    CONSTRAINT pk_schedules PRIMARY KEY (id)
);

CREATE UNIQUE INDEX ix_schedules_name ON schedules (name);

CREATE INDEX ix_schedules_workspace_id ON schedules (workspace_id);

CREATE INDEX ix_workflow_runs_integration_id ON workflow_runs (integration_id);

CREATE UNIQUE INDEX ux_workflow_runs_active_workflow_id ON workflow_runs (workflow_id) WHERE status IN ('Pending', 'Running', 'Waiting');

CREATE INDEX ix_workflow_step_attempts_run_id ON workflow_step_attempts (run_id);

CREATE INDEX ix_workflow_step_attempts_step_id_attempt ON workflow_step_attempts (step_id, attempt);

-- Quartz.NET ADO job store (clustered scheduler). Its qrtz_* tables live in their own schema so the application
-- schema (public) stays exactly the EF model; Quartz is configured with table prefix "quartz.qrtz_".
-- The tables themselves are provisioned by Quartz at first start (SchemaProvisioning = CreateIfMissing), because
-- Quartz 4.7.3 validates its exact column set and the official tables_postgres.sql we could obtain predates it.
CREATE SCHEMA IF NOT EXISTS quartz;
