using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace GitMesh.Connectors.Discord.Rest;

/// <summary>
/// Remembers "not before" instants per bot and route from Discord's rate-limit headers, so the next request to an
/// exhausted bucket waits instead of collecting a 429. A singleton: typed HttpClients are transient.
/// </summary>
public sealed class DiscordRateLimitGate(TimeProvider timeProvider)
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _notBefore = new(StringComparer.Ordinal);

    /// <summary>How long a request to <paramref name="route"/> must still wait (zero when free).</summary>
    public TimeSpan DelayFor(string token, string route)
    {
        var now = timeProvider.GetUtcNow();
        var until = DateTimeOffset.MinValue;
        if (_notBefore.TryGetValue(Key(token, route), out var routeUntil)) until = routeUntil;
        if (_notBefore.TryGetValue(Key(token, GlobalRoute), out var globalUntil) && globalUntil > until) until = globalUntil;
        return until > now ? until - now : TimeSpan.Zero;
    }

    /// <summary>Reads X-RateLimit-Remaining / X-RateLimit-Reset-After of a response.</summary>
    public void Observe(string token, string route, HttpResponseHeaders headers)
    {
        if (TryGetDouble(headers, "X-RateLimit-Remaining", out var remaining) && remaining <= 0
            && TryGetDouble(headers, "X-RateLimit-Reset-After", out var resetAfter))
        {
            Block(token, route, TimeSpan.FromSeconds(resetAfter), global: false);
        }
    }

    public void Block(string token, string route, TimeSpan delay, bool global)
    {
        var until = timeProvider.GetUtcNow() + delay;
        _notBefore.AddOrUpdate(Key(token, global ? GlobalRoute : route), until, (_, existing) => existing > until ? existing : until);
    }

    internal static bool TryGetDouble(HttpResponseHeaders headers, string name, out double value)
    {
        value = 0;
        return headers.TryGetValues(name, out var values)
            && double.TryParse(values.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    private const string GlobalRoute = "*global*";

    // Keyed by a token fingerprint, never the token: limits are per bot, and this dictionary may end up in a dump.
    private static string Key(string token, string route) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)), 0, 8) + " " + route;
}
