using GitMesh.Data;
using GitMesh.TestCommon;

namespace GitMesh.Search.Tests;

public sealed class SearchCliTests
{
    [Theory, Providers]
    public async Task Search_rebuild_indexes_and_reports_progress(DatabaseProvider provider)
    {
        await using var f = await SearchFixture.CreateAsync(provider);
        await f.SeedCorpusAsync(index: false);
        await f.AddAsync("Dark elsewhere", "dark", f.OtherWorkspaceId, index: false);
        var output = new StringWriter();

        (await SearchCli.TryRunAsync(["search", "rebuild"], f.Database.Info, output, CancellationToken.None)).ShouldBe(0);

        output.ToString().ShouldContain("Rebuilding the");
        output.ToString().ShouldContain("signals processed");
        output.ToString().ShouldContain($"Done: {SearchFixture.Corpus.Length + 1} signals indexed");
        (await f.TitlesAsync("dark")).ShouldBe(["Dark mode request"]);

        output = new StringWriter();
        (await SearchCli.TryRunAsync(["search", "rebuild", "--workspace", f.OtherWorkspaceId.ToString()], f.Database.Info, output, CancellationToken.None)).ShouldBe(0);
        output.ToString().ShouldContain($"workspace {f.OtherWorkspaceId}");
        output.ToString().ShouldContain("Done: 1 signals indexed");
    }

    [Fact]
    public async Task Other_verbs_are_not_handled_and_bad_arguments_print_usage()
    {
        var info = new DatabaseInfo(DatabaseProvider.Sqlite, "Data Source=:memory:");
        var output = new StringWriter();

        (await SearchCli.TryRunAsync([], info, output, CancellationToken.None)).ShouldBeNull();
        (await SearchCli.TryRunAsync(["migrate"], info, output, CancellationToken.None)).ShouldBeNull();
        (await SearchCli.TryRunAsync(["search"], info, output, CancellationToken.None)).ShouldBe(2);
        (await SearchCli.TryRunAsync(["search", "rebuild", "--workspace", "not-a-guid"], info, output, CancellationToken.None)).ShouldBe(2);
        output.ToString().ShouldContain("usage: search rebuild [--workspace ID]");
    }
}
