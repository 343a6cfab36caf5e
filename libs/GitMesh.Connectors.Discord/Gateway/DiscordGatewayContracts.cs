using System.Text.Json;

namespace GitMesh.Connectors.Discord.Gateway;

public static class DiscordGatewayOpcodes
{
    public const int Dispatch = 0;
    public const int Heartbeat = 1;
    public const int Identify = 2;
    public const int Resume = 6;
    public const int Reconnect = 7;
    public const int InvalidSession = 9;
    public const int Hello = 10;
    public const int HeartbeatAck = 11;
}

[Flags]
public enum DiscordGatewayIntents
{
    None = 0,
    Guilds = 1 << 0,
    GuildMessages = 1 << 9,
    /// <summary>Privileged: must be enabled for the bot in the developer portal, otherwise the gateway closes with 4014.</summary>
    MessageContent = 1 << 15,
    Default = Guilds | GuildMessages | MessageContent,
}

public static class DiscordGatewayCloseCodes
{
    public const int UnknownError = 4000;
    public const int AuthenticationFailed = 4004;
    public const int InvalidSequence = 4007;
    public const int RateLimited = 4008;
    public const int SessionTimedOut = 4009;
    public const int InvalidShard = 4010;
    public const int ShardingRequired = 4011;
    public const int InvalidApiVersion = 4012;
    public const int InvalidIntents = 4013;
    public const int DisallowedIntents = 4014;

    /// <summary>Close code we send when we intend to resume: 1000/1001 would invalidate the session.</summary>
    public const int ClientReconnecting = 4900;

    /// <summary>Reconnecting would fail the same way: configuration must change first.</summary>
    public static bool IsFatal(int code) => code is AuthenticationFailed or (>= InvalidShard and <= DisallowedIntents);

    /// <summary>The session is gone: reconnect with a fresh IDENTIFY rather than RESUME.</summary>
    public static bool InvalidatesSession(int code) => code is InvalidSequence or SessionTimedOut;
}

/// <summary>A dispatch (op 0) as received: event name, sequence and its <c>d</c> payload (detached from the socket buffer).</summary>
public sealed record DiscordGatewayDispatch(string EventName, long? Sequence, JsonElement Data);

/// <summary>What RESUME needs. Persisted so a restarted listener can resume instead of re-identifying.</summary>
public sealed record DiscordGatewaySession(string SessionId, string ResumeGatewayUrl, long? Sequence);

/// <summary>The gateway closed with a code after which reconnecting is pointless (4010–4014).</summary>
public sealed class DiscordGatewayClosedException(int closeCode, string? reason)
    : Exception($"Discord gateway closed the connection with {closeCode}: {reason}")
{
    public int CloseCode { get; } = closeCode;
    public string? Reason { get; } = reason;
}

public sealed record DiscordGatewayClientOptions
{
    /// <summary>Base gateway URL (from GET /gateway/bot); "?v=10&amp;encoding=json" is appended.</summary>
    public required Uri GatewayUrl { get; init; }
    public required string Token { get; init; }
    public DiscordGatewayIntents Intents { get; init; } = DiscordGatewayIntents.Default;
    /// <summary>Session to RESUME on the first connection (e.g. loaded from the state store).</summary>
    public DiscordGatewaySession? ResumeFrom { get; init; }
    public TimeSpan ReconnectBaseDelay { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan ReconnectMaxDelay { get; init; } = TimeSpan.FromSeconds(60);
    public TimeSpan InvalidSessionMinDelay { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan InvalidSessionMaxDelay { get; init; } = TimeSpan.FromSeconds(5);
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);
    public string ClientName { get; init; } = "gitmesh";

    public static DiscordGatewayClientOptions From(DiscordOptions options, Uri gatewayUrl, string token, DiscordGatewaySession? resumeFrom) => new()
    {
        GatewayUrl = gatewayUrl,
        Token = token,
        ResumeFrom = resumeFrom,
        ReconnectBaseDelay = options.ReconnectBaseDelay,
        ReconnectMaxDelay = options.ReconnectMaxDelay,
        InvalidSessionMinDelay = options.InvalidSessionMinDelay,
        InvalidSessionMaxDelay = options.InvalidSessionMaxDelay,
        ConnectTimeout = options.GatewayConnectTimeout,
    };
}
