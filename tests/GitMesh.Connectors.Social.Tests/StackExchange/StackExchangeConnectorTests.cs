using GitMesh.Connectors.StackExchange;
using GitMesh.Domain.Signals;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace GitMesh.Connectors.Social.Tests.StackExchange;

public sealed class StackExchangeConnectorTests : IAsyncLifetime
{
    private const long T0 = 1700000000; // 2023-11-14T22:13:20Z
    private static readonly DateTimeOffset Start = new(2023, 11, 15, 6, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Backfill = new(2023, 11, 14, 0, 0, 0, TimeSpan.Zero);
    private readonly ManualTimeProvider _time = new(Start);
    private StackExchangeFake _fake = null!;
    private ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        _fake = await StackExchangeFake.StartAsync();
        Build(pageSize: 2);
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _fake.DisposeAsync();
    }

    private void Build(int pageSize)
    {
        _services?.Dispose();
        _services = ConnectorHarness.Services(s => s.AddStackExchangeConnector(), _time, _fake.Configuration(pageSize));
    }

    private ISourceConnector Connector => _services.GetServices<ISourceConnector>().Single(c => c.Type == "stackoverflow");

    private static ConnectorRequest Request(string? cursor = null, Dictionary<string, string>? settings = null, Dictionary<string, string>? credentials = null) =>
        ConnectorHarness.Request(settings ?? new() { ["site"] = "stackoverflow", ["tags"] = "gitmesh" }, credentials ?? new() { ["key"] = "app-key" }, Backfill, cursor);

    private List<Dictionary<string, string>> Queries() => _fake.Server.Requests.Select(r => ConnectorHarness.QueryOf(r.Query)).ToList();

    [Fact]
    public async Task Pages_questions_by_activity_then_their_answers_from_gzip_bodies()
    {
        _fake.AddQuestion(1, T0, "first", answerCount: 1);
        _fake.AddQuestion(2, T0 + 10, "second");
        _fake.AddQuestion(3, T0 + 20, "third", answerCount: 1);
        _fake.AddAnswer(11, 1, T0 + 5, "<p>answer to first</p>");
        _fake.AddAnswer(13, 3, T0 + 25, "<p>answer to third</p>");

        var (signals, _, pages) = await ConnectorHarness.RunPassAsync(Connector, Request());

        signals.Select(s => s.ExternalId).ShouldBe(
            ["stackoverflow/q/1", "stackoverflow/q/2", "stackoverflow/a/11", "stackoverflow/q/3", "stackoverflow/a/13"]);
        pages.ShouldBe(4);
        var requests = _fake.Server.Requests;
        requests.Select(r => r.Path).ShouldBe(["/2.3/questions", "/2.3/questions/1/answers", "/2.3/questions", "/2.3/questions/3/answers"]);
        requests.ShouldAllBe(r => r.Headers["Accept-Encoding"].Contains("gzip"));
        var queries = Queries();
        queries.ShouldAllBe(q => q["site"] == "stackoverflow" && q["key"] == "app-key" && q["filter"] == "withbody"
            && q["sort"] == "activity" && q["order"] == "asc" && q["pagesize"] == "2" && q["page"] == "1");
        queries[0]["tagged"].ShouldBe("gitmesh");
        queries[0]["min"].ShouldBe(Backfill.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        queries[1]["min"].ShouldBe(queries[0]["min"]);
        // Keyset paging: the next question page starts at the newest activity already seen.
        queries[2]["min"].ShouldBe((T0 + 10).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Maps_questions_and_answers_keeping_html_bodies_and_decoding_titles()
    {
        var question = ConnectorHarness.Fixture("stackexchange/question.json").AsObject();
        _fake.Questions[79000001] = question;
        _fake.Answers[79000010] = ConnectorHarness.Fixture("stackexchange/answer.json").AsObject();

        var (signals, _, _) = await ConnectorHarness.RunPassAsync(Connector, Request());

        var q = signals[0];
        q.Source.ShouldBe(SignalSources.StackOverflow);
        q.Kind.ShouldBe(SignalKinds.Question);
        q.ExternalId.ShouldBe("stackoverflow/q/79000001");
        q.Title.ShouldBe("Why does sync say \"conflict\" when I & my team edit labels?");
        q.Body.ShouldBe("<p>When two people edit labels at once, sync reports a <code>conflict</code>.</p>\n");
        q.Url.ShouldBe("https://stackoverflow.com/questions/79000001/why-does-sync-say-quot-conflict-quot");
        q.Author.ShouldBe(new SignalAuthor("9001", "Renée O'Brien", "https://stackoverflow.com/users/9001/renee-obrien"));
        q.CreatedAt.ShouldBe(DateTimeOffset.FromUnixTimeSeconds(1700000000));
        q.UpdatedAt.ShouldBe(DateTimeOffset.FromUnixTimeSeconds(1700000100));
        q.Metadata!["tags"].ShouldBe("gitmesh,c#");
        q.Metadata["score"].ShouldBe("3");
        q.Metadata["is_answered"].ShouldBe("true");
        q.Metadata["site"].ShouldBe("stackoverflow");

        var a = signals[1];
        a.Kind.ShouldBe(SignalKinds.Answer);
        a.ExternalId.ShouldBe("stackoverflow/a/79000010");
        a.ParentExternalId.ShouldBe("stackoverflow/q/79000001");
        a.Url.ShouldBe("https://stackoverflow.com/a/79000010");
        a.Body.ShouldBe("<p>Set the label policy to <em>set-merge</em>.</p>\n");
        a.Author!.DisplayName.ShouldBe("Helpful Person");
        a.Metadata!["is_accepted"].ShouldBe("true");
    }

    [Fact]
    public async Task Second_run_reads_only_new_activity_and_re_emits_an_edited_question()
    {
        _fake.AddQuestion(1, T0, "first");
        _fake.AddQuestion(2, T0 + 10, "second", answerCount: 1);
        // Answers are asked for with the question watermark as min (inclusive, at-least-once): one exactly on that
        // second would be emitted again, which the pipeline's upsert absorbs. This one is older.
        _fake.AddAnswer(12, 2, T0 + 8, "<p>old answer</p>");
        var (_, cursor, _) = await ConnectorHarness.RunPassAsync(Connector, Request());
        var before = _fake.Server.Requests.Count;
        var edited = _fake.Questions[1];
        edited["body"] = "<p>Edited: it only happens with labels.</p>";
        edited["last_edit_date"] = T0 + 100;
        edited["last_activity_date"] = T0 + 100;
        _fake.AddAnswer(22, 2, T0 + 110, "<p>new answer</p>");
        _fake.Questions[2]["last_activity_date"] = T0 + 110;
        _fake.Questions[2]["answer_count"] = 2;

        var (signals, _, _) = await ConnectorHarness.RunPassAsync(Connector, Request(cursor));

        signals.Select(s => s.ExternalId).ShouldBe(["stackoverflow/q/1", "stackoverflow/q/2", "stackoverflow/a/22"]);
        signals[0].Body.ShouldBe("<p>Edited: it only happens with labels.</p>");
        signals[0].UpdatedAt.ShouldBe(DateTimeOffset.FromUnixTimeSeconds(T0 + 100));
        var second = Queries().Skip(before).ToList();
        second[0]["min"].ShouldBe((T0 + 10).ToString(System.Globalization.CultureInfo.InvariantCulture));
        second[1]["min"].ShouldBe(second[0]["min"]);
    }

    [Fact]
    public async Task Questions_sharing_one_activity_second_across_a_page_boundary_are_paged_by_number()
    {
        _fake.AddQuestion(1, T0, "a");
        _fake.AddQuestion(2, T0, "b");
        _fake.AddQuestion(3, T0, "c");

        var (signals, _, _) = await ConnectorHarness.RunPassAsync(Connector, Request());

        signals.Select(s => s.ExternalId).ShouldBe(["stackoverflow/q/1", "stackoverflow/q/2", "stackoverflow/q/3"]);
        // The keyset step to min=T0 returns only already-seen questions, so the next request falls back to page 2.
        Queries().Select(q => (q["min"], q["page"])).ShouldBe(
            [(Backfill.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), "1"), ("1700000000", "1"), ("1700000000", "2")]);
    }

    [Fact]
    public async Task Resuming_from_a_mid_run_cursor_neither_skips_nor_duplicates()
    {
        for (var i = 1; i <= 5; i++)
        {
            _fake.AddQuestion(i, T0 + (i * 10), $"q{i}");
        }

        var first = await Connector.FetchPageAsync(Request(), CancellationToken.None);

        // Crash after the first page. Meanwhile q3 is edited (its activity moves to the end) and q6 is asked.
        _fake.Questions[3]["last_activity_date"] = T0 + 100;
        _fake.Questions[3]["body"] = "<p>edited</p>";
        _fake.AddQuestion(6, T0 + 90, "q6");
        var (resumed, _, _) = await ConnectorHarness.RunPassAsync(Connector, Request(first.NextCursor));

        first.Signals.Concat(resumed).Select(s => s.ExternalId).ShouldBe(
            ["stackoverflow/q/1", "stackoverflow/q/2", "stackoverflow/q/4", "stackoverflow/q/5", "stackoverflow/q/6", "stackoverflow/q/3"]);
        resumed[^1].Body.ShouldBe("<p>edited</p>");
    }

    [Fact]
    public async Task Backoff_parks_only_the_method_it_was_given_for()
    {
        _fake.AddQuestion(1, T0, "first", answerCount: 1);
        _fake.AddQuestion(2, T0 + 10, "second");
        _fake.AddQuestion(3, T0 + 20, "third");
        _fake.AddAnswer(11, 1, T0 + 5, "<p>a</p>");
        _fake.BackoffOnce["questions"] = 10;
        var connector = Connector;

        var questions = await connector.FetchPageAsync(Request(), CancellationToken.None);
        var answers = await connector.FetchPageAsync(Request(questions.NextCursor), CancellationToken.None);
        var ex = await Should.ThrowAsync<RateLimitedException>(() => connector.FetchPageAsync(Request(answers.NextCursor), CancellationToken.None));

        answers.Signals.ShouldHaveSingleItem().ExternalId.ShouldBe("stackoverflow/a/11");
        ex.Provider.ShouldBe("stackoverflow");
        ex.RetryAt.ShouldBe(Start.AddSeconds(10));
        _fake.Server.Requests.Count.ShouldBe(2);

        _time.Advance(TimeSpan.FromSeconds(10));
        var rest = await connector.FetchPageAsync(Request(answers.NextCursor), CancellationToken.None);
        rest.Signals.Select(s => s.ExternalId).ShouldBe(["stackoverflow/q/3"]);
    }

    [Fact]
    public async Task Exhausted_daily_quota_parks_the_integration_until_the_next_utc_day()
    {
        _fake.AddQuestion(1, T0, "first");
        _fake.AddQuestion(2, T0 + 10, "second");
        _fake.AddQuestion(3, T0 + 20, "third");
        _fake.QuotaRemaining = 1;

        var first = await Connector.FetchPageAsync(Request(), CancellationToken.None);
        var ex = await Should.ThrowAsync<RateLimitedException>(() => Connector.FetchPageAsync(Request(first.NextCursor), CancellationToken.None));

        first.Signals.Count.ShouldBe(2);
        ex.RetryAt.ShouldBe(new DateTimeOffset(2023, 11, 16, 0, 0, 0, TimeSpan.Zero));
        _fake.Server.Requests.Count.ShouldBe(1);
    }

    [Fact]
    public async Task Throttle_violation_is_a_rate_limit_until_the_time_the_api_names()
    {
        _fake.NextResponses.Enqueue(c => StackExchangeFake.WriteErrorAsync(
            c, 502, "throttle_violation", "too many requests from this IP, more requests available in 79636 seconds"));

        var ex = await Should.ThrowAsync<RateLimitedException>(() => Connector.FetchPageAsync(Request(), CancellationToken.None));

        ex.RetryAt.ShouldBe(Start.AddSeconds(79636));
    }

    [Theory]
    [InlineData(400, "bad_parameter", "`key` is not valid for passed access_token, token not found.")]
    [InlineData(401, "access_token_required", "This method requires an access_token.")]
    [InlineData(402, "invalid_access_token", "access_token is invalid")]
    [InlineData(403, "access_denied", "access_token does not have the private_info scope")]
    public async Task Key_and_access_token_errors_are_auth_failures(int errorId, string errorName, string message)
    {
        _fake.NextResponses.Enqueue(c => StackExchangeFake.WriteErrorAsync(c, errorId, errorName, message));

        var ex = await Should.ThrowAsync<ConnectorAuthException>(() => Connector.FetchPageAsync(Request(), CancellationToken.None));

        ex.ProviderMessage.ShouldContain(errorName);
        ex.ProviderMessage.ShouldContain(message);
    }

    [Fact]
    public async Task Other_bad_parameters_are_configuration_errors_not_auth_or_transient()
    {
        var settings = new Dictionary<string, string> { ["site"] = "nosuchsite", ["tags"] = "gitmesh" };

        var ex = await Should.ThrowAsync<InvalidOperationException>(() => Connector.FetchPageAsync(Request(settings: settings), CancellationToken.None));

        ex.Message.ShouldContain("site is required");
    }

    [Fact]
    public async Task Internal_errors_server_failures_and_malformed_bodies_are_transient()
    {
        _fake.NextResponses.Enqueue(c => StackExchangeFake.WriteErrorAsync(c, 500, "internal_error", "An error occurred."));
        _fake.NextResponses.Enqueue(c => StackExchangeFake.WriteGzipAsync(c, 503, "<html>Service Unavailable</html>"));
        _fake.NextResponses.Enqueue(c => StackExchangeFake.WriteGzipAsync(c, 200, """{"items": [{"question_id": 1, "title": """));
        _fake.NextResponses.Enqueue(async c =>
        {
            // Claims gzip but is not: the decompressor fails while reading.
            c.Response.Headers.ContentEncoding = "gzip";
            await c.Response.WriteAsync("""{"items": []}""");
        });

        for (var i = 0; i < 4; i++)
        {
            await Should.ThrowAsync<TransientConnectorException>(() => Connector.FetchPageAsync(Request(), CancellationToken.None));
        }
    }

    [Fact]
    public async Task Keywords_use_advanced_search_and_tag_lists_make_one_feed_per_tag()
    {
        _fake.AddQuestion(1, T0, "Export to CSV fails", tag: "csv");
        _fake.AddQuestion(2, T0 + 10, "Unrelated", tag: "gitmesh");
        var settings = new Dictionary<string, string> { ["tags"] = "gitmesh, gitmesh-api", ["keywords"] = "export to csv" };

        var (signals, _, _) = await ConnectorHarness.RunPassAsync(Connector, Request(settings: settings, credentials: []));

        signals.Select(s => s.ExternalId).ShouldBe(["stackoverflow/q/2", "stackoverflow/q/1"]);
        signals[1].Metadata!["feed"].ShouldBe("q:export to csv");
        var queries = Queries();
        queries.Select(q => q.GetValueOrDefault("tagged") ?? q["q"]).ShouldBe(["gitmesh", "gitmesh-api", "export to csv"]);
        _fake.Server.Requests[^1].Path.ShouldBe("/2.3/search/advanced");
        queries.ShouldAllBe(q => !q.ContainsKey("key"));
    }

    [Fact]
    public async Task Test_connection_reads_one_question_and_reports_the_quota()
    {
        var result = await Connector.TestConnectionAsync(Request(), CancellationToken.None);

        result.Ok.ShouldBeTrue();
        result.Message.ShouldContain("9998 of 10000");
        Queries().ShouldHaveSingleItem()["pagesize"].ShouldBe("1");
    }
}
