using System.Net.Http.Json;
using GitMesh.Data;
using GitMesh.Domain.Clusters;
using GitMesh.Domain.People;
using GitMesh.Domain.Signals;
using GitMesh.Search;
using Microsoft.Extensions.DependencyInjection;

namespace GitMesh.Api.Tests.Triage;

/// <summary>Writes signals straight into the database (and the search index), bypassing the pipeline for speed and control.</summary>
internal sealed class TriageSeed(ApiFactory factory, Guid workspaceId)
{
    private static readonly DateTime Epoch = new(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    public Guid WorkspaceId => workspaceId;

    public async Task<Cluster> ClusterAsync(string title = "A cluster")
    {
        await using var db = factory.Database.CreateContext();
        var cluster = new Cluster { WorkspaceId = workspaceId, Title = title, FirstSeenAt = Epoch, LastSeenAt = Epoch, CreatedAt = Epoch, UpdatedAt = Epoch };
        db.Clusters.Add(cluster);
        await db.SaveChangesAsync();
        return cluster;
    }

    public async Task<Author> AuthorAsync(string username, string source = "github")
    {
        await using var db = factory.Database.CreateContext();
        var author = new Author { WorkspaceId = workspaceId, Source = source, Username = username, DisplayName = username.ToUpperInvariant(), ProfileUrl = $"https://example.test/{username}", CreatedAt = Epoch, UpdatedAt = Epoch };
        db.Authors.Add(author);
        await db.SaveChangesAsync();
        return author;
    }

    public static Signal Make(Guid workspaceId, int i, Action<Signal>? configure = null)
    {
        var signal = new Signal
        {
            WorkspaceId = workspaceId,
            Source = "github",
            Kind = "issue",
            ExternalId = $"seed-{i}-{Guid.NewGuid():N}",
            Title = $"Signal number {i}",
            BodyText = $"Plain body of signal {i}.",
            IngestedAt = Epoch.AddMinutes(i),
            UpdatedAt = Epoch.AddMinutes(i),
            Intent = "bug",
            IntentConfidence = 0.7,
            Sentiment = "neutral",
            Urgency = "normal",
        };
        configure?.Invoke(signal);
        return signal;
    }

    /// <summary>Inserts the signals, recounts the clusters they point at, and indexes them for search.</summary>
    public async Task<List<Signal>> AddAsync(IReadOnlyList<Signal> signals, bool index = true)
    {
        await using var db = factory.Database.CreateContext();
        foreach (var chunk in signals.Chunk(2_000))
        {
            db.Signals.AddRange(chunk);
            await db.SaveChangesAsync();
            db.ChangeTracker.Clear();
        }

        var clusterIds = signals.Where(s => s.ClusterId != null).Select(s => s.ClusterId!.Value).Distinct().ToList();
        foreach (var id in clusterIds)
        {
            var cluster = await db.Clusters.FindAsync(id);
            cluster!.Size = db.Signals.Count(s => s.ClusterId == id && !s.IsDeleted);
            cluster.Platforms = string.Join(',', db.Signals.Where(s => s.ClusterId == id).Select(s => s.Source).Distinct().AsEnumerable().Order(StringComparer.Ordinal));
        }

        await db.SaveChangesAsync();
        if (index)
        {
            await factory.Services.GetRequiredService<ISignalSearchIndex>().IndexAsync(db, signals.Select(s => s.Id).ToList(), CancellationToken.None);
        }

        return signals.ToList();
    }

    public Task<List<Signal>> AddAsync(int count, Action<int, Signal>? configure = null, int offset = 0) =>
        AddAsync(Enumerable.Range(offset, count).Select(i => Make(workspaceId, i, s => configure?.Invoke(i, s))).ToList());
}

internal static class TriageHttp
{
    public static string Ws(Guid workspaceId) => $"/api/v1/workspaces/{workspaceId}";

    public static async Task<T> ReadAsync<T>(this HttpResponseMessage response)
    {
        response.IsSuccessStatusCode.ShouldBeTrue($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<T>())!;
    }

    /// <summary>A member with the given role (a new account) and a bearer token for it.</summary>
    public static async Task<(Guid UserId, string Token)> AddMemberAsync(ApiFactory factory, TestTenant owner, string role)
    {
        using var client = factory.CreateClient(owner.Token);
        var email = $"{role}-{Guid.NewGuid():N}@example.test";
        var member = await (await client.PostAsJsonAsync($"{Ws(owner.WorkspaceId)}/members", new { email, role, password = "correct-horse-battery" })).ReadAsync<MemberDto>();
        return (member.UserId, await factory.GetTokenAsync(email, "correct-horse-battery"));
    }
}

public sealed record SignalAuthorDto(string Username, string? DisplayName, string? ProfileUrl);

public sealed record SignalItemDto(
    Guid Id, string Source, string Kind, string ExternalId, string? Url, string? Title, string? Excerpt, SignalAuthorDto? Author,
    DateTime? SourceCreatedAt, DateTime IngestedAt, string? Intent, double? IntentConfidence, string? Sentiment, string? Urgency,
    List<string> ProductAreas, Guid? ClusterId, int? ClusterSize, string TriageStatus, List<string> Tags);

public sealed record SignalPageDto(List<SignalItemDto> Items, string? NextCursor, Dictionary<string, Dictionary<string, int>>? Facets);

public sealed record ThreadItemDto(Guid Id, string ExternalId, string? Title);

public sealed record ClusterSummaryDto(Guid Id, string Title, int Size);

public sealed record SignalDetailDto(SignalItemDto Signal, string? BodyText, bool ClassificationLocked, Guid? AssigneeUserId, ThreadItemDto? Parent, List<ThreadItemDto> Children, ClusterSummaryDto? Cluster);

public sealed record BulkJobDto(Guid Id, string Status, int Processed, int Total, int Updated, string? Error);

public sealed record ClusterItemDto(Guid Id, string Title, int Size, List<string> Platforms, DateTime FirstSeenAt, DateTime LastSeenAt, double Velocity, string? TopIntent);

public sealed record ClusterPageDto(List<ClusterItemDto> Items, string? NextCursor);

public sealed record ClusterDetailDto(ClusterItemDto Cluster, Guid? MergedIntoId, List<SignalItemDto> Signals);

public sealed record SuggestionDto(Guid Id, double Score, SignalItemDto SignalA, SignalItemDto SignalB);

public sealed record SuggestionDecisionDto(Guid Id, string Decision, Guid? ClusterId);

public sealed record ViewDto(Guid Id, string Name, System.Text.Json.JsonElement Filter, string Sort, bool Shared, Guid? OwnerUserId, bool CanEdit);

public sealed record AuditEntryDto(Guid Id, string Action, string EntityType, string? EntityId, Guid? ActorUserId, System.Text.Json.JsonElement? Before, System.Text.Json.JsonElement? After);

public sealed record AuditPageDto(List<AuditEntryDto> Items, string? NextCursor);

public sealed record EventDto(long Sequence, string Type, System.Text.Json.JsonElement Payload);

public sealed record EventsPageDto(List<EventDto> Items, long LastSequence, bool HasMore);
