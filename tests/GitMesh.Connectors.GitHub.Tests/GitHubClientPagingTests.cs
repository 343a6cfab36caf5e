using GitMesh.Connectors.GitHub.Api;
using GitMesh.Connectors.GitHub.Tests.Fakes;
using GitMesh.TestCommon.Http;
using Microsoft.AspNetCore.Http;

namespace GitMesh.Connectors.GitHub.Tests;

public sealed class GitHubClientPagingTests
{
    /// <summary>Replays octokit's recorded paginate-issues exchanges byte-for-byte, with only the host of the Link URLs swapped for the loopback server.</summary>
    [Fact]
    public async Task Client_follows_recorded_link_headers_through_all_five_pages()
    {
        var exchanges = Fixture.PaginateIssues();
        LoopbackServer? server = null;
        server = await LoopbackServer.StartAsync(async context =>
        {
            var pathAndQuery = context.Request.Path.Value + context.Request.QueryString.Value;
            var exchange = pathAndQuery.StartsWith("/repos/", StringComparison.Ordinal)
                ? exchanges[0]!
                : exchanges.Single(e => (string)e!["path"]! == pathAndQuery)!;
            var link = ((string)exchange["headers"]!["link"]!).Replace("https://api.github.com/", server!.BaseAddress.AbsoluteUri, StringComparison.Ordinal);
            context.Response.Headers["Link"] = link;
            context.Response.ContentType = "application/json; charset=utf-8";
            await context.Response.WriteAsync(exchange["response"]!.ToJsonString());
        });
        await using var _ = server;
        await using var services = ConnectorHarness.Services(server.BaseAddress);
        var client = ConnectorHarness.Client(services);
        var target = new GitHubTarget(server.BaseAddress, new GitHubTokenCredentials("t0k3n"));

        var issues = new List<GitHubIssue>();
        await foreach (var issue in client.ListIssuesAsync(target, "octokit-fixture-org", "paginate-issues", DateTimeOffset.UnixEpoch, CancellationToken.None))
        {
            issues.Add(issue);
        }

        issues.Select(i => i.Number).ShouldBe(Enumerable.Range(1, 13).Reverse());
        server.Requests.Select(r => r.Path + r.Query).Skip(1).ShouldBe(Enumerable.Range(2, 4).Select(p => $"/repositories/1000/issues?per_page=3&page={p}"));
        server.Requests.ShouldAllBe(r => r.Headers["Authorization"] == "Bearer t0k3n");
    }

    [Fact]
    public async Task Client_refuses_to_send_the_token_to_a_foreign_next_link()
    {
        LoopbackServer? server = null;
        server = await LoopbackServer.StartAsync(async context =>
        {
            context.Response.Headers["Link"] = "<https://evil.example/steal?page=2>; rel=\"next\"";
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("[]");
        });
        await using var _ = server;
        await using var services = ConnectorHarness.Services(server.BaseAddress);
        var target = new GitHubTarget(server.BaseAddress, new GitHubTokenCredentials("t0k3n"));

        await Should.ThrowAsync<GitHubApiException>(async () =>
        {
            await foreach (var item in ConnectorHarness.Client(services).ListIssuesAsync(target, "o", "r", DateTimeOffset.UnixEpoch, CancellationToken.None))
            {
                item.ShouldNotBeNull();
            }
        });
        server.Requests.Count.ShouldBe(1);
    }

    [Theory]
    [InlineData("<https://api.github.com/repositories/1000/issues?per_page=3&page=2>; rel=\"next\", <https://api.github.com/repositories/1000/issues?per_page=3&page=5>; rel=\"last\"", "https://api.github.com/repositories/1000/issues?per_page=3&page=2")]
    [InlineData("<https://a.test/x?page=1>; rel=\"prev\", <https://a.test/x?page=3>; rel=\"next\"", "https://a.test/x?page=3")]
    [InlineData("<https://a.test/x?a=1,2&page=3>;rel=next", "https://a.test/x?a=1,2&page=3")]
    [InlineData("  <https://a.test/x?page=3> ;  REL = \"last next\" ; title=\"n\"", "https://a.test/x?page=3")]
    [InlineData("</relative/x?page=3>; rel=\"next\"", "https://api.github.com/relative/x?page=3")]
    [InlineData("<https://a.test/x?page=5>; rel=\"last\"", null)]
    [InlineData("garbage", null)]
    [InlineData("<https://a.test/x", null)]
    public void Link_header_next_is_found_robustly(string header, string? expected)
    {
        var next = GitHubLinkHeader.FindNext([header], new Uri("https://api.github.com/repos/o/r/issues"));

        next?.AbsoluteUri.ShouldBe(expected);
        (next is null).ShouldBe(expected is null);
    }

    [Theory]
    [InlineData("https://api.github.com/", "https://api.github.com/graphql")]
    [InlineData("https://ghe.example.com/api/v3/", "https://ghe.example.com/api/graphql")]
    public void Graphql_endpoint_follows_the_rest_root(string baseUrl, string expected) =>
        new GitHubTarget(new Uri(baseUrl), new GitHubTokenCredentials("x")).GraphQlUrl.AbsoluteUri.ShouldBe(expected);

    [Fact]
    public void Credentials_never_print_their_secrets()
    {
        var token = new GitHubTokenCredentials("ghp_secret");
        var app = new GitHubAppCredentials("1", "-----BEGIN RSA PRIVATE KEY-----secret", 2);

        new GitHubTarget(new Uri("https://api.github.com/"), token).ToString().ShouldNotContain("ghp_secret");
        app.ToString().ShouldNotContain("secret");
    }
}
