using System.Text.Json.Nodes;
using GitMesh.Connectors.X;
using GitMesh.Domain.Signals;
using Microsoft.Extensions.DependencyInjection;

namespace GitMesh.Connectors.Social.Tests.X;

public sealed class XConnectorTests : IAsyncLifetime
{
    private const string Query = "gitmesh -is:retweet";
    private static readonly DateTimeOffset Start = new(2024, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly ManualTimeProvider _time = new(Start);
    private XFake _fake = null!;
    private ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        _fake = await XFake.StartAsync();
        _fake.RateLimitReset = Start.AddMinutes(15).ToUnixTimeSeconds();
        _services = ConnectorHarness.Services(s => s.AddXConnector(), _time, _fake.Configuration(maxResults: 10));
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _fake.DisposeAsync();
    }

    private ISourceConnector Connector => _services.GetServices<ISourceConnector>().Single(c => c.Type == "x");

    private static ConnectorRequest Request(string? cursor = null, string query = Query) =>
        ConnectorHarness.Request(new() { ["queries"] = query }, XFake.Credentials(), Start.AddDays(-1), cursor);

    private void AddPosts(int count, DateTimeOffset from)
    {
        for (var i = 0; i < count; i++)
        {
            _fake.AddPost(from.AddMinutes(i), $"post {i}: the export button is hard to find");
        }
    }

    [Fact]
    public async Task Pages_through_recent_search_and_commits_since_id_only_when_the_run_completes()
    {
        AddPosts(25, Start.AddHours(-3));
        var connector = Connector;

        var first = await connector.FetchPageAsync(Request(), CancellationToken.None);
        var second = await connector.FetchPageAsync(Request(first.NextCursor), CancellationToken.None);
        var third = await connector.FetchPageAsync(Request(second.NextCursor), CancellationToken.None);

        (first.HasMore, second.HasMore, third.HasMore).ShouldBe((true, true, false));
        first.Signals.Concat(second.Signals).Concat(third.Signals).Select(s => s.ExternalId).Distinct().Count().ShouldBe(25);
        var newest = XFake.IdAt(Start.AddHours(-3).AddMinutes(24));
        JsonNode.Parse(first.NextCursor!)!["queries"]![Query]!["sinceId"].ShouldBeNull();
        JsonNode.Parse(second.NextCursor!)!["queries"]![Query]!["sinceId"].ShouldBeNull();
        ((string?)JsonNode.Parse(third.NextCursor!)!["queries"]![Query]!["sinceId"]).ShouldBe(newest);

        var requests = _fake.SearchRequests.Select(r => ConnectorHarness.QueryOf(r.Query)).ToList();
        requests.Select(q => q.GetValueOrDefault("next_token")).ShouldBe(
            [null, $"below-{XFake.IdAt(Start.AddHours(-3).AddMinutes(15))}", $"below-{XFake.IdAt(Start.AddHours(-3).AddMinutes(5))}"]);
        requests.ShouldAllBe(q => q["query"] == Query && q["max_results"] == "10" && q["expansions"] == "author_id" && q["user.fields"] == "username,name");
        requests.ShouldAllBe(q => q["start_time"] == "2024-05-31T12:00:00Z" && !q.ContainsKey("since_id"));
        requests[0]["tweet.fields"].Split(',').ShouldBeSubsetOf(XClient.PostFields.Split(','));
        requests[0]["tweet.fields"].ShouldContain("referenced_tweets");
        _fake.SearchRequests.ShouldAllBe(r => r.Headers["Authorization"] == $"Bearer {XFake.BearerToken}");
    }

    [Fact]
    public async Task Maps_the_recorded_default_field_posts()
    {
        var recorded = ConnectorHarness.Fixture("x_twitter/test_client_search_recent_tweets.0.json")["body"]!["data"]!.AsArray();
        foreach (var post in recorded)
        {
            _fake.Posts[(string)post!["id"]!] = post.DeepClone().AsObject();
        }

        var (signals, _, _) = await ConnectorHarness.RunPassAsync(Connector, Request());

        signals.Count.ShouldBe(10);
        var newest = signals[0];
        newest.Source.ShouldBe(SignalSources.X);
        newest.Kind.ShouldBe(SignalKinds.Post);
        newest.ExternalId.ShouldBe("1578516068309794817");
        newest.Body.ShouldBe("2022-10-07 22:42:12.637103 tweepy");
        newest.Url.ShouldBe("https://x.com/i/web/status/1578516068309794817");
        newest.Author.ShouldBeNull();
        // No created_at was requested in the recording: the time comes from the snowflake id (and matches the text).
        newest.CreatedAt!.Value.ShouldBe(new DateTimeOffset(2022, 10, 7, 22, 42, 12, 637, TimeSpan.Zero), TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task Maps_authors_metrics_and_replies_from_expansions()
    {
        var original = _fake.AddPost(Start.AddHours(-2), "Sync keeps saying conflict", authorId: "42");
        _fake.Users["42"] = new JsonObject { ["id"] = "42", ["name"] = "Ana Lyst", ["username"] = "analyst" };
        var reply = _fake.AddPost(Start.AddHours(-1), "@analyst same here since 2.3", repliedTo: (string)original["id"]!);

        var (signals, _, _) = await ConnectorHarness.RunPassAsync(Connector, Request());

        var replySignal = signals.Single(s => s.ExternalId == (string)reply["id"]!);
        replySignal.ParentExternalId.ShouldBe((string)original["id"]!);
        replySignal.Author.ShouldBe(new SignalAuthor("pythondev", "Python Dev", "https://x.com/pythondev"));
        replySignal.Url.ShouldBe($"https://x.com/pythondev/status/{reply["id"]}");
        replySignal.CreatedAt.ShouldBe(Start.AddHours(-1));
        replySignal.Metadata!["like_count"].ShouldBe("42");
        replySignal.Metadata["lang"].ShouldBe("en");
        replySignal.Metadata["replied_to_id"].ShouldBe((string)original["id"]!);
        signals.Single(s => s.ExternalId == (string)original["id"]!).Author!.Username.ShouldBe("analyst");
    }

    [Fact]
    public async Task Second_run_asks_only_for_posts_after_the_committed_since_id()
    {
        AddPosts(12, Start.AddHours(-3));
        var (_, cursor, _) = await ConnectorHarness.RunPassAsync(Connector, Request());
        var before = _fake.SearchRequests.Count;
        _time.Advance(TimeSpan.FromMinutes(15));
        var fresh = _fake.AddPost(Start.AddMinutes(5), "new complaint about exports");

        var (signals, _, pages) = await ConnectorHarness.RunPassAsync(Connector, Request(cursor));

        signals.Select(s => s.ExternalId).ShouldBe([(string)fresh["id"]!]);
        pages.ShouldBe(1);
        var query = ConnectorHarness.QueryOf(_fake.SearchRequests.Skip(before).ShouldHaveSingleItem().Query);
        query["since_id"].ShouldBe(XFake.IdAt(Start.AddHours(-3).AddMinutes(11)));
        query.ShouldNotContainKey("start_time");
    }

    [Fact]
    public async Task Edited_post_is_re_emitted_under_its_original_id_with_the_new_text()
    {
        var original = _fake.AddPost(Start.AddHours(-1), "exprot is broken");
        var (_, cursor, _) = await ConnectorHarness.RunPassAsync(Connector, Request());
        _time.Advance(TimeSpan.FromMinutes(10));
        var edit = _fake.AddPost(Start.AddMinutes(5), "export is broken", editOf: (string)original["id"]!);

        var (signals, _, _) = await ConnectorHarness.RunPassAsync(Connector, Request(cursor));

        var signal = signals.ShouldHaveSingleItem();
        signal.ExternalId.ShouldBe((string)original["id"]!);
        signal.Body.ShouldBe("export is broken");
        signal.Url.ShouldBe($"https://x.com/pythondev/status/{edit["id"]}");
        signal.CreatedAt!.Value.ShouldBe(Start.AddHours(-1));
        signal.UpdatedAt.ShouldBe(Start.AddMinutes(5));
        signal.Metadata!["post_id"].ShouldBe((string)edit["id"]!);
    }

    [Fact]
    public async Task Resuming_from_a_mid_run_cursor_neither_skips_nor_duplicates()
    {
        AddPosts(15, Start.AddHours(-3));
        var first = await Connector.FetchPageAsync(Request(), CancellationToken.None);

        // Crash after the first page; two posts arrive before the worker resumes from the saved cursor.
        _time.Advance(TimeSpan.FromMinutes(10));
        var late = new[] { _fake.AddPost(Start.AddMinutes(1), "late one"), _fake.AddPost(Start.AddMinutes(2), "late two") };
        var (resumed, cursor, _) = await ConnectorHarness.RunPassAsync(Connector, Request(first.NextCursor));
        var (next, _, _) = await ConnectorHarness.RunPassAsync(Connector, Request(cursor));

        var ids = first.Signals.Concat(resumed).Concat(next).Select(s => s.ExternalId).ToList();
        ids.Count.ShouldBe(17);
        ids.Distinct().Count().ShouldBe(17);
        next.Select(s => s.ExternalId).ShouldBe(late.Select(p => (string)p["id"]!).Reverse());
    }

    [Fact]
    public async Task Too_many_requests_raise_RateLimitedException_at_the_reset_epoch()
    {
        _fake.NextResponses.Enqueue(async c =>
        {
            c.Response.Headers["x-rate-limit-remaining"] = "0";
            c.Response.Headers["x-rate-limit-reset"] = Start.AddMinutes(7).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
            await XFake.WriteJsonAsync(c, 429, """{"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429}""");
        });

        var ex = await Should.ThrowAsync<RateLimitedException>(() => Connector.FetchPageAsync(Request(), CancellationToken.None));

        ex.Provider.ShouldBe("x");
        ex.RetryAt.ShouldBe(Start.AddMinutes(7));
    }

    [Fact]
    public async Task An_exhausted_window_parks_the_next_page_until_the_reset()
    {
        AddPosts(15, Start.AddHours(-3));
        _fake.RateLimitRemaining = 0;
        var first = await Connector.FetchPageAsync(Request(), CancellationToken.None);

        var ex = await Should.ThrowAsync<RateLimitedException>(() => Connector.FetchPageAsync(Request(first.NextCursor), CancellationToken.None));

        first.Signals.Count.ShouldBe(10);
        ex.RetryAt.ShouldBe(Start.AddMinutes(15));
        _fake.SearchRequests.Count.ShouldBe(1);
    }

    [Fact]
    public async Task Monthly_usage_cap_is_quota_exhaustion_not_a_rate_limit()
    {
        _fake.NextResponses.Enqueue(c => XFake.WriteJsonAsync(c, 429, """
            {"account_id": "1234", "product_name": "standard-basic", "title": "UsageCapExceeded", "period": "Monthly",
             "scope": "Product", "detail": "Usage cap exceeded: Monthly product cap", "type": "https://api.twitter.com/2/problems/usage-capped"}
            """));

        var ex = await Should.ThrowAsync<QuotaExhaustedException>(() => Connector.FetchPageAsync(Request(), CancellationToken.None));

        ex.Provider.ShouldBe("x");
        ex.Message.ShouldContain("Usage cap exceeded: Monthly product cap");
        _fake.SearchRequests.Count.ShouldBe(1);
    }

    [Fact]
    public async Task Refused_bearer_token_is_an_auth_failure_without_the_token()
    {
        var request = ConnectorHarness.Request(new() { ["queries"] = Query }, new() { ["bearerToken"] = "revoked-SECRET" }, Start.AddDays(-1));

        var ex = await Should.ThrowAsync<ConnectorAuthException>(() => Connector.FetchPageAsync(request, CancellationToken.None));

        ex.ProviderMessage.ShouldBe("Unauthorized");
        ex.ToString().ShouldNotContain("revoked-SECRET");
        (await Connector.TestConnectionAsync(request, CancellationToken.None)).Ok.ShouldBeFalse();
    }

    [Theory]
    [InlineData(503, """{"title": "Service Unavailable", "detail": "Service Unavailable", "type": "about:blank", "status": 503}""")]
    [InlineData(500, "upstream connect error")]
    [InlineData(200, """{"data": [{"id": "1", "text": "trunc""")]
    public async Task Server_errors_and_malformed_bodies_are_transient(int status, string body)
    {
        _fake.NextResponses.Enqueue(c => XFake.WriteJsonAsync(c, status, body));

        await Should.ThrowAsync<TransientConnectorException>(() => Connector.FetchPageAsync(Request(), CancellationToken.None));
    }

    [Fact]
    public async Task A_request_that_outlives_the_timeout_is_transient()
    {
        var configuration = _fake.Configuration();
        configuration["Connectors:X:RequestTimeout"] = "00:00:00.300";
        await using var services = ConnectorHarness.Services(s => s.AddXConnector(), _time, configuration);
        _fake.NextResponses.Enqueue(async c =>
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(10), c.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                // The client gave up, as it should.
            }
        });

        var connector = services.GetServices<ISourceConnector>().Single(c => c.Type == "x");
        var ex = await Should.ThrowAsync<TransientConnectorException>(() => connector.FetchPageAsync(Request(), CancellationToken.None));

        ex.Message.ShouldContain("timed out");
    }

    [Fact]
    public async Task Each_query_keeps_its_own_since_id()
    {
        AddPosts(3, Start.AddHours(-3));
        var request = ConnectorHarness.Request(new() { ["queries"] = "gitmesh\nfrom:gitmesh_app" }, XFake.Credentials(), Start.AddDays(-1));
        var (_, cursor, pages) = await ConnectorHarness.RunPassAsync(Connector, request);
        _fake.AddPost(Start.AddMinutes(1), "only the second run sees this");

        var (signals, _, _) = await ConnectorHarness.RunPassAsync(Connector, request with { Cursor = cursor });

        pages.ShouldBe(2);
        signals.Count.ShouldBe(2);
        var second = _fake.SearchRequests.Skip(2).Select(r => ConnectorHarness.QueryOf(r.Query)).ToList();
        second.Select(q => q["query"]).ShouldBe(["gitmesh", "from:gitmesh_app"]);
        second.ShouldAllBe(q => q["since_id"] == XFake.IdAt(Start.AddHours(-3).AddMinutes(2)));
    }

    [Fact]
    public async Task A_since_id_older_than_the_search_window_restarts_from_the_oldest_searchable_post()
    {
        AddPosts(3, Start.AddHours(-3));
        var (_, cursor, _) = await ConnectorHarness.RunPassAsync(Connector, Request());
        _time.Advance(TimeSpan.FromDays(10));
        _fake.NextResponses.Enqueue(c => XFake.WriteJsonAsync(c, 400, """
            {"errors": [{"parameters": {"since_id": ["1578516068309794817"]},
              "message": "Invalid 'since_id':'1578516068309794817'. 'since_id' must be a tweet id created after 2024-06-04T12:00Z."}],
             "title": "Invalid Request", "detail": "One or more parameters to your request was invalid.",
             "type": "https://api.twitter.com/2/problems/invalid-request"}
            """));
        var fresh = _fake.AddPost(Start.AddDays(9), "still broken");

        var (signals, _, _) = await ConnectorHarness.RunPassAsync(Connector, Request(cursor));

        signals.Select(s => s.ExternalId).ShouldBe([(string)fresh["id"]!]);
        var retry = ConnectorHarness.QueryOf(_fake.SearchRequests[^1].Query);
        retry.ShouldNotContainKey("since_id");
        DateTimeOffset.Parse(retry["start_time"], System.Globalization.CultureInfo.InvariantCulture)
            .ShouldBeGreaterThan(_time.GetUtcNow().AddDays(-7));
    }

    [Fact]
    public async Task Test_connection_looks_up_a_user_instead_of_reading_posts()
    {
        var result = await Connector.TestConnectionAsync(Request(), CancellationToken.None);

        result.Ok.ShouldBeTrue();
        _fake.Server.Requests.ShouldHaveSingleItem().Path.ShouldBe("/2/users/by/username/XDevelopers");
        _fake.SearchRequests.ShouldBeEmpty();
    }
}
