using GitMesh.Domain.Messaging;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace GitMesh.Data.Configurations;

internal sealed class QueueMessageConfiguration : IEntityTypeConfiguration<QueueMessage>
{
    public void Configure(EntityTypeBuilder<QueueMessage> b)
    {
        b.ToTable("queue_messages");
        b.Property(x => x.Queue).HasMaxLength(100);
        b.Property(x => x.ReceiptHandle).HasMaxLength(64);

        // Partial indexes (migration 0003): receiving walks the live messages of a queue in (visible_at, id) order and
        // never reads dead letters; dead-letter listing and redrive read only dead letters. The filters are plain SQL
        // valid on both providers because all names are snake_case.
        b.HasIndex(x => new { x.Queue, x.VisibleAt, x.Id }, "ix_queue_messages_claim").HasFilter("dead_lettered_at IS NULL");
        b.HasIndex(x => new { x.Queue, x.DeadLetteredAt, x.Id }, "ix_queue_messages_dead_letters").HasFilter("dead_lettered_at IS NOT NULL");
    }
}
