using System.Security.Claims;
using GitMesh.Api.Features.Auth;
using GitMesh.Api.Http;
using GitMesh.Data;
using GitMesh.Domain.Workspaces;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace GitMesh.Api.Features.Workspaces;

public sealed record WorkspaceResponse(Guid Id, string Name, string Slug, DateTime CreatedAt, string Role);

public sealed record CreateWorkspaceRequest(string? Name);

public sealed record UpdateWorkspaceRequest(string? Name);

public static class WorkspaceEndpoints
{
    public static IEndpointRouteBuilder MapWorkspaceEndpoints(this IEndpointRouteBuilder app)
    {
        var root = app.MapGroup("/api/v1/workspaces").WithTags("Workspaces").RequireAuthorization();
        root.MapGet("/", ListAsync).WithSummary("Workspaces the caller can access.");
        root.MapPost("/", CreateAsync).WithSummary("Create a workspace; the creating user becomes its owner.");

        var one = app.MapGroup("/api/v1/workspaces/{workspaceId:guid}").WithTags("Workspaces").RequireWorkspaceAccess();
        one.MapGet("/", GetAsync).WithSummary("One workspace.");
        one.MapPatch("/", UpdateAsync).WithSummary("Rename a workspace.").WithMinimumRole(WorkspaceRole.Admin);
        one.MapDelete("/", DeleteAsync).WithSummary("Delete a workspace and everything in it.").WithMinimumRole(WorkspaceRole.Owner);
        return app;
    }

    private static async Task<Ok<IReadOnlyList<WorkspaceResponse>>> ListAsync(ClaimsPrincipal principal, GitMeshDbContext db, CancellationToken ct)
    {
        var caller = Caller.From(principal);
        List<WorkspaceResponse> list;
        if (caller.ApiKeyWorkspaceId is { } keyWorkspace)
        {
            list = await db.Workspaces.Where(w => w.Id == keyWorkspace)
                .Select(w => new WorkspaceResponse(w.Id, w.Name, w.Slug, w.CreatedAt, caller.ApiKeyRole!.Value.ToString().ToLowerInvariant()))
                .ToListAsync(ct);
        }
        else
        {
            var rows = await (from m in db.Memberships
                              join w in db.Workspaces on m.WorkspaceId equals w.Id
                              where m.UserId == caller.UserId
                              orderby w.Name
                              select new { w, m.Role }).ToListAsync(ct);
            list = rows.Select(r => new WorkspaceResponse(r.w.Id, r.w.Name, r.w.Slug, r.w.CreatedAt, r.Role.ToString().ToLowerInvariant())).ToList();
        }

        return TypedResults.Ok<IReadOnlyList<WorkspaceResponse>>(list);
    }

    private static async Task<Results<Created<WorkspaceResponse>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        CreateWorkspaceRequest request, ClaimsPrincipal principal, GitMeshDbContext db, TimeProvider time, CancellationToken ct)
    {
        var caller = Caller.From(principal);
        if (caller.UserId is not { } userId)
        {
            return TypedResults.Problem("API keys cannot create workspaces.", statusCode: StatusCodes.Status403Forbidden);
        }

        var validation = new Validation().Required("name", request.Name).MaxLength("name", request.Name, 200);
        if (!validation.IsValid)
        {
            return validation.ToProblem();
        }

        var now = time.GetUtcNow().UtcDateTime;
        var workspace = new Workspace { Name = request.Name!.Trim(), Slug = Slugs.From(request.Name), CreatedAt = now, UpdatedAt = now };
        db.Workspaces.Add(workspace);
        db.Memberships.Add(new Membership { WorkspaceId = workspace.Id, UserId = userId, Role = WorkspaceRole.Owner, CreatedAt = now });
        AuditTrail.Record(db, workspace.Id, caller, now, "workspace.created", "workspace", workspace.Id.ToString(), null, new { workspace.Name });
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/workspaces/{workspace.Id}", new WorkspaceResponse(workspace.Id, workspace.Name, workspace.Slug, workspace.CreatedAt, "owner"));
    }

    private static async Task<Results<Ok<WorkspaceResponse>, NotFound>> GetAsync(Guid workspaceId, HttpContext http, GitMeshDbContext db, CancellationToken ct)
    {
        var w = await db.Workspaces.FirstOrDefaultAsync(x => x.Id == workspaceId, ct);
        return w is null
            ? TypedResults.NotFound()
            : TypedResults.Ok(new WorkspaceResponse(w.Id, w.Name, w.Slug, w.CreatedAt, http.Access().Role.ToString().ToLowerInvariant()));
    }

    private static async Task<Results<Ok<WorkspaceResponse>, NotFound, ValidationProblem>> UpdateAsync(
        Guid workspaceId, UpdateWorkspaceRequest request, HttpContext http, GitMeshDbContext db, TimeProvider time, CancellationToken ct)
    {
        var validation = new Validation().Required("name", request.Name).MaxLength("name", request.Name, 200);
        if (!validation.IsValid)
        {
            return validation.ToProblem();
        }

        var w = await db.Workspaces.FirstOrDefaultAsync(x => x.Id == workspaceId, ct);
        if (w is null)
        {
            return TypedResults.NotFound();
        }

        var now = time.GetUtcNow().UtcDateTime;
        AuditTrail.Record(db, w.Id, http.Access().Caller, now, "workspace.renamed", "workspace", w.Id.ToString(), new { w.Name }, new { Name = request.Name!.Trim() });
        w.Name = request.Name!.Trim();
        w.UpdatedAt = now;
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(new WorkspaceResponse(w.Id, w.Name, w.Slug, w.CreatedAt, http.Access().Role.ToString().ToLowerInvariant()));
    }

    private static async Task<Results<NoContent, NotFound>> DeleteAsync(Guid workspaceId, GitMeshDbContext db, CancellationToken ct)
    {
        var w = await db.Workspaces.FirstOrDefaultAsync(x => x.Id == workspaceId, ct);
        if (w is null)
        {
            return TypedResults.NotFound();
        }

        db.Workspaces.Remove(w);
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }
}
