namespace GitMesh.Connectors.Discord.Listener;

/// <summary>One bot the listener keeps a gateway session for: which guild and channels feed which integration.</summary>
public sealed record DiscordBotSettings
{
    /// <summary>Key for the lease and the stored state; the integration id is a good choice.</summary>
    public required string BotId { get; init; }
    public required Guid WorkspaceId { get; init; }
    public Guid? IntegrationId { get; init; }
    /// <summary>Bot token (secret: never logged).</summary>
    public required string Token { get; init; }
    public required string GuildId { get; init; }
    /// <summary>Channels to ingest; threads (and forum posts) under them are included.</summary>
    public required IReadOnlyCollection<string> ChannelIds { get; init; }

    public const string GuildIdSetting = "guild_id";
    /// <summary>Comma- or whitespace-separated channel ids.</summary>
    public const string ChannelIdsSetting = "channel_ids";
    public const string BotTokenCredential = "bot_token";

    /// <summary>Reads the integration's settings/credentials keys shared with <see cref="Polling.DiscordConnector"/>.</summary>
    public static DiscordBotSettings FromIntegration(
        string botId,
        Guid workspaceId,
        Guid? integrationId,
        IReadOnlyDictionary<string, string> settings,
        IReadOnlyDictionary<string, string> credentials) => new()
        {
            BotId = botId,
            WorkspaceId = workspaceId,
            IntegrationId = integrationId,
            Token = credentials.TryGetValue(BotTokenCredential, out var token) && !string.IsNullOrWhiteSpace(token)
                ? token.Trim()
                : throw new ArgumentException($"Discord integration needs the '{BotTokenCredential}' credential.", nameof(credentials)),
            GuildId = settings.TryGetValue(GuildIdSetting, out var guild) && !string.IsNullOrWhiteSpace(guild)
                ? guild.Trim()
                : throw new ArgumentException($"Discord integration needs the '{GuildIdSetting}' setting.", nameof(settings)),
            ChannelIds = ParseChannelIds(settings.TryGetValue(ChannelIdsSetting, out var channels) ? channels : null),
        };

    public static IReadOnlyCollection<string> ParseChannelIds(string? value) =>
        (value ?? string.Empty).Split([',', ' ', ';', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries)
            .Distinct(StringComparer.Ordinal)
            .ToArray();
}
