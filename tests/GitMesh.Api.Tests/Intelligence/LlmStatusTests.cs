using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GitMesh.Api.Tests.Signals;
using GitMesh.Api.Tests.Triage;
using GitMesh.Data;
using GitMesh.TestCommon;
using GitMesh.TestCommon.Http;
using Microsoft.AspNetCore.Http;
using static GitMesh.Api.Tests.Triage.TriageHttp;

namespace GitMesh.Api.Tests.Intelligence;

public sealed record LlmStatusDto(
    bool Enabled, bool AppliesToWorkspace, string? Model, string? EndpointHost, int Enriched, int Pending, int Failed, string Day,
    long TokensUsedToday, int RequestsToday, decimal CostToday, long MaxTokensPerDay, decimal DailyCostBudget, bool BudgetExhausted,
    int RequestsPerMinute, string EndpointState, string? LastError);

public sealed record LlmSignalDetailDto(SignalItemDto Signal, string? Summary, string ClassifiedBy, bool ClassificationLocked);

/// <summary>The LLM mode end to end in the real host: ingest → offline labels → background enrichment → status and detail.</summary>
public sealed class LlmStatusTests
{
    private const string ApiKey = "sk-api-SECRET-4242";

    [Theory, Providers]
    public async Task Status_reports_enrichment_of_the_workspace_without_the_key_and_detail_shows_the_summary(DatabaseProvider provider)
    {
        await using var llm = await LoopbackServer.StartAsync(AnswerAsync);
        await using var factory = await ApiFactory.CreateAsync(provider, new Dictionary<string, string?>
        {
            ["Intelligence:Llm:Enabled"] = "true",
            ["Intelligence:Llm:Endpoint"] = new Uri(llm.BaseAddress, "v1").ToString(),
            ["Intelligence:Llm:Model"] = "local-model",
            ["Intelligence:Llm:ApiKey"] = ApiKey,
            ["Intelligence:Llm:RequestsPerMinute"] = "6000",
            ["Intelligence:Llm:PollInterval"] = "00:00:00.200",
            ["Intelligence:Llm:MaxTokensPerDay"] = "100000",
        });
        var a = await factory.CreateTenantAsync("Alpha");
        var b = await factory.CreateTenantAsync("Beta");
        var (_, viewerToken) = await AddMemberAsync(factory, a, "viewer");
        using var owner = factory.CreateClient(a.Token);
        using var viewer = factory.CreateClient(viewerToken);
        using var other = factory.CreateClient(b.Token);

        var items = Enumerable.Range(0, 3).Select(i => new { source = "github", kind = "issue", externalId = $"llm-{i}", title = $"Please add export option {i}", body = $"It would be great to export boards as PDF, variant {i}." }).ToList();
        (await owner.PostAsJsonAsync($"{Ws(a.WorkspaceId)}/signals/ingest", items)).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        await IngestPipelineTests.WaitForIdleQueueAsync(factory, () => IngestPipelineTests.CountAsync(factory, a.WorkspaceId), 3);

        LlmStatusDto status = null!;
        await TestWait.UntilAsync(async () =>
        {
            status = await (await viewer.GetAsync($"{Ws(a.WorkspaceId)}/intelligence/llm")).ReadAsync<LlmStatusDto>();
            return status.Enriched == 3;
        }, "3 signals enriched");

        status.Enabled.ShouldBeTrue();
        status.AppliesToWorkspace.ShouldBeTrue();
        status.Model.ShouldBe("local-model");
        status.EndpointHost.ShouldBe("127.0.0.1");
        status.Pending.ShouldBe(0);
        status.Failed.ShouldBe(0);
        status.TokensUsedToday.ShouldBe(3 * 130);
        status.RequestsToday.ShouldBe(3);
        status.MaxTokensPerDay.ShouldBe(100000);
        status.BudgetExhausted.ShouldBeFalse();
        status.EndpointState.ShouldBe("closed");
        var raw = await (await viewer.GetAsync($"{Ws(a.WorkspaceId)}/intelligence/llm")).Content.ReadAsStringAsync();
        raw.ShouldNotContain("SECRET");
        raw.ShouldNotContain("apiKey", Case.Insensitive);

        var chat = llm.Requests.Where(r => r.Path == "/v1/chat/completions").ToList();
        chat.Count.ShouldBe(3);
        chat.ShouldAllBe(r => r.Headers["Authorization"] == "Bearer " + ApiKey);

        var page = await (await viewer.GetAsync($"{Ws(a.WorkspaceId)}/signals")).ReadAsync<SignalPageDto>();
        var detail = await (await viewer.GetAsync($"{Ws(a.WorkspaceId)}/signals/{page.Items[0].Id}")).ReadAsync<LlmSignalDetailDto>();
        detail.ClassifiedBy.ShouldBe("llm");
        detail.Summary.ShouldBe("Asks to export boards as PDF.");
        detail.Signal.Intent.ShouldBe("feature_request");

        // Another workspace sees its own (empty) numbers, and cannot read Alpha's.
        var betaStatus = await (await other.GetAsync($"{Ws(b.WorkspaceId)}/intelligence/llm")).ReadAsync<LlmStatusDto>();
        betaStatus.Enriched.ShouldBe(0);
        betaStatus.Pending.ShouldBe(0);
        (await other.GetAsync($"{Ws(a.WorkspaceId)}/intelligence/llm")).IsSuccessStatusCode.ShouldBeFalse();
    }

    [Theory, Providers]
    public async Task Disabled_by_default_the_status_says_so_and_signals_stay_with_the_offline_model(DatabaseProvider provider)
    {
        await using var factory = await ApiFactory.CreateAsync(provider);
        var a = await factory.CreateTenantAsync("Alpha");
        using var owner = factory.CreateClient(a.Token);
        (await owner.PostAsJsonAsync($"{Ws(a.WorkspaceId)}/signals/ingest", new[] { new { source = "github", kind = "issue", externalId = "x-1", title = "App crashes on start", body = "Crash every time." } }))
            .StatusCode.ShouldBe(HttpStatusCode.Accepted);
        await IngestPipelineTests.WaitForIdleQueueAsync(factory, () => IngestPipelineTests.CountAsync(factory, a.WorkspaceId), 1);

        var status = await (await owner.GetAsync($"{Ws(a.WorkspaceId)}/intelligence/llm")).ReadAsync<LlmStatusDto>();
        status.Enabled.ShouldBeFalse();
        status.Model.ShouldBeNull();
        status.EndpointHost.ShouldBeNull();
        status.Enriched.ShouldBe(0);
        status.Pending.ShouldBe(0);
        var page = await (await owner.GetAsync($"{Ws(a.WorkspaceId)}/signals")).ReadAsync<SignalPageDto>();
        var detail = await (await owner.GetAsync($"{Ws(a.WorkspaceId)}/signals/{page.Items[0].Id}")).ReadAsync<LlmSignalDetailDto>();
        detail.ClassifiedBy.ShouldBe("model");
        detail.Summary.ShouldBeNull();
        detail.Signal.Intent.ShouldNotBeNull();
    }

    private static async Task AnswerAsync(HttpContext context)
    {
        if (context.Request.Path != "/v1/chat/completions")
        {
            context.Response.StatusCode = 404;
            return;
        }

        var content = JsonSerializer.Serialize(new { intent = "feature_request", sentiment = "positive", confidence = 0.88, summary = "Asks to export boards as PDF." });
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            id = "chatcmpl-1",
            @object = "chat.completion",
            created = 1_763_000_000,
            model = "local-model",
            choices = new[] { new { index = 0, message = new { role = "assistant", content }, finish_reason = "stop" } },
            usage = new { prompt_tokens = 100, completion_tokens = 30, total_tokens = 130 },
        }));
    }
}
