using System.Text.Json;
using GitMesh.Api.Features.Triage;
using GitMesh.Api.Features.Workspaces;
using GitMesh.Api.Http;
using GitMesh.Data;
using GitMesh.Domain.Views;
using GitMesh.Domain.Workspaces;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace GitMesh.Api.Features.Views;

public sealed record SavedViewResponse(Guid Id, string Name, JsonElement Filter, string Sort, bool Shared, Guid? OwnerUserId, bool CanEdit, DateTime CreatedAt, DateTime UpdatedAt);

/// <summary>Create: name and filter required. Update: any subset.</summary>
public sealed record SavedViewRequest(string? Name, JsonElement? Filter, string? Sort, bool? Shared);

/// <summary>
/// Saved views of the signal inbox. A personal view is visible to its owner only (to anyone else it does not exist:
/// 404); a shared view is visible to the workspace and editable by its owner and by admins.
/// </summary>
public static class ViewEndpoints
{
    public static IEndpointRouteBuilder MapViewEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/workspaces/{workspaceId:guid}/views").WithTags("Views").RequireWorkspaceAccess();
        group.MapGet("/", ListAsync).WithSummary("Shared views and your personal views.");
        group.MapGet("/{viewId:guid}", GetAsync).WithSummary("One saved view.");
        group.MapPost("/", CreateAsync).WithSummary("Save a view (personal unless shared is true).");
        group.MapPatch("/{viewId:guid}", UpdateAsync).WithSummary("Change a view: yours, or (admin) any shared view.");
        group.MapDelete("/{viewId:guid}", DeleteAsync).WithSummary("Delete a view: yours, or (admin) any shared view.");
        return app;
    }

    private static IQueryable<SavedView> Visible(GitMeshDbContext db, WorkspaceAccessContext access) =>
        db.SavedViews.Where(v => v.Shared || (access.Caller.UserId != null && v.OwnerUserId == access.Caller.UserId));

    private static bool CanEdit(SavedView view, WorkspaceAccessContext access) =>
        access.Role >= WorkspaceRole.Member && ((view.OwnerUserId is not null && view.OwnerUserId == access.Caller.UserId) || (view.Shared && access.Role >= WorkspaceRole.Admin));

    private static SavedViewResponse ToResponse(SavedView v, WorkspaceAccessContext access)
    {
        using var filter = JsonDocument.Parse(v.FilterJson);
        return new SavedViewResponse(v.Id, v.Name, filter.RootElement.Clone(), v.Sort ?? "newest", v.Shared, v.OwnerUserId, CanEdit(v, access), v.CreatedAt, v.UpdatedAt);
    }

    private static async Task<Ok<IReadOnlyList<SavedViewResponse>>> ListAsync(HttpContext http, GitMeshDbContext db, CancellationToken ct)
    {
        var access = http.Access();
        var views = await Visible(db, access).OrderBy(v => v.Name).ThenBy(v => v.Id).ToListAsync(ct);
        return TypedResults.Ok<IReadOnlyList<SavedViewResponse>>(views.Select(v => ToResponse(v, access)).ToList());
    }

    private static async Task<Results<Ok<SavedViewResponse>, NotFound>> GetAsync(Guid viewId, HttpContext http, GitMeshDbContext db, CancellationToken ct)
    {
        var access = http.Access();
        var view = await Visible(db, access).FirstOrDefaultAsync(v => v.Id == viewId, ct);
        return view is null ? TypedResults.NotFound() : TypedResults.Ok(ToResponse(view, access));
    }

    private static async Task<Results<Created<SavedViewResponse>, ValidationProblem>> CreateAsync(
        Guid workspaceId, SavedViewRequest request, HttpContext http, GitMeshDbContext db, TimeProvider time, CancellationToken ct)
    {
        var access = http.Access();
        var validation = new Validation().Required("name", request.Name).MaxLength("name", request.Name?.Trim(), 200);
        var filterJson = ValidateFilter(request.Filter ?? JsonDocument.Parse("{}").RootElement, access, validation);
        var sort = ValidateSort(request.Sort, validation);
        var shared = request.Shared ?? false;
        validation.Check(shared || access.Caller.UserId is not null, "shared", "An API key has no user to own a personal view; create it with shared: true.");
        if (!validation.IsValid)
        {
            return validation.ToProblem();
        }

        var now = time.GetUtcNow().UtcDateTime;
        var view = new SavedView
        {
            WorkspaceId = workspaceId,
            OwnerUserId = access.Caller.UserId,
            Name = request.Name!.Trim(),
            FilterJson = filterJson,
            Sort = sort,
            Shared = shared,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.SavedViews.Add(view);
        AuditTrail.Record(db, workspaceId, access.Caller, now, "view.created", "saved_view", view.Id.ToString(), null, Snapshot(view));
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/workspaces/{workspaceId}/views/{view.Id}", ToResponse(view, access));
    }

    private static async Task<Results<Ok<SavedViewResponse>, NotFound, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        Guid workspaceId, Guid viewId, SavedViewRequest request, HttpContext http, GitMeshDbContext db, TimeProvider time, CancellationToken ct)
    {
        var access = http.Access();
        var view = await Visible(db, access).FirstOrDefaultAsync(v => v.Id == viewId, ct);
        if (view is null)
        {
            return TypedResults.NotFound();
        }

        if (!CanEdit(view, access))
        {
            return TypedResults.Problem("Only the view's owner or an admin can change a shared view.", statusCode: StatusCodes.Status403Forbidden, title: "Forbidden");
        }

        var validation = new Validation();
        if (request.Name is not null)
        {
            validation.Required("name", request.Name).MaxLength("name", request.Name.Trim(), 200);
        }

        var filterJson = request.Filter is { } filter ? ValidateFilter(filter, access, validation) : null;
        var sort = request.Sort is not null ? ValidateSort(request.Sort, validation) : null;
        validation.Check(request.Shared != false || view.OwnerUserId is not null, "shared", "This view has no owner (an API key made it); it stays shared.");
        if (!validation.IsValid)
        {
            return validation.ToProblem();
        }

        var before = Snapshot(view);
        view.Name = request.Name?.Trim() ?? view.Name;
        view.FilterJson = filterJson ?? view.FilterJson;
        view.Sort = sort ?? view.Sort;
        view.Shared = request.Shared ?? view.Shared;
        var now = time.GetUtcNow().UtcDateTime;
        view.UpdatedAt = now;
        AuditTrail.Record(db, workspaceId, access.Caller, now, "view.updated", "saved_view", view.Id.ToString(), before, Snapshot(view));
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(ToResponse(view, access));
    }

    private static async Task<Results<NoContent, NotFound, ProblemHttpResult>> DeleteAsync(
        Guid workspaceId, Guid viewId, HttpContext http, GitMeshDbContext db, TimeProvider time, CancellationToken ct)
    {
        var access = http.Access();
        var view = await Visible(db, access).FirstOrDefaultAsync(v => v.Id == viewId, ct);
        if (view is null)
        {
            return TypedResults.NotFound();
        }

        if (!CanEdit(view, access))
        {
            return TypedResults.Problem("Only the view's owner or an admin can delete a shared view.", statusCode: StatusCodes.Status403Forbidden, title: "Forbidden");
        }

        db.SavedViews.Remove(view);
        AuditTrail.Record(db, workspaceId, access.Caller, time.GetUtcNow().UtcDateTime, "view.deleted", "saved_view", view.Id.ToString(), Snapshot(view), null);
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    /// <summary>The filter must be one the signal list accepts, so a saved view always opens.</summary>
    private static string ValidateFilter(JsonElement filter, WorkspaceAccessContext access, Validation validation)
    {
        SignalFilter.FromJson(filter, access.Caller.UserId, validation, "filter.");
        var json = filter.GetRawText();
        validation.Check(json.Length <= 8000, "filter", "The filter is too large.");
        return json;
    }

    private static string ValidateSort(string? sort, Validation validation)
    {
        if (!SignalListing.TryParseSort(sort, out var parsed))
        {
            validation.Add("sort", "'sort' must be newest, relevance, cluster_size or velocity.");
        }

        return SignalListing.SortName(parsed);
    }

    private static object Snapshot(SavedView v) => new { v.Name, Filter = v.FilterJson, v.Sort, v.Shared, v.OwnerUserId };
}
