using GitMesh.Data;
using GitMesh.Domain.Clusters;
using GitMesh.Domain.Messaging;
using GitMesh.Domain.People;
using GitMesh.Domain.Signals;
using GitMesh.Domain.Workspaces;
using GitMesh.Ingest.Pipeline;
using GitMesh.TestCommon;
using Microsoft.EntityFrameworkCore;

namespace GitMesh.Ingest.Tests.Pipeline;

public sealed class BulkInsertTests
{
    [Theory, Providers]
    public async Task Bulk_inserted_signals_and_outbox_events_read_back_through_EF_exactly_as_written(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var now = new DateTime(2026, 3, 4, 5, 6, 7, DateTimeKind.Utc).AddTicks(1230);
        var workspace = new Workspace { Name = "W", Slug = "w", CreatedAt = now, UpdatedAt = now };
        await using (var db = database.CreateContext())
        {
            db.Workspaces.Add(workspace);
            await db.SaveChangesAsync();
        }

        // More rows than one statement holds, so full (prepared) chunks and a partial tail are both exercised.
        var signals = Enumerable.Range(0, 700).Select(i => new Signal
        {
            WorkspaceId = workspace.Id,
            Source = i % 2 == 0 ? "github" : "reddit",
            Kind = "issue",
            ExternalId = $"x-{i}",
            Url = i % 3 == 0 ? null : $"https://example.test/{i}",
            Title = $"Title {i} — ünïcödé 'quotes' \"double\"",
            Body = $"Body {i}\nline two",
            BodyText = $"Body {i} line two",
            SourceCreatedAt = i % 5 == 0 ? null : now.AddMinutes(-i),
            IngestedAt = now,
            UpdatedAt = now,
            ContentHash = $"{i:x64}",
            Intent = "bug",
            IntentConfidence = 0.5 + (i / 10_000.0),
            TriageStatus = i % 4 == 0 ? TriageStatus.Triaged : TriageStatus.New,
            ClassificationLocked = i % 7 == 0,
            Version = 1,
        }).ToList();
        var events = signals.Take(300).Select(s => new OutboxEvent { WorkspaceId = workspace.Id, Type = "signalCreated", PayloadJson = $"{{\"id\":\"{s.Id}\"}}", CreatedAt = now }).ToList();

        var authors = Enumerable.Range(0, 30).Select(i => new Author
        {
            WorkspaceId = workspace.Id,
            Source = "github",
            Username = $"user-{i}",
            DisplayName = i % 2 == 0 ? null : $"User {i}",
            ProfileUrl = i % 3 == 0 ? $"https://example.test/u/{i}" : null,
            CreatedAt = now,
            UpdatedAt = now.AddSeconds(i),
        }).ToList();
        var clusters = Enumerable.Range(0, 40).Select(i => new Cluster
        {
            WorkspaceId = workspace.Id,
            Title = $"Cluster {i} — 'q'",
            Size = i,
            Platforms = i % 2 == 0 ? "github,reddit" : null,
            FirstSeenAt = now.AddMinutes(-i),
            LastSeenAt = now,
            CreatedAt = now,
            UpdatedAt = now,
            Version = i + 1,
        }).ToList();
        for (var i = 0; i < signals.Count; i++)
        {
            signals[i].AuthorId = i % 2 == 0 ? authors[i % authors.Count].Id : null;
            signals[i].ClusterId = i % 3 == 0 ? null : clusters[i % clusters.Count].Id;
        }

        await using (var db = database.CreateContext())
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            await BulkInsert.InsertAsync(db, authors, CancellationToken.None);
            await BulkInsert.InsertAsync(db, clusters, CancellationToken.None);
            await BulkInsert.InsertAsync(db, signals, CancellationToken.None);
            await BulkInsert.InsertAsync(db, events, CancellationToken.None);
            await transaction.CommitAsync();
        }

        await using (var db = database.CreateContext())
        {
            var stored = await db.Signals.IgnoreQueryFilters().AsNoTracking().ToDictionaryAsync(s => s.Id);
            stored.Count.ShouldBe(signals.Count);
            foreach (var s in signals)
            {
                var r = stored[s.Id];
                (r.WorkspaceId, r.Source, r.ExternalId, r.Url, r.Title, r.Body, r.BodyText).ShouldBe((s.WorkspaceId, s.Source, s.ExternalId, s.Url, s.Title, s.Body, s.BodyText));
                (r.SourceCreatedAt, r.IngestedAt, r.ContentHash, r.Intent, r.IntentConfidence).ShouldBe((s.SourceCreatedAt, s.IngestedAt, s.ContentHash, s.Intent, s.IntentConfidence));
                (r.TriageStatus, r.ClassificationLocked, r.IsDeleted, r.Version).ShouldBe((s.TriageStatus, s.ClassificationLocked, s.IsDeleted, s.Version));
                (r.AuthorId, r.ClusterId).ShouldBe((s.AuthorId, s.ClusterId));
                r.IngestedAt.Kind.ShouldBe(DateTimeKind.Utc);
            }

            var storedAuthors = await db.Authors.IgnoreQueryFilters().AsNoTracking().ToDictionaryAsync(a => a.Id);
            foreach (var a in authors)
            {
                var r = storedAuthors[a.Id];
                (r.WorkspaceId, r.Source, r.Username, r.DisplayName, r.ProfileUrl, r.CreatedAt, r.UpdatedAt).ShouldBe((a.WorkspaceId, a.Source, a.Username, a.DisplayName, a.ProfileUrl, a.CreatedAt, a.UpdatedAt));
            }

            var storedClusters = await db.Clusters.IgnoreQueryFilters().AsNoTracking().ToDictionaryAsync(c => c.Id);
            foreach (var c in clusters)
            {
                var r = storedClusters[c.Id];
                (r.WorkspaceId, r.Title, r.Size, r.Platforms, r.FirstSeenAt, r.LastSeenAt, r.Version, r.MergedIntoId).ShouldBe((c.WorkspaceId, c.Title, c.Size, c.Platforms, c.FirstSeenAt, c.LastSeenAt, c.Version, c.MergedIntoId));
            }

            // Found by the same queries the pipeline and the API use (Guid and enum formats match EF's own).
            (await db.Signals.IgnoreQueryFilters().CountAsync(s => s.WorkspaceId == workspace.Id && s.TriageStatus == TriageStatus.Triaged)).ShouldBe(175);
            var outbox = await db.OutboxEvents.AsNoTracking().OrderBy(e => e.Id).ToListAsync();
            outbox.Select(e => e.PayloadJson).ShouldBe(events.Select(e => e.PayloadJson));
            outbox.Select(e => e.Id).Distinct().Count().ShouldBe(300);
        }
    }

    [Fact]
    public async Task Bulk_insert_outside_a_transaction_is_refused()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var db = database.CreateContext();
        await Should.ThrowAsync<InvalidOperationException>(() => BulkInsert.InsertAsync(db, [new OutboxEvent { Type = "t", PayloadJson = "{}" }], CancellationToken.None));
    }
}
