namespace GitMesh.Connectors.Discord;

/// <summary>
/// Process-wide Discord settings ("Connectors:Discord"). Bot tokens are per integration and never live here.
/// </summary>
public sealed class DiscordOptions
{
    public const string SectionName = "Connectors:Discord";

    /// <summary>REST base, ending in "/". Tests point it at a loopback fake.</summary>
    public Uri ApiBaseUrl { get; set; } = new("https://discord.com/api/v10/");

    /// <summary>Gateway URL to identify against. Null: ask <c>GET /gateway/bot</c> (what Discord recommends).</summary>
    public Uri? GatewayUrl { get; set; }

    /// <summary>Sent as the User-Agent; Discord requires the "DiscordBot (url, version)" shape for bots.</summary>
    public string UserAgent { get; set; } = "DiscordBot (https://github.com/gitmesh/gitmesh, 1.0)";

    /// <summary>A 429 asking us to wait at most this long is waited out inline; longer ones surface as <see cref="RateLimitedException"/>.</summary>
    public TimeSpan MaxInlineRateLimitWait { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How many 429s in a row one request may wait out before giving up with <see cref="RateLimitedException"/>.</summary>
    public int MaxRateLimitRetries { get; set; } = 5;

    public TimeSpan ReconnectBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Discord asks for a random 1–5 s pause before a fresh IDENTIFY after a non-resumable INVALID_SESSION.</summary>
    public TimeSpan InvalidSessionMinDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan InvalidSessionMaxDelay { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan GatewayConnectTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>On the very first start of a bot (no stored cursor), how much channel history to read.</summary>
    public TimeSpan InitialBackfill { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Pause before retrying a backfill that failed (sink or REST down); doubles up to <see cref="ReconnectMaxDelay"/>.</summary>
    public TimeSpan BackfillRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Must be well under <see cref="LeaseDuration"/> so a slow renewal does not let a second instance in.</summary>
    public TimeSpan LeaseRenewInterval { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How often the gateway sequence is persisted. Resume state is best effort: a stale sequence only replays more.</summary>
    public TimeSpan SessionSaveInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Identifies this process as a lease owner. Null: machine name, process id and a random suffix.</summary>
    public string? InstanceId { get; set; }

    internal bool IsValid() =>
        ApiBaseUrl.IsAbsoluteUri
        && ApiBaseUrl.AbsoluteUri.EndsWith('/')
        && (GatewayUrl is null || GatewayUrl.IsAbsoluteUri)
        && MaxInlineRateLimitWait >= TimeSpan.Zero
        && MaxRateLimitRetries >= 0
        && ReconnectBaseDelay > TimeSpan.Zero
        && ReconnectMaxDelay >= ReconnectBaseDelay
        && InvalidSessionMinDelay >= TimeSpan.Zero
        && InvalidSessionMaxDelay >= InvalidSessionMinDelay
        && GatewayConnectTimeout > TimeSpan.Zero
        && InitialBackfill >= TimeSpan.Zero
        && BackfillRetryDelay > TimeSpan.Zero
        && LeaseDuration > TimeSpan.Zero
        && LeaseRenewInterval > TimeSpan.Zero
        && LeaseRenewInterval < LeaseDuration
        && SessionSaveInterval > TimeSpan.Zero;
}
