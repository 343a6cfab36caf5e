using GitMesh.Domain.Integrations;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace GitMesh.Data.Configurations;

internal sealed class DiscordBotLeaseConfiguration : IEntityTypeConfiguration<DiscordBotLeaseRecord>
{
    public void Configure(EntityTypeBuilder<DiscordBotLeaseRecord> b)
    {
        b.ToTable("discord_bot_leases");
        b.HasKey(x => x.BotId);
        b.Property(x => x.BotId).HasMaxLength(100);
        b.Property(x => x.OwnerId).HasMaxLength(200);
    }
}

internal sealed class DiscordBotSessionConfiguration : IEntityTypeConfiguration<DiscordBotSessionRecord>
{
    public void Configure(EntityTypeBuilder<DiscordBotSessionRecord> b)
    {
        b.ToTable("discord_bot_sessions");
        b.HasKey(x => x.BotId);
        b.Property(x => x.BotId).HasMaxLength(100);
        b.Property(x => x.SessionId).HasMaxLength(200);
        b.Property(x => x.ResumeGatewayUrl).HasMaxLength(500);
    }
}

internal sealed class DiscordChannelCursorConfiguration : IEntityTypeConfiguration<DiscordChannelCursorRecord>
{
    public void Configure(EntityTypeBuilder<DiscordChannelCursorRecord> b)
    {
        b.ToTable("discord_channel_cursors");
        b.HasKey(x => new { x.BotId, x.ChannelId });
        b.Property(x => x.BotId).HasMaxLength(100);
        b.Property(x => x.ChannelId).HasMaxLength(32);
    }
}
