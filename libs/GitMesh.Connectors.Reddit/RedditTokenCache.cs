using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace GitMesh.Connectors.Reddit;

/// <summary>
/// App-only tokens live 24 hours; fetching one per request would double our calls and trip Reddit's abuse limits.
/// Singleton, keyed by a hash of the credentials so a rotated secret gets a fresh token and no secret is kept as a key.
/// </summary>
public sealed class RedditTokenCache(TimeProvider timeProvider)
{
    private static readonly TimeSpan ExpiryMargin = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<string, (string Token, DateTimeOffset ExpiresAt)> _tokens = new();

    public bool TryGet(RedditCredentials credentials, out string token)
    {
        if (_tokens.TryGetValue(KeyOf(credentials), out var entry) && timeProvider.GetUtcNow() < entry.ExpiresAt - ExpiryMargin)
        {
            token = entry.Token;
            return true;
        }

        token = string.Empty;
        return false;
    }

    public void Store(RedditCredentials credentials, string token, TimeSpan lifetime) =>
        _tokens[KeyOf(credentials)] = (token, timeProvider.GetUtcNow() + lifetime);

    public void Invalidate(RedditCredentials credentials) => _tokens.TryRemove(KeyOf(credentials), out _);

    private static string KeyOf(RedditCredentials credentials) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(credentials.ClientId + "\n" + credentials.ClientSecret)));
}
