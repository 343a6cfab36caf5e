using GitMesh.Domain.Workflows;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace GitMesh.Data.Configurations;

internal sealed class WorkflowRunConfiguration : IEntityTypeConfiguration<WorkflowRun>
{
    public void Configure(EntityTypeBuilder<WorkflowRun> b)
    {
        b.ToTable("workflow_runs");
        b.Property(x => x.WorkflowType).HasMaxLength(200);
        b.Property(x => x.WorkflowId).HasMaxLength(300);
        b.Property(x => x.LeaseOwner).HasMaxLength(200);
        b.Property(x => x.Version).IsConcurrencyToken();
        b.HasIndex(x => new { x.Status, x.NextRunAt });
        b.HasIndex(x => x.WorkflowId);
        b.HasIndex(x => new { x.WorkspaceId, x.CreatedAt });
        b.HasIndex(x => x.ParentRunId);
        b.HasIndex(x => x.IntegrationId);
        // The idempotent start: two racing starts of one workflow id cannot both insert an active run.
        b.HasIndex(x => x.WorkflowId, "ux_workflow_runs_active_workflow_id").IsUnique()
            .HasFilter("status IN ('Pending', 'Running', 'Waiting')");
    }
}

internal sealed class WorkflowStepConfiguration : IEntityTypeConfiguration<WorkflowStep>
{
    public void Configure(EntityTypeBuilder<WorkflowStep> b)
    {
        b.ToTable("workflow_steps");
        b.Property(x => x.Name).HasMaxLength(200);
        b.Property(x => x.Status).HasMaxLength(20);
        b.Property(x => x.Kind).HasMaxLength(20);
        b.Property(x => x.IdempotencyKey).HasMaxLength(300);
        b.HasIndex(x => new { x.RunId, x.Name }).IsUnique();
        b.HasOne<WorkflowRun>().WithMany().HasForeignKey(x => x.RunId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class WorkflowSignalConfiguration : IEntityTypeConfiguration<WorkflowSignal>
{
    public void Configure(EntityTypeBuilder<WorkflowSignal> b)
    {
        b.ToTable("workflow_signals");
        b.Property(x => x.Name).HasMaxLength(200);
        b.HasIndex(x => new { x.RunId, x.Name, x.ConsumedAt });
        b.HasOne<WorkflowRun>().WithMany().HasForeignKey(x => x.RunId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class WorkflowStepAttemptConfiguration : IEntityTypeConfiguration<WorkflowStepAttempt>
{
    public void Configure(EntityTypeBuilder<WorkflowStepAttempt> b)
    {
        b.ToTable("workflow_step_attempts");
        b.Property(x => x.Outcome).HasMaxLength(20);
        b.Property(x => x.WorkerId).HasMaxLength(200);
        b.HasIndex(x => new { x.StepId, x.Attempt });
        b.HasIndex(x => x.RunId);
        b.HasOne<WorkflowRun>().WithMany().HasForeignKey(x => x.RunId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<WorkflowStep>().WithMany().HasForeignKey(x => x.StepId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class WorkflowScheduleConfiguration : IEntityTypeConfiguration<WorkflowSchedule>
{
    public void Configure(EntityTypeBuilder<WorkflowSchedule> b)
    {
        b.ToTable("schedules");
        b.Property(x => x.Name).HasMaxLength(200);
        b.Property(x => x.Description).HasMaxLength(1000);
        b.Property(x => x.WorkflowType).HasMaxLength(200);
        b.Property(x => x.CronExpression).HasMaxLength(120);
        b.HasIndex(x => x.Name).IsUnique();
        b.HasIndex(x => x.WorkspaceId);
    }
}
