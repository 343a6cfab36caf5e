using GitMesh.Domain.Clusters;
using GitMesh.Domain.Integrations;
using GitMesh.Domain.People;
using GitMesh.Domain.Signals;
using GitMesh.Domain.Workspaces;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace GitMesh.Data.Configurations;

internal sealed class IntegrationConfiguration : IEntityTypeConfiguration<Integration>
{
    public void Configure(EntityTypeBuilder<Integration> b)
    {
        b.ToTable("integrations");
        b.Property(x => x.Type).HasMaxLength(40);
        b.Property(x => x.Name).HasMaxLength(200);
        b.Property(x => x.StatusMessage).HasMaxLength(2000);
        b.Property(x => x.LastError).HasMaxLength(4000);
        b.Property(x => x.CronSchedule).HasMaxLength(120);
        b.HasIndex(x => new { x.WorkspaceId, x.Type });
        b.HasOne<Workspace>().WithMany().HasForeignKey(x => x.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class PersonConfiguration : IEntityTypeConfiguration<Person>
{
    public void Configure(EntityTypeBuilder<Person> b)
    {
        b.ToTable("people");
        b.Property(x => x.DisplayName).HasMaxLength(300);
        b.HasIndex(x => x.WorkspaceId);
        b.HasOne<Workspace>().WithMany().HasForeignKey(x => x.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class AuthorConfiguration : IEntityTypeConfiguration<Author>
{
    public void Configure(EntityTypeBuilder<Author> b)
    {
        b.ToTable("authors");
        b.Property(x => x.Source).HasMaxLength(40);
        b.Property(x => x.Username).HasMaxLength(300);
        b.Property(x => x.DisplayName).HasMaxLength(300);
        b.Property(x => x.ProfileUrl).HasMaxLength(2000);
        b.HasIndex(x => new { x.WorkspaceId, x.Source, x.Username }).IsUnique();
        b.HasOne<Workspace>().WithMany().HasForeignKey(x => x.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Person>().WithMany().HasForeignKey(x => x.PersonId).OnDelete(DeleteBehavior.SetNull);
    }
}

internal sealed class SignalConfiguration : IEntityTypeConfiguration<Signal>
{
    public void Configure(EntityTypeBuilder<Signal> b)
    {
        b.ToTable("signals");
        b.Property(x => x.Source).HasMaxLength(40);
        b.Property(x => x.Kind).HasMaxLength(40);
        b.Property(x => x.ExternalId).HasMaxLength(300);
        b.Property(x => x.Url).HasMaxLength(2000);
        b.Property(x => x.Title).HasMaxLength(1000);
        b.Property(x => x.ParentExternalId).HasMaxLength(300);
        b.Property(x => x.ContentHash).HasMaxLength(64);
        b.Property(x => x.Intent).HasMaxLength(40);
        b.Property(x => x.Sentiment).HasMaxLength(20);
        b.Property(x => x.Urgency).HasMaxLength(20);
        b.Property(x => x.ProductAreas).HasMaxLength(2000);
        b.Property(x => x.Tags).HasMaxLength(2000);
        b.Property(x => x.Version).IsConcurrencyToken();
        b.Property(x => x.Summary).HasMaxLength(1000);
        b.Property(x => x.ClassifiedBy).HasMaxLength(20);
        b.Property(x => x.LlmState).HasMaxLength(20);
        b.Property(x => x.LlmError).HasMaxLength(1000);
        b.HasIndex(x => new { x.WorkspaceId, x.Source, x.ExternalId }).IsUnique();
        // The LLM enrichment worker's queue: pending signals, newest first (backoff and claims are checked on the rows read).
        b.HasIndex(x => new { x.LlmState, x.IngestedAt });
        b.HasIndex(x => new { x.WorkspaceId, x.IngestedAt, x.Id });
        // Covers the cluster list's per-cluster member counts (recent members, top intent) without reading rows; migration 0010.
        b.HasIndex(x => new { x.WorkspaceId, x.ClusterId, x.IsDeleted, x.Intent, x.SourceCreatedAt, x.IngestedAt }).HasDatabaseName("ix_signals_cluster_members");
        b.HasIndex(x => new { x.WorkspaceId, x.ContentHash });
        b.HasIndex(x => new { x.WorkspaceId, x.TriageStatus });
        b.HasOne<Workspace>().WithMany().HasForeignKey(x => x.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Author>().WithMany().HasForeignKey(x => x.AuthorId).OnDelete(DeleteBehavior.SetNull);
        b.HasOne<Cluster>().WithMany().HasForeignKey(x => x.ClusterId).OnDelete(DeleteBehavior.SetNull);
        b.HasOne<Integration>().WithMany().HasForeignKey(x => x.IntegrationId).OnDelete(DeleteBehavior.SetNull);
    }
}

internal sealed class ClusterConfiguration : IEntityTypeConfiguration<Cluster>
{
    public void Configure(EntityTypeBuilder<Cluster> b)
    {
        b.ToTable("clusters");
        b.Property(x => x.Title).HasMaxLength(1000);
        b.Property(x => x.Platforms).HasMaxLength(400);
        b.Property(x => x.Version).IsConcurrencyToken();
        b.HasIndex(x => new { x.WorkspaceId, x.LastSeenAt });
        b.HasIndex(x => new { x.WorkspaceId, x.Size, x.LastSeenAt, x.Id });
        b.HasOne<Workspace>().WithMany().HasForeignKey(x => x.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class SignalLshBandConfiguration : IEntityTypeConfiguration<SignalLshBand>
{
    public void Configure(EntityTypeBuilder<SignalLshBand> b)
    {
        b.ToTable("signal_lsh_bands");
        // Hash before band: candidate lookup asks for a batch's hashes across all bands at once, and the key serves it
        // (migration 0011; on SQLite the table is WITHOUT ROWID, clustered on this key).
        b.HasKey(x => new { x.WorkspaceId, x.Hash, x.Band, x.SignalId });
        b.HasIndex(x => x.SignalId);
        b.HasOne<Signal>().WithMany().HasForeignKey(x => x.SignalId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class DuplicateDecisionConfiguration : IEntityTypeConfiguration<DuplicateDecision>
{
    public void Configure(EntityTypeBuilder<DuplicateDecision> b)
    {
        b.ToTable("duplicate_decisions");
        b.HasIndex(x => new { x.WorkspaceId, x.SignalAId, x.SignalBId }).IsUnique();
        b.HasIndex(x => new { x.WorkspaceId, x.Decision });
        b.HasOne<Workspace>().WithMany().HasForeignKey(x => x.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}
