using GitMesh.Domain.Audit;
using GitMesh.Domain.Clusters;
using GitMesh.Domain.Messaging;
using GitMesh.Domain.Trackers;
using GitMesh.Domain.Views;
using GitMesh.Domain.Workflows;
using GitMesh.Domain.Workspaces;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace GitMesh.Data.Configurations;

internal sealed class TrackerConnectionConfiguration : IEntityTypeConfiguration<TrackerConnection>
{
    public void Configure(EntityTypeBuilder<TrackerConnection> b)
    {
        b.ToTable("tracker_connections");
        b.Property(x => x.Type).HasMaxLength(40);
        b.Property(x => x.Name).HasMaxLength(200);
        b.Property(x => x.Status).HasMaxLength(40);
        b.HasIndex(x => x.WorkspaceId);
        b.HasOne<Workspace>().WithMany().HasForeignKey(x => x.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class TrackerLinkConfiguration : IEntityTypeConfiguration<TrackerLink>
{
    public void Configure(EntityTypeBuilder<TrackerLink> b)
    {
        b.ToTable("tracker_links");
        b.Property(x => x.ExternalId).HasMaxLength(200);
        b.Property(x => x.ExternalKey).HasMaxLength(200);
        b.Property(x => x.Url).HasMaxLength(2000);
        b.HasIndex(x => new { x.TrackerConnectionId, x.ExternalId }).IsUnique();
        b.HasIndex(x => new { x.WorkspaceId, x.ClusterId });
        b.HasOne<Cluster>().WithMany().HasForeignKey(x => x.ClusterId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<TrackerConnection>().WithMany().HasForeignKey(x => x.TrackerConnectionId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class SyncEventConfiguration : IEntityTypeConfiguration<SyncEvent>
{
    public void Configure(EntityTypeBuilder<SyncEvent> b)
    {
        b.ToTable("sync_events");
        b.Property(x => x.Direction).HasMaxLength(20);
        b.Property(x => x.Field).HasMaxLength(60);
        b.Property(x => x.Decision).HasMaxLength(60);
        b.HasIndex(x => new { x.TrackerLinkId, x.CreatedAt });
        b.HasOne<TrackerLink>().WithMany().HasForeignKey(x => x.TrackerLinkId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class SyncConflictConfiguration : IEntityTypeConfiguration<SyncConflict>
{
    public void Configure(EntityTypeBuilder<SyncConflict> b)
    {
        b.ToTable("sync_conflicts");
        b.Property(x => x.Field).HasMaxLength(60);
        b.Property(x => x.Status).HasMaxLength(20);
        b.HasIndex(x => new { x.WorkspaceId, x.Status });
        b.HasOne<TrackerLink>().WithMany().HasForeignKey(x => x.TrackerLinkId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class WebhookDeliveryConfiguration : IEntityTypeConfiguration<WebhookDelivery>
{
    public void Configure(EntityTypeBuilder<WebhookDelivery> b)
    {
        b.ToTable("webhook_deliveries");
        b.Property(x => x.Provider).HasMaxLength(40);
        b.Property(x => x.DeliveryId).HasMaxLength(200);
        b.Property(x => x.EventType).HasMaxLength(100);
        b.Property(x => x.Status).HasMaxLength(40);
        b.HasIndex(x => new { x.Provider, x.DeliveryId }).IsUnique();
        b.HasIndex(x => x.ReceivedAt);
    }
}

internal sealed class OutboxEventConfiguration : IEntityTypeConfiguration<OutboxEvent>
{
    public void Configure(EntityTypeBuilder<OutboxEvent> b)
    {
        b.ToTable("outbox_events");
        b.Property(x => x.Type).HasMaxLength(100);
        b.HasIndex(x => new { x.DispatchedAt, x.Id });
        b.HasIndex(x => new { x.WorkspaceId, x.Id });
    }
}

internal sealed class AuditLogConfiguration : IEntityTypeConfiguration<AuditLogEntry>
{
    public void Configure(EntityTypeBuilder<AuditLogEntry> b)
    {
        b.ToTable("audit_log");
        b.Property(x => x.Action).HasMaxLength(100);
        b.Property(x => x.EntityType).HasMaxLength(100);
        b.Property(x => x.EntityId).HasMaxLength(100);
        b.HasIndex(x => new { x.WorkspaceId, x.CreatedAt });
        b.HasOne<Workspace>().WithMany().HasForeignKey(x => x.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class SavedViewConfiguration : IEntityTypeConfiguration<SavedView>
{
    public void Configure(EntityTypeBuilder<SavedView> b)
    {
        b.ToTable("saved_views");
        b.Property(x => x.Name).HasMaxLength(200);
        b.Property(x => x.Sort).HasMaxLength(40);
        b.HasIndex(x => new { x.WorkspaceId, x.OwnerUserId });
        b.HasOne<Workspace>().WithMany().HasForeignKey(x => x.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}
