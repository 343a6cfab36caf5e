using System.Text.Json;
using System.Text.Json.Serialization;

namespace GitMesh.Connectors.Discord.Rest;

/// <summary>A message as REST returns it and as MESSAGE_CREATE/UPDATE carry it (plus the gateway-only extra fields).</summary>
public sealed record DiscordMessage
{
    public required string Id { get; init; }
    public required string ChannelId { get; init; }
    /// <summary>Only on gateway events; REST messages leave it out, the caller knows the guild.</summary>
    public string? GuildId { get; init; }
    public DiscordUser? Author { get; init; }
    /// <summary>Null on partial MESSAGE_UPDATEs and when the MESSAGE_CONTENT intent is missing (then it is "").</summary>
    public string? Content { get; init; }
    public DateTimeOffset? Timestamp { get; init; }
    public DateTimeOffset? EditedTimestamp { get; init; }
    public int? Type { get; init; }
    public int? Flags { get; init; }
    public string? WebhookId { get; init; }
    public DiscordMessageReference? MessageReference { get; init; }
    public IReadOnlyList<DiscordAttachment>? Attachments { get; init; }
    /// <summary>Gateway extra field: the partial guild member of the author (nickname).</summary>
    public DiscordGuildMember? Member { get; init; }
    /// <summary>Gateway extra field: type of the channel the message was sent in (10–12 are threads).</summary>
    public int? ChannelType { get; init; }
}

public sealed record DiscordUser
{
    public required string Id { get; init; }
    public string? Username { get; init; }
    public string? GlobalName { get; init; }
    public string? Discriminator { get; init; }
    public bool? Bot { get; init; }
}

public sealed record DiscordGuildMember
{
    public string? Nick { get; init; }
}

public sealed record DiscordAttachment
{
    public string? Id { get; init; }
    public string? Filename { get; init; }
    public string? Url { get; init; }
}

public sealed record DiscordMessageReference
{
    /// <summary>0 = DEFAULT (reply / crosspost / pin), 1 = FORWARD.</summary>
    public int? Type { get; init; }
    public string? MessageId { get; init; }
    public string? ChannelId { get; init; }
    public string? GuildId { get; init; }
}

/// <summary>MESSAGE_DELETE payload.</summary>
public sealed record DiscordMessageDelete
{
    public required string Id { get; init; }
    public required string ChannelId { get; init; }
    public string? GuildId { get; init; }
}

/// <summary>MESSAGE_DELETE_BULK payload.</summary>
public sealed record DiscordMessageDeleteBulk
{
    public required IReadOnlyList<string> Ids { get; init; }
    public required string ChannelId { get; init; }
    public string? GuildId { get; init; }
}

public sealed record DiscordChannel
{
    public required string Id { get; init; }
    public int Type { get; init; }
    public string? GuildId { get; init; }
    /// <summary>For a thread: the text/forum channel it lives in. For a channel: its category.</summary>
    public string? ParentId { get; init; }
    public string? Name { get; init; }

    public bool IsThread => DiscordChannelTypes.IsThread(Type);
}

public static class DiscordChannelTypes
{
    public const int GuildText = 0;
    public const int AnnouncementThread = 10;
    public const int PublicThread = 11;
    public const int PrivateThread = 12;

    public static bool IsThread(int type) => type is AnnouncementThread or PublicThread or PrivateThread;
}

/// <summary>Response of <c>GET /guilds/{guild.id}/threads/active</c> and the shape of THREAD_LIST_SYNC.</summary>
public sealed record DiscordThreadList
{
    public IReadOnlyList<DiscordChannel> Threads { get; init; } = [];
}

public sealed record DiscordGatewayBot
{
    public required string Url { get; init; }
    public int Shards { get; init; }
    public DiscordSessionStartLimit? SessionStartLimit { get; init; }
}

public sealed record DiscordSessionStartLimit
{
    public int Total { get; init; }
    public int Remaining { get; init; }
    /// <summary>Milliseconds until <see cref="Remaining"/> resets.</summary>
    public long ResetAfter { get; init; }
    public int MaxConcurrency { get; init; }
}

internal sealed record DiscordErrorBody
{
    public string? Message { get; init; }
    public int? Code { get; init; }
    /// <summary>Seconds, fractional.</summary>
    public double? RetryAfter { get; init; }
    public bool? Global { get; init; }
}

internal static class DiscordJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}
