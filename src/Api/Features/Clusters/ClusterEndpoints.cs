using System.Globalization;
using GitMesh.Api.Features.Signals;
using GitMesh.Api.Features.Triage;
using GitMesh.Api.Features.Workspaces;
using GitMesh.Api.Http;
using GitMesh.Data;
using GitMesh.Domain.Clusters;
using GitMesh.Domain.Signals;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.OpenApi;

namespace GitMesh.Api.Features.Clusters;

public sealed record ClusterListItem(Guid Id, string Title, int Size, IReadOnlyList<string> Platforms, DateTime FirstSeenAt, DateTime LastSeenAt, double Velocity, string? TopIntent);

public sealed record ClusterPage(IReadOnlyList<ClusterListItem> Items, string? NextCursor);

public sealed record ClusterDetail(ClusterListItem Cluster, Guid? MergedIntoId, IReadOnlyList<SignalListItem> Signals);

public sealed record MergeClusterRequest(Guid? OtherClusterId);

public sealed record SplitClusterRequest(IReadOnlyList<Guid>? SignalIds);

public sealed record MoveSignalRequest(Guid? ClusterId);

public sealed record DuplicateSuggestion(Guid Id, double Score, DateTime CreatedAt, SignalListItem SignalA, SignalListItem SignalB);

public sealed record SuggestionDecision(Guid Id, string Decision, Guid? ClusterId);

public static class ClusterEndpoints
{
    private const int MaxMembers = 500;

    public static IEndpointRouteBuilder MapClusterEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/workspaces/{workspaceId:guid}").WithTags("Clusters").RequireWorkspaceAccess();
        group.MapGet("/clusters", ListAsync).WithSummary("Clusters by size, velocity (signals/day over 'window' days) or most recent activity.")
            .WithQueryParameters([
                new("sort", "Order by member count, velocity (signals/day over the window) or most recent activity.", Values: ["size", "velocity", "recent"], Default: "size"),
                new("window", "Velocity window in days, 1–365.", JsonSchemaType.Integer, Minimum: 1, Maximum: 365, Default: "7"),
                .. CommonQuery.Page(50, SignalEndpoints.MaxLimit)]);
        group.MapGet("/clusters/suggestions", SuggestionsAsync).WithSummary("Possible duplicates waiting for a decision, with both signals.")
            .WithQueryParameters(new QueryParameter("limit", "Page size, 1–200.", JsonSchemaType.Integer, Minimum: 1, Maximum: SignalEndpoints.MaxLimit, Default: "50"));
        group.MapGet("/clusters/{clusterId:guid}", GetAsync).WithSummary("A cluster with its member signals.");
        group.MapPost("/clusters/{clusterId:guid}/merge", MergeAsync).WithSummary("Move every signal of another cluster into this one (reversible with split).");
        group.MapPost("/clusters/{clusterId:guid}/split", SplitAsync).WithSummary("Move the given member signals into a new cluster.");
        group.MapPost("/clusters/suggestions/{suggestionId:guid}/confirm", ConfirmAsync).WithSummary("Confirm a duplicate: the signal of the smaller cluster joins the other's cluster.");
        group.MapPost("/clusters/suggestions/{suggestionId:guid}/reject", RejectAsync).WithSummary("Not a duplicate: the pair is never suggested again.");
        group.MapPost("/signals/{signalId:guid}/move", MoveAsync).WithSummary("Move one signal into another cluster.");
        return app;
    }

    private static async Task<Results<Ok<ClusterPage>, ValidationProblem>> ListAsync(
        Guid workspaceId, HttpContext http, GitMeshDbContext db, TimeProvider time, CancellationToken ct)
    {
        var query = http.Request.Query;
        var validation = new Validation();
        foreach (var key in query.Keys.Where(k => k is not ("sort" or "window" or "limit" or "cursor")))
        {
            validation.Add(key, $"Unknown query parameter '{key}'.");
        }

        var sort = query["sort"].ToString() is { Length: > 0 } s ? s.ToLowerInvariant() : "size";
        validation.Check(sort is "size" or "velocity" or "recent", "sort", "'sort' must be size, velocity or recent.");
        var window = SignalEndpoints.ParseLimit(query["window"], 7, 365, new Validation());
        if (query["window"].Count > 0 && window.ToString(CultureInfo.InvariantCulture) != query["window"].ToString())
        {
            validation.Add("window", "'window' must be a whole number of days from 1 to 365.");
        }

        var limit = SignalEndpoints.ParseLimit(query["limit"], 50, SignalEndpoints.MaxLimit, validation);
        var offset = 0;
        if (query["cursor"].ToString() is { Length: > 0 } cursor && !TryDecodeOffset(cursor, out offset))
        {
            validation.Add("cursor", "The cursor is invalid.");
        }

        if (!validation.IsValid)
        {
            return validation.ToProblem();
        }

        var since = time.GetUtcNow().UtcDateTime.AddDays(-window);
        // The workspace explicitly, besides the tenant query filter, whose "(@bypass OR workspace_id = @id)" SQLite cannot
        // use to seek an index: with it, a page is read in index order instead of sorting every cluster.
        var live = db.Clusters.Where(c => c.WorkspaceId == workspaceId && c.MergedIntoId == null && c.Size > 0);
        List<Cluster> page;
        if (sort == "velocity")
        {
            // Ranking by recent activity needs every cluster's recent count; the other orders read only the page's
            // clusters from an index and count members of those alone.
            var ranked = await live
                .Select(c => new
                {
                    Cluster = c,
                    Recent = db.Signals.Count(m => m.WorkspaceId == workspaceId && m.ClusterId == c.Id && !m.IsDeleted && (m.SourceCreatedAt ?? m.IngestedAt) >= since),
                })
                .OrderByDescending(c => c.Recent).ThenByDescending(c => c.Cluster.LastSeenAt).ThenByDescending(c => c.Cluster.Id)
                .Skip(offset).Take(limit + 1).ToListAsync(ct);
            page = ranked.Select(r => r.Cluster).ToList();
        }
        else
        {
            // Offset paging: every ordering here changes as signals arrive, so a keyset would not be exact either.
            var ordered = sort == "recent"
                ? live.OrderByDescending(c => c.LastSeenAt).ThenByDescending(c => c.Id)
                : live.OrderByDescending(c => c.Size).ThenByDescending(c => c.LastSeenAt).ThenByDescending(c => c.Id);
            page = await ordered.Skip(offset).Take(limit + 1).ToListAsync(ct);
        }

        var more = page.Count > limit;
        page = page.Take(limit).ToList();
        var stats = await MemberStatsAsync(db, workspaceId, page.Select(c => c.Id).ToList(), since, ct);
        var items = page.Select(c => ToItem(c, stats.GetValueOrDefault(c.Id).Recent / (double)window, stats.GetValueOrDefault(c.Id).TopIntent)).ToList();
        return TypedResults.Ok(new ClusterPage(items, more ? EncodeOffset(offset + limit) : null));
    }

    /// <summary>
    /// Per cluster: live members said since <paramref name="since"/> and the most frequent intent (ties by name), in one
    /// grouped pass over the members, which ix_signals_cluster_members covers (no table reads).
    /// </summary>
    private static async Task<Dictionary<Guid, (int Recent, string? TopIntent)>> MemberStatsAsync(
        GitMeshDbContext db, Guid workspaceId, List<Guid> clusterIds, DateTime since, CancellationToken ct)
    {
        if (clusterIds.Count == 0)
        {
            return [];
        }

        var groups = await db.Signals.Where(s => s.WorkspaceId == workspaceId && s.ClusterId != null && clusterIds.Contains(s.ClusterId.Value) && !s.IsDeleted)
            .GroupBy(s => new { s.ClusterId, s.Intent })
            .Select(g => new { g.Key.ClusterId, g.Key.Intent, Count = g.Count(), Recent = g.Count(s => (s.SourceCreatedAt ?? s.IngestedAt) >= since) })
            .ToListAsync(ct);
        return groups.GroupBy(g => g.ClusterId!.Value).ToDictionary(g => g.Key, g => (
            g.Sum(x => x.Recent),
            g.Where(x => x.Intent != null).OrderByDescending(x => x.Count).ThenBy(x => x.Intent, StringComparer.Ordinal).Select(x => x.Intent).FirstOrDefault()));
    }

    private static ClusterListItem ToItem(Cluster c, double velocity, string? topIntent) =>
        new(c.Id, c.Title, c.Size, SignalFilter.SplitList(c.Platforms), c.FirstSeenAt, c.LastSeenAt, Math.Round(velocity, 3), topIntent);

    private static string EncodeOffset(int offset) => Convert.ToBase64String(BitConverter.GetBytes(offset));

    private static bool TryDecodeOffset(string cursor, out int offset)
    {
        offset = 0;
        try
        {
            var bytes = Convert.FromBase64String(cursor);
            if (bytes.Length != 4)
            {
                return false;
            }

            offset = BitConverter.ToInt32(bytes);
            return offset >= 0;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static async Task<Results<Ok<ClusterDetail>, NotFound>> GetAsync(Guid clusterId, GitMeshDbContext db, TimeProvider time, CancellationToken ct)
    {
        var cluster = await db.Clusters.AsNoTracking().FirstOrDefaultAsync(c => c.Id == clusterId, ct);
        if (cluster is null)
        {
            return TypedResults.NotFound();
        }

        var now = time.GetUtcNow().UtcDateTime;
        var since = now.AddDays(-SignalListing.DefaultVelocityWindowDays);
        var stats = (await MemberStatsAsync(db, cluster.WorkspaceId, [clusterId], since, ct)).GetValueOrDefault(clusterId);
        var members = await SignalListing.Project(db, db.Signals.Where(s => s.ClusterId == clusterId && !s.IsDeleted), SignalSort.Newest, now)
            .OrderByDescending(r => r.IngestedAt).ThenByDescending(r => r.Id).Take(MaxMembers).ToListAsync(ct);
        return TypedResults.Ok(new ClusterDetail(ToItem(cluster, stats.Recent / (double)SignalListing.DefaultVelocityWindowDays, stats.TopIntent),
            cluster.MergedIntoId, members.Select(SignalListing.ToItem).ToList()));
    }

    private static async Task<Results<Ok<ClusterListItem>, NotFound, ValidationProblem, ProblemHttpResult>> MergeAsync(
        Guid workspaceId, Guid clusterId, MergeClusterRequest request, HttpContext http, GitMeshDbContext db, TimeProvider time, CancellationToken ct)
    {
        if (request.OtherClusterId is not { } otherId || otherId == clusterId)
        {
            return new Validation().Check(false, "otherClusterId", "'otherClusterId' is required and must be another cluster.").ToProblem();
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var target = await db.Clusters.FirstOrDefaultAsync(c => c.Id == clusterId, ct);
        var other = await db.Clusters.FirstOrDefaultAsync(c => c.Id == otherId, ct);
        if (target is null || other is null)
        {
            return TypedResults.NotFound();
        }

        if (target.MergedIntoId is not null || other.MergedIntoId is not null)
        {
            return TypedResults.Problem("One of the clusters was already merged into another; merge into the surviving cluster.", statusCode: StatusCodes.Status409Conflict, title: "Conflict");
        }

        var now = time.GetUtcNow().UtcDateTime;
        var before = new { target = Snapshot(target), other = Snapshot(other) };
        var moved = await db.Signals.Where(s => s.ClusterId == otherId).ToListAsync(ct);
        foreach (var signal in moved)
        {
            Reassign(signal, clusterId, now);
        }

        other.MergedIntoId = clusterId;
        await db.SaveChangesAsync(ct);
        await ClusterStats.RecomputeAsync(db, [target, other], now, ct);
        AuditTrail.Record(db, workspaceId, http.Access().Caller, now, "cluster.merged", "cluster", clusterId.ToString(), before,
            new { target = Snapshot(target), other = Snapshot(other), movedSignalIds = moved.Select(s => s.Id).ToList() });
        TriageEvents.ClusterChanged(db, workspaceId, target.Id, target.Size, now);
        TriageEvents.ClusterChanged(db, workspaceId, other.Id, other.Size, now);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return TypedResults.Ok(await ItemAsync(db, target, now, ct));
    }

    private static async Task<Results<Created<ClusterListItem>, NotFound, ValidationProblem>> SplitAsync(
        Guid workspaceId, Guid clusterId, SplitClusterRequest request, HttpContext http, GitMeshDbContext db, TimeProvider time, CancellationToken ct)
    {
        var ids = request.SignalIds?.Distinct().ToList() ?? [];
        if (ids.Count == 0)
        {
            return new Validation().Check(false, "signalIds", "'signalIds' must list at least one member signal.").ToProblem();
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var source = await db.Clusters.FirstOrDefaultAsync(c => c.Id == clusterId, ct);
        if (source is null)
        {
            return TypedResults.NotFound();
        }

        var signals = await db.Signals.Where(s => ids.Contains(s.Id) && s.ClusterId == clusterId && !s.IsDeleted).ToListAsync(ct);
        if (signals.Count != ids.Count)
        {
            return new Validation().Check(false, "signalIds", "Every id must be a live signal of this cluster.").ToProblem();
        }

        var now = time.GetUtcNow().UtcDateTime;
        var before = Snapshot(source);
        var first = signals.OrderBy(s => s.SourceCreatedAt ?? s.IngestedAt).First();
        var created = new Cluster
        {
            WorkspaceId = workspaceId,
            Title = ClusterTitle(first),
            FirstSeenAt = first.SourceCreatedAt ?? first.IngestedAt,
            LastSeenAt = first.SourceCreatedAt ?? first.IngestedAt,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Clusters.Add(created);
        foreach (var signal in signals)
        {
            Reassign(signal, created.Id, now);
        }

        await db.SaveChangesAsync(ct);
        await ClusterStats.RecomputeAsync(db, [source, created], now, ct);
        AuditTrail.Record(db, workspaceId, http.Access().Caller, now, "cluster.split", "cluster", clusterId.ToString(), new { source = before },
            new { source = Snapshot(source), created = Snapshot(created), movedSignalIds = ids });
        TriageEvents.ClusterChanged(db, workspaceId, source.Id, source.Size, now);
        TriageEvents.ClusterChanged(db, workspaceId, created.Id, created.Size, now);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return TypedResults.Created($"/api/v1/workspaces/{workspaceId}/clusters/{created.Id}", await ItemAsync(db, created, now, ct));
    }

    private static async Task<Results<Ok<SignalListItem>, NotFound, ValidationProblem, ProblemHttpResult>> MoveAsync(
        Guid workspaceId, Guid signalId, MoveSignalRequest request, HttpContext http, GitMeshDbContext db, TimeProvider time, CancellationToken ct)
    {
        if (request.ClusterId is not { } targetId)
        {
            return new Validation().Check(false, "clusterId", "'clusterId' is required.").ToProblem();
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var signal = await db.Signals.FirstOrDefaultAsync(s => s.Id == signalId && !s.IsDeleted, ct);
        var target = await db.Clusters.FirstOrDefaultAsync(c => c.Id == targetId, ct);
        if (signal is null || target is null)
        {
            return TypedResults.NotFound();
        }

        if (target.MergedIntoId is not null)
        {
            return TypedResults.Problem("That cluster was merged into another; move the signal there.", statusCode: StatusCodes.Status409Conflict, title: "Conflict");
        }

        var now = time.GetUtcNow().UtcDateTime;
        if (signal.ClusterId != targetId)
        {
            await MoveSignalAsync(db, workspaceId, http.Access().Caller, signal, target, "signal.moved", now, ct);
        }

        await transaction.CommitAsync(ct);
        return TypedResults.Ok((await SignalListing.FindItemAsync(db, signalId, now, ct))!);
    }

    private static async Task MoveSignalAsync(GitMeshDbContext db, Guid workspaceId, Auth.Caller caller, Signal signal, Cluster target, string action, DateTime now, CancellationToken ct)
    {
        var source = signal.ClusterId is { } sourceId ? await db.Clusters.FirstOrDefaultAsync(c => c.Id == sourceId, ct) : null;
        var before = new { clusterId = signal.ClusterId, source = source is null ? null : Snapshot(source), target = Snapshot(target) };
        Reassign(signal, target.Id, now);
        await db.SaveChangesAsync(ct);
        var touched = source is null ? new List<Cluster> { target } : [source, target];
        await ClusterStats.RecomputeAsync(db, touched, now, ct);
        AuditTrail.Record(db, workspaceId, caller, now, action, "signal", signal.Id.ToString(), before,
            new { clusterId = target.Id, source = source is null ? null : Snapshot(source), target = Snapshot(target) });
        foreach (var cluster in touched)
        {
            TriageEvents.ClusterChanged(db, workspaceId, cluster.Id, cluster.Size, now);
        }

        TriageEvents.SignalChanged(db, workspaceId, signal.Id, target.Id, now);
        await db.SaveChangesAsync(ct);
    }

    private static async Task<Results<Ok<IReadOnlyList<DuplicateSuggestion>>, ValidationProblem>> SuggestionsAsync(
        HttpContext http, GitMeshDbContext db, TimeProvider time, CancellationToken ct)
    {
        var validation = new Validation();
        var limit = SignalEndpoints.ParseLimit(http.Request.Query["limit"], 50, SignalEndpoints.MaxLimit, validation);
        if (!validation.IsValid)
        {
            return validation.ToProblem();
        }

        var pending = await db.DuplicateDecisions.AsNoTracking().Where(d => d.Decision == DuplicateDecisionKind.Suggested)
            .Where(d => db.Signals.Any(s => s.Id == d.SignalAId && !s.IsDeleted) && db.Signals.Any(s => s.Id == d.SignalBId && !s.IsDeleted))
            .OrderByDescending(d => d.Score).ThenByDescending(d => d.CreatedAt).ThenBy(d => d.Id).Take(limit).ToListAsync(ct);
        var ids = pending.SelectMany(d => new[] { d.SignalAId, d.SignalBId }).Distinct().ToList();
        var now = time.GetUtcNow().UtcDateTime;
        var items = (await SignalListing.Project(db, db.Signals.Where(s => ids.Contains(s.Id)), SignalSort.Newest, now).ToListAsync(ct))
            .ToDictionary(r => r.Id, SignalListing.ToItem);
        return TypedResults.Ok<IReadOnlyList<DuplicateSuggestion>>(pending
            .Where(d => items.ContainsKey(d.SignalAId) && items.ContainsKey(d.SignalBId))
            .Select(d => new DuplicateSuggestion(d.Id, d.Score, d.CreatedAt, items[d.SignalAId], items[d.SignalBId])).ToList());
    }

    private static async Task<Results<Ok<SuggestionDecision>, NotFound, ProblemHttpResult>> ConfirmAsync(
        Guid workspaceId, Guid suggestionId, HttpContext http, GitMeshDbContext db, TimeProvider time, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var decision = await db.DuplicateDecisions.FirstOrDefaultAsync(d => d.Id == suggestionId, ct);
        if (decision is null)
        {
            return TypedResults.NotFound();
        }

        if (decision.Decision != DuplicateDecisionKind.Suggested)
        {
            return TypedResults.Problem($"This suggestion was already decided ({DecisionName(decision.Decision)}).", statusCode: StatusCodes.Status409Conflict, title: "Conflict");
        }

        var pair = await db.Signals.Where(s => (s.Id == decision.SignalAId || s.Id == decision.SignalBId) && !s.IsDeleted).ToListAsync(ct);
        if (pair.Count != 2)
        {
            return TypedResults.Problem("One of the two signals no longer exists.", statusCode: StatusCodes.Status409Conflict, title: "Conflict");
        }

        var clusterIds = pair.Where(s => s.ClusterId != null).Select(s => s.ClusterId!.Value).Distinct().ToList();
        var clusters = await db.Clusters.Where(c => clusterIds.Contains(c.Id)).ToDictionaryAsync(c => c.Id, ct);
        int SizeOf(Signal s) => s.ClusterId is { } id && clusters.TryGetValue(id, out var c) ? c.Size : 0;
        // The signal of the smaller cluster joins the larger one (on a tie, the newer signal moves).
        var ordered = pair.OrderByDescending(SizeOf).ThenBy(s => s.IngestedAt).ThenBy(s => s.Id).ToList();
        var (stay, move) = (ordered[0], ordered[1]);
        var now = time.GetUtcNow().UtcDateTime;
        var caller = http.Access().Caller;
        Cluster target;
        if (stay.ClusterId is { } stayCluster && clusters.TryGetValue(stayCluster, out var existing) && existing.MergedIntoId is null)
        {
            target = existing;
        }
        else
        {
            target = new Cluster
            {
                WorkspaceId = workspaceId,
                Title = ClusterTitle(stay),
                FirstSeenAt = stay.SourceCreatedAt ?? stay.IngestedAt,
                LastSeenAt = stay.SourceCreatedAt ?? stay.IngestedAt,
                CreatedAt = now,
                UpdatedAt = now,
            };
            db.Clusters.Add(target);
            Reassign(stay, target.Id, now);
        }

        decision.Decision = DuplicateDecisionKind.Confirmed;
        decision.DecidedByUserId = caller.UserId;
        decision.UpdatedAt = now;
        AuditTrail.Record(db, workspaceId, caller, now, "duplicate.confirmed", "duplicate_decision", decision.Id.ToString(),
            new { decision = "suggested" }, new { decision = "confirmed", movedSignalId = move.Id, clusterId = target.Id });
        if (move.ClusterId != target.Id)
        {
            await MoveSignalAsync(db, workspaceId, caller, move, target, "signal.moved", now, ct);
        }
        else
        {
            await db.SaveChangesAsync(ct);
        }

        await transaction.CommitAsync(ct);
        return TypedResults.Ok(new SuggestionDecision(decision.Id, "confirmed", target.Id));
    }

    private static async Task<Results<Ok<SuggestionDecision>, NotFound, ProblemHttpResult>> RejectAsync(
        Guid workspaceId, Guid suggestionId, HttpContext http, GitMeshDbContext db, TimeProvider time, CancellationToken ct)
    {
        var decision = await db.DuplicateDecisions.FirstOrDefaultAsync(d => d.Id == suggestionId, ct);
        if (decision is null)
        {
            return TypedResults.NotFound();
        }

        if (decision.Decision != DuplicateDecisionKind.Suggested)
        {
            return TypedResults.Problem($"This suggestion was already decided ({DecisionName(decision.Decision)}).", statusCode: StatusCodes.Status409Conflict, title: "Conflict");
        }

        var now = time.GetUtcNow().UtcDateTime;
        var caller = http.Access().Caller;
        decision.Decision = DuplicateDecisionKind.NotDuplicate;
        decision.DecidedByUserId = caller.UserId;
        decision.UpdatedAt = now;
        AuditTrail.Record(db, workspaceId, caller, now, "duplicate.rejected", "duplicate_decision", decision.Id.ToString(),
            new { decision = "suggested" }, new { decision = "not_duplicate", signalAId = decision.SignalAId, signalBId = decision.SignalBId });
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(new SuggestionDecision(decision.Id, "not_duplicate", null));
    }

    private static string DecisionName(DuplicateDecisionKind kind) => kind == DuplicateDecisionKind.NotDuplicate ? "not_duplicate" : kind.ToString().ToLowerInvariant();

    private static void Reassign(Signal signal, Guid clusterId, DateTime now)
    {
        signal.ClusterId = clusterId;
        signal.Version++;
        signal.UpdatedAt = now;
    }

    private static string ClusterTitle(Signal signal)
    {
        var title = !string.IsNullOrWhiteSpace(signal.Title) ? signal.Title! : signal.BodyText ?? signal.ExternalId;
        return title.Length <= 200 ? title : title[..200];
    }

    private static object Snapshot(Cluster c) => new { id = c.Id, size = c.Size, platforms = c.Platforms, mergedIntoId = c.MergedIntoId };

    private static async Task<ClusterListItem> ItemAsync(GitMeshDbContext db, Cluster cluster, DateTime now, CancellationToken ct)
    {
        var since = now.AddDays(-SignalListing.DefaultVelocityWindowDays);
        var stats = (await MemberStatsAsync(db, cluster.WorkspaceId, [cluster.Id], since, ct)).GetValueOrDefault(cluster.Id);
        return ToItem(cluster, stats.Recent / (double)SignalListing.DefaultVelocityWindowDays, stats.TopIntent);
    }
}
