using System.Text.Json.Nodes;
using GitMesh.Connectors.Reddit;
using GitMesh.Domain.Signals;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace GitMesh.Connectors.Social.Tests.Reddit;

public sealed class RedditConnectorTests : IAsyncLifetime
{
    // The PRAW cassette was recorded on 2016-03-01; its newest post is from 08:37:38 UTC.
    private static readonly DateTimeOffset Start = new(2016, 3, 1, 10, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Backfill = new(2016, 2, 29, 0, 0, 0, TimeSpan.Zero);
    private readonly ManualTimeProvider _time = new(Start);
    private RedditFake _fake = null!;
    private ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        _fake = await RedditFake.StartAsync();
        _fake.Listings["new:askreddit"] = RedditFake.FixturePosts();
        _fake.Listings["comments:askreddit"] = [CommentFixture()];
        Build(pageSize: 2);
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _fake.DisposeAsync();
    }

    private void Build(int pageSize = 100, TimeSpan? editLookback = null)
    {
        _services?.Dispose();
        _services = ConnectorHarness.Services(s => s.AddRedditConnector(), _time, _fake.Configuration(editLookback, pageSize));
    }

    private ISourceConnector Connector => _services.GetServices<ISourceConnector>().Single(c => c.Type == "reddit");

    private static ConnectorRequest Request(string? cursor = null, Dictionary<string, string>? settings = null) =>
        ConnectorHarness.Request(settings ?? new() { ["subreddits"] = "r/AskReddit" }, RedditFake.Credentials(), Backfill, cursor);

    private static JsonObject CommentFixture() =>
        ConnectorHarness.Fixture("reddit/comments_uflrmv.submission_and_comments.json")[1]!["data"]!["children"]![0]!.DeepClone().AsObject();

    [Fact]
    public async Task First_pass_pages_through_posts_and_comments_with_one_app_only_token()
    {
        var (signals, _, pages) = await ConnectorHarness.RunPassAsync(Connector, Request());

        signals.Select(s => s.ExternalId).ShouldBe(["t3_48fbm9", "t3_48fbig", "t3_48fbgl", "t3_48fbg9", "t3_48fbe1", "t1_i6yfrww"]);
        pages.ShouldBe(4);
        var token = _fake.TokenRequests.ShouldHaveSingleItem();
        token.Method.ShouldBe("POST");
        token.Body.ShouldBe("grant_type=client_credentials");
        token.Headers["Authorization"].ShouldStartWith("Basic ");

        var api = _fake.ApiRequests;
        api.Select(r => (r.Path, ConnectorHarness.QueryOf(r.Query).GetValueOrDefault("after"))).ShouldBe(
        [
            ("/r/AskReddit/new", null),
            ("/r/AskReddit/new", "t3_48fbig"),
            ("/r/AskReddit/new", "t3_48fbg9"),
            ("/r/AskReddit/comments", null),
        ]);
        api.ShouldAllBe(r => r.Headers["Authorization"] == "bearer app-token-1");
        api.ShouldAllBe(r => r.Headers["User-Agent"] == "test:gitmesh:1.0 (by /u/gitmesh-tests)");
        api.ShouldAllBe(r => ConnectorHarness.QueryOf(r.Query)["limit"] == "2" && ConnectorHarness.QueryOf(r.Query)["raw_json"] == "1");
    }

    [Fact]
    public async Task Maps_the_2016_post_shape_and_the_2022_comment_shape()
    {
        var (signals, _, _) = await ConnectorHarness.RunPassAsync(Connector, Request());

        var post = signals.First();
        post.Source.ShouldBe(SignalSources.Reddit);
        post.Kind.ShouldBe(SignalKinds.Post);
        post.Title.ShouldBe("[Serious] Parents of Reddit, what's the biggest lie about yourself you've told your kids?");
        post.Body.ShouldBeNull();
        post.Url.ShouldBe("https://www.reddit.com/r/AskReddit/comments/48fbm9/serious_parents_of_reddit_whats_the_biggest_lie/");
        post.Author.ShouldBe(new SignalAuthor("RedHeadQc", null, "https://www.reddit.com/user/RedHeadQc"));
        post.CreatedAt.ShouldBe(DateTimeOffset.FromUnixTimeSeconds(1456821458));
        post.UpdatedAt.ShouldBeNull();
        post.ParentExternalId.ShouldBeNull();
        post.Metadata!["subreddit"].ShouldBe("AskReddit");
        post.Metadata["flair"].ShouldBe("serious replies only");
        post.Metadata["num_comments"].ShouldBe("1");

        var comment = signals.Last();
        comment.Kind.ShouldBe(SignalKinds.Comment);
        comment.ExternalId.ShouldBe("t1_i6yfrww");
        comment.ParentExternalId.ShouldBe("t3_uflrmv");
        comment.Body.ShouldBe("hi");
        comment.Title.ShouldBeNull();
        comment.Url.ShouldBe("https://www.reddit.com/r/<TEST_SUBREDDIT>/comments/uflrmv/test_post/i6yfrww/");
        comment.Metadata!["link_id"].ShouldBe("t3_uflrmv");
        comment.Metadata["author_fullname"].ShouldBe("t2_o77bz");
    }

    [Fact]
    public async Task Parses_the_2022_post_shape_with_its_extra_fields()
    {
        var thing = ConnectorHarness.Fixture("reddit/api_info_t3_uflrmv.json")["data"]!["children"]![0]!.DeepClone().AsObject();
        _fake.Listings["new:test_sub"] = [thing];
        var settings = new Dictionary<string, string> { ["subreddits"] = "test_sub", ["includeComments"] = "false" };

        var (signals, _, _) = await ConnectorHarness.RunPassAsync(Connector, Request(settings: settings));

        var signal = signals.ShouldHaveSingleItem();
        signal.ExternalId.ShouldBe("t3_uflrmv");
        signal.Title.ShouldBe("Test post");
        signal.Author!.Username.ShouldBe("Lil_SpazTest");
        signal.Metadata!["author_fullname"].ShouldBe("t2_75u2lqkb");
        signal.CreatedAt.ShouldBe(DateTimeOffset.FromUnixTimeSeconds(1651358011));
    }

    [Fact]
    public async Task Second_pass_reads_only_new_posts_and_stops_at_the_high_water_mark()
    {
        Build(pageSize: 2, editLookback: TimeSpan.Zero);
        var (_, cursor, _) = await ConnectorHarness.RunPassAsync(Connector, Request());
        var before = _fake.ApiRequests.Count;
        _fake.Listings["new:askreddit"].InsertRange(0, [RedditFake.Post("48fc02", 1456822000, "newest"), RedditFake.Post("48fc01", 1456821900, "newer")]);
        _time.Advance(TimeSpan.FromMinutes(10));

        var (signals, _, _) = await ConnectorHarness.RunPassAsync(Connector, Request(cursor));

        signals.Select(s => s.ExternalId).ShouldBe(["t3_48fc02", "t3_48fc01"]);
        var second = _fake.ApiRequests.Skip(before).ToList();
        second.Select(r => (r.Path, ConnectorHarness.QueryOf(r.Query).GetValueOrDefault("after"))).ShouldBe(
        [
            ("/r/AskReddit/new", null),
            ("/r/AskReddit/new", "t3_48fc01"),
            ("/r/AskReddit/comments", null),
        ]);
    }

    [Fact]
    public async Task Edited_post_within_the_lookback_is_re_emitted_with_its_new_text()
    {
        Build(pageSize: 100, editLookback: TimeSpan.FromHours(1));
        var (_, cursor, _) = await ConnectorHarness.RunPassAsync(Connector, Request());
        _time.Advance(TimeSpan.FromMinutes(30));
        var edited = _fake.Listings["new:askreddit"][2]["data"]!.AsObject();
        edited["selftext"] = "Edit: I found the answer, the export button is hidden in settings.";
        edited["edited"] = _time.GetUtcNow().AddMinutes(-1).ToUnixTimeSeconds() + 0.0;

        var (signals, _, _) = await ConnectorHarness.RunPassAsync(Connector, Request(cursor));

        var signal = signals.ShouldHaveSingleItem();
        signal.ExternalId.ShouldBe("t3_48fbgl");
        signal.Body.ShouldBe("Edit: I found the answer, the export button is hidden in settings.");
        signal.UpdatedAt!.Value.ShouldBe(_time.GetUtcNow().AddMinutes(-1), TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task Resuming_from_a_mid_run_cursor_neither_skips_nor_duplicates()
    {
        var connector = Connector;
        var first = await connector.FetchPageAsync(Request(), CancellationToken.None);
        first.HasMore.ShouldBeTrue();

        // The worker crashed after saving the first page's cursor; meanwhile two posts arrived.
        _fake.Listings["new:askreddit"].InsertRange(0, [RedditFake.Post("48fc02", 1456822000, "newest"), RedditFake.Post("48fc01", 1456821900, "newer")]);
        _time.Advance(TimeSpan.FromMinutes(5));
        var (resumed, cursor, _) = await ConnectorHarness.RunPassAsync(Connector, Request(first.NextCursor));
        var (next, _, _) = await ConnectorHarness.RunPassAsync(Connector, Request(cursor));

        var all = first.Signals.Concat(resumed).Concat(next).Select(s => s.ExternalId).ToList();
        all.ShouldBe(["t3_48fbm9", "t3_48fbig", "t3_48fbgl", "t3_48fbg9", "t3_48fbe1", "t1_i6yfrww", "t3_48fc02", "t3_48fc01"]);
    }

    [Fact]
    public async Task Revoked_token_is_refreshed_once_on_401()
    {
        var (_, cursor, _) = await ConnectorHarness.RunPassAsync(Connector, Request());
        _fake.RevokeAllTokens();
        _fake.Listings["new:askreddit"].Insert(0, RedditFake.Post("48fc02", 1456822000, "after the revocation"));

        var (signals, _, _) = await ConnectorHarness.RunPassAsync(Connector, Request(cursor));

        signals.Select(s => s.ExternalId).ShouldContain("t3_48fc02");
        _fake.TokenRequests.Count.ShouldBe(2);
        var api = _fake.ApiRequests;
        api.Count(r => r.Headers["Authorization"] == "bearer app-token-1").ShouldBe(5); // four pages, then the refused one
        api[^1].Headers["Authorization"].ShouldBe("bearer app-token-2");
    }

    [Fact]
    public async Task Refused_client_credentials_raise_ConnectorAuthException_without_the_secret()
    {
        _fake.RefuseClientCredentials = true;

        var ex = await Should.ThrowAsync<ConnectorAuthException>(() => Connector.FetchPageAsync(Request(), CancellationToken.None));

        ex.Provider.ShouldBe("reddit");
        ex.ProviderMessage.ShouldBe("Unauthorized");
        ex.ToString().ShouldNotContain(RedditFake.ClientSecret);
        _fake.ApiRequests.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_second_401_after_refreshing_is_an_auth_failure()
    {
        _fake.NextApiResponses.Enqueue(c => RedditFake.WriteJsonAsync(c, 401, """{"message": "Unauthorized", "error": 401}"""));
        _fake.NextApiResponses.Enqueue(c => RedditFake.WriteJsonAsync(c, 401, """{"message": "Unauthorized", "error": 401}"""));

        await Should.ThrowAsync<ConnectorAuthException>(() => Connector.FetchPageAsync(Request(), CancellationToken.None));

        _fake.TokenRequests.Count.ShouldBe(2);
        _fake.ApiRequests.Count.ShouldBe(2);
    }

    [Fact]
    public async Task Forbidden_private_subreddit_is_an_auth_failure_with_reddits_reason()
    {
        _fake.NextApiResponses.Enqueue(c => RedditFake.WriteJsonAsync(c, 403, """{"reason": "private", "message": "Forbidden", "error": 403}"""));

        var ex = await Should.ThrowAsync<ConnectorAuthException>(() => Connector.FetchPageAsync(Request(), CancellationToken.None));

        ex.ProviderMessage.ShouldBe("Forbidden: private");
    }

    [Fact]
    public async Task Too_many_requests_raise_RateLimitedException_at_the_reset_time()
    {
        _fake.NextApiResponses.Enqueue(async c =>
        {
            c.Response.Headers["x-ratelimit-remaining"] = "0.0";
            c.Response.Headers["x-ratelimit-reset"] = "42";
            await RedditFake.WriteJsonAsync(c, 429, """{"message": "Too Many Requests", "error": 429}""");
        });

        var ex = await Should.ThrowAsync<RateLimitedException>(() => Connector.FetchPageAsync(Request(), CancellationToken.None));

        ex.Provider.ShouldBe("reddit");
        ex.RetryAt.ShouldBe(Start.AddSeconds(42));
    }

    [Fact]
    public async Task An_exhausted_window_keeps_the_page_and_parks_the_next_one_until_the_reset()
    {
        _fake.RateLimitRemaining = "0.0";
        _fake.RateLimitReset = "120";
        var connector = Connector;

        var first = await connector.FetchPageAsync(Request(), CancellationToken.None);
        var ex = await Should.ThrowAsync<RateLimitedException>(() => connector.FetchPageAsync(Request(first.NextCursor), CancellationToken.None));

        first.Signals.Count.ShouldBe(2);
        ex.RetryAt.ShouldBe(Start.AddSeconds(120));
        _fake.ApiRequests.Count.ShouldBe(1);

        _time.Advance(TimeSpan.FromSeconds(121));
        _fake.RateLimitRemaining = "598.0";
        var resumed = await connector.FetchPageAsync(Request(first.NextCursor), CancellationToken.None);
        resumed.Signals.Select(s => s.ExternalId).ShouldBe(["t3_48fbgl", "t3_48fbg9"]);
    }

    [Theory]
    [InlineData(500, """{"message": "Internal Server Error", "error": 500}""")]
    [InlineData(503, "<html><body>Our CDN was unable to reach our servers</body></html>")]
    [InlineData(200, """{"kind": "Listing", "data": {"children": [{"kind": "t3", "data": {"id": """)]
    [InlineData(200, "<html>maintenance</html>")]
    public async Task Server_errors_and_malformed_bodies_are_transient(int status, string body)
    {
        _fake.NextApiResponses.Enqueue(c => RedditFake.WriteJsonAsync(c, status, body));

        await Should.ThrowAsync<TransientConnectorException>(() => Connector.FetchPageAsync(Request(), CancellationToken.None));
    }

    [Fact]
    public async Task Search_terms_query_newest_links_sitewide()
    {
        _fake.Listings["search:\"export csv\" gitmesh"] = [RedditFake.Post("48fd00", 1456822100, "How do I export CSV from GitMesh?", "Looking for an export button.")];
        var settings = new Dictionary<string, string> { ["searchTerms"] = "\"export csv\" gitmesh" };

        var (signals, _, _) = await ConnectorHarness.RunPassAsync(Connector, Request(settings: settings));

        var signal = signals.ShouldHaveSingleItem();
        signal.Body.ShouldBe("Looking for an export button.");
        signal.Metadata!["feed"].ShouldBe("search:\"export csv\" gitmesh");
        var query = ConnectorHarness.QueryOf(_fake.ApiRequests.ShouldHaveSingleItem().Query);
        query["q"].ShouldBe("\"export csv\" gitmesh");
        query["sort"].ShouldBe("new");
        query["limit"].ShouldBe("2");
    }

    [Fact]
    public async Task Test_connection_reads_one_item_and_reports_refused_credentials()
    {
        var ok = await Connector.TestConnectionAsync(Request(), CancellationToken.None);
        ok.Ok.ShouldBeTrue();
        ConnectorHarness.QueryOf(_fake.ApiRequests.ShouldHaveSingleItem().Query)["limit"].ShouldBe("1");

        _fake.RefuseClientCredentials = true;
        var credentials = new Dictionary<string, string> { ["clientId"] = "other", ["clientSecret"] = "wrong" };
        var refused = await Connector.TestConnectionAsync(
            ConnectorHarness.Request(new() { ["subreddits"] = "AskReddit" }, credentials, Backfill), CancellationToken.None);
        refused.Ok.ShouldBeFalse();
        refused.Message.ShouldContain("Unauthorized");
    }
}
