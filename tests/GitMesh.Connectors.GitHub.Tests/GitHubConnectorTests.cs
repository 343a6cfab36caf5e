using System.Globalization;
using GitMesh.Connectors.GitHub.Tests.Fakes;
using GitMesh.Domain.Signals;
using Microsoft.AspNetCore.WebUtilities;

namespace GitMesh.Connectors.GitHub.Tests;

public sealed class GitHubConnectorTests : IAsyncLifetime
{
    private FakeGitHub _github = null!;

    public async Task InitializeAsync() => _github = await FakeGitHub.StartAsync();

    public async Task DisposeAsync() => await _github.DisposeAsync();

    [Fact]
    public async Task First_run_pages_issues_comments_and_discussions_to_the_end()
    {
        await using var services = ConnectorHarness.Services(_github.BaseUrl);
        var connector = ConnectorHarness.Connector(services);

        var (pages, cursor) = await ConnectorHarness.DrainAsync(connector, ConnectorHarness.Request());

        var signals = pages.SelectMany(p => p.Signals).ToList();
        var issues = signals.Where(s => s.Kind == SignalKinds.Issue).DistinctBy(s => s.ExternalId).ToList();
        issues.Count.ShouldBe(13, "13 issues; the pull request is skipped by default");
        issues.ShouldNotContain(s => s.ExternalId.EndsWith("#issue/14", StringComparison.Ordinal));
        issues.Select(s => s.ExternalId).ShouldContain("octokit-fixture-org/paginate-issues#issue/13");

        var issueComments = signals.Where(s => s.ExternalId.Contains("#comment/", StringComparison.Ordinal)).DistinctBy(s => s.ExternalId).ToList();
        issueComments.Count.ShouldBe(3, "the comment on the pull request is skipped");
        issueComments.ShouldAllBe(c => c.ParentExternalId!.StartsWith("octokit-fixture-org/paginate-issues#issue/", StringComparison.Ordinal));

        signals.Where(s => s.Kind == SignalKinds.Discussion).DistinctBy(s => s.ExternalId).Count().ShouldBe(7);
        signals.Count(s => s.ExternalId.Contains("#discussion-comment/", StringComparison.Ordinal)).ShouldBe(9, "6 single comments + 3 on discussion 7, two of them from a follow-up page");
        pages[^1].HasMore.ShouldBeFalse();
        pages.Take(pages.Count - 1).ShouldAllBe(p => p.HasMore);
        cursor.ShouldNotBeNull();
    }

    [Fact]
    public async Task Issue_is_mapped_with_author_dates_and_metadata()
    {
        await using var services = ConnectorHarness.Services(_github.BaseUrl);
        var page = await ConnectorHarness.Connector(services).FetchPageAsync(ConnectorHarness.Request(), CancellationToken.None);

        var issue = page.Signals.First(s => s.ExternalId == "octokit-fixture-org/paginate-issues#issue/13");
        issue.Source.ShouldBe("github");
        issue.Kind.ShouldBe("issue");
        issue.Title.ShouldBe("Test issue 13");
        issue.Url.ShouldBe("https://github.com/octokit-fixture-org/paginate-issues/issues/13");
        issue.Author.ShouldBe(new SignalAuthor("octokit-fixture-user-a", null, "https://github.com/octokit-fixture-user-a"));
        issue.CreatedAt.ShouldBe(new DateTimeOffset(2017, 10, 10, 16, 0, 0, TimeSpan.Zero));
        issue.UpdatedAt.ShouldBe(FakeGitHub.T0);
        issue.Metadata!["number"].ShouldBe("13");
        issue.Metadata["state"].ShouldBe("open");
        issue.Metadata["repo"].ShouldBe(FakeGitHub.FullName);
        issue.Metadata["labels"].ShouldBe(string.Empty);
        issue.Metadata["authorAvatarUrl"].ShouldBe("https://avatars.githubusercontent.com/u/1000?v=4");
    }

    [Fact]
    public async Task Requests_carry_bearer_token_api_headers_since_and_per_page()
    {
        await using var services = ConnectorHarness.Services(_github.BaseUrl);
        await ConnectorHarness.Connector(services).FetchPageAsync(ConnectorHarness.Request(), CancellationToken.None);

        var request = _github.RequestsTo($"/repos/{FakeGitHub.FullName}/issues").Single();
        request.Headers["Authorization"].ShouldBe($"Bearer {FakeGitHub.Token}");
        request.Headers["Accept"].ShouldBe("application/vnd.github+json");
        request.Headers["X-GitHub-Api-Version"].ShouldBe("2022-11-28");
        request.Headers["User-Agent"].ShouldNotBeNullOrWhiteSpace();
        var query = QueryHelpers.ParseQuery(request.Query);
        query["since"].ToString().ShouldBe("2023-06-01T00:00:00Z");
        query["per_page"].ToString().ShouldBe("5");
        query["state"].ToString().ShouldBe("all");
        query["sort"].ToString().ShouldBe("updated");
        query["direction"].ToString().ShouldBe("asc");
    }

    [Fact]
    public async Task Second_run_fetches_only_items_updated_since_and_edits_arrive_as_updates()
    {
        await using var services = ConnectorHarness.Services(_github.BaseUrl);
        var connector = ConnectorHarness.Connector(services);
        var (_, cursor) = await ConnectorHarness.DrainAsync(connector, ConnectorHarness.Request());
        var requestsBefore = _github.Server.Requests.Count;

        _github.EditIssue(5, "Test issue 5 (edited)", FakeGitHub.T0.AddDays(2));
        var (pages, _) = await ConnectorHarness.DrainAsync(connector, ConnectorHarness.Request(cursor));

        var signals = pages.SelectMany(p => p.Signals).ToList();
        var issues = signals.Where(s => s.Kind == SignalKinds.Issue).ToList();
        issues.ShouldContain(s => s.ExternalId == "octokit-fixture-org/paginate-issues#issue/5" && s.Title == "Test issue 5 (edited)" && s.UpdatedAt == FakeGitHub.T0.AddDays(2));
        issues.Count.ShouldBeLessThanOrEqualTo(2, "only the edited issue, plus at most the re-read boundary item");
        signals.Count(s => s.Kind == SignalKinds.Discussion).ShouldBeLessThanOrEqualTo(1, "only the boundary discussion is re-read");

        var secondIssuesRequest = _github.Server.Requests.Skip(requestsBefore).First(r => r.Path.EndsWith("/issues", StringComparison.Ordinal));
        var since = DateTimeOffset.Parse(QueryHelpers.ParseQuery(secondIssuesRequest.Query)["since"].ToString(), CultureInfo.InvariantCulture);
        since.ShouldBe(FakeGitHub.T0.AddMinutes(20), "the high-water mark is the newest update seen, the pull request included");
    }

    [Fact]
    public async Task Resuming_from_a_cursor_saved_after_page_two_continues_with_page_three()
    {
        await using var services = ConnectorHarness.Services(_github.BaseUrl);
        var connector = ConnectorHarness.Connector(services);
        var page1 = await connector.FetchPageAsync(ConnectorHarness.Request(), CancellationToken.None);
        var page2 = await connector.FetchPageAsync(ConnectorHarness.Request(page1.NextCursor), CancellationToken.None);
        var uninterrupted = await connector.FetchPageAsync(ConnectorHarness.Request(page2.NextCursor), CancellationToken.None);
        var requestOfPage3 = _github.Server.Requests[^1];

        // "Crash": a fresh container (new process) starts from the saved cursor.
        await using var restarted = ConnectorHarness.Services(_github.BaseUrl);
        var resumed = await ConnectorHarness.Connector(restarted).FetchPageAsync(ConnectorHarness.Request(page2.NextCursor), CancellationToken.None);

        resumed.Signals.Select(s => s.ExternalId).ShouldBe(uninterrupted.Signals.Select(s => s.ExternalId));
        _github.Server.Requests[^1].Query.ShouldBe(requestOfPage3.Query);
        var seen = page1.Signals.Concat(page2.Signals).Concat(resumed.Signals).Select(s => s.ExternalId).ToHashSet();
        for (var number = 1; number <= 13; number++)
        {
            seen.ShouldContain($"octokit-fixture-org/paginate-issues#issue/{number}", $"issue {number} must not be skipped");
        }
    }

    [Fact]
    public async Task Issue_updated_while_paging_does_not_push_an_unread_issue_onto_a_read_page()
    {
        await using var services = ConnectorHarness.Services(_github.BaseUrl);
        var connector = ConnectorHarness.Connector(services);
        var page1 = await connector.FetchPageAsync(ConnectorHarness.Request(), CancellationToken.None);

        // Issue 13 (first on page 1) is edited: with page=N paging everything shifts one slot back.
        _github.EditIssue(13, "Test issue 13 (edited)", FakeGitHub.T0.AddDays(1));
        var (rest, _) = await ConnectorHarness.DrainAsync(connector, ConnectorHarness.Request(page1.NextCursor));

        var seen = page1.Signals.Concat(rest.SelectMany(p => p.Signals)).Select(s => s.ExternalId).ToHashSet();
        for (var number = 1; number <= 13; number++)
        {
            seen.ShouldContain($"octokit-fixture-org/paginate-issues#issue/{number}");
        }
    }

    [Fact]
    public async Task Pull_requests_are_included_when_the_settings_ask_for_them()
    {
        await using var services = ConnectorHarness.Services(_github.BaseUrl);
        var settings = new Dictionary<string, string> { ["repo"] = FakeGitHub.FullName, ["includePullRequests"] = "true", ["includeDiscussions"] = "false" };

        var (pages, _) = await ConnectorHarness.DrainAsync(ConnectorHarness.Connector(services), ConnectorHarness.Request(settings: settings));

        var signals = pages.SelectMany(p => p.Signals).ToList();
        var pr = signals.Single(s => s.ExternalId == "octokit-fixture-org/paginate-issues#issue/14");
        pr.Metadata!["pullRequest"].ShouldBe("true");
        signals.ShouldContain(s => s.ExternalId == "octokit-fixture-org/paginate-issues#comment/5004");
        signals.ShouldNotContain(s => s.Kind == SignalKinds.Discussion);
        _github.RequestsTo("/graphql").ShouldBeEmpty();
    }

    [Fact]
    public async Task Discussions_page_with_graphql_cursors_and_nested_comment_pages()
    {
        await using var services = ConnectorHarness.Services(_github.BaseUrl);
        var connector = ConnectorHarness.Connector(services);
        var settings = new Dictionary<string, string> { ["owner"] = FakeGitHub.Owner, ["repo"] = FakeGitHub.Repo };

        var (pages, _) = await ConnectorHarness.DrainAsync(connector, ConnectorHarness.Request(settings: settings));

        var graphql = _github.RequestsTo("/graphql").Select(r => System.Text.Json.Nodes.JsonNode.Parse(r.Body)!).ToList();
        var discussionQueries = graphql.Where(g => ((string)g["query"]!).Contains("discussions(", StringComparison.Ordinal)).ToList();
        discussionQueries.Count.ShouldBe(3, "7 discussions at 3 per page");
        discussionQueries[0]["variables"]!["after"].ShouldBeNull();
        discussionQueries[1]["variables"]!["after"]!.GetValue<string>().ShouldNotBeNullOrEmpty();
        discussionQueries[2]["variables"]!["after"]!.GetValue<string>().ShouldNotBe(discussionQueries[1]["variables"]!["after"]!.GetValue<string>());
        discussionQueries[0]["variables"]!["owner"]!.GetValue<string>().ShouldBe(FakeGitHub.Owner);
        graphql.Count(g => ((string)g["query"]!).Contains("node(id:", StringComparison.Ordinal)).ShouldBe(1, "discussion 7's third comment needs a follow-up page");
        _github.RequestsTo("/graphql").ShouldAllBe(r => r.Headers["Authorization"] == $"Bearer {FakeGitHub.Token}");

        var signals = pages.SelectMany(p => p.Signals).ToList();
        var discussion = signals.Single(s => s.ExternalId == "octokit-fixture-org/paginate-issues#discussion/7");
        discussion.Title.ShouldBe("TEST edit 7");
        discussion.Metadata!["category"].ShouldBe("General");
        var answer = signals.Single(s => s.ExternalId == "octokit-fixture-org/paginate-issues#discussion-comment/550133");
        answer.ParentExternalId.ShouldBe(discussion.ExternalId);
        answer.Metadata!["isAnswer"].ShouldBe("true");
        signals.Count(s => s.ParentExternalId == discussion.ExternalId).ShouldBe(3);
    }

    [Fact]
    public async Task Org_mode_lists_repositories_then_reads_each_one()
    {
        var second = "octokit-fixture-org/second";
        _github.Repositories.Add(FakeGitHub.RepositoryJson(second, 1001, archived: false));
        _github.Repositories.Add(FakeGitHub.RepositoryJson("octokit-fixture-org/old", 1002, archived: true));
        var copy = _github.Issues[0].DeepClone().AsObject();
        copy["id"] = 9000;
        copy["number"] = 1;
        copy["repository_url"] = $"https://api.github.com/repos/{second}";
        copy["html_url"] = $"https://github.com/{second}/issues/1";
        _github.Issues.Add(copy);
        await using var services = ConnectorHarness.Services(_github.BaseUrl);
        var settings = new Dictionary<string, string> { ["org"] = "octokit-fixture-org", ["includeDiscussions"] = "false" };

        var (pages, _) = await ConnectorHarness.DrainAsync(ConnectorHarness.Connector(services), ConnectorHarness.Request(settings: settings));

        var signals = pages.SelectMany(p => p.Signals).ToList();
        signals.ShouldContain(s => s.ExternalId == "octokit-fixture-org/second#issue/1");
        signals.ShouldContain(s => s.ExternalId == "octokit-fixture-org/paginate-issues#issue/1");
        _github.RequestsTo("/orgs/octokit-fixture-org/repos").ShouldNotBeEmpty();
        _github.RequestsTo("/repos/octokit-fixture-org/old/").ShouldBeEmpty("archived repositories are skipped");
    }

    [Fact]
    public async Task Test_connection_reports_the_repository_or_githubs_refusal()
    {
        await using var services = ConnectorHarness.Services(_github.BaseUrl);
        var connector = ConnectorHarness.Connector(services);

        var ok = await connector.TestConnectionAsync(ConnectorHarness.Request(), CancellationToken.None);
        var badToken = await connector.TestConnectionAsync(ConnectorHarness.Request(credentials: new() { ["token"] = "nope" }), CancellationToken.None);
        var missing = await connector.TestConnectionAsync(ConnectorHarness.Request(settings: new() { ["repo"] = "octokit-fixture-org/missing" }), CancellationToken.None);

        ok.Ok.ShouldBeTrue();
        ok.Message.ShouldContain(FakeGitHub.FullName);
        _github.RequestsTo($"/repos/{FakeGitHub.FullName}").ShouldContain(r => r.Path == $"/repos/{FakeGitHub.FullName}");
        badToken.Ok.ShouldBeFalse();
        badToken.Message.ShouldBe("Bad credentials");
        missing.Ok.ShouldBeFalse();
        missing.Message.ShouldContain("Not Found");
    }

    [Fact]
    public async Task Missing_credentials_or_settings_are_reported_as_auth_problems()
    {
        await using var services = ConnectorHarness.Services(_github.BaseUrl);
        var connector = ConnectorHarness.Connector(services);

        await Should.ThrowAsync<ConnectorAuthException>(() => connector.FetchPageAsync(ConnectorHarness.Request(credentials: new()), CancellationToken.None));
        await Should.ThrowAsync<ConnectorAuthException>(() => connector.FetchPageAsync(ConnectorHarness.Request(settings: new() { ["owner"] = "x" }), CancellationToken.None));
    }
}
