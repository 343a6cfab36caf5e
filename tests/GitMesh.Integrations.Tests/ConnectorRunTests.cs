using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GitMesh.Api.Tests;
using GitMesh.Data;
using GitMesh.Domain.Integrations;
using GitMesh.Domain.Workflows;
using GitMesh.Integrations.Runs;
using GitMesh.Integrations.Tests.Fakes;
using GitMesh.TestCommon;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;

namespace GitMesh.Integrations.Tests;

public sealed class ConnectorRunTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    [Theory, Providers]
    public async Task Run_pages_to_the_end_saves_the_cursor_and_the_next_run_is_incremental(DatabaseProvider provider)
    {
        var factory = await fixture.GetAsync(provider);
        await using var github = await FakeGitHubApi.StartAsync(issues: 5);
        var (tenant, client, id) = await CreateGitHubAsync(factory, github, FakeGitHubApi.GoodToken);

        var firstRun = await RunNowAsync(client, tenant.WorkspaceId, id);
        var first = await WaitForRunAsync(factory, firstRun, WorkflowRunStatus.Completed);
        first.Steps.ShouldContain("fetch-1");
        first.Steps.ShouldContain("enqueue-1");
        first.Steps.Count(s => s.StartsWith("fetch-", StringComparison.Ordinal)).ShouldBeGreaterThan(2, "two issues per page: the run follows the pages");

        var status = await client.GetFromJsonAsync<JsonElement>($"{TestClients.IntegrationsPath(tenant.WorkspaceId)}/{id}/status");
        status.GetProperty("status").GetString().ShouldBe("active");
        status.GetProperty("cursorPresent").GetBoolean().ShouldBeTrue();
        status.GetProperty("itemsFetched").GetInt64().ShouldBeGreaterThanOrEqualTo(5);
        status.GetProperty("lastRunAt").ValueKind.ShouldBe(JsonValueKind.String);
        status.GetProperty("nextRunAt").ValueKind.ShouldBe(JsonValueKind.String);
        status.GetProperty("lastError").ValueKind.ShouldBe(JsonValueKind.Null);
        await TestWait.UntilAsync(async () => await factory.WithDbAsync(db => db.Signals.IgnoreQueryFilters().CountAsync(s => s.WorkspaceId == tenant.WorkspaceId)) == 5,
            "the five issues are ingested");

        var firstSince = github.IssueRequests.Select(Since).Min();
        firstSince.ShouldBeLessThan(DateTimeOffset.UtcNow.AddDays(-20), "first run backfills BackfillDays (30)");
        var requestsBefore = github.IssueRequests.Count;
        github.AddIssue(6, DateTimeOffset.UtcNow.AddMinutes(-1));

        var secondRun = await RunNowAsync(client, tenant.WorkspaceId, id);
        secondRun.ShouldNotBe(firstRun);
        await WaitForRunAsync(factory, secondRun, WorkflowRunStatus.Completed);
        var secondRequests = github.IssueRequests.Skip(requestsBefore).ToList();
        secondRequests.ShouldNotBeEmpty();
        secondRequests.Select(Since).ShouldAllBe(since => since > DateTimeOffset.UtcNow.AddDays(-3), "the second run starts from the saved cursor, not the backfill window");
        await TestWait.UntilAsync(async () => await factory.WithDbAsync(db => db.Signals.IgnoreQueryFilters().CountAsync(s => s.WorkspaceId == tenant.WorkspaceId)) == 6,
            "the new issue is ingested");
    }

    [Theory, Providers]
    public async Task Rate_limit_parks_the_run_until_the_reset_time(DatabaseProvider provider)
    {
        var factory = await fixture.GetAsync(provider);
        await using var github = await FakeGitHubApi.StartAsync(issues: 1);
        var (tenant, client, id) = await CreateGitHubAsync(factory, github, FakeGitHubApi.LimitedToken);

        var runId = await RunNowAsync(client, tenant.WorkspaceId, id);
        await TestWait.UntilAsync(async () => await factory.WithDbAsync(db =>
            db.WorkflowSteps.AnyAsync(s => s.RunId == runId && s.Name == "fetch-1" && s.Status == "rate_limited")), "fetch-1 is parked by the rate limit");
        await factory.WithDbAsync(async db =>
        {
            var step = await db.WorkflowSteps.AsNoTracking().SingleAsync(s => s.RunId == runId && s.Name == "fetch-1");
            step.NextAttemptAt!.Value.ShouldBeGreaterThan(DateTime.UtcNow.AddMinutes(50), "parked until Retry-After (1 h)");
            step.Attempts.ShouldBe(0, "a rate limit does not use an attempt");
            var integration = await db.Integrations.IgnoreQueryFilters().AsNoTracking().SingleAsync(i => i.Id == id);
            integration.Status.ShouldBe(IntegrationStatus.Active);
            integration.Cursor.ShouldBeNull();
            return 0;
        });

        // Run now while parked returns the parked run instead of starting a second one.
        (await RunNowAsync(client, tenant.WorkspaceId, id)).ShouldBe(runId);
    }

    [Theory, Providers]
    public async Task Refused_credentials_mark_the_integration_needs_reconnect_without_retries(DatabaseProvider provider)
    {
        var factory = await fixture.GetAsync(provider);
        await using var github = await FakeGitHubApi.StartAsync(issues: 1);
        var (tenant, client, id) = await CreateGitHubAsync(factory, github, FakeGitHubApi.RefusedToken);

        var test = await client.PostAsync($"{TestClients.IntegrationsPath(tenant.WorkspaceId)}/{id}/test", null);
        var testResult = await test.Content.ReadFromJsonAsync<JsonElement>();
        testResult.GetProperty("ok").GetBoolean().ShouldBeFalse();
        testResult.GetProperty("message").GetString()!.ShouldContain("Bad credentials");

        var runId = await RunNowAsync(client, tenant.WorkspaceId, id);
        var run = await WaitForRunAsync(factory, runId, WorkflowRunStatus.Failed);
        run.FetchAttempts.ShouldBe(1);

        var status = await client.GetFromJsonAsync<JsonElement>($"{TestClients.IntegrationsPath(tenant.WorkspaceId)}/{id}/status");
        status.GetProperty("status").GetString().ShouldBe("needs_reconnect");
        status.GetProperty("statusMessage").GetString()!.ShouldContain("Bad credentials");
        status.GetProperty("lastError").GetString()!.ShouldContain("Bad credentials");
        await factory.WithDbAsync(async db =>
        {
            var events = await db.OutboxEvents.IgnoreQueryFilters().Where(e => e.WorkspaceId == tenant.WorkspaceId && e.Type == "integrationStatus")
                .Select(e => e.PayloadJson).ToListAsync();
            events.ShouldContain(e => e.Contains("needs_reconnect") && e.Contains(id.ToString()));
            return 0;
        });

        (await client.PostAsync($"{TestClients.IntegrationsPath(tenant.WorkspaceId)}/{id}/run", null)).StatusCode.ShouldBe(HttpStatusCode.Conflict);

        // New credentials re-activate it.
        var fixedResponse = await client.PatchAsJsonAsync($"{TestClients.IntegrationsPath(tenant.WorkspaceId)}/{id}", new { credentials = new { token = FakeGitHubApi.GoodToken } });
        (await fixedResponse.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString().ShouldBe("active");
    }

    private static async Task<(TestTenant Tenant, HttpClient Client, Guid Id)> CreateGitHubAsync(ApiFactory factory, FakeGitHubApi github, string token)
    {
        var tenant = await factory.CreateTenantAsync();
        var client = factory.CreateClient(tenant.Token);
        var created = await TestClients.CreateIntegrationAsync(client, tenant.WorkspaceId, new
        {
            type = "github",
            name = "fake",
            settings = new { owner = FakeGitHubApi.Owner, repo = FakeGitHubApi.Repo, includeDiscussions = false, baseUrl = github.Server.BaseAddress.AbsoluteUri },
            credentials = new { token },
            pollIntervalSeconds = 3600,
        });
        return (tenant, client, Guid.Parse(created.GetProperty("id").GetString()!));
    }

    private static async Task<Guid> RunNowAsync(HttpClient client, Guid workspaceId, Guid id)
    {
        var response = await client.PostAsync($"{TestClients.IntegrationsPath(workspaceId)}/{id}/run", null);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.Accepted, text);
        var body = JsonDocument.Parse(text).RootElement;
        body.GetProperty("workflowId").GetString().ShouldBe(ConnectorRunWorkflow.WorkflowIdFor(id));
        return Guid.Parse(body.GetProperty("runId").GetString()!);
    }

    private static async Task<(List<string> Steps, int FetchAttempts)> WaitForRunAsync(ApiFactory factory, Guid runId, WorkflowRunStatus expected)
    {
        WorkflowRunStatus? status = null;
        await TestWait.UntilAsync(async () =>
        {
            status = await factory.WithDbAsync(db => db.WorkflowRuns.IgnoreQueryFilters().Where(r => r.Id == runId).Select(r => (WorkflowRunStatus?)r.Status).SingleAsync());
            return status is WorkflowRunStatus.Completed or WorkflowRunStatus.Failed or WorkflowRunStatus.Cancelled;
        }, $"run {runId} finishes");
        status.ShouldBe(expected);
        return await factory.WithDbAsync(async db =>
        {
            var steps = await db.WorkflowSteps.AsNoTracking().Where(s => s.RunId == runId).Select(s => new { s.Name, s.Attempts }).ToListAsync();
            return (steps.Select(s => s.Name).ToList(), steps.SingleOrDefault(s => s.Name == "fetch-1")?.Attempts ?? 0);
        });
    }

    private static DateTimeOffset Since(GitMesh.TestCommon.Http.RecordedRequest request) =>
        DateTimeOffset.Parse(QueryHelpers.ParseQuery(request.Query)["since"].ToString(), CultureInfo.InvariantCulture);
}
