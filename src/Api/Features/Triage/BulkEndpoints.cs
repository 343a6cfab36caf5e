using System.Text.Json;
using GitMesh.Api.Features.Signals;
using GitMesh.Api.Features.Workspaces;
using GitMesh.Api.Http;
using GitMesh.Data;
using GitMesh.Domain.Signals;
using GitMesh.Search;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace GitMesh.Api.Features.Triage;

public sealed record BulkJobResponse(Guid Id, string Status, int Processed, int Total, int Updated, string? Error, DateTime CreatedAt, DateTime? CompletedAt)
{
    public static BulkJobResponse From(BulkJob job) =>
        new(job.Id, job.Status.ToString().ToLowerInvariant(), job.Processed, job.Total, job.Updated, job.Error, job.CreatedAt, job.CompletedAt);
}

public static class BulkEndpoints
{
    /// <summary>Largest selection one bulk request may touch.</summary>
    public const int MaxSignals = 100_000;

    public static IServiceCollection AddTriage(this IServiceCollection services)
    {
        services.AddSingleton<BulkJobRegistry>();
        services.AddHostedService<BulkJobWorker>();
        return services;
    }

    public static IEndpointRouteBuilder MapBulkEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/workspaces/{workspaceId:guid}").WithTags("Signals").RequireWorkspaceAccess();
        group.MapPost("/signals/bulk", SubmitAsync)
            .WithSummary("Update many signals (by ids and/or a list filter) in a background job: status, assignee, tags. 202 with the job.");
        group.MapGet("/bulk-jobs/{jobId:guid}", GetJob).WithSummary("Progress of a bulk job.");
        return app;
    }

    private static async Task<Results<Accepted<BulkJobResponse>, ValidationProblem>> SubmitAsync(
        Guid workspaceId, JsonElement body, HttpContext http, GitMeshDbContext db, ISignalSearchIndex search, BulkJobRegistry registry, TimeProvider time, CancellationToken ct)
    {
        var access = http.Access();
        var validation = new Validation();
        if (body.ValueKind != JsonValueKind.Object)
        {
            validation.Add("body", "The body must be a JSON object.");
            return validation.ToProblem();
        }

        foreach (var property in body.EnumerateObject().Where(p => p.Name is not ("ids" or "filter" or "set")))
        {
            validation.Add(property.Name, $"Unknown field '{property.Name}'; allowed: ids, filter, set.");
        }

        List<Guid>? ids = null;
        if (body.TryGetProperty("ids", out var idsJson) && idsJson.ValueKind != JsonValueKind.Null)
        {
            ids = [];
            if (idsJson.ValueKind != JsonValueKind.Array)
            {
                validation.Add("ids", "'ids' must be an array of signal ids.");
            }
            else
            {
                foreach (var item in idsJson.EnumerateArray())
                {
                    if (item.ValueKind == JsonValueKind.String && Guid.TryParse(item.GetString(), out var id))
                    {
                        ids.Add(id);
                    }
                    else
                    {
                        validation.Add("ids", "'ids' must be an array of signal ids.");
                        break;
                    }
                }

                validation.Check(ids.Count <= MaxSignals, "ids", $"At most {MaxSignals} ids.");
            }
        }

        SignalFilter? filter = null;
        if (body.TryGetProperty("filter", out var filterJson) && filterJson.ValueKind != JsonValueKind.Null)
        {
            filter = SignalFilter.FromJson(filterJson, access.Caller.UserId, validation, "filter.");
        }

        validation.Check(ids is not null || filter is not null, "ids", "Give 'ids', 'filter' or both (both: the listed signals that match the filter).");
        var set = body.TryGetProperty("set", out var setJson) ? await ReadSetAsync(setJson, db, validation, ct) : null;
        validation.Check(set is not null, "set", "'set' is required.");
        if (!validation.IsValid)
        {
            return validation.ToProblem();
        }

        var selection = filter?.Apply(db, search, workspaceId) ?? db.Signals.Where(s => !s.IsDeleted);
        if (ids is not null)
        {
            var distinct = ids.Distinct().ToList();
            selection = selection.Where(s => distinct.Contains(s.Id));
        }

        var signalIds = await selection.OrderBy(s => s.IngestedAt).ThenBy(s => s.Id).Select(s => s.Id).Take(MaxSignals + 1).ToListAsync(ct);
        if (signalIds.Count > MaxSignals)
        {
            validation.Add("filter", $"The selection has more than {MaxSignals} signals; narrow the filter.");
            return validation.ToProblem();
        }

        var now = time.GetUtcNow().UtcDateTime;
        var job = new BulkJob(Guid.CreateVersion7(), workspaceId, signalIds, set!, now);
        AuditTrail.Record(db, workspaceId, access.Caller, now, "signals.bulk_updated", "bulk_job", job.Id.ToString(), null, new
        {
            set = new
            {
                triageStatus = set!.TriageStatus is { } st ? SignalFilter.StatusName(st) : null,
                assigneeUserId = set.AssigneeSet ? set.AssigneeUserId : null,
                addTags = set.AddTags,
                removeTags = set.RemoveTags,
            },
            total = signalIds.Count,
            ids = ids?.Count,
            filter = filterJson.ValueKind == JsonValueKind.Object ? filterJson.Clone() : (JsonElement?)null,
        });
        await db.SaveChangesAsync(ct);
        registry.Enqueue(job);
        return TypedResults.Accepted($"/api/v1/workspaces/{workspaceId}/bulk-jobs/{job.Id}", BulkJobResponse.From(job));
    }

    private static async Task<BulkSet?> ReadSetAsync(JsonElement json, GitMeshDbContext db, Validation validation, CancellationToken ct)
    {
        if (json.ValueKind != JsonValueKind.Object)
        {
            validation.Add("set", "'set' must be an object.");
            return null;
        }

        foreach (var property in json.EnumerateObject().Where(p => p.Name is not ("triageStatus" or "assigneeUserId" or "addTags" or "removeTags")))
        {
            validation.Add("set." + property.Name, $"Unknown field '{property.Name}'; allowed: triageStatus, assigneeUserId, addTags, removeTags.");
        }

        TriageStatus? status = null;
        if (json.TryGetProperty("triageStatus", out var s))
        {
            if (s.ValueKind == JsonValueKind.String && SignalFilter.TryParseStatus(s.GetString()!, out var parsed))
            {
                status = parsed;
            }
            else
            {
                validation.Add("set.triageStatus", "'triageStatus' must be new, triaged, linked, dismissed or spam.");
            }
        }

        var assigneeSet = json.TryGetProperty("assigneeUserId", out var a);
        Guid? assignee = null;
        if (assigneeSet && a.ValueKind != JsonValueKind.Null)
        {
            if (a.ValueKind == JsonValueKind.String && Guid.TryParse(a.GetString(), out var id) && await db.Memberships.AnyAsync(m => m.UserId == id, ct))
            {
                assignee = id;
            }
            else
            {
                validation.Add("set.assigneeUserId", "'assigneeUserId' must be the id of a member of this workspace, or null.");
            }
        }

        var add = SignalEndpoints.ReadList(json, "addTags", validation, lowerCase: true) ?? [];
        var remove = SignalEndpoints.ReadList(json, "removeTags", validation, lowerCase: true) ?? [];
        if (status is null && !assigneeSet && add.Count == 0 && remove.Count == 0)
        {
            validation.Add("set", "Set at least one of triageStatus, assigneeUserId, addTags, removeTags.");
        }

        return new BulkSet(status, assigneeSet, assignee, add, remove);
    }

    private static Results<Ok<BulkJobResponse>, NotFound> GetJob(Guid workspaceId, Guid jobId, BulkJobRegistry registry) =>
        registry.Find(workspaceId, jobId) is { } job ? TypedResults.Ok(BulkJobResponse.From(job)) : TypedResults.NotFound();
}
