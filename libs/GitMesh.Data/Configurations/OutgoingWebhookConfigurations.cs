using GitMesh.Domain.Webhooks;
using GitMesh.Domain.Workspaces;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace GitMesh.Data.Configurations;

internal sealed class OutgoingWebhookConfiguration : IEntityTypeConfiguration<OutgoingWebhook>
{
    public void Configure(EntityTypeBuilder<OutgoingWebhook> b)
    {
        b.ToTable("outgoing_webhooks");
        b.Property(x => x.Url).HasMaxLength(2000);
        b.Property(x => x.Events).HasMaxLength(1000);
        b.Property(x => x.SecretProtected).HasMaxLength(2000);
        b.HasIndex(x => x.WorkspaceId);
        b.HasOne<Workspace>().WithMany().HasForeignKey(x => x.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class OutgoingWebhookDeliveryConfiguration : IEntityTypeConfiguration<OutgoingWebhookDelivery>
{
    public void Configure(EntityTypeBuilder<OutgoingWebhookDelivery> b)
    {
        b.ToTable("outgoing_webhook_deliveries");
        b.Property(x => x.EventType).HasMaxLength(100);
        b.Property(x => x.Status).HasMaxLength(32);
        b.Property(x => x.LastError).HasMaxLength(2000);
        b.HasIndex(x => new { x.WebhookId, x.OutboxEventId }).IsUnique();
        // The dispatcher polls for due pending deliveries.
        b.HasIndex(x => new { x.Status, x.NextAttemptAt });
        b.HasIndex(x => x.WorkspaceId);
        b.HasOne<Workspace>().WithMany().HasForeignKey(x => x.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<OutgoingWebhook>().WithMany().HasForeignKey(x => x.WebhookId).OnDelete(DeleteBehavior.Cascade);
    }
}
