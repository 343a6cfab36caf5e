using GitMesh.Data;
using GitMesh.Domain.Signals;
using GitMesh.TestCommon;

namespace GitMesh.Search.Tests;

/// <summary>
/// Index positions and windows: relevance ranking of a common word works on windows of positions, newest first
/// (ISignalSearchIndex.WindowStartAsync + SearchAsync with a window). Windows must partition the matches.
/// </summary>
public sealed class SearchWindowTests
{
    [Theory, Providers]
    public async Task Windows_walk_back_from_the_newest_entries_and_cover_every_match_once(DatabaseProvider provider)
    {
        await using var f = await SearchFixture.CreateAsync(provider);
        await using (var empty = f.CreateContext())
        {
            (await f.Index.LastPositionAsync(empty, f.WorkspaceId, CancellationToken.None)).ShouldBe(0);
            (await f.Index.WindowStartAsync(empty, f.WorkspaceId, "export", 0, 5, CancellationToken.None)).ShouldBe(0);
        }

        // Added and indexed one by one, so index order is this order; the other workspace's matches interleave.
        var added = new List<Signal>();
        for (var i = 0; i < 40; i++)
        {
            added.Add(i % 2 == 0
                ? await f.AddAsync($"Export report {i}", "The numbers are wrong.")
                : await f.AddAsync($"Note {i}", i % 3 == 0 ? "Nothing about it." : "Maybe the export is slow."));
            if (i % 5 == 0)
            {
                await f.AddAsync("Export elsewhere", "Another workspace.", workspaceId: f.OtherWorkspaceId);
            }
        }

        await f.UpdateAsync(added[38].Id, s => s.IsDeleted = true);
        var matches = added.Select((s, i) => (s, i)).Where(x => x.i != 38 && (x.i % 2 == 0 || x.i % 3 != 0)).Select(x => x.s.Id).ToList();

        await using var db = f.CreateContext();
        var end = await f.Index.LastPositionAsync(db, f.WorkspaceId, CancellationToken.None);
        end.ShouldBeGreaterThan(0);
        var seen = new List<Guid>();
        var windows = 0;
        var through = end;
        while (through > 0)
        {
            var start = await f.Index.WindowStartAsync(db, f.WorkspaceId, "export", through, 5, CancellationToken.None);
            start.ShouldBeLessThan(through);
            var hits = await f.Index.SearchAsync(db, f.WorkspaceId, "export", 100, 0, new SearchWindow(start, through), CancellationToken.None);
            hits.Select(h => h.Rank).ShouldBeInOrder(SortDirection.Descending);
            if (start > 0)
            {
                // Sized by matches (other workspaces' may count): never more than three times the target.
                hits.Count.ShouldBeInRange(1, 15);
            }

            // A window is a contiguous run of the newest matches not yet seen.
            var expected = matches.Take(matches.Count - seen.Count).TakeLast(hits.Count).ToList();
            hits.Select(h => h.SignalId).ShouldBe(expected, ignoreOrder: true, $"window {windows}");
            seen.AddRange(hits.Select(h => h.SignalId));
            windows++;
            windows.ShouldBeLessThan(40, "windows must reach the start");
            through = start;
        }

        seen.ShouldBe(matches, ignoreOrder: true);
        seen.Distinct().Count().ShouldBe(seen.Count);
        windows.ShouldBeGreaterThan(1);

        // The whole index as one window ranks like the unwindowed search.
        var whole = await f.Index.SearchAsync(db, f.WorkspaceId, "export", 100, 0, new SearchWindow(0, end), CancellationToken.None);
        var plain = await f.Index.SearchAsync(db, f.WorkspaceId, "export", 100, 0, CancellationToken.None);
        whole.ShouldBe(plain);
        (await f.Index.SearchAsync(db, f.WorkspaceId, "export", 100, 0, new SearchWindow(end, end), CancellationToken.None)).ShouldBeEmpty();
        (await f.Index.WindowStartAsync(db, f.WorkspaceId, "export", end, 1_000, CancellationToken.None)).ShouldBe(0, "fewer matches than asked: one window");
        (await f.Index.WindowStartAsync(db, f.WorkspaceId, "", end, 5, CancellationToken.None)).ShouldBe(0);

        // New entries get higher positions.
        await f.AddAsync("Export again", null);
        (await f.Index.LastPositionAsync(db, f.WorkspaceId, CancellationToken.None)).ShouldBeGreaterThan(end);
    }
}
