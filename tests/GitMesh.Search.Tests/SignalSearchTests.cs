using GitMesh.Data;
using GitMesh.Domain.Signals;
using GitMesh.TestCommon;
using Microsoft.EntityFrameworkCore;

namespace GitMesh.Search.Tests;

/// <summary>The same data and the same expectations on SQLite (FTS5) and PostgreSQL (tsvector/GIN).</summary>
public sealed class SignalSearchTests
{
    [Theory, Providers]
    public async Task A_quoted_phrase_matches_only_adjacent_words(DatabaseProvider provider)
    {
        await using var f = await SearchFixture.CreateAsync(provider);
        await f.SeedCorpusAsync();

        (await f.TitlesAsync("\"crash on startup\"")).ShouldBe(["Crash on startup"]);
        // Unquoted, the same words match wherever they are ("Startup is slow" has crash … startup apart).
        (await f.TitlesAsync("crash startup")).ShouldBe(["Crash on startup", "Startup is slow"]);
    }

    [Theory, Providers]
    public async Task Or_matches_either_side(DatabaseProvider provider)
    {
        await using var f = await SearchFixture.CreateAsync(provider);
        await f.SeedCorpusAsync();

        (await f.TitlesAsync("dark OR login")).ShouldBe(["Dark mode request", "Login loop"]);
        (await f.TitlesAsync("\"crash on startup\" or exporter")).ShouldBe(["Crash on startup", "Exporter crashed"]);
        // AND binds tighter than OR, as in websearch_to_tsquery: (installer AND windows) OR dark.
        (await f.TitlesAsync("installer windows or dark")).ShouldBe(["Dark mode request", "Windows installer fails"]);
    }

    [Theory, Providers]
    public async Task A_minus_excludes_terms_and_phrases(DatabaseProvider provider)
    {
        await using var f = await SearchFixture.CreateAsync(provider);
        await f.SeedCorpusAsync();

        (await f.TitlesAsync("crash -windows")).ShouldBe(["Exporter crashed", "Startup is slow", "Sync keeps crashing"]);
        (await f.TitlesAsync("crash -\"crash on startup\" -linux")).ShouldBe(["Exporter crashed", "Startup is slow", "Windows installer fails"]);
    }

    [Theory, Providers]
    public async Task Stemming_finds_other_forms_of_a_word(DatabaseProvider provider)
    {
        await using var f = await SearchFixture.CreateAsync(provider);
        await f.SeedCorpusAsync();

        var all = new[] { "Crash on startup", "Exporter crashed", "Startup is slow", "Sync keeps crashing", "Windows installer fails" };
        (await f.TitlesAsync("crashing")).ShouldBe(all);
        (await f.TitlesAsync("crashed")).ShouldBe(all);
        (await f.TitlesAsync("CRASHES")).ShouldBe(all);
        (await f.TitlesAsync("exporting")).ShouldBe(["Exporter crashed"]);
    }

    [Theory, Providers]
    public async Task Signals_of_another_workspace_never_match(DatabaseProvider provider)
    {
        await using var f = await SearchFixture.CreateAsync(provider);
        await f.SeedCorpusAsync();
        var foreign = await f.AddAsync("Crash on startup in the other workspace", "crash crash crash", f.OtherWorkspaceId);

        (await f.TitlesAsync("\"crash on startup\"")).ShouldBe(["Crash on startup"]);
        (await f.TitlesAsync("crash")).ShouldNotContain(foreign.Title);
        (await f.RankedTitlesAsync("crash")).ShouldNotContain(foreign.Title);
        (await f.TitlesAsync("crash", f.OtherWorkspaceId)).ShouldBe([foreign.Title]);
        (await f.TitlesAsync("dark", f.OtherWorkspaceId)).ShouldBeEmpty();
    }

    [Theory, Providers]
    public async Task Deleted_signals_are_not_found(DatabaseProvider provider)
    {
        await using var f = await SearchFixture.CreateAsync(provider);
        var signals = await f.SeedCorpusAsync();
        await f.AddAsync("Dark theme please", "born deleted", deleted: true);

        // Soft-deleted and re-indexed, as the pipeline does.
        await f.UpdateAsync(signals["Crash on startup"].Id, s => s.IsDeleted = true);
        await f.IndexAsync([signals["Crash on startup"].Id]);
        // Soft-deleted without anyone telling the index: still hidden.
        await f.UpdateAsync(signals["Startup is slow"].Id, s => s.IsDeleted = true);
        // Removed from the index explicitly, and gone from the table.
        await using (var db = f.CreateContext())
        {
            await db.Signals.Where(s => s.Id == signals["Login loop"].Id).ExecuteDeleteAsync();
            await f.Index.RemoveAsync(db, [signals["Login loop"].Id], CancellationToken.None);
        }

        (await f.TitlesAsync("startup")).ShouldBeEmpty();
        (await f.RankedTitlesAsync("startup")).ShouldBeEmpty();
        (await f.TitlesAsync("login")).ShouldBeEmpty();
        (await f.TitlesAsync("dark")).ShouldBe(["Dark mode request"]);
    }

    [Theory, Providers]
    public async Task Indexing_twice_equals_indexing_once(DatabaseProvider provider)
    {
        await using var f = await SearchFixture.CreateAsync(provider);
        var signals = await f.SeedCorpusAsync();
        var ids = signals.Values.Select(s => s.Id).ToList();

        await f.IndexAsync(ids);
        await f.IndexAsync([ids[4], ids[4]]);

        (await f.RankedTitlesAsync("dark")).ShouldBe(["Dark mode request"]);
        (await f.RankedTitlesAsync("crash")).Count.ShouldBe(5);
    }

    [Theory, Providers]
    public async Task Re_indexing_an_edited_signal_replaces_its_old_text(DatabaseProvider provider)
    {
        await using var f = await SearchFixture.CreateAsync(provider);
        var signals = await f.SeedCorpusAsync();
        var id = signals["Dark mode request"].Id;

        await f.UpdateAsync(id, s => (s.Title, s.BodyText) = ("Light mode request", "Please add a high contrast theme."));
        await f.IndexAsync([id]);

        (await f.TitlesAsync("dark")).ShouldBeEmpty();
        (await f.TitlesAsync("contrast")).ShouldBe(["Light mode request"]);
    }

    [Theory, Providers]
    public async Task Rebuild_indexes_the_signals_table(DatabaseProvider provider)
    {
        await using var f = await SearchFixture.CreateAsync(provider);
        await f.SeedCorpusAsync(index: false);
        await f.AddAsync("Dark but deleted", "dark", index: false, deleted: true);
        await f.AddAsync("Dark elsewhere", "dark", f.OtherWorkspaceId, index: false);
        var reported = new List<long>();

        long indexed;
        await using (var db = f.CreateContext())
        {
            indexed = await f.Index.RebuildAsync(db, null, new InlineProgress(reported.Add), CancellationToken.None);
        }

        indexed.ShouldBe(SearchFixture.Corpus.Length + 1);
        reported.ShouldNotBeEmpty();
        (await f.TitlesAsync("dark")).ShouldBe(["Dark mode request"]);
        (await f.TitlesAsync("dark", f.OtherWorkspaceId)).ShouldBe(["Dark elsewhere"]);
        (await f.RankedTitlesAsync("crash")).Count.ShouldBe(5);

        await using (var db = f.CreateContext())
        {
            (await f.Index.RebuildAsync(db, f.OtherWorkspaceId, null, CancellationToken.None)).ShouldBe(1);
            (await f.Index.RebuildAsync(db, f.WorkspaceId, null, CancellationToken.None)).ShouldBe(SearchFixture.Corpus.Length);
        }

        (await f.RankedTitlesAsync("dark")).ShouldBe(["Dark mode request"]);
    }

    [Theory, Providers]
    public async Task A_title_match_ranks_above_a_body_only_match(DatabaseProvider provider)
    {
        await using var f = await SearchFixture.CreateAsync(provider);
        await f.SeedCorpusAsync();
        await f.AddAsync("Feature request", "Please let me export boards to PDF as well.");
        await f.AddAsync("Export boards to PDF", "It would help our weekly review.");

        var ranked = await f.RankedTitlesAsync("export pdf");
        ranked[0].ShouldBe("Export boards to PDF");
        ranked.ShouldBe(["Export boards to PDF", "Feature request", "Exporter crashed"], ignoreOrder: true);
        ranked.IndexOf("Feature request").ShouldBeGreaterThan(0);
        (await f.RankedTitlesAsync("login")).ShouldBe(["Login loop"]);

        await using var db = f.CreateContext();
        var hits = await f.Index.SearchAsync(db, f.WorkspaceId, "export pdf", 10, 0, CancellationToken.None);
        hits.Select(h => h.Rank).ShouldBeInOrder(SortDirection.Descending);
        hits.ShouldAllBe(h => h.Rank > 0);
    }

    [Theory, Providers]
    public async Task Search_pages_with_limit_and_offset(DatabaseProvider provider)
    {
        await using var f = await SearchFixture.CreateAsync(provider);
        await f.SeedCorpusAsync();

        var all = await f.RankedTitlesAsync("crash");
        all.Count.ShouldBe(5);
        var pages = new List<string?>();
        pages.AddRange(await f.RankedTitlesAsync("crash", limit: 2, offset: 0));
        pages.AddRange(await f.RankedTitlesAsync("crash", limit: 2, offset: 2));
        pages.AddRange(await f.RankedTitlesAsync("crash", limit: 2, offset: 4));
        pages.ShouldBe(all);
        (await f.RankedTitlesAsync("crash", limit: 0)).ShouldBeEmpty();
    }

    [Theory, Providers]
    public async Task Matching_composes_with_filters_ordering_and_paging(DatabaseProvider provider)
    {
        await using var f = await SearchFixture.CreateAsync(provider);
        var signals = await f.SeedCorpusAsync();
        await f.UpdateAsync(signals["Exporter crashed"].Id, s => s.TriageStatus = TriageStatus.Triaged);

        await using var db = f.CreateContext();
        var matching = f.Index.Matching(db, f.WorkspaceId, "crashing");
        var query = db.Signals
            .Where(s => matching.Contains(s.Id) && s.TriageStatus == TriageStatus.New && s.Source == "github")
            .OrderByDescending(s => s.Title)
            .Select(s => s.Title);

        (await query.ToListAsync()).ShouldBe(["Windows installer fails", "Sync keeps crashing", "Startup is slow", "Crash on startup"]);
        (await query.Skip(1).Take(2).ToListAsync()).ShouldBe(["Sync keeps crashing", "Startup is slow"]);
        (await query.CountAsync()).ShouldBe(4);
        (await matching.CountAsync()).ShouldBe(5);
        (await f.Index.Matching(db, f.WorkspaceId, "crash -windows").OrderBy(id => id).ToListAsync()).Count.ShouldBe(3);
    }

    [Theory, Providers]
    public async Task Queries_with_nothing_searchable_match_nothing(DatabaseProvider provider)
    {
        await using var f = await SearchFixture.CreateAsync(provider);
        await f.SeedCorpusAsync();

        foreach (var query in new[] { "", "   ", "-windows", "the", "\"to be or not to be\"", "or", "- -", "-crash -startup" })
        {
            (await f.TitlesAsync(query)).ShouldBeEmpty(query);
            (await f.RankedTitlesAsync(query)).ShouldBeEmpty(query);
        }
    }

    [Theory, Providers]
    public async Task Hostile_input_never_throws(DatabaseProvider provider)
    {
        await using var f = await SearchFixture.CreateAsync(provider);
        await f.SeedCorpusAsync();

        foreach (var query in HostileQueries.All)
        {
            var label = query.Length > 60 ? $"{query[..60]}… ({query.Length} chars)" : query;
            await Should.NotThrowAsync(() => f.TitlesAsync(query), label);
            await Should.NotThrowAsync(() => f.RankedTitlesAsync(query), label);
        }

        // Operators and injection attempts are inert text: the words around them still search normally.
        (await f.TitlesAsync("(crash startup)")).ShouldBe(["Crash on startup", "Startup is slow"]);
        (await f.TitlesAsync("(dark*)")).ShouldBe(["Dark mode request"]);
        (await f.TitlesAsync("dark') OR 1=1; --")).ShouldBe(["Dark mode request"]);
        (await f.TitlesAsync("'; DROP TABLE signals; --")).ShouldBeEmpty();
        await using var db = f.CreateContext();
        (await db.Signals.CountAsync()).ShouldBe(SearchFixture.Corpus.Length);
    }

    [Theory, Providers]
    public async Task Signals_without_title_or_body_are_indexed(DatabaseProvider provider)
    {
        await using var f = await SearchFixture.CreateAsync(provider);
        await f.AddAsync(null, "body only keyboard");
        await f.AddAsync("title only keyboard", null);
        await f.AddAsync(null, null);

        (await f.TitlesAsync("keyboard")).ShouldBe([null, "title only keyboard"]);
    }

    private sealed class InlineProgress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }
}
