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
    }
}

internal sealed class WorkflowStepConfiguration : IEntityTypeConfiguration<WorkflowStep>
{
    public void Configure(EntityTypeBuilder<WorkflowStep> b)
    {
        b.ToTable("workflow_steps");
        b.Property(x => x.Name).HasMaxLength(200);
        b.Property(x => x.Status).HasMaxLength(20);
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
