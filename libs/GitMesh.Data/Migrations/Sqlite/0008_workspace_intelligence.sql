-- Per-workspace learning: the correction model retrained from signal_corrections, and the product-area taxonomy.
CREATE TABLE "workspace_models" (
    "workspace_id" TEXT NOT NULL CONSTRAINT "pk_workspace_models" PRIMARY KEY,
    "correction_model_json" TEXT NOT NULL,
    "examples" INTEGER NOT NULL,
    "accuracy_json" TEXT NULL,
    "trained_through" TEXT NULL,
    "corrections_seen" INTEGER NOT NULL,
    "updated_at" TEXT NOT NULL,
    CONSTRAINT "fk_workspace_models_workspaces_workspace_id" FOREIGN KEY ("workspace_id") REFERENCES "workspaces" ("id") ON DELETE CASCADE
);

CREATE TABLE "product_areas" (
    "id" TEXT NOT NULL CONSTRAINT "pk_product_areas" PRIMARY KEY,
    "workspace_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "keywords" TEXT NULL,
    "examples_json" TEXT NOT NULL,
    "created_at" TEXT NOT NULL,
    "updated_at" TEXT NOT NULL,
    CONSTRAINT "fk_product_areas_workspaces_workspace_id" FOREIGN KEY ("workspace_id") REFERENCES "workspaces" ("id") ON DELETE CASCADE
);

CREATE UNIQUE INDEX "ix_product_areas_workspace_id_name" ON "product_areas" ("workspace_id", "name");
