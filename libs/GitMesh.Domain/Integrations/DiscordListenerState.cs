namespace GitMesh.Domain.Integrations;

/// <summary>Who runs a Discord bot's gateway session right now. One row per bot; an expired row may be taken over.</summary>
public sealed class DiscordBotLeaseRecord
{
    public required string BotId { get; set; }
    public required string OwnerId { get; set; }
    public DateTime ExpiresAt { get; set; }
    public DateTime AcquiredAt { get; set; }
}

/// <summary>Gateway resume state of a bot (session id, resume URL, last sequence), so a new owner can RESUME.</summary>
public sealed class DiscordBotSessionRecord
{
    public required string BotId { get; set; }
    public string? SessionId { get; set; }
    public string? ResumeGatewayUrl { get; set; }
    public long? Sequence { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>
/// Last message delivered to the sink per channel or thread. Snowflakes are stored as numbers so "keep the greater"
/// is a numeric comparison (they fit in a signed 64-bit integer until about 2084).
/// </summary>
public sealed class DiscordChannelCursorRecord
{
    public required string BotId { get; set; }
    public required string ChannelId { get; set; }
    public long LastMessageId { get; set; }
    public DateTime UpdatedAt { get; set; }
}
