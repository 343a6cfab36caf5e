-- Classification corrections made during triage, kept for the learning loop.
CREATE TABLE signal_corrections (
    id uuid NOT NULL,
    workspace_id uuid NOT NULL,
    signal_id uuid NOT NULL,
    field character varying(40) NOT NULL,
    old_value character varying(2000),
    new_value character varying(2000),
    corrected_by_user_id uuid,
    corrected_by_api_key_id uuid,
    created_at timestamp with time zone NOT NULL,
    CONSTRAINT pk_signal_corrections PRIMARY KEY (id),
    CONSTRAINT fk_signal_corrections_workspaces_workspace_id FOREIGN KEY (workspace_id) REFERENCES workspaces (id) ON DELETE CASCADE,
    CONSTRAINT fk_signal_corrections_signals_signal_id FOREIGN KEY (signal_id) REFERENCES signals (id) ON DELETE CASCADE
);

CREATE INDEX ix_signal_corrections_workspace_id_created_at ON signal_corrections (workspace_id, created_at);

CREATE INDEX ix_signal_corrections_signal_id ON signal_corrections (signal_id);
