using System.Text.Json;
using GitMesh.Data;
using GitMesh.Domain.Signals;
using GitMesh.TestCommon;
using Microsoft.EntityFrameworkCore;

namespace GitMesh.Intelligence.Llm.Tests;

public sealed class LlmEnrichmentTests
{
    [Theory, Providers]
    public async Task Valid_answer_replaces_intent_and_sentiment_adds_a_summary_and_emits_signalUpdated(DatabaseProvider provider)
    {
        await using var h = await LlmHarness.CreateAsync(provider);
        var ws = await h.CreateWorkspaceAsync("Alpha");
        var signal = await h.AddSignalAsync(ws, "Crash on save", "The editor crashes every time I press save on a large file.");
        h.Server.Enqueue(FakeReply.Answer("bug", "negative", 0.93, "The editor crashes when saving large files.", promptTokens: 140, completionTokens: 25));

        var round = await h.Processor.RunOnceAsync(CancellationToken.None);

        round.Enriched.ShouldBe(1);
        var request = h.Server.Requests.ShouldHaveSingleItem();
        request.Method.ShouldBe("POST");
        request.Headers["Authorization"].ShouldBe($"Bearer {LlmHarness.ApiKey}");
        using (var body = JsonDocument.Parse(request.Body))
        {
            var root = body.RootElement;
            root.GetProperty("model").GetString().ShouldBe("test-model");
            root.GetProperty("response_format").GetProperty("type").GetString().ShouldBe("json_object");
            root.GetProperty("temperature").GetDouble().ShouldBe(0);
            var messages = root.GetProperty("messages").EnumerateArray().ToList();
            messages.Count.ShouldBe(2);
            messages[0].GetProperty("role").GetString().ShouldBe("system");
            messages[0].GetProperty("content").GetString()!.ShouldContain("feature_request");
            messages[1].GetProperty("role").GetString().ShouldBe("user");
            messages[1].GetProperty("content").GetString()!.ShouldContain("Crash on save");
            messages[1].GetProperty("content").GetString()!.ShouldContain("press save on a large file");
        }

        var stored = await h.GetAsync(signal.Id);
        stored.Intent.ShouldBe("bug");
        stored.IntentConfidence.ShouldBe(0.93);
        stored.Sentiment.ShouldBe("negative");
        stored.SentimentScore!.Value.ShouldBeLessThan(0);
        stored.Urgency.ShouldBe("normal");
        stored.Summary.ShouldBe("The editor crashes when saving large files.");
        stored.ClassifiedBy.ShouldBe(ClassifiedByValues.Llm);
        stored.LlmState.ShouldBe(LlmStates.Done);
        stored.LlmError.ShouldBeNull();
        stored.Version.ShouldBe(signal.Version + 1);
        await using (var db = h.Database.CreateContext())
        {
            var evt = await db.OutboxEvents.Where(e => e.WorkspaceId == ws).ToListAsync();
            evt.ShouldHaveSingleItem().Type.ShouldBe("signalUpdated");
            evt[0].PayloadJson.ShouldContain(signal.Id.ToString());
        }

        // Idempotent: done signals are not sent again.
        (await h.Processor.RunOnceAsync(CancellationToken.None)).Attempted.ShouldBe(0);
        h.Server.Requests.Count.ShouldBe(1);
        var status = await h.StatusAsync(ws);
        status.Enriched.ShouldBe(1);
        status.Pending.ShouldBe(0);
        status.TokensUsedToday.ShouldBe(165);
        status.RequestsToday.ShouldBe(1);
    }

    [Theory, Providers]
    public async Task Malformed_json_and_unknown_labels_keep_the_offline_labels_record_the_error_and_give_up_after_max_attempts(DatabaseProvider provider)
    {
        await using var h = await LlmHarness.CreateAsync(provider, new() { ["Intelligence:Llm:MaxAttempts"] = "2" });
        var ws = await h.CreateWorkspaceAsync("Alpha");
        var signal = await h.AddSignalAsync(ws, "How do I export?", "Is there a way to export my notes as PDF?");
        h.Server.Enqueue(FakeReply.Completion("Sure! The intent is question {"), FakeReply.Answer("rant", "neutral", 0.5, "Asks about export."));

        (await h.Processor.RunOnceAsync(CancellationToken.None)).Refused.ShouldBe(1);
        var afterFirst = await h.GetAsync(signal.Id);
        afterFirst.Intent.ShouldBe("question");
        afterFirst.IntentConfidence.ShouldBe(0.55);
        afterFirst.Sentiment.ShouldBe("neutral");
        afterFirst.Summary.ShouldBeNull();
        afterFirst.ClassifiedBy.ShouldBe(ClassifiedByValues.Model);
        afterFirst.LlmState.ShouldBe(LlmStates.Pending);
        afterFirst.LlmAttempts.ShouldBe(1);
        afterFirst.LlmError!.ShouldContain("not valid JSON");
        afterFirst.Version.ShouldBe(signal.Version);

        // Backing off: nothing is sent before the retry time.
        (await h.Processor.RunOnceAsync(CancellationToken.None)).Attempted.ShouldBe(0);
        h.Time.Advance(TimeSpan.FromMinutes(2));
        (await h.Processor.RunOnceAsync(CancellationToken.None)).Refused.ShouldBe(1);
        var afterSecond = await h.GetAsync(signal.Id);
        afterSecond.Intent.ShouldBe("question");
        afterSecond.LlmState.ShouldBe(LlmStates.Failed);
        afterSecond.LlmError!.ShouldContain("unknown intent 'rant'");

        h.Time.Advance(TimeSpan.FromHours(1));
        (await h.Processor.RunOnceAsync(CancellationToken.None)).Attempted.ShouldBe(0);
        h.Server.Requests.Count.ShouldBe(2);
        var status = await h.StatusAsync(ws);
        status.Failed.ShouldBe(1);
        status.Pending.ShouldBe(0);
        status.LastError!.ShouldContain("unknown intent");
        // Tokens spent on refused answers still count.
        status.TokensUsedToday.ShouldBe(300);
    }

    [Fact]
    public async Task Server_error_and_timeout_keep_the_offline_labels_and_retry_later()
    {
        await using var h = await LlmHarness.CreateAsync(DatabaseProvider.Sqlite, new() { ["Intelligence:Llm:Timeout"] = "00:00:01" });
        var ws = await h.CreateWorkspaceAsync("Alpha");
        var signal = await h.AddSignalAsync(ws, "Slow sync", "Sync takes minutes on my phone.");
        h.Server.Enqueue(
            new FakeReply(500, """{"error":{"message":"upstream exploded","type":"server_error"}}"""),
            FakeReply.Answer("bug", "negative", 0.8, "Sync is slow.") with { Delay = TimeSpan.FromSeconds(20) },
            FakeReply.Answer("bug", "negative", 0.8, "Sync is slow on phones."));

        (await h.Processor.RunOnceAsync(CancellationToken.None)).Deferred.ShouldBe(1);
        var after500 = await h.GetAsync(signal.Id);
        after500.Intent.ShouldBe("question");
        after500.LlmState.ShouldBe(LlmStates.Pending);
        after500.LlmAttempts.ShouldBe(0);
        after500.LlmError!.ShouldContain("HTTP 500");
        after500.LlmNextAttemptAt!.Value.ShouldBeGreaterThan(h.Now);
        (await h.StatusAsync(ws)).EndpointState.ShouldBe("paused");

        // Paused: the next round sends nothing.
        (await h.Processor.RunOnceAsync(CancellationToken.None)).EndpointBlocked.ShouldBeTrue();
        h.Server.Requests.Count.ShouldBe(1);

        h.Time.Advance(TimeSpan.FromMinutes(3));
        (await h.Processor.RunOnceAsync(CancellationToken.None)).Deferred.ShouldBe(1);
        var afterTimeout = await h.GetAsync(signal.Id);
        afterTimeout.Intent.ShouldBe("question");
        afterTimeout.LlmError!.ShouldContain("timed out");

        h.Time.Advance(TimeSpan.FromMinutes(3));
        (await h.Processor.RunOnceAsync(CancellationToken.None)).Enriched.ShouldBe(1);
        var done = await h.GetAsync(signal.Id);
        done.Summary.ShouldBe("Sync is slow on phones.");
        done.LlmError.ShouldBeNull();
        h.Server.Requests.Count.ShouldBe(3);
    }

    [Fact]
    public async Task Rate_limit_429_pauses_every_call_until_Retry_After()
    {
        await using var h = await LlmHarness.CreateAsync(DatabaseProvider.Sqlite, new() { ["Intelligence:Llm:Concurrency"] = "2" });
        var ws = await h.CreateWorkspaceAsync("Alpha");
        var first = await h.AddSignalAsync(ws, "One", "First text about login failures.");
        var second = await h.AddSignalAsync(ws, "Two", "Second text about dark mode.", minutesAgo: 5);
        h.Server.Default = _ => new FakeReply(429, """{"error":{"message":"Rate limit reached","type":"requests"}}""", RetryAfter: "120");

        var round = await h.Processor.RunOnceAsync(CancellationToken.None);
        round.Enriched.ShouldBe(0);
        var sent = h.Server.Requests.Count;
        sent.ShouldBeInRange(1, 2);
        var stored = await h.GetAsync(first.Id);
        stored.LlmError!.ShouldContain("429");
        stored.LlmNextAttemptAt.ShouldBe(h.Now.AddSeconds(120));
        (await h.StatusAsync(ws)).EndpointResumesAt.ShouldBe(h.Time.GetUtcNow().AddSeconds(120));

        h.Server.Default = _ => FakeReply.Answer("feature_request", "positive", 0.7, "Wants something.");
        h.Time.Advance(TimeSpan.FromSeconds(60));
        (await h.Processor.RunOnceAsync(CancellationToken.None)).Attempted.ShouldBe(0);
        h.Server.Requests.Count.ShouldBe(sent);

        h.Time.Advance(TimeSpan.FromSeconds(61));
        (await h.Processor.RunOnceAsync(CancellationToken.None)).Enriched.ShouldBe(2);
        (await h.GetAsync(second.Id)).ClassifiedBy.ShouldBe(ClassifiedByValues.Llm);
    }

    [Fact]
    public async Task Circuit_breaker_opens_after_repeated_failures_and_probes_once_per_open_period()
    {
        await using var h = await LlmHarness.CreateAsync(DatabaseProvider.Sqlite, new()
        {
            ["Intelligence:Llm:BreakerFailureThreshold"] = "2",
            ["Intelligence:Llm:BreakerOpenDuration"] = "00:01:00",
            ["Intelligence:Llm:Concurrency"] = "1",
        });
        var ws = await h.CreateWorkspaceAsync("Alpha");
        for (var i = 0; i < 5; i++)
        {
            await h.AddSignalAsync(ws, $"Signal {i}", $"Text number {i} about the calendar view.", minutesAgo: i);
        }

        h.Server.Default = _ => new FakeReply(503, """{"error":{"message":"overloaded"}}""");
        await h.Processor.RunOnceAsync(CancellationToken.None);
        h.Server.Requests.Count.ShouldBe(1);
        h.Time.Advance(TimeSpan.FromSeconds(5));
        await h.Processor.RunOnceAsync(CancellationToken.None);
        h.Server.Requests.Count.ShouldBe(2);
        (await h.StatusAsync(ws)).EndpointState.ShouldBe("open");

        // Open: nothing goes out, however often the worker asks.
        for (var i = 0; i < 5; i++)
        {
            h.Time.Advance(TimeSpan.FromSeconds(10));
            (await h.Processor.RunOnceAsync(CancellationToken.None)).Attempted.ShouldBe(0);
        }

        h.Server.Requests.Count.ShouldBe(2);
        // After the open period one probe; it fails, so the breaker opens again, for twice as long.
        h.Time.Advance(TimeSpan.FromSeconds(15));
        await h.Processor.RunOnceAsync(CancellationToken.None);
        h.Server.Requests.Count.ShouldBe(3);
        h.Time.Advance(TimeSpan.FromSeconds(90));
        (await h.Processor.RunOnceAsync(CancellationToken.None)).Attempted.ShouldBe(0);
        h.Server.Requests.Count.ShouldBe(3);

        h.Server.Default = _ => FakeReply.Answer("other", "neutral", 0.6, "A note about the calendar view.");
        h.Time.Advance(TimeSpan.FromSeconds(40));
        (await h.StatusAsync(ws)).EndpointState.ShouldBe("halfopen");
        // The probe succeeds and closes the breaker: the rest of the round (4 candidates per slot) flows.
        (await h.Processor.RunOnceAsync(CancellationToken.None)).Enriched.ShouldBe(4);
        (await h.StatusAsync(ws)).EndpointState.ShouldBe("closed");
        (await h.Processor.RunOnceAsync(CancellationToken.None)).Enriched.ShouldBe(1);
        // Endpoint failures never used up the signals' attempts.
        await using var db = h.Database.CreateContext();
        (await db.Signals.CountAsync(s => s.LlmState == LlmStates.Done)).ShouldBe(5);
    }

    [Theory, Providers]
    public async Task Exhausted_daily_token_budget_stops_calls_and_keeps_offline_labels(DatabaseProvider provider)
    {
        await using var h = await LlmHarness.CreateAsync(provider, new()
        {
            ["Intelligence:Llm:MaxTokensPerDay"] = "1000",
            ["Intelligence:Llm:MaxOutputTokens"] = "50",
        });
        var ws = await h.CreateWorkspaceAsync("Alpha");
        for (var i = 0; i < 4; i++)
        {
            await h.AddSignalAsync(ws, $"Signal {i}", $"Please add an option number {i} to the settings page.", minutesAgo: i);
        }

        h.Server.Default = _ => FakeReply.Answer("feature_request", "neutral", 0.8, "Asks for a settings option.", promptTokens: 400, completionTokens: 100);
        var round = await h.Processor.RunOnceAsync(CancellationToken.None);
        round.Enriched.ShouldBe(2);
        round.BudgetExhausted.ShouldBeTrue();
        (await h.Processor.RunOnceAsync(CancellationToken.None)).BudgetExhausted.ShouldBeTrue();
        h.Server.Requests.Count.ShouldBe(2);

        var status = await h.StatusAsync(ws);
        status.BudgetExhausted.ShouldBeTrue();
        status.TokensUsedToday.ShouldBe(1000);
        status.MaxTokensPerDay.ShouldBe(1000);
        status.Enriched.ShouldBe(2);
        status.Pending.ShouldBe(2);
        await using (var db = h.Database.CreateContext())
        {
            var pending = await db.Signals.Where(s => s.LlmState == LlmStates.Pending).ToListAsync();
            pending.Count.ShouldBe(2);
            pending.ShouldAllBe(s => s.Intent == "question" && s.Summary == null && s.ClassifiedBy == ClassifiedByValues.Model && s.LlmNextAttemptAt == null);
        }

        // A new UTC day brings a new budget.
        h.Time.Advance(TimeSpan.FromDays(1));
        (await h.Processor.RunOnceAsync(CancellationToken.None)).Enriched.ShouldBe(2);
    }

    [Fact]
    public async Task Daily_cost_budget_is_priced_from_the_reported_usage()
    {
        await using var h = await LlmHarness.CreateAsync(DatabaseProvider.Sqlite, new()
        {
            ["Intelligence:Llm:DailyCostBudget"] = "0.01",
            ["Intelligence:Llm:InputPricePer1kTokens"] = "0.005",
            ["Intelligence:Llm:OutputPricePer1kTokens"] = "0.015",
            ["Intelligence:Llm:MaxOutputTokens"] = "50",
        });
        var ws = await h.CreateWorkspaceAsync("Alpha");
        for (var i = 0; i < 5; i++)
        {
            await h.AddSignalAsync(ws, $"Signal {i}", $"Text {i}.", minutesAgo: i);
        }

        // The server reports 1000 prompt + 100 completion tokens = 0.005 + 0.0015 = 0.0065 per call. Before a call only
        // an estimate of the prompt is known (a short text: ~0.0016), so the second call still looks affordable; after
        // it the reported usage (0.013) has crossed the budget and no further call is made.
        h.Server.Default = _ => FakeReply.Answer("other", "neutral", 0.5, "A short note.", promptTokens: 1000, completionTokens: 100);
        var round = await h.Processor.RunOnceAsync(CancellationToken.None);
        round.Enriched.ShouldBe(2);
        round.BudgetExhausted.ShouldBeTrue();
        (await h.Processor.RunOnceAsync(CancellationToken.None)).Attempted.ShouldBe(0);
        h.Server.Requests.Count.ShouldBe(2);
        var status = await h.StatusAsync(ws);
        status.CostToday.ShouldBe(0.013m);
        status.BudgetExhausted.ShouldBeTrue();
        status.Pending.ShouldBe(3);
    }

    [Theory, Providers]
    public async Task Locked_or_corrected_signals_are_never_sent_nor_changed(DatabaseProvider provider)
    {
        await using var h = await LlmHarness.CreateAsync(provider);
        var ws = await h.CreateWorkspaceAsync("Alpha");
        var locked = await h.AddSignalAsync(ws, "Locked", "A person labelled this one.", s =>
        {
            s.ClassificationLocked = true;
            s.Intent = "complaint";
        });
        var open = await h.AddSignalAsync(ws, "Open", "Nobody looked at this one.", minutesAgo: 10);
        await using (var db = h.Database.CreateContext())
        {
            // A correction recorded without the lock (older data): still a person's word.
            db.Set<SignalCorrection>().Add(new SignalCorrection { WorkspaceId = ws, SignalId = open.Id, Field = "sentiment", OldValue = "neutral", NewValue = "neutral", CreatedAt = h.Now });
            await db.SaveChangesAsync();
        }

        var fresh = await h.AddSignalAsync(ws, "Fresh", "A new report about printing.", minutesAgo: 20);
        // While the model thinks about 'fresh', a PM corrects it: the answer must not overwrite that.
        h.Server.Default = body =>
        {
            var user = body.GetProperty("messages")[1].GetProperty("content").GetString()!;
            if (user.Contains("printing", StringComparison.Ordinal))
            {
                using var db = h.Database.CreateContext();
                var s = db.Signals.Single(x => x.Id == fresh.Id);
                s.Intent = "praise";
                s.ClassificationLocked = true;
                s.Version++;
                db.SaveChanges();
            }

            return FakeReply.Answer("bug", "negative", 0.9, "Something broke.");
        };

        var round = await h.Processor.RunOnceAsync(CancellationToken.None);
        round.Enriched.ShouldBe(0);
        h.Server.Requests.Count.ShouldBe(2);
        h.Server.Requests.ShouldAllBe(r => !r.Body.Contains("A person labelled this one", StringComparison.Ordinal));

        var l = await h.GetAsync(locked.Id);
        l.Intent.ShouldBe("complaint");
        l.Summary.ShouldBeNull();
        l.Version.ShouldBe(locked.Version);
        var o = await h.GetAsync(open.Id);
        o.Intent.ShouldBe("question");
        o.Summary.ShouldBeNull();
        o.ClassifiedBy.ShouldBe(ClassifiedByValues.Model);
        var f = await h.GetAsync(fresh.Id);
        f.Intent.ShouldBe("praise");
        f.Summary.ShouldBeNull();
        f.ClassifiedBy.ShouldBe(ClassifiedByValues.Model);
        (await h.StatusAsync(ws)).Pending.ShouldBe(1);
    }

    [Theory, Providers]
    public async Task Only_configured_workspaces_are_sent_and_answers_land_in_their_own_workspace(DatabaseProvider provider)
    {
        var alpha = Guid.CreateVersion7();
        await using var scoped = await LlmHarness.CreateAsync(provider, new() { ["Intelligence:Llm:Workspaces:0"] = alpha.ToString() });
        await scoped.CreateWorkspaceAsync("Alpha", alpha);
        var beta = await scoped.CreateWorkspaceAsync("Beta");
        var a = await scoped.AddSignalAsync(alpha, "Alpha crash", "Alpha's app crashes.");
        var b = await scoped.AddSignalAsync(beta, "Beta secret", "Beta's confidential roadmap question.");

        (await scoped.Processor.RunOnceAsync(CancellationToken.None)).Enriched.ShouldBe(1);
        scoped.Server.Requests.ShouldHaveSingleItem().Body.ShouldNotContain("Beta");
        (await scoped.GetAsync(a.Id)).ClassifiedBy.ShouldBe(ClassifiedByValues.Llm);
        var untouched = await scoped.GetAsync(b.Id);
        untouched.Intent.ShouldBe("question");
        untouched.Summary.ShouldBeNull();
        untouched.LlmState.ShouldBe(LlmStates.Pending);
        untouched.Version.ShouldBe(b.Version);
        await using (var db = scoped.Database.CreateContext())
        {
            (await db.OutboxEvents.CountAsync(e => e.WorkspaceId == beta)).ShouldBe(0);
        }

        var betaStatus = await scoped.StatusAsync(beta);
        betaStatus.AppliesToWorkspace.ShouldBeFalse();
        betaStatus.Enriched.ShouldBe(0);
        betaStatus.Pending.ShouldBe(0);
        (await scoped.StatusAsync(alpha)).Enriched.ShouldBe(1);
    }

    [Fact]
    public async Task The_api_key_never_reaches_logs_or_stored_errors()
    {
        await using var h = await LlmHarness.CreateAsync(DatabaseProvider.Sqlite, new() { ["Intelligence:Llm:Timeout"] = "00:00:01" });
        var ws = await h.CreateWorkspaceAsync("Alpha");
        var signal = await h.AddSignalAsync(ws, "Key test", "Some text.");
        // Servers that echo the request (headers included) in their errors must not leak the key through us.
        h.Server.Enqueue(
            new FakeReply(400, """{"error":{"message":"bad request from {AUTH}"}}"""),
            new FakeReply(500, """{"error":{"message":"failed for {AUTH}"}}"""),
            new FakeReply(401, """{"error":{"message":"Incorrect API key provided: {AUTH}"}}"""),
            FakeReply.Completion("{AUTH}"),
            new FakeReply(200, "not a completion {AUTH}"));
        for (var i = 0; i < 5; i++)
        {
            await h.Processor.RunOnceAsync(CancellationToken.None);
            h.Time.Advance(TimeSpan.FromMinutes(30));
        }

        h.Server.Requests.Count.ShouldBe(5);
        h.Server.Requests.ShouldAllBe(r => r.Headers["Authorization"] == "Bearer " + LlmHarness.ApiKey);
        h.AllLogs.ShouldNotBeEmpty();
        h.AllLogs.ShouldNotContain(LlmHarness.ApiKey);
        h.AllLogs.ShouldNotContain("SECRET");
        var stored = await h.GetAsync(signal.Id);
        stored.LlmError.ShouldNotBeNull();
        stored.LlmError.ShouldNotContain("SECRET");
        var status = await h.StatusAsync(ws);
        JsonSerializer.Serialize(status).ShouldNotContain("SECRET");
    }

    [Fact]
    public async Task A_claim_of_another_worker_is_respected_until_its_lease_expires()
    {
        await using var h = await LlmHarness.CreateAsync(DatabaseProvider.Sqlite);
        var ws = await h.CreateWorkspaceAsync("Alpha");
        var claimed = await h.AddSignalAsync(ws, "Claimed", "Another worker is on it.", s => s.LlmNextAttemptAt = h.Now.AddMinutes(1));
        (await h.Processor.RunOnceAsync(CancellationToken.None)).Attempted.ShouldBe(0);
        h.Server.Requests.ShouldBeEmpty();

        // That worker crashed: once the lease passes, the signal is picked up again.
        h.Time.Advance(TimeSpan.FromMinutes(2));
        (await h.Processor.RunOnceAsync(CancellationToken.None)).Enriched.ShouldBe(1);
        (await h.GetAsync(claimed.Id)).LlmState.ShouldBe(LlmStates.Done);
    }

    [Fact]
    public async Task Disabled_mode_sends_nothing()
    {
        await using var h = await LlmHarness.CreateAsync(DatabaseProvider.Sqlite, new() { ["Intelligence:Llm:Enabled"] = "false" });
        var ws = await h.CreateWorkspaceAsync("Alpha");
        await h.AddSignalAsync(ws, "Anything", "Some text.");
        (await h.Processor.RunOnceAsync(CancellationToken.None)).Attempted.ShouldBe(0);
        h.Server.Requests.ShouldBeEmpty();
        var status = await h.StatusAsync(ws);
        status.Enabled.ShouldBeFalse();
        status.Model.ShouldBeNull();
        status.Pending.ShouldBe(0);
    }
}
