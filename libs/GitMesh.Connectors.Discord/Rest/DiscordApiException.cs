using System.Net;

namespace GitMesh.Connectors.Discord.Rest;

/// <summary>A non-retryable Discord REST error (403 missing access, 404 unknown channel, 400…) with Discord's JSON error code.</summary>
public sealed class DiscordApiException(HttpStatusCode statusCode, int? discordCode, string message)
    : Exception($"Discord API returned {(int)statusCode}: {message}")
{
    public HttpStatusCode StatusCode { get; } = statusCode;

    /// <summary>Discord's JSON error code, e.g. 50001 Missing Access, 10003 Unknown Channel.</summary>
    public int? DiscordCode { get; } = discordCode;
}
