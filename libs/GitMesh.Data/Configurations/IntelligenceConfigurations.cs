using GitMesh.Domain.Intelligence;
using GitMesh.Domain.Workspaces;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace GitMesh.Data.Configurations;

internal sealed class WorkspaceModelConfiguration : IEntityTypeConfiguration<WorkspaceModel>
{
    public void Configure(EntityTypeBuilder<WorkspaceModel> b)
    {
        b.ToTable("workspace_models");
        b.HasKey(x => x.WorkspaceId);
        b.Property(x => x.WorkspaceId).ValueGeneratedNever();
        b.HasOne<Workspace>().WithOne().HasForeignKey<WorkspaceModel>(x => x.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class WorkspaceProductAreaConfiguration : IEntityTypeConfiguration<WorkspaceProductArea>
{
    public void Configure(EntityTypeBuilder<WorkspaceProductArea> b)
    {
        b.ToTable("product_areas");
        b.Property(x => x.Name).HasMaxLength(100);
        b.Property(x => x.Keywords).HasMaxLength(4000);
        b.HasIndex(x => new { x.WorkspaceId, x.Name }).IsUnique();
        b.HasOne<Workspace>().WithMany().HasForeignKey(x => x.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class LlmUsageConfiguration : IEntityTypeConfiguration<LlmUsage>
{
    public void Configure(EntityTypeBuilder<LlmUsage> b)
    {
        b.ToTable("llm_usage");
        b.HasKey(x => x.Day);
        b.Property(x => x.Day).HasMaxLength(10);
    }
}
