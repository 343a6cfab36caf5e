using GitMesh.Data;
using Microsoft.EntityFrameworkCore;
using GitMesh.TestCommon;

namespace GitMesh.Search.Tests;

/// <summary>
/// ISignalSearchIndex.MatchIdsAsync: the ids a newest-first search tests its walked signals against in memory. It must
/// mean what Matching means (same syntax, same workspace scoping) and give up (null) above the caller's cap.
/// </summary>
public sealed class MatchIdsTests
{
    [Theory, Providers]
    public async Task Match_ids_equal_the_composable_matches_and_stay_in_the_workspace(DatabaseProvider provider)
    {
        await using var f = await SearchFixture.CreateAsync(provider);
        await f.SeedCorpusAsync();
        await f.AddAsync("Crash in the other workspace", "Crashes everywhere.", workspaceId: f.OtherWorkspaceId);

        await using var db = f.CreateContext();
        foreach (var query in new[] { "crash", "\"crash on startup\"", "crash -windows", "dark OR login", "crashing", "nothing-matches-this" })
        {
            var matching = await f.Index.Matching(db, f.WorkspaceId, query).ToListAsync();
            var ids = await f.Index.MatchIdsAsync(db, f.WorkspaceId, query, 100, CancellationToken.None);
            ids.ShouldNotBeNull(query);
            ids.ShouldBe(matching, ignoreOrder: true, query);

            // A cap large enough for PostgreSQL to consult the planner's estimate first.
            (await f.Index.MatchIdsAsync(db, f.WorkspaceId, query, 5_000, CancellationToken.None)).ShouldNotBeNull(query).ShouldBe(matching, ignoreOrder: true, query);
        }

        (await f.Index.MatchIdsAsync(db, f.WorkspaceId, "   ", 100, CancellationToken.None)).ShouldNotBeNull().ShouldBeEmpty();
        var other = await f.Index.MatchIdsAsync(db, f.OtherWorkspaceId, "crash", 100, CancellationToken.None);
        other.ShouldNotBeNull().Count.ShouldBe(1);
    }

    [Theory, Providers]
    public async Task More_matches_than_the_cap_give_null_and_exactly_the_cap_gives_them_all(DatabaseProvider provider)
    {
        await using var f = await SearchFixture.CreateAsync(provider);
        var signals = await f.SeedCorpusAsync();
        var crashes = signals.Values.Count(s => s.Title!.Contains("rash", StringComparison.Ordinal) || s.Body!.Contains("rash", StringComparison.Ordinal));
        crashes.ShouldBe(5);

        await using var db = f.CreateContext();
        (await f.Index.MatchIdsAsync(db, f.WorkspaceId, "crash", crashes, CancellationToken.None)).ShouldNotBeNull().Count.ShouldBe(crashes);
        (await f.Index.MatchIdsAsync(db, f.WorkspaceId, "crash", crashes - 1, CancellationToken.None)).ShouldBeNull();
        (await f.Index.MatchIdsAsync(db, f.WorkspaceId, "dark", 0, CancellationToken.None)).ShouldBeNull();
        (await f.Index.MatchIdsAsync(db, f.WorkspaceId, "nothing-matches-this", 0, CancellationToken.None)).ShouldNotBeNull().ShouldBeEmpty();
        await Should.ThrowAsync<ArgumentOutOfRangeException>(() => f.Index.MatchIdsAsync(db, f.WorkspaceId, "crash", -1, CancellationToken.None));
    }

    [Theory]
    [InlineData("Bitmap Heap Scan on signal_search e  (cost=49.07..10826.51 rows=3234 width=16)", 3234)]
    [InlineData("Seq Scan on signal_search e  (cost=0.00..88536.98 rows=140011 width=4)", 140011)]
    [InlineData("Result  (cost=0.00..0.01 rows=1 width=4)", 1)]
    [InlineData("garbage", 0)]
    [InlineData(null, 0)]
    public void Plan_rows_come_from_the_top_line(string? line, long rows) =>
        Postgres.PostgresSignalSearchIndex.PlanRows(line).ShouldBe(rows);
}
