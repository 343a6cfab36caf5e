using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace GitMesh.Connectors.GitHub.Api;

/// <summary>
/// Installation access tokens of GitHub Apps, cached until shortly before they expire (GitHub issues them for one hour),
/// so a run of many pages costs one token exchange. Singleton: shared by every integration using an App.
/// </summary>
public sealed class GitHubAppTokenCache(TimeProvider timeProvider)
{
    /// <summary>Renew this long before expiry so a token never lapses in the middle of a page.</summary>
    private static readonly TimeSpan RenewBefore = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<string, GitHubInstallationToken> _tokens = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _exchangeLock = new(1, 1);

    public async Task<string> GetTokenAsync(
        Uri baseUrl,
        GitHubAppCredentials credentials,
        Func<string, CancellationToken, Task<GitHubInstallationToken>> exchangeAsync,
        CancellationToken cancellationToken)
    {
        var key = CacheKey(baseUrl, credentials);
        if (TryGetFresh(key, out var token))
        {
            return token;
        }

        // One exchange at a time: concurrent pages of the same installation would otherwise each mint a token.
        await _exchangeLock.WaitAsync(cancellationToken);
        try
        {
            if (TryGetFresh(key, out token))
            {
                return token;
            }

            var jwt = GitHubAppJwt.Create(credentials.AppId, credentials.PrivateKeyPem, timeProvider.GetUtcNow());
            var issued = await exchangeAsync(jwt, cancellationToken);
            _tokens[key] = issued;
            return issued.Token;
        }
        finally
        {
            _exchangeLock.Release();
        }
    }

    /// <summary>Forget a token GitHub refused (revoked, app uninstalled) so the next attempt mints a new one.</summary>
    public void Evict(Uri baseUrl, GitHubAppCredentials credentials) => _tokens.TryRemove(CacheKey(baseUrl, credentials), out _);

    private bool TryGetFresh(string key, out string token)
    {
        if (_tokens.TryGetValue(key, out var cached) && cached.ExpiresAt - RenewBefore > timeProvider.GetUtcNow())
        {
            token = cached.Token;
            return true;
        }

        token = string.Empty;
        return false;
    }

    // The key hash covers the private key too: two integrations naming the same installation with different keys must not share a token.
    private static string CacheKey(Uri baseUrl, GitHubAppCredentials credentials)
    {
        var keyHash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(credentials.PrivateKeyPem)).AsSpan(0, 8));
        return $"{baseUrl.AbsoluteUri}|{credentials.AppId}|{credentials.InstallationId}|{keyHash}";
    }
}

/// <summary>The RS256 JWT a GitHub App signs to authenticate as itself (only used to mint installation tokens).</summary>
public static class GitHubAppJwt
{
    public static string Create(string appId, string privateKeyPem, DateTimeOffset now)
    {
        using var rsa = RSA.Create();
        try
        {
            // Accepts both "BEGIN RSA PRIVATE KEY" (what GitHub downloads) and PKCS#8 "BEGIN PRIVATE KEY".
            rsa.ImportFromPem(privateKeyPem);
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            throw new ConnectorAuthException("github", "privateKey is not a valid PEM-encoded RSA private key");
        }

        var header = Base64Url(JsonSerializer.SerializeToUtf8Bytes(new { alg = "RS256", typ = "JWT" }));

        // GitHub's guidance: backdate iat by 60 s against clock drift; exp at most 10 minutes ahead.
        var issuer = long.TryParse(appId, out var numericId) ? (object)numericId : appId;
        var payload = Base64Url(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["iat"] = now.AddSeconds(-60).ToUnixTimeSeconds(),
            ["exp"] = now.AddMinutes(9).ToUnixTimeSeconds(),
            ["iss"] = issuer,
        }));
        var signingInput = $"{header}.{payload}";
        var signature = rsa.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return $"{signingInput}.{Base64Url(signature)}";
    }

    private static string Base64Url(byte[] bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);
}
