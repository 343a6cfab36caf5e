using System.Security.Claims;
using GitMesh.Domain.Workspaces;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace GitMesh.Api.Features.Auth;

public static class AuthSchemes
{
    public const string Default = "GitMesh";
    public const string Cookie = "GitMesh.Cookie";
    public const string Bearer = "GitMesh.Bearer";
    public const string ApiKey = "GitMesh.ApiKey";

    public const string ApiKeyIdClaim = "gm:api_key";
    public const string ApiKeyWorkspaceClaim = "gm:workspace";
    public const string ApiKeyRoleClaim = "gm:role";

    /// <summary>
    /// Browsers get an HttpOnly, SameSite=Strict cookie (Secure whenever the request is HTTPS); scripts get a bearer
    /// token from /api/v1/auth/token; machines send a workspace API key. One policy scheme picks by request shape.
    /// </summary>
    public static IServiceCollection AddGitMeshAuthentication(this IServiceCollection services, IConfiguration configuration)
    {
        var minutes = configuration.GetValue("Api:AccessTokenMinutes", 60);
        services.AddAuthentication(Default)
            .AddPolicyScheme(Default, "Cookie, bearer token or API key", o => o.ForwardDefaultSelector = SelectScheme)
            .AddCookie(Cookie, o =>
            {
                o.Cookie.Name = "gitmesh.session";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.ExpireTimeSpan = TimeSpan.FromDays(7);
                o.SlidingExpiration = true;
                // An API answers 401/403; it never redirects to a login page.
                o.Events.OnRedirectToLogin = c => { c.Response.StatusCode = StatusCodes.Status401Unauthorized; return Task.CompletedTask; };
                o.Events.OnRedirectToAccessDenied = c => { c.Response.StatusCode = StatusCodes.Status403Forbidden; return Task.CompletedTask; };
            })
            .AddBearerToken(Bearer, o =>
            {
                o.BearerTokenExpiration = TimeSpan.FromMinutes(minutes);
                o.Events.OnMessageReceived = c =>
                {
                    if (HubAccessToken(c.HttpContext) is { } token)
                    {
                        c.Token = token;
                    }

                    return Task.CompletedTask;
                };
            })
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKey, null);
        services.AddAuthorization();
        return services;
    }

    /// <summary>Browsers cannot set headers on WebSocket upgrades: hub clients send the token as access_token.</summary>
    internal static string? HubAccessToken(HttpContext context) =>
        context.Request.Path.StartsWithSegments("/hubs") && context.Request.Query["access_token"] is { Count: > 0 } token ? token.ToString() : null;

    private static string SelectScheme(HttpContext context)
    {
        if (context.Request.Headers.ContainsKey(ApiKeyAuthenticationHandler.HeaderName))
        {
            return ApiKey;
        }

        var authorization = context.Request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return authorization.AsSpan(7).TrimStart().StartsWith(ApiKeyFormat.Prefix, StringComparison.Ordinal) ? ApiKey : Bearer;
        }

        if (HubAccessToken(context) is { } token)
        {
            return token.StartsWith(ApiKeyFormat.Prefix, StringComparison.Ordinal) ? ApiKey : Bearer;
        }

        return Cookie;
    }
}

/// <summary>Who is calling: a user (cookie or bearer token) or a workspace API key.</summary>
public sealed record Caller(Guid? UserId, Guid? ApiKeyId, Guid? ApiKeyWorkspaceId, WorkspaceRole? ApiKeyRole)
{
    public static Caller From(ClaimsPrincipal principal)
    {
        if (principal.FindFirstValue(AuthSchemes.ApiKeyIdClaim) is { } keyId)
        {
            return new Caller(
                null,
                Guid.Parse(keyId),
                Guid.Parse(principal.FindFirstValue(AuthSchemes.ApiKeyWorkspaceClaim)!),
                Enum.Parse<WorkspaceRole>(principal.FindFirstValue(AuthSchemes.ApiKeyRoleClaim)!));
        }

        return Guid.TryParse(principal.FindFirstValue(ClaimTypes.NameIdentifier), out var userId)
            ? new Caller(userId, null, null, null)
            : new Caller(null, null, null, null);
    }

    public bool IsAuthenticated => UserId is not null || ApiKeyId is not null;
}
