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

-- Quartz.NET ADO job store (clustered scheduler), from Quartz's official database/tables/tables_postgres.sql
-- (create part only). It lives in its own schema: Quartz is configured with table prefix "quartz.qrtz_", and
-- the application schema (public) stays exactly the EF model.
CREATE SCHEMA IF NOT EXISTS quartz;

CREATE TABLE quartz.qrtz_job_details
  (
    sched_name TEXT NOT NULL,
    job_name TEXT NOT NULL,
    job_group TEXT NOT NULL,
    description TEXT NULL,
    job_class_name TEXT NOT NULL,
    is_durable BOOL NOT NULL,
    is_nonconcurrent BOOL NOT NULL,
    is_update_data BOOL NOT NULL,
    requests_recovery BOOL NOT NULL,
    job_data BYTEA NULL,
    PRIMARY KEY (sched_name, job_name, job_group)
);

CREATE TABLE quartz.qrtz_triggers
  (
    sched_name TEXT NOT NULL,
    trigger_name TEXT NOT NULL,
    trigger_group TEXT NOT NULL,
    job_name TEXT NOT NULL,
    job_group TEXT NOT NULL,
    description TEXT NULL,
    next_fire_time BIGINT NULL,
    prev_fire_time BIGINT NULL,
    priority INTEGER NULL,
    trigger_state TEXT NOT NULL,
    trigger_type TEXT NOT NULL,
    start_time BIGINT NOT NULL,
    end_time BIGINT NULL,
    calendar_name TEXT NULL,
    misfire_instr SMALLINT NULL,
    misfire_orig_fire_time BIGINT NULL,
    execution_group VARCHAR(200) NULL,
    preferred_node VARCHAR(200) NULL,
    preferred_node_auto BOOL NOT NULL DEFAULT FALSE,
    job_data BYTEA NULL,
    PRIMARY KEY (sched_name, trigger_name, trigger_group),
    FOREIGN KEY (sched_name, job_name, job_group)
      REFERENCES quartz.qrtz_job_details (sched_name, job_name, job_group)
);

CREATE TABLE quartz.qrtz_simple_triggers
  (
    sched_name TEXT NOT NULL,
    trigger_name TEXT NOT NULL,
    trigger_group TEXT NOT NULL,
    repeat_count BIGINT NOT NULL,
    repeat_interval BIGINT NOT NULL,
    times_triggered BIGINT NOT NULL,
    PRIMARY KEY (sched_name, trigger_name, trigger_group),
    FOREIGN KEY (sched_name, trigger_name, trigger_group)
      REFERENCES quartz.qrtz_triggers (sched_name, trigger_name, trigger_group)
      ON DELETE CASCADE
);

CREATE TABLE quartz.qrtz_simprop_triggers
  (
    sched_name TEXT NOT NULL,
    trigger_name TEXT NOT NULL,
    trigger_group TEXT NOT NULL,
    str_prop_1 TEXT NULL,
    str_prop_2 TEXT NULL,
    str_prop_3 TEXT NULL,
    int_prop_1 INTEGER NULL,
    int_prop_2 INTEGER NULL,
    long_prop_1 BIGINT NULL,
    long_prop_2 BIGINT NULL,
    dec_prop_1 NUMERIC NULL,
    dec_prop_2 NUMERIC NULL,
    bool_prop_1 BOOL NULL,
    bool_prop_2 BOOL NULL,
    time_zone_id TEXT NULL,
    PRIMARY KEY (sched_name, trigger_name, trigger_group),
    FOREIGN KEY (sched_name, trigger_name, trigger_group)
      REFERENCES quartz.qrtz_triggers (sched_name, trigger_name, trigger_group)
      ON DELETE CASCADE
);

CREATE TABLE quartz.qrtz_cron_triggers
  (
    sched_name TEXT NOT NULL,
    trigger_name TEXT NOT NULL,
    trigger_group TEXT NOT NULL,
    cron_expression TEXT NOT NULL,
    time_zone_id TEXT,
    PRIMARY KEY (sched_name, trigger_name, trigger_group),
    FOREIGN KEY (sched_name, trigger_name, trigger_group)
      REFERENCES quartz.qrtz_triggers (sched_name, trigger_name, trigger_group)
      ON DELETE CASCADE
);

CREATE TABLE quartz.qrtz_blob_triggers
  (
    sched_name TEXT NOT NULL,
    trigger_name TEXT NOT NULL,
    trigger_group TEXT NOT NULL,
    blob_data BYTEA NULL,
    PRIMARY KEY (sched_name, trigger_name, trigger_group),
    FOREIGN KEY (sched_name, trigger_name, trigger_group)
      REFERENCES quartz.qrtz_triggers (sched_name, trigger_name, trigger_group)
      ON DELETE CASCADE
);

CREATE TABLE quartz.qrtz_calendars
  (
    sched_name TEXT NOT NULL,
    calendar_name TEXT NOT NULL,
    calendar BYTEA NOT NULL,
    PRIMARY KEY (sched_name, calendar_name)
);

CREATE TABLE quartz.qrtz_paused_trigger_grps
  (
    sched_name TEXT NOT NULL,
    trigger_group TEXT NOT NULL,
    PRIMARY KEY (sched_name, trigger_group)
);

CREATE TABLE quartz.qrtz_fired_triggers
  (
    sched_name TEXT NOT NULL,
    entry_id TEXT NOT NULL,
    trigger_name TEXT NOT NULL,
    trigger_group TEXT NOT NULL,
    instance_name TEXT NOT NULL,
    fired_time BIGINT NOT NULL,
    sched_time BIGINT NOT NULL,
    priority INTEGER NOT NULL,
    state TEXT NOT NULL,
    job_name TEXT NULL,
    job_group TEXT NULL,
    is_nonconcurrent BOOL NOT NULL,
    requests_recovery BOOL NULL,
    execution_group VARCHAR(200) NULL,
    PRIMARY KEY (sched_name, entry_id)
);

CREATE TABLE quartz.qrtz_scheduler_state
  (
    sched_name TEXT NOT NULL,
    instance_name TEXT NOT NULL,
    last_checkin_time BIGINT NOT NULL,
    checkin_interval BIGINT NOT NULL,
    PRIMARY KEY (sched_name, instance_name)
);

CREATE TABLE quartz.qrtz_locks
  (
    sched_name TEXT NOT NULL,
    lock_name TEXT NOT NULL,
    PRIMARY KEY (sched_name, lock_name)
);

CREATE INDEX idx_qrtz_j_req_recovery ON quartz.qrtz_job_details (sched_name, requests_recovery);
CREATE INDEX idx_qrtz_j_g_n ON quartz.qrtz_job_details (sched_name, job_group, job_name);
CREATE INDEX idx_qrtz_t_next_fire_time ON quartz.qrtz_triggers (sched_name, next_fire_time);
CREATE INDEX idx_qrtz_t_state ON quartz.qrtz_triggers (sched_name, trigger_state);
CREATE INDEX idx_qrtz_t_nft_st ON quartz.qrtz_triggers (sched_name, trigger_state, next_fire_time);
CREATE INDEX idx_qrtz_t_g_n ON quartz.qrtz_triggers (sched_name, trigger_group, trigger_name);
CREATE INDEX idx_qrtz_ft_trig_name ON quartz.qrtz_fired_triggers (trigger_name);
CREATE INDEX idx_qrtz_ft_trig_group ON quartz.qrtz_fired_triggers (trigger_group);
CREATE INDEX idx_qrtz_ft_trig_nm_gp ON quartz.qrtz_fired_triggers (sched_name, trigger_name, trigger_group);
CREATE INDEX idx_qrtz_ft_trig_inst_name ON quartz.qrtz_fired_triggers (sched_name, instance_name);
CREATE INDEX idx_qrtz_ft_job_name ON quartz.qrtz_fired_triggers (job_name);
CREATE INDEX idx_qrtz_ft_job_group ON quartz.qrtz_fired_triggers (job_group);
CREATE INDEX idx_qrtz_ft_job_req_recovery ON quartz.qrtz_fired_triggers (requests_recovery);
