using GitMesh.Data;
using GitMesh.Domain.Signals;
using GitMesh.Domain.Workspaces;
using GitMesh.TestCommon;
using Microsoft.EntityFrameworkCore;

namespace GitMesh.Search.Tests;

/// <summary>A migrated database with two workspaces, the provider's index adapter, and helpers to seed and query.</summary>
public sealed class SearchFixture : IAsyncDisposable
{
    private int _externalId;

    private SearchFixture(TestDatabase database)
    {
        Database = database;
        Index = SearchServiceCollectionExtensions.Create(database.Provider);
    }

    public TestDatabase Database { get; }

    public ISignalSearchIndex Index { get; }

    public Guid WorkspaceId { get; } = Guid.CreateVersion7();

    public Guid OtherWorkspaceId { get; } = Guid.CreateVersion7();

    /// <summary>
    /// The shared corpus: every provider gets the same signals and the same expected answers.
    /// "crash" appears in many forms (crash, crashed, crashes, crashing), "crash … startup" appears adjacent once and
    /// apart once, and Windows is mentioned in two crash reports.
    /// </summary>
    public static readonly (string Title, string Body)[] Corpus =
    [
        ("Crash on startup", "Opening the desktop app on Windows 11 closes it immediately."),
        ("Startup is slow", "After the update the crash reporter runs on every startup and takes ten seconds."),
        ("Exporter crashed", "Exporting a large board to PDF crashed twice on macOS."),
        ("Sync keeps crashing", "The linux client crashes when the network drops."),
        ("Dark mode request", "Please add a dark theme for the dashboard."),
        ("Windows installer fails", "The MSI installer crashes on Windows Server 2022."),
        ("Login loop", "After SSO the page redirects back to the login screen."),
    ];

    public static async Task<SearchFixture> CreateAsync(DatabaseProvider provider)
    {
        var fixture = new SearchFixture(await TestDatabase.CreateAsync(provider));
        var now = DateTime.UtcNow;
        await using var db = fixture.CreateContext();
        db.Workspaces.Add(new Workspace { Id = fixture.WorkspaceId, Name = "Acme", Slug = "acme", CreatedAt = now, UpdatedAt = now });
        db.Workspaces.Add(new Workspace { Id = fixture.OtherWorkspaceId, Name = "Other", Slug = "other", CreatedAt = now, UpdatedAt = now });
        await db.SaveChangesAsync();
        return fixture;
    }

    public GitMeshDbContext CreateContext() => Database.CreateContext();

    /// <summary>Adds the corpus to the main workspace and returns the signals by title.</summary>
    public async Task<Dictionary<string, Signal>> SeedCorpusAsync(bool index = true)
    {
        var result = new Dictionary<string, Signal>(StringComparer.Ordinal);
        foreach (var (title, body) in Corpus)
        {
            result[title] = await AddAsync(title, body, index: false);
        }

        if (index)
        {
            await IndexAsync([.. result.Values.Select(s => s.Id)]);
        }

        return result;
    }

    public async Task<Signal> AddAsync(string? title, string? body, Guid? workspaceId = null, bool index = true, bool deleted = false)
    {
        var now = DateTime.UtcNow;
        var signal = new Signal
        {
            WorkspaceId = workspaceId ?? WorkspaceId,
            Source = "github",
            Kind = "issue",
            ExternalId = $"ext-{Interlocked.Increment(ref _externalId)}",
            Title = title,
            Body = body,
            BodyText = body,
            IngestedAt = now,
            UpdatedAt = now,
            IsDeleted = deleted,
        };
        await using (var db = CreateContext())
        {
            db.Signals.Add(signal);
            await db.SaveChangesAsync();
        }

        if (index)
        {
            await IndexAsync([signal.Id]);
        }

        return signal;
    }

    public async Task IndexAsync(IReadOnlyCollection<Guid> ids)
    {
        await using var db = CreateContext();
        await Index.IndexAsync(db, ids, CancellationToken.None);
    }

    public async Task UpdateAsync(Guid id, Action<Signal> change)
    {
        await using var db = CreateContext();
        var signal = await db.Signals.SingleAsync(s => s.Id == id);
        change(signal);
        signal.Version++;
        await db.SaveChangesAsync();
    }

    /// <summary>Titles of the matching signals through <see cref="ISignalSearchIndex.Matching"/>, composed with EF, in ordinal order.</summary>
    public async Task<List<string?>> TitlesAsync(string query, Guid? workspaceId = null)
    {
        await using var db = CreateContext();
        var ws = workspaceId ?? WorkspaceId;
        var matching = Index.Matching(db, ws, query);
        var titles = await db.Signals.Where(s => matching.Contains(s.Id)).Select(s => s.Title).ToListAsync();
        // Sorted here, not in SQL: the providers disagree on where NULL sorts and on collation.
        return [.. titles.Order(StringComparer.Ordinal)];
    }

    /// <summary>Titles of the ranked hits from <see cref="ISignalSearchIndex.SearchAsync"/>, best first.</summary>
    public async Task<List<string?>> RankedTitlesAsync(string query, int limit = 50, int offset = 0)
    {
        await using var db = CreateContext();
        var hits = await Index.SearchAsync(db, WorkspaceId, query, limit, offset, CancellationToken.None);
        var ids = hits.Select(h => h.SignalId).ToList();
        var titles = await db.Signals.Where(s => ids.Contains(s.Id)).ToDictionaryAsync(s => s.Id, s => s.Title);
        return [.. hits.Select(h => titles[h.SignalId])];
    }

    public ValueTask DisposeAsync() => Database.DisposeAsync();
}
