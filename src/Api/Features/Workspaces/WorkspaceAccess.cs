using GitMesh.Api.Features.Auth;
using GitMesh.Data;
using GitMesh.Domain.Workspaces;
using Microsoft.EntityFrameworkCore;

namespace GitMesh.Api.Features.Workspaces;

/// <summary>Endpoint metadata: the least role allowed to call it.</summary>
public sealed record MinimumRole(WorkspaceRole Role);

/// <summary>The caller's access to the workspace of the route, resolved once per request.</summary>
public sealed record WorkspaceAccessContext(Guid WorkspaceId, WorkspaceRole Role, Caller Caller);

public static class WorkspaceAccess
{
    /// <summary>
    /// Guards a route group under /workspaces/{workspaceId}. A caller with no access gets 404 — the same answer as
    /// for a workspace that does not exist, so ids of other tenants reveal nothing. A member whose role is too low
    /// gets 403. On success the data layer's workspace filter is switched to this workspace.
    /// </summary>
    public static RouteGroupBuilder RequireWorkspaceAccess(this RouteGroupBuilder group)
    {
        group.RequireAuthorization();
        group.WithMetadata(new Http.WorkspaceScopedEndpoint());
        group.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            if (!Guid.TryParse(http.GetRouteValue("workspaceId") as string, out var workspaceId))
            {
                return TypedResults.Problem("Workspace not found.", statusCode: StatusCodes.Status404NotFound, title: "Not found");
            }

            var caller = Caller.From(http.User);
            var role = await ResolveRoleAsync(caller, workspaceId, http.RequestServices.GetRequiredService<GitMeshDbContext>(), http.RequestAborted);
            if (role is null)
            {
                return TypedResults.Problem("Workspace not found.", statusCode: StatusCodes.Status404NotFound, title: "Not found");
            }

            var required = http.GetEndpoint()?.Metadata.GetMetadata<MinimumRole>()?.Role
                ?? (HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method) ? WorkspaceRole.Viewer : WorkspaceRole.Member);
            if (role < required)
            {
                return TypedResults.Problem($"This action needs the {required.ToString().ToLowerInvariant()} role; you are {role.Value.ToString().ToLowerInvariant()}.",
                    statusCode: StatusCodes.Status403Forbidden, title: "Forbidden");
            }

            http.RequestServices.GetRequiredService<WorkspaceScope>().Enter(workspaceId);
            http.Features.Set(new WorkspaceAccessContext(workspaceId, role.Value, caller));
            return await next(context);
        });
        return group;
    }

    public static TBuilder WithMinimumRole<TBuilder>(this TBuilder builder, WorkspaceRole role)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new MinimumRole(role));

    public static WorkspaceAccessContext Access(this HttpContext http) =>
        http.Features.Get<WorkspaceAccessContext>() ?? throw new InvalidOperationException("Endpoint is not under RequireWorkspaceAccess.");

    private static async Task<WorkspaceRole?> ResolveRoleAsync(Caller caller, Guid workspaceId, GitMeshDbContext db, CancellationToken ct)
    {
        if (caller.ApiKeyId is not null)
        {
            return caller.ApiKeyWorkspaceId == workspaceId ? caller.ApiKeyRole : null;
        }

        if (caller.UserId is not { } userId)
        {
            return null;
        }

        var membership = await db.Memberships.IgnoreQueryFilters()
            .Where(m => m.WorkspaceId == workspaceId && m.UserId == userId)
            .Select(m => (WorkspaceRole?)m.Role)
            .FirstOrDefaultAsync(ct);
        return membership;
    }
}
