using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GitMesh.Data;
using GitMesh.Domain.Workflows;
using GitMesh.TestCommon;
using GitMesh.Workflows;
using GitMesh.Workflows.Retention;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace GitMesh.Api.Tests.Workflows;

public sealed class WorkflowEndpointsTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    // Long enough that these runs never prune anything another test relies on.
    private static readonly PruneWorkflowRunsInput HarmlessInput = new(RetentionDays: 3650);

    [Theory, Providers]
    public async Task List_and_detail_show_the_workspaces_runs_with_steps_attempts_and_paging(DatabaseProvider provider)
    {
        var factory = await fixture.GetAsync(provider);
        var a = await factory.CreateTenantAsync("Alpha");
        var b = await factory.CreateTenantAsync("Bravo");
        using var asA = factory.CreateClient(a.Token);
        using var asB = factory.CreateClient(b.Token);
        var runs = $"/api/v1/workspaces/{a.WorkspaceId}/workflow-runs";

        var executed = await StartAsync(factory, a.WorkspaceId);
        var detail = await WaitForStatusAsync(asA, $"{runs}/{executed}", "completed");
        detail.Run.WorkflowType.ShouldBe(PruneWorkflowRunsWorkflow.Name);
        detail.Run.StartedAt.ShouldNotBeNull();
        detail.Run.CompletedAt.ShouldNotBeNull();
        detail.Input!.Value.GetProperty("retentionDays").GetInt32().ShouldBe(3650);
        detail.Output!.Value.ValueKind.ShouldBe(JsonValueKind.Number);
        var step = detail.Steps.ShouldHaveSingleItem();
        step.Name.ShouldBe("delete-finished-runs");
        step.Status.ShouldBe("completed");
        step.Attempts.ShouldBe(1);
        step.CompletedAt.ShouldNotBeNull();

        // A failed attempt kept as history shows under its step.
        await using (var db = factory.Database.CreateContext())
        {
            db.Set<WorkflowStepAttempt>().Add(new WorkflowStepAttempt
            {
                RunId = executed,
                StepId = step.Id,
                Attempt = 1,
                Outcome = "failed",
                Error = "boom",
                WorkerId = "test",
                StartedAt = DateTime.UtcNow.AddSeconds(-2),
                FinishedAt = DateTime.UtcNow.AddSeconds(-1),
            });
            await db.SaveChangesAsync();
        }

        detail = (await asA.GetFromJsonAsync<RunDetailDto>($"{runs}/{executed}"))!;
        var attempt = detail.Steps.ShouldHaveSingleItem().AttemptHistory.ShouldHaveSingleItem();
        attempt.Outcome.ShouldBe("failed");
        attempt.Error.ShouldBe("boom");

        var integrationId = Guid.NewGuid();
        var pending = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            pending.Add(await StartAsync(factory, a.WorkspaceId, delayed: true, integrationId: i == 0 ? integrationId : null));
        }

        var first = (await asA.GetFromJsonAsync<RunPageDto>($"{runs}?limit=2"))!;
        first.Items.Count.ShouldBe(2);
        first.NextCursor.ShouldNotBeNull();
        var second = (await asA.GetFromJsonAsync<RunPageDto>($"{runs}?limit=2&cursor={Uri.EscapeDataString(first.NextCursor)}"))!;
        second.Items.Count.ShouldBe(2);
        second.NextCursor.ShouldBeNull();
        var all = first.Items.Concat(second.Items).ToList();
        all.Select(r => r.Id).ShouldBe([.. pending.AsEnumerable().Reverse(), executed], "newest first, no repeats across pages");
        all.ShouldAllBe(r => r.WorkspaceId == a.WorkspaceId);

        (await asA.GetFromJsonAsync<RunPageDto>($"{runs}?status=pending"))!.Items.Select(r => r.Id).OrderBy(x => x).ShouldBe(pending.OrderBy(x => x));
        (await asA.GetFromJsonAsync<RunPageDto>($"{runs}?status=completed&type={PruneWorkflowRunsWorkflow.Name}"))!.Items.ShouldHaveSingleItem().Id.ShouldBe(executed);
        (await asA.GetFromJsonAsync<RunPageDto>($"{runs}?integrationId={integrationId}"))!.Items.ShouldHaveSingleItem().Id.ShouldBe(pending[0]);
        (await asA.GetFromJsonAsync<RunPageDto>($"{runs}?type=nope"))!.Items.ShouldBeEmpty();

        var bad = await asA.GetAsync($"{runs}?status=bogus&limit=0&cursor=%%%&integrationId=x");
        bad.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        bad.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var errors = (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        foreach (var field in new[] { "status", "limit", "cursor", "integrationId" })
        {
            errors.TryGetProperty(field, out _).ShouldBeTrue(field);
        }

        // Another tenant sees nothing: not in its list, 404 through its own workspace and through ours.
        (await asB.GetFromJsonAsync<RunPageDto>($"/api/v1/workspaces/{b.WorkspaceId}/workflow-runs"))!.Items.ShouldBeEmpty();
        (await asB.GetAsync($"/api/v1/workspaces/{b.WorkspaceId}/workflow-runs/{executed}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await asB.GetAsync($"{runs}/{executed}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await asB.GetAsync(runs)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await asA.GetAsync($"{runs}/{Guid.NewGuid()}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Theory, Providers]
    public async Task Cancel_retry_and_signal_are_admin_actions_audited_and_tenant_scoped(DatabaseProvider provider)
    {
        var factory = await fixture.GetAsync(provider);
        var owner = await factory.CreateTenantAsync();
        var other = await factory.CreateTenantAsync("Other");
        using var asOwner = factory.CreateClient(owner.Token);
        using var asOther = factory.CreateClient(other.Token);
        using var viewer = await MemberWithRoleAsync(factory, asOwner, owner.WorkspaceId, "viewer");
        using var member = await MemberWithRoleAsync(factory, asOwner, owner.WorkspaceId, "member");
        var runs = $"/api/v1/workspaces/{owner.WorkspaceId}/workflow-runs";

        var waiting = await StartAsync(factory, owner.WorkspaceId, delayed: true);
        foreach (var client in new[] { viewer, member })
        {
            (await client.GetAsync($"{runs}/{waiting}")).StatusCode.ShouldBe(HttpStatusCode.OK);
            (await client.PostAsync($"{runs}/{waiting}/cancel", null)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
            (await client.PostAsync($"{runs}/{waiting}/retry", null)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
            (await client.PostAsJsonAsync($"{runs}/{waiting}/signals/approve", new { ok = true })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        }

        (await asOther.PostAsync($"{runs}/{waiting}/cancel", null)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await asOther.PostAsync($"/api/v1/workspaces/{other.WorkspaceId}/workflow-runs/{waiting}/cancel", null)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await asOther.PostAsJsonAsync($"/api/v1/workspaces/{other.WorkspaceId}/workflow-runs/{waiting}/signals/approve", new { ok = true }))
            .StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await asOther.PostAsync($"/api/v1/workspaces/{other.WorkspaceId}/workflow-runs/{waiting}/retry", null)).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        // Signal: stored for the run until it consumes it.
        var signalled = await asOwner.PostAsJsonAsync($"{runs}/{waiting}/signals/approve", new { ok = true, by = "ops" });
        signalled.StatusCode.ShouldBe(HttpStatusCode.Accepted, await signalled.Content.ReadAsStringAsync());
        await using (var db = factory.Database.CreateContext())
        {
            var row = await db.WorkflowSignals.SingleAsync(s => s.RunId == waiting);
            row.Name.ShouldBe("approve");
            using var payload = JsonDocument.Parse(row.PayloadJson);
            payload.RootElement.GetProperty("ok").GetBoolean().ShouldBeTrue();
            payload.RootElement.GetProperty("by").GetString().ShouldBe("ops");
        }

        (await asOwner.GetFromJsonAsync<RunDetailDto>($"{runs}/{waiting}"))!.Signals.ShouldHaveSingleItem().Name.ShouldBe("approve");

        // No body: a signal without payload (JSON null).
        var bare = await asOwner.PostAsync($"{runs}/{waiting}/signals/ping", null);
        bare.StatusCode.ShouldBe(HttpStatusCode.Accepted, await bare.Content.ReadAsStringAsync());
        await using (var db = factory.Database.CreateContext())
        {
            (await db.WorkflowSignals.SingleAsync(s => s.RunId == waiting && s.Name == "ping")).PayloadJson.ShouldBe("null");
        }

        var malformed = await asOwner.PostAsync($"{runs}/{waiting}/signals/approve", new StringContent("{not json", System.Text.Encoding.UTF8, "application/json"));
        malformed.StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        // Retry of a run that did not fail: 409 problem.
        var notFailed = await asOwner.PostAsync($"{runs}/{waiting}/retry", null);
        notFailed.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        notFailed.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");

        // Cancel: a run that never started ends at once; a second cancel and a signal to it conflict.
        var cancelled = await asOwner.PostAsync($"{runs}/{waiting}/cancel", null);
        cancelled.StatusCode.ShouldBe(HttpStatusCode.Accepted, await cancelled.Content.ReadAsStringAsync());
        (await cancelled.Content.ReadFromJsonAsync<ActionDto>())!.Status.ShouldBe("cancelled");
        (await asOwner.GetFromJsonAsync<RunDetailDto>($"{runs}/{waiting}"))!.Run.Status.ShouldBe("cancelled");
        (await asOwner.PostAsync($"{runs}/{waiting}/cancel", null)).StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await asOwner.PostAsJsonAsync($"{runs}/{waiting}/signals/approve", new { ok = true })).StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await asOwner.PostAsync($"{runs}/{waiting}/retry", null)).StatusCode.ShouldBe(HttpStatusCode.Conflict);

        // Retry of a failed run: it runs again and completes.
        var done = await StartAsync(factory, owner.WorkspaceId);
        await WaitForStatusAsync(asOwner, $"{runs}/{done}", "completed");
        (await asOwner.PostAsync($"{runs}/{done}/retry", null)).StatusCode.ShouldBe(HttpStatusCode.Conflict, "completed is not failed");
        await using (var db = factory.Database.CreateContext())
        {
            await db.WorkflowRuns.Where(r => r.Id == done)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, WorkflowRunStatus.Failed).SetProperty(r => r.Error, "simulated"));
        }

        var retried = await asOwner.PostAsync($"{runs}/{done}/retry", null);
        retried.StatusCode.ShouldBe(HttpStatusCode.Accepted, await retried.Content.ReadAsStringAsync());
        var afterRetry = await WaitForStatusAsync(asOwner, $"{runs}/{done}", "completed");
        afterRetry.Run.Error.ShouldBeNull();

        await using (var db = factory.Database.CreateContext())
        {
            var actions = await db.AuditLog.Where(e => e.WorkspaceId == owner.WorkspaceId && e.EntityType == "workflow_run").Select(e => e.Action).ToListAsync();
            actions.OrderBy(x => x).ShouldBe(["workflow_run.cancel_requested", "workflow_run.retried", "workflow_run.signal_sent", "workflow_run.signal_sent"]);
            (await db.AuditLog.CountAsync(e => e.WorkspaceId == other.WorkspaceId && e.EntityType == "workflow_run")).ShouldBe(0);
        }
    }

    [Theory, Providers]
    public async Task Workspace_schedules_list_patch_with_validation_and_run_now(DatabaseProvider provider)
    {
        var factory = await fixture.GetAsync(provider);
        var owner = await factory.CreateTenantAsync();
        var other = await factory.CreateTenantAsync("Other");
        using var asOwner = factory.CreateClient(owner.Token);
        using var asOther = factory.CreateClient(other.Token);
        using var viewer = await MemberWithRoleAsync(factory, asOwner, owner.WorkspaceId, "viewer");
        var schedules = $"/api/v1/workspaces/{owner.WorkspaceId}/schedules";

        Guid scheduleId;
        await using (var db = factory.Database.CreateContext())
        {
            var schedule = new WorkflowSchedule
            {
                WorkspaceId = owner.WorkspaceId,
                Name = $"test:{Guid.NewGuid():N}",
                WorkflowType = PruneWorkflowRunsWorkflow.Name,
                InputJson = WorkflowJson.Serialize(HarmlessInput),
                CreatedAt = DateTime.UtcNow,
                UpdatedAt = DateTime.UtcNow,
            };
            schedule.SetTiming("0 0 3 * * ?", null);
            db.Add(schedule);
            await db.SaveChangesAsync();
            scheduleId = schedule.Id;
        }

        var listed = (await viewer.GetFromJsonAsync<List<ScheduleDto>>(schedules))!.ShouldHaveSingleItem();
        listed.Id.ShouldBe(scheduleId);
        listed.Cron.ShouldBe("0 0 3 * * ?");
        listed.Enabled.ShouldBeTrue();
        (await asOther.GetFromJsonAsync<List<ScheduleDto>>($"/api/v1/workspaces/{other.WorkspaceId}/schedules"))!.ShouldBeEmpty();
        (await asOther.PatchAsJsonAsync($"/api/v1/workspaces/{other.WorkspaceId}/schedules/{scheduleId}", new { enabled = false }))
            .StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await asOther.PostAsync($"/api/v1/workspaces/{other.WorkspaceId}/schedules/{scheduleId}/run", null)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await asOther.GetAsync(schedules)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await viewer.PatchAsJsonAsync($"{schedules}/{scheduleId}", new { enabled = false })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await viewer.PostAsync($"{schedules}/{scheduleId}/run", null)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        foreach (var invalid in new object[]
                 {
                     new { cron = "not a cron" },
                     new { cron = "0 0 3 * * ?", intervalSeconds = 60 },
                     new { intervalSeconds = 0 },
                     new { intervalSeconds = 40_000_000 },
                     new { },
                 })
        {
            var response = await asOwner.PatchAsJsonAsync($"{schedules}/{scheduleId}", invalid);
            response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, JsonSerializer.Serialize(invalid));
            response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        }

        (await asOwner.PatchAsJsonAsync($"{schedules}/{scheduleId}", new { schedule = "x" })).StatusCode.ShouldBe(HttpStatusCode.BadRequest, "unknown field");

        var toInterval = await asOwner.PatchAsJsonAsync($"{schedules}/{scheduleId}", new { intervalSeconds = 7200, enabled = false });
        toInterval.StatusCode.ShouldBe(HttpStatusCode.OK, await toInterval.Content.ReadAsStringAsync());
        var updated = (await toInterval.Content.ReadFromJsonAsync<ScheduleDto>())!;
        updated.Cron.ShouldBeNull();
        updated.IntervalSeconds.ShouldBe(7200);
        updated.Enabled.ShouldBeFalse();

        var toCron = (await (await asOwner.PatchAsJsonAsync($"{schedules}/{scheduleId}", new { cron = "0 30 4 * * ?", enabled = true }))
            .Content.ReadFromJsonAsync<ScheduleDto>())!;
        toCron.Cron.ShouldBe("0 30 4 * * ?");
        toCron.IntervalSeconds.ShouldBeNull();
        toCron.Enabled.ShouldBeTrue();

        var ran = await asOwner.PostAsync($"{schedules}/{scheduleId}/run", null);
        ran.StatusCode.ShouldBe(HttpStatusCode.Accepted, await ran.Content.ReadAsStringAsync());
        var started = (await ran.Content.ReadFromJsonAsync<ScheduleRunDto>())!;
        started.WorkflowId.ShouldStartWith($"schedule:{listed.Name}:");
        ran.Headers.Location!.ToString().ShouldBe($"/api/v1/workspaces/{owner.WorkspaceId}/workflow-runs/{started.RunId}");
        var run = await WaitForStatusAsync(asOwner, ran.Headers.Location.ToString(), "completed");
        run.Run.WorkspaceId.ShouldBe(owner.WorkspaceId);
        (await asOwner.GetFromJsonAsync<List<ScheduleDto>>(schedules))!.ShouldHaveSingleItem().LastFiredAt.ShouldNotBeNull();

        await using (var db = factory.Database.CreateContext())
        {
            var actions = await db.AuditLog.Where(e => e.WorkspaceId == owner.WorkspaceId && e.EntityType == "schedule").Select(e => e.Action).ToListAsync();
            actions.OrderBy(x => x).ShouldBe(["schedule.run_now", "schedule.updated", "schedule.updated"]);
        }
    }

    [Theory, Providers]
    public async Task System_schedules_and_runs_are_for_workspace_owners_and_admins(DatabaseProvider provider)
    {
        var factory = await fixture.GetAsync(provider);
        var owner = await factory.CreateTenantAsync();
        using var asOwner = factory.CreateClient(owner.Token);
        using var viewer = await MemberWithRoleAsync(factory, asOwner, owner.WorkspaceId, "viewer");
        using var admin = await MemberWithRoleAsync(factory, asOwner, owner.WorkspaceId, "admin");
        var (_, loneToken) = await factory.CreateUserAsync();
        using var lone = factory.CreateClient(loneToken);
        using var anonymous = factory.CreateClient(bearer: null);

        List<ScheduleDto>? system = null;
        await TestWait.UntilAsync(async () =>
        {
            system = await admin.GetFromJsonAsync<List<ScheduleDto>>("/api/v1/schedules");
            return system!.Any(s => s.Name == "system:prune-workflow-runs");
        }, "the scheduler seeds its system schedule");
        system!.ShouldAllBe(s => s.WorkspaceId == null);
        var prune = system!.Single(s => s.Name == "system:prune-workflow-runs");

        (await anonymous.GetAsync("/api/v1/schedules")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        foreach (var client in new[] { viewer, lone })
        {
            var refused = await client.GetAsync("/api/v1/schedules");
            refused.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
            refused.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
            (await client.PatchAsJsonAsync($"/api/v1/schedules/{prune.Id}", new { enabled = true })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
            (await client.PostAsync($"/api/v1/schedules/{prune.Id}/run", null)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
            (await client.GetAsync("/api/v1/system/workflow-runs")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        }

        (await asOwner.PatchAsJsonAsync($"/api/v1/schedules/{prune.Id}", new { cron = "every day" })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await asOwner.PatchAsJsonAsync($"/api/v1/schedules/{Guid.NewGuid()}", new { enabled = true })).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        // A system schedule is not reachable through a workspace.
        (await asOwner.PatchAsJsonAsync($"/api/v1/workspaces/{owner.WorkspaceId}/schedules/{prune.Id}", new { enabled = true }))
            .StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var unchanged = await asOwner.PatchAsJsonAsync($"/api/v1/schedules/{prune.Id}", new { cron = prune.Cron, enabled = true });
        unchanged.StatusCode.ShouldBe(HttpStatusCode.OK, await unchanged.Content.ReadAsStringAsync());
        (await unchanged.Content.ReadFromJsonAsync<ScheduleDto>())!.Cron.ShouldBe(prune.Cron);

        var ran = await admin.PostAsync($"/api/v1/schedules/{prune.Id}/run", null);
        ran.StatusCode.ShouldBe(HttpStatusCode.Accepted, await ran.Content.ReadAsStringAsync());
        var started = (await ran.Content.ReadFromJsonAsync<ScheduleRunDto>())!;
        var detail = await WaitForStatusAsync(admin, $"/api/v1/system/workflow-runs/{started.RunId}", "completed");
        detail.Run.WorkspaceId.ShouldBeNull();
        detail.Steps.ShouldNotBeEmpty();
        (await admin.GetFromJsonAsync<RunPageDto>($"/api/v1/system/workflow-runs?type={PruneWorkflowRunsWorkflow.Name}"))!.Items
            .ShouldContain(r => r.Id == started.RunId);
        (await asOwner.GetAsync($"/api/v1/workspaces/{owner.WorkspaceId}/workflow-runs/{started.RunId}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    private static async Task<Guid> StartAsync(ApiFactory factory, Guid workspaceId, bool delayed = false, Guid? integrationId = null)
    {
        using var scope = factory.Services.CreateScope();
        var client = scope.ServiceProvider.GetRequiredService<IWorkflowClient>();
        var handle = await client.StartAsync<PruneWorkflowRunsWorkflow, PruneWorkflowRunsInput>($"test:{Guid.NewGuid():N}", HarmlessInput,
            new WorkflowStartOptions { WorkspaceId = workspaceId, IntegrationId = integrationId, StartAt = delayed ? DateTimeOffset.UtcNow.AddDays(1) : null });
        // Distinct creation times keep "newest first" unambiguous for the paging assertions.
        await Task.Delay(5);
        return handle.RunId;
    }

    private static async Task<RunDetailDto> WaitForStatusAsync(HttpClient client, string url, string status)
    {
        RunDetailDto? detail = null;
        await TestWait.UntilAsync(async () =>
        {
            detail = await client.GetFromJsonAsync<RunDetailDto>(url);
            return detail!.Run.Status == status;
        }, $"run {url} reaches {status}");
        return detail!;
    }

    private static async Task<HttpClient> MemberWithRoleAsync(ApiFactory factory, HttpClient asOwner, Guid workspaceId, string role)
    {
        var email = $"{role}-{Guid.NewGuid():N}@example.test";
        var added = await asOwner.PostAsJsonAsync($"/api/v1/workspaces/{workspaceId}/members", new { email, role, password = "a-long-password-1" });
        added.StatusCode.ShouldBe(HttpStatusCode.Created, await added.Content.ReadAsStringAsync());
        return factory.CreateClient(await factory.GetTokenAsync(email, "a-long-password-1"));
    }
}

public sealed record RunSummaryDto(
    Guid Id, string WorkflowType, string WorkflowId, string Status, Guid? WorkspaceId, Guid? IntegrationId, Guid? ParentRunId, string? Error,
    bool CancelRequested, DateTime CreatedAt, DateTime? StartedAt, DateTime? CompletedAt, DateTime NextRunAt);

public sealed record RunPageDto(List<RunSummaryDto> Items, string? NextCursor);

public sealed record AttemptDto(int Attempt, string Outcome, string? Error, string? WorkerId, DateTime StartedAt, DateTime FinishedAt);

public sealed record StepDto(
    Guid Id, string Name, int Sequence, string Kind, string Status, int Attempts, string? Error, JsonElement? Result, DateTime StartedAt, DateTime? CompletedAt,
    DateTime? NextAttemptAt, List<AttemptDto> AttemptHistory);

public sealed record SignalDto(Guid Id, string Name, DateTime CreatedAt, DateTime? ConsumedAt);

public sealed record RunDetailDto(RunSummaryDto Run, JsonElement? Input, JsonElement? Output, List<StepDto> Steps, List<SignalDto> Signals);

public sealed record ActionDto(Guid RunId, string Status, bool CancelRequested);

public sealed record ScheduleDto(
    Guid Id, Guid? WorkspaceId, string Name, string? Description, string WorkflowType, string? Cron, int? IntervalSeconds, bool Enabled,
    DateTime? LastFiredAt, DateTime? NextFireAt, DateTime CreatedAt, DateTime UpdatedAt);

public sealed record ScheduleRunDto(Guid ScheduleId, Guid RunId, string WorkflowId, string Status, bool Created);
