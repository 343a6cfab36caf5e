using System.Text.Json;
using GitMesh.Api.Features.Triage;
using GitMesh.Api.Features.Workspaces;
using GitMesh.Api.Http;
using GitMesh.Data;
using GitMesh.Domain.Signals;
using GitMesh.Intelligence.Classification;
using GitMesh.Search;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace GitMesh.Api.Features.Signals;

public sealed record SignalThreadItem(Guid Id, string Source, string Kind, string ExternalId, string? Url, string? Title, string? Excerpt, SignalAuthorResponse? Author, DateTime? SourceCreatedAt);

public sealed record SignalClusterSummary(Guid Id, string Title, int Size, IReadOnlyList<string> Platforms, DateTime FirstSeenAt, DateTime LastSeenAt, Guid? MergedIntoId);

public sealed record SignalDetail(
    SignalListItem Signal,
    string? Body,
    string? BodyText,
    string? CodeText,
    string? ParentExternalId,
    Guid? AssigneeUserId,
    bool ClassificationLocked,
    double? SentimentScore,
    DateTime UpdatedAt,
    int Version,
    SignalThreadItem? Parent,
    IReadOnlyList<SignalThreadItem> Children,
    SignalClusterSummary? Cluster,
    string? Summary = null,
    string ClassifiedBy = "model");

public static class SignalEndpoints
{
    public const int MaxLimit = 200;
    private const int MaxTags = 50;
    private const int MaxNoteLength = 2000;
    private static readonly HashSet<string> PatchFields = new(StringComparer.Ordinal) { "triageStatus", "assigneeUserId", "tags", "intent", "sentiment", "productAreas", "note" };

    public static IEndpointRouteBuilder MapSignalEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/workspaces/{workspaceId:guid}/signals").WithTags("Signals").RequireWorkspaceAccess();
        group.MapGet("/", ListAsync).WithSummary("The signal inbox: search, filters, sorting, keyset pagination and optional facets.")
            .WithQueryParameters(SignalQueryDocs.List);
        group.MapGet("/{signalId:guid}", GetAsync).WithSummary("One signal with its thread (parent and replies), author and cluster.");
        group.MapPatch("/{signalId:guid}", UpdateAsync)
            .WithSummary("Triage one signal: status, assignee, tags, and classification corrections (which lock the classification).");
        return app;
    }

    private static async Task<Results<Ok<SignalPage>, ValidationProblem>> ListAsync(
        Guid workspaceId, HttpContext http, GitMeshDbContext db, ISignalSearchIndex search, IOptions<SignalListOptions> options, TimeProvider time, CancellationToken ct)
    {
        var query = http.Request.Query;
        var validation = new Validation();
        foreach (var key in query.Keys.Where(k => !SignalFilter.Fields.Contains(k) && k is not ("sort" or "limit" or "cursor" or "facets")))
        {
            validation.Add(key, $"Unknown query parameter '{key}'.");
        }

        var filter = SignalFilter.FromQuery(query, http.Access().Caller.UserId, validation);
        if (!SignalListing.TryParseSort(query["sort"], out var sort))
        {
            validation.Add("sort", "'sort' must be newest, relevance, cluster_size or velocity.");
        }
        else if (sort == SignalSort.Relevance && filter.Query is null)
        {
            validation.Add("sort", "'relevance' needs a search query 'q'.");
        }

        var limit = ParseLimit(query["limit"], 50, MaxLimit, validation);
        SignalListing.Cursor? cursor = null;
        if (query["cursor"].ToString() is { Length: > 0 } rawCursor)
        {
            cursor = SignalListing.Cursor.TryDecode(rawCursor);
            if (cursor is null || cursor.Sort != sort)
            {
                validation.Add("cursor", "The cursor is invalid or belongs to another sort order; start again without it.");
            }
        }

        var facets = query["facets"].ToString() is { Length: > 0 } rawFacets && bool.TryParse(rawFacets, out var f) && f;
        if (!validation.IsValid)
        {
            return validation.ToProblem();
        }

        var now = time.GetUtcNow().UtcDateTime;
        var (rows, next) = await SignalListing.PageAsync(db, search, workspaceId, filter, sort, limit, cursor, now, options.Value, ct);
        var facetCounts = facets ? await SignalListing.FacetsAsync(filter.Apply(db, search, workspaceId), ct) : null;
        return TypedResults.Ok(new SignalPage(rows.Select(SignalListing.ToItem).ToList(), next, facetCounts));
    }

    internal static int ParseLimit(string? raw, int defaultValue, int max, Validation validation)
    {
        if (string.IsNullOrEmpty(raw))
        {
            return defaultValue;
        }

        if (int.TryParse(raw, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var limit) && limit >= 1 && limit <= max)
        {
            return limit;
        }

        validation.Add("limit", $"'limit' must be a whole number from 1 to {max}.");
        return defaultValue;
    }

    private static async Task<Results<Ok<SignalDetail>, NotFound>> GetAsync(Guid signalId, GitMeshDbContext db, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var signal = await db.Signals.AsNoTracking().FirstOrDefaultAsync(s => s.Id == signalId && !s.IsDeleted, ct);
        var item = signal is null ? null : await SignalListing.FindItemAsync(db, signalId, now, ct);
        if (signal is null || item is null)
        {
            return TypedResults.NotFound();
        }

        var thread = db.Signals.Where(s => !s.IsDeleted && s.Source == signal.Source);
        SignalThreadItem? parent = null;
        if (signal.ParentExternalId is { } parentId)
        {
            parent = (await ThreadItemsAsync(db, thread.Where(s => s.ExternalId == parentId), 1, ct)).FirstOrDefault();
        }

        var children = await ThreadItemsAsync(db, thread.Where(s => s.ParentExternalId == signal.ExternalId), 200, ct);
        var cluster = signal.ClusterId is { } clusterId ? await db.Clusters.AsNoTracking().FirstOrDefaultAsync(c => c.Id == clusterId, ct) : null;
        return TypedResults.Ok(new SignalDetail(item, signal.Body, signal.BodyText, signal.CodeText, signal.ParentExternalId, signal.AssigneeUserId,
            signal.ClassificationLocked, signal.SentimentScore, signal.UpdatedAt, signal.Version, parent, children,
            cluster is null ? null : new SignalClusterSummary(cluster.Id, cluster.Title, cluster.Size, SignalFilter.SplitList(cluster.Platforms), cluster.FirstSeenAt, cluster.LastSeenAt, cluster.MergedIntoId),
            signal.Summary, signal.ClassifiedBy));
    }

    private static async Task<List<SignalThreadItem>> ThreadItemsAsync(GitMeshDbContext db, IQueryable<Signal> signals, int limit, CancellationToken ct)
    {
        var rows = await SignalListing.Project(db, signals, SignalSort.Newest, DateTime.UtcNow)
            .OrderBy(r => r.SourceCreatedAt).ThenBy(r => r.IngestedAt).ThenBy(r => r.Id).Take(limit).ToListAsync(ct);
        return rows.Select(SignalListing.ToItem)
            .Select(i => new SignalThreadItem(i.Id, i.Source, i.Kind, i.ExternalId, i.Url, i.Title, i.Excerpt, i.Author, i.SourceCreatedAt)).ToList();
    }

    private static async Task<Results<Ok<SignalListItem>, NotFound, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        Guid workspaceId, Guid signalId, JsonElement body, HttpContext http, GitMeshDbContext db, TimeProvider time, CancellationToken ct)
    {
        var access = http.Access();
        var validation = new Validation();
        var patch = await ReadPatchAsync(body, db, validation, ct);
        if (!validation.IsValid)
        {
            return validation.ToProblem();
        }

        var signal = await db.Signals.FirstOrDefaultAsync(s => s.Id == signalId && !s.IsDeleted, ct);
        if (signal is null)
        {
            return TypedResults.NotFound();
        }

        var now = time.GetUtcNow().UtcDateTime;
        var before = new Dictionary<string, object?>(StringComparer.Ordinal);
        var after = new Dictionary<string, object?>(StringComparer.Ordinal);
        void Changed(string field, object? old, object? value)
        {
            before[field] = old;
            after[field] = value;
        }

        if (patch.Status is { } status && status != signal.TriageStatus)
        {
            Changed("triageStatus", SignalFilter.StatusName(signal.TriageStatus), SignalFilter.StatusName(status));
            signal.TriageStatus = status;
        }

        if (patch.AssigneeSet && patch.Assignee != signal.AssigneeUserId)
        {
            Changed("assigneeUserId", signal.AssigneeUserId, patch.Assignee);
            signal.AssigneeUserId = patch.Assignee;
        }

        if (patch.Tags is { } tags && JoinList(tags) != signal.Tags)
        {
            Changed("tags", SignalFilter.SplitList(signal.Tags), tags);
            signal.Tags = JoinList(tags);
        }

        // A correction is recorded even when it confirms the model's label: a confirmed label is training data too.
        var corrections = new List<SignalCorrection>();
        void Correct(string field, string? old, string? value)
        {
            corrections.Add(new SignalCorrection
            {
                WorkspaceId = workspaceId,
                SignalId = signal.Id,
                Field = field,
                OldValue = old,
                NewValue = value,
                CorrectedByUserId = access.Caller.UserId,
                CorrectedByApiKeyId = access.Caller.ApiKeyId,
                CreatedAt = now,
            });
            if (old != value)
            {
                Changed(field == "product_areas" ? "productAreas" : field, old, value);
            }
        }

        if (patch.Intent is { } intent)
        {
            Correct("intent", signal.Intent, intent);
            signal.Intent = intent;
            // A person's label is certain.
            signal.IntentConfidence = 1.0;
        }

        if (patch.Sentiment is { } sentiment)
        {
            Correct("sentiment", signal.Sentiment, sentiment);
            signal.Sentiment = sentiment;
        }

        if (patch.ProductAreas is { } areas)
        {
            Correct("product_areas", signal.ProductAreas, JoinList(areas));
            signal.ProductAreas = JoinList(areas);
        }

        if (corrections.Count > 0)
        {
            db.Set<SignalCorrection>().AddRange(corrections);
            if (!signal.ClassificationLocked)
            {
                Changed("classificationLocked", false, true);
                signal.ClassificationLocked = true;
            }
        }

        if (after.Count > 0 || patch.Note is not null || corrections.Count > 0)
        {
            if (patch.Note is { } note)
            {
                after["note"] = note;
            }

            signal.Version++;
            signal.UpdatedAt = now;
            AuditTrail.Record(db, workspaceId, access.Caller, now, "signal.updated", "signal", signal.Id.ToString(), before, after);
            TriageEvents.SignalChanged(db, workspaceId, signal.Id, signal.ClusterId, now);
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateConcurrencyException)
            {
                return TypedResults.Problem("The signal changed while you edited it (the pipeline or someone else updated it). Reload and try again.",
                    statusCode: StatusCodes.Status409Conflict, title: "Conflict");
            }
        }

        return TypedResults.Ok((await SignalListing.FindItemAsync(db, signal.Id, now, ct))!);
    }

    private sealed record SignalPatch(TriageStatus? Status, bool AssigneeSet, Guid? Assignee, IReadOnlyList<string>? Tags, string? Intent, string? Sentiment, IReadOnlyList<string>? ProductAreas, string? Note);

    private static async Task<SignalPatch> ReadPatchAsync(JsonElement body, GitMeshDbContext db, Validation validation, CancellationToken ct)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            validation.Add("body", "The body must be a JSON object.");
            return new SignalPatch(null, false, null, null, null, null, null, null);
        }

        foreach (var property in body.EnumerateObject().Where(p => !PatchFields.Contains(p.Name)))
        {
            validation.Add(property.Name, $"Unknown field '{property.Name}'; allowed: {string.Join(", ", PatchFields)}.");
        }

        TriageStatus? status = null;
        if (body.TryGetProperty("triageStatus", out var s))
        {
            if (s.ValueKind == JsonValueKind.String && SignalFilter.TryParseStatus(s.GetString()!, out var parsed))
            {
                status = parsed;
            }
            else
            {
                validation.Add("triageStatus", "'triageStatus' must be new, triaged, linked, dismissed or spam.");
            }
        }

        var assigneeSet = body.TryGetProperty("assigneeUserId", out var a);
        Guid? assignee = null;
        if (assigneeSet && a.ValueKind != JsonValueKind.Null)
        {
            if (a.ValueKind == JsonValueKind.String && Guid.TryParse(a.GetString(), out var id))
            {
                assignee = id;
                if (!await db.Memberships.AnyAsync(m => m.UserId == id, ct))
                {
                    validation.Add("assigneeUserId", "The assignee must be a member of this workspace.");
                }
            }
            else
            {
                validation.Add("assigneeUserId", "'assigneeUserId' must be a user id or null.");
            }
        }

        var intent = ReadLabel(body, "intent", LabelNames.Intents, validation);
        var sentiment = ReadLabel(body, "sentiment", LabelNames.Sentiments, validation);
        var tags = ReadList(body, "tags", validation, lowerCase: true);
        var areas = ReadList(body, "productAreas", validation, lowerCase: false);
        string? note = null;
        if (body.TryGetProperty("note", out var n) && n.ValueKind != JsonValueKind.Null)
        {
            if (n.ValueKind == JsonValueKind.String)
            {
                note = n.GetString();
                validation.MaxLength("note", note, MaxNoteLength);
            }
            else
            {
                validation.Add("note", "'note' must be a string.");
            }
        }

        return new SignalPatch(status, assigneeSet, assignee, tags, intent, sentiment, areas, note);
    }

    private static string? ReadLabel(JsonElement body, string field, IReadOnlyList<string> allowed, Validation validation)
    {
        if (!body.TryGetProperty(field, out var value))
        {
            return null;
        }

        var label = value.ValueKind == JsonValueKind.String ? value.GetString()!.Trim().ToLowerInvariant() : null;
        if (label is null || !allowed.Contains(label))
        {
            validation.Add(field, $"'{field}' must be one of {string.Join(", ", allowed)}.");
            return null;
        }

        return label;
    }

    /// <summary>Reads a list stored comma-separated: items are trimmed, de-duplicated, and may not contain commas.</summary>
    internal static IReadOnlyList<string>? ReadList(JsonElement body, string field, Validation validation, bool lowerCase)
    {
        if (!body.TryGetProperty(field, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array || value.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
        {
            validation.Add(field, $"'{field}' must be an array of strings.");
            return null;
        }

        var items = value.EnumerateArray().Select(e => e.GetString()!.Trim()).Select(v => lowerCase ? v.ToLowerInvariant() : v)
            .Where(v => v.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        if (items.Any(i => i.Contains(',', StringComparison.Ordinal) || i.Length > 100))
        {
            validation.Add(field, $"Items of '{field}' may not contain commas and are at most 100 characters.");
        }

        if (items.Count > MaxTags || string.Join(',', items).Length > 2000)
        {
            validation.Add(field, $"At most {MaxTags} items and 2000 characters in all.");
        }

        return items;
    }

    internal static string? JoinList(IReadOnlyCollection<string> items) => items.Count == 0 ? null : string.Join(',', items);
}
