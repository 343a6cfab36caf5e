using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using GitMesh.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace GitMesh.Api.Features.Auth;

/// <summary>Key format: "gm_" + 43 base64url characters (256 random bits). Only SHA-256 of the key is stored.</summary>
public static class ApiKeyFormat
{
    public const string Prefix = "gm_";

    public static string NewKey() => Prefix + Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    // A fast hash is right here: keys carry 256 bits of entropy, so there is nothing for a slow hash to protect.
    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    public static string DisplayPrefix(string key) => key[..Math.Min(key.Length, 10)];

    private static string Base64UrlEncode(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    GitMeshDbContext db,
    TimeProvider time)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string HeaderName = "X-Api-Key";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? key = Request.Headers[HeaderName].FirstOrDefault();
        if (string.IsNullOrEmpty(key))
        {
            var authorization = Request.Headers.Authorization.ToString();
            if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            {
                key = authorization[7..].Trim();
            }
            else
            {
                key = AuthSchemes.HubAccessToken(Context);
            }
        }

        if (string.IsNullOrEmpty(key) || !key.StartsWith(ApiKeyFormat.Prefix, StringComparison.Ordinal))
        {
            return AuthenticateResult.NoResult();
        }

        var hash = ApiKeyFormat.Hash(key);
        var apiKey = await db.ApiKeys.IgnoreQueryFilters().FirstOrDefaultAsync(k => k.KeyHash == hash, Context.RequestAborted);
        var now = time.GetUtcNow().UtcDateTime;
        if (apiKey is null || !apiKey.IsActive(now))
        {
            return AuthenticateResult.Fail("The API key is unknown, revoked or expired.");
        }

        // Throttled so a busy integration does not turn every request into a write.
        if (apiKey.LastUsedAt is null || now - apiKey.LastUsedAt > TimeSpan.FromMinutes(1))
        {
            apiKey.LastUsedAt = now;
            await db.SaveChangesAsync(Context.RequestAborted);
        }

        var identity = new ClaimsIdentity(
            [
                new Claim(AuthSchemes.ApiKeyIdClaim, apiKey.Id.ToString()),
                new Claim(AuthSchemes.ApiKeyWorkspaceClaim, apiKey.WorkspaceId.ToString()),
                new Claim(AuthSchemes.ApiKeyRoleClaim, apiKey.Role.ToString()),
            ],
            Scheme.Name);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }
}
