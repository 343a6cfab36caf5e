-- Durable workflow runtime: integration filter, step kinds, attempt history, schedules, and the
-- partial unique index that makes "start workflow id X" idempotent under races.
-- Quartz uses its in-memory store on SQLite (single process), so no qrtz_* tables here.

ALTER TABLE "workflow_runs" ADD COLUMN "integration_id" TEXT NULL;

ALTER TABLE "workflow_steps" ADD COLUMN "kind" TEXT NOT NULL DEFAULT 'step';

CREATE TABLE "workflow_step_attempts" (
    "id" TEXT NOT NULL CONSTRAINT "pk_workflow_step_attempts" PRIMARY KEY,
    "run_id" TEXT NOT NULL,
    "step_id" TEXT NOT NULL,
    "attempt" INTEGER NOT NULL,
    "outcome" TEXT NOT NULL,
    "error" TEXT NULL,
    "worker_id" TEXT NULL,
    "started_at" TEXT NOT NULL,
    "finished_at" TEXT NOT NULL,
    CONSTRAINT "fk_workflow_step_attempts_workflow_runs_run_id" FOREIGN KEY ("run_id") REFERENCES "workflow_runs" ("id") ON DELETE CASCADE,
    CONSTRAINT "fk_workflow_step_attempts_workflow_steps_step_id" FOREIGN KEY ("step_id") REFERENCES "workflow_steps" ("id") ON DELETE CASCADE
);

CREATE TABLE "schedules" (
    "id" TEXT NOT NULL CONSTRAINT "pk_schedules" PRIMARY KEY,
    "workspace_id" TEXT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NULL,
    "workflow_type" TEXT NOT NULL,
    "input_json" TEXT NOT NULL,
    "cron_expression" TEXT NULL,
    "interval_seconds" INTEGER NULL,
    "enabled" INTEGER NOT NULL,
    "last_fired_at" TEXT NULL,
    "next_fire_at" TEXT NULL,
    "created_at" TEXT NOT NULL,
    "updated_at" TEXT NOT NULL
);

CREATE UNIQUE INDEX "ix_schedules_name" ON "schedules" ("name");

CREATE INDEX "ix_schedules_workspace_id" ON "schedules" ("workspace_id");

CREATE INDEX "ix_workflow_runs_integration_id" ON "workflow_runs" ("integration_id");

CREATE UNIQUE INDEX "ux_workflow_runs_active_workflow_id" ON "workflow_runs" ("workflow_id") WHERE status IN ('Pending', 'Running', 'Waiting');

CREATE INDEX "ix_workflow_step_attempts_run_id" ON "workflow_step_attempts" ("run_id");

CREATE INDEX "ix_workflow_step_attempts_step_id_attempt" ON "workflow_step_attempts" ("step_id", "attempt");
