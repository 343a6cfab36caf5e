using System.Globalization;
using System.Text.Json;
using System.Text;
using GitMesh.Api.Features.Signals;
using GitMesh.Api.Features.Workspaces;
using GitMesh.Api.Http;
using GitMesh.Data;
using GitMesh.Domain.Workspaces;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.OpenApi;

namespace GitMesh.Api.Features.Audit;

public sealed record AuditEntryResponse(Guid Id, string Action, string EntityType, string? EntityId, Guid? ActorUserId, Guid? ActorApiKeyId, JsonElement? Before, JsonElement? After, DateTime CreatedAt);

public sealed record AuditPage(IReadOnlyList<AuditEntryResponse> Items, string? NextCursor);

public sealed record OutboxEventResponse(long Sequence, string Type, JsonElement Payload, DateTime CreatedAt);

/// <summary><paramref name="LastSequence"/>: pass it as <c>since</c> next time (equals <c>since</c> when nothing is new).</summary>
public sealed record EventsPage(IReadOnlyList<OutboxEventResponse> Items, long LastSequence, bool HasMore);

public static class AuditEndpoints
{
    public static IEndpointRouteBuilder MapAuditEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/workspaces/{workspaceId:guid}").RequireWorkspaceAccess();
        group.MapGet("/audit", ListAsync).WithTags("Audit").WithMinimumRole(WorkspaceRole.Admin)
            .WithQueryParameters([
                new("action", "Action name, e.g. signal.updated, cluster.merged, apikey.created."),
                new("entityType", "Entity type, e.g. signal, cluster, integration, apikey."),
                new("actor", "User id of whoever acted.", Format: "uuid"),
                .. CommonQuery.Range("when it happened"),
                .. CommonQuery.Page(50, SignalEndpoints.MaxLimit)])
            .WithSummary("The audit log, newest first; filter by action, entityType, actor (user or API key id), from, to.");
        group.MapGet("/events", EventsAsync).WithTags("Events")
            .WithQueryParameters([
                new("since", "Return events with a sequence number above this one (the last one the client saw).", JsonSchemaType.Integer, Minimum: 0, Default: "0"),
                new("limit", "Page size, 1–1000.", JsonSchemaType.Integer, Minimum: 1, Maximum: 1000, Default: "100")])
            .WithSummary("Real-time events after a sequence number, oldest first: what a reconnecting client missed.");
        return app;
    }

    private static async Task<Results<Ok<AuditPage>, ValidationProblem>> ListAsync(HttpContext http, GitMeshDbContext db, CancellationToken ct)
    {
        var query = http.Request.Query;
        var validation = new Validation();
        var limit = SignalEndpoints.ParseLimit(query["limit"], 50, SignalEndpoints.MaxLimit, validation);
        var entries = db.AuditLog.AsNoTracking();
        if (query["action"].ToString() is { Length: > 0 } action)
        {
            entries = entries.Where(e => e.Action == action);
        }

        if (query["entityType"].ToString() is { Length: > 0 } entityType)
        {
            entries = entries.Where(e => e.EntityType == entityType);
        }

        if (query["actor"].ToString() is { Length: > 0 } actor)
        {
            if (Guid.TryParse(actor, out var actorId))
            {
                entries = entries.Where(e => e.ActorUserId == actorId || e.ActorApiKeyId == actorId);
            }
            else
            {
                validation.Add("actor", "'actor' must be a user or API key id.");
            }
        }

        if (ParseDate(query["from"], "from", validation) is { } from)
        {
            entries = entries.Where(e => e.CreatedAt >= from);
        }

        if (ParseDate(query["to"], "to", validation) is { } to)
        {
            entries = entries.Where(e => e.CreatedAt < to);
        }

        if (query["cursor"].ToString() is { Length: > 0 } cursor)
        {
            if (TimeIdCursor.TryDecode(cursor, out var at, out var id))
            {
                entries = entries.Where(e => e.CreatedAt < at || (e.CreatedAt == at && e.Id.CompareTo(id) < 0));
            }
            else
            {
                validation.Add("cursor", "The cursor is invalid.");
            }
        }

        if (!validation.IsValid)
        {
            return validation.ToProblem();
        }

        var rows = await entries.OrderByDescending(e => e.CreatedAt).ThenByDescending(e => e.Id).Take(limit + 1).ToListAsync(ct);
        string? next = null;
        if (rows.Count > limit)
        {
            rows.RemoveAt(limit);
            next = TimeIdCursor.Encode(rows[^1].CreatedAt, rows[^1].Id);
        }

        return TypedResults.Ok(new AuditPage(rows.Select(e => new AuditEntryResponse(e.Id, e.Action, e.EntityType, e.EntityId, e.ActorUserId, e.ActorApiKeyId,
            Parse(e.BeforeJson), Parse(e.AfterJson), e.CreatedAt)).ToList(), next));
    }

    private static async Task<Results<Ok<EventsPage>, ValidationProblem>> EventsAsync(HttpContext http, GitMeshDbContext db, CancellationToken ct)
    {
        var query = http.Request.Query;
        var validation = new Validation();
        var limit = SignalEndpoints.ParseLimit(query["limit"], 100, 1000, validation);
        long since = 0;
        if (query["since"].ToString() is { Length: > 0 } rawSince && (!long.TryParse(rawSince, NumberStyles.None, CultureInfo.InvariantCulture, out since)))
        {
            validation.Add("since", "'since' must be a sequence number (0 or more).");
        }

        if (!validation.IsValid)
        {
            return validation.ToProblem();
        }

        var rows = await db.OutboxEvents.AsNoTracking().Where(e => e.Id > since).OrderBy(e => e.Id).Take(limit + 1).ToListAsync(ct);
        var more = rows.Count > limit;
        rows = rows.Take(limit).ToList();
        // Same payload as the hub pushes: the stored payload plus sequence and type.
        var items = rows.Select(e =>
        {
            var payload = System.Text.Json.Nodes.JsonNode.Parse(e.PayloadJson) as System.Text.Json.Nodes.JsonObject ?? [];
            payload["sequence"] = e.Id;
            payload["type"] = e.Type;
            return new OutboxEventResponse(e.Id, e.Type, JsonSerializer.SerializeToElement(payload), e.CreatedAt);
        }).ToList();
        return TypedResults.Ok(new EventsPage(items, rows.Count > 0 ? rows[^1].Id : since, more));
    }

    private static JsonElement? Parse(string? json)
    {
        if (json is null)
        {
            return null;
        }

        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.Clone();
    }

    private static DateTime? ParseDate(string? value, string field, Validation validation)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            return parsed.UtcDateTime;
        }

        validation.Add(field, $"'{value}' is not an ISO 8601 date or timestamp.");
        return null;
    }
}
