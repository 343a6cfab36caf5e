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
        b.HasIndex(x => new { x.Queue, x.DeadLetteredAt, x.VisibleAt, x.Id });
    }
}
