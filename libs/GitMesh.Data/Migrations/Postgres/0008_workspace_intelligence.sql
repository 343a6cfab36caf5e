-- Per-workspace learning: the correction model retrained from signal_corrections, and the product-area taxonomy.
CREATE TABLE workspace_models (
    workspace_id uuid NOT NULL,
    correction_model_json text NOT NULL,
    examples integer NOT NULL,
    accuracy_json text,
    trained_through timestamp with time zone,
    corrections_seen integer NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    CONSTRAINT pk_workspace_models PRIMARY KEY (workspace_id),
    CONSTRAINT fk_workspace_models_workspaces_workspace_id FOREIGN KEY (workspace_id) REFERENCES workspaces (id) ON DELETE CASCADE
);

CREATE TABLE product_areas (
    id uuid NOT NULL,
    workspace_id uuid NOT NULL,
    name character varying(100) NOT NULL,
    keywords character varying(4000),
    examples_json text NOT NULL,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    CONSTRAINT pk_product_areas PRIMARY KEY (id),
    CONSTRAINT fk_product_areas_workspaces_workspace_id FOREIGN KEY (workspace_id) REFERENCES workspaces (id) ON DELETE CASCADE
);

CREATE UNIQUE INDEX ix_product_areas_workspace_id_name ON product_areas (workspace_id, name);
