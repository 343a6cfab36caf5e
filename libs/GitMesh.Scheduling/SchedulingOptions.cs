namespace GitMesh.Scheduling;

/// <summary>Bound from "Scheduling".</summary>
public sealed class SchedulingOptions
{
    public const string SectionName = "Scheduling";

    /// <summary>Quartz instance id; unique per JobGenerator instance (default: host:pid).</summary>
    public string? InstanceId { get; set; }

    /// <summary>How often the due-integrations sweep runs (it starts connector workflows for integrations whose NextRunAt passed).</summary>
    public TimeSpan IntegrationSweepInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often schedule rows are reconciled into Quartz triggers (edits through the API apply within this).</summary>
    public TimeSpan SyncInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Workflow type started for a due integration, with input {"integrationId","workspaceId"} and id "connector:{integrationId}".</summary>
    public string IntegrationWorkflowType { get; set; } = "connector-run";

    /// <summary>Clustered Quartz check-in interval (PostgreSQL store).</summary>
    public TimeSpan ClusterCheckinInterval { get; set; } = TimeSpan.FromSeconds(7);

    /// <summary>Retention pruning schedule seeded at startup (system schedule "system:prune-workflow-runs").</summary>
    public string PruneCron { get; set; } = "0 17 * * * ?";
}
