using GitMesh.Api.Features.Auth;
using GitMesh.Api.Http;
using GitMesh.Data;
using GitMesh.Domain.Workspaces;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace GitMesh.Api.Features.Workspaces;

public sealed record CreateApiKeyRequest(string? Name, string? Role, int? ExpiresInDays);

public sealed record ApiKeyResponse(Guid Id, string Name, string Prefix, string Role, DateTime CreatedAt, DateTime? LastUsedAt, DateTime? ExpiresAt, DateTime? RevokedAt);

/// <param name="Key">The secret. Returned by this response only; store it now.</param>
public sealed record CreatedApiKeyResponse(Guid Id, string Name, string Prefix, string Role, DateTime CreatedAt, DateTime? ExpiresAt, string Key);

public static class ApiKeyEndpoints
{
    public static IEndpointRouteBuilder MapApiKeyEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/workspaces/{workspaceId:guid}/api-keys").WithTags("API keys")
            .RequireWorkspaceAccess().WithMinimumRole(WorkspaceRole.Admin);
        group.MapGet("/", ListAsync).WithSummary("API keys of the workspace (never the secret).");
        group.MapPost("/", CreateAsync).WithSummary("Create an API key; the secret is shown once.");
        group.MapDelete("/{keyId:guid}", RevokeAsync).WithSummary("Revoke an API key.");
        return app;
    }

    private static async Task<Ok<IReadOnlyList<ApiKeyResponse>>> ListAsync(GitMeshDbContext db, CancellationToken ct)
    {
        var keys = await db.ApiKeys.OrderByDescending(k => k.CreatedAt).ToListAsync(ct);
        return TypedResults.Ok<IReadOnlyList<ApiKeyResponse>>(keys.Select(ToResponse).ToList());
    }

    private static async Task<Results<Created<CreatedApiKeyResponse>, ValidationProblem>> CreateAsync(
        Guid workspaceId, CreateApiKeyRequest request, HttpContext http, GitMeshDbContext db, TimeProvider time, CancellationToken ct)
    {
        var access = http.Access();
        var validation = new Validation().Required("name", request.Name).MaxLength("name", request.Name, 200);
        var role = WorkspaceRole.Member;
        if (request.Role is not null && !MemberEndpoints.TryParseRole(request.Role, out role))
        {
            validation.Add("role", "'role' must be one of viewer, member, admin.");
        }
        else if (role == WorkspaceRole.Owner || role > access.Role)
        {
            validation.Add("role", "An API key can have at most the admin role, and never more than its creator.");
        }

        validation.Check(request.ExpiresInDays is null or (> 0 and <= 3650), "expiresInDays", "'expiresInDays' must be between 1 and 3650.");
        if (!validation.IsValid)
        {
            return validation.ToProblem();
        }

        var now = time.GetUtcNow().UtcDateTime;
        var secret = ApiKeyFormat.NewKey();
        var key = new ApiKey
        {
            WorkspaceId = workspaceId,
            Name = request.Name!.Trim(),
            Prefix = ApiKeyFormat.DisplayPrefix(secret),
            KeyHash = ApiKeyFormat.Hash(secret),
            Role = role,
            CreatedByUserId = access.Caller.UserId,
            CreatedAt = now,
            ExpiresAt = request.ExpiresInDays is { } days ? now.AddDays(days) : null,
        };
        db.ApiKeys.Add(key);
        AuditTrail.Record(db, workspaceId, access.Caller, now, "api_key.created", "api_key", key.Id.ToString(), null, new { key.Name, Role = role.ToString(), key.Prefix });
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/workspaces/{workspaceId}/api-keys/{key.Id}",
            new CreatedApiKeyResponse(key.Id, key.Name, key.Prefix, role.ToString().ToLowerInvariant(), key.CreatedAt, key.ExpiresAt, secret));
    }

    private static async Task<Results<NoContent, NotFound>> RevokeAsync(
        Guid workspaceId, Guid keyId, HttpContext http, GitMeshDbContext db, TimeProvider time, CancellationToken ct)
    {
        var key = await db.ApiKeys.FirstOrDefaultAsync(k => k.Id == keyId, ct);
        if (key is null)
        {
            return TypedResults.NotFound();
        }

        var now = time.GetUtcNow().UtcDateTime;
        if (key.RevokedAt is null)
        {
            key.RevokedAt = now;
            AuditTrail.Record(db, workspaceId, http.Access().Caller, now, "api_key.revoked", "api_key", key.Id.ToString(), new { key.Name, key.Prefix }, null);
            await db.SaveChangesAsync(ct);
        }

        return TypedResults.NoContent();
    }

    private static ApiKeyResponse ToResponse(ApiKey k) =>
        new(k.Id, k.Name, k.Prefix, k.Role.ToString().ToLowerInvariant(), k.CreatedAt, k.LastUsedAt, k.ExpiresAt, k.RevokedAt);
}
