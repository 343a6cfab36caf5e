using GitMesh.Data;
using GitMesh.Domain.Workflows;
using GitMesh.TestCommon;
using GitMesh.Workflows.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace GitMesh.Workflows.Tests.Runtime;

/// <summary>Real worker processes: killed mid-step, and several competing for the same runs.</summary>
public sealed class WorkerProcessTests
{
    [Theory, Providers]
    public async Task A_killed_worker_process_is_resumed_by_a_new_one_without_re_executing_completed_steps(DatabaseProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var dir = Directory.CreateTempSubdirectory("gitmesh-crash-").FullName;
        var log = Path.Combine(dir, "steps.log");
        var block = Path.Combine(dir, "block");
        await File.WriteAllTextAsync(block, "hold step two");
        await using var client = await WorkflowTestHost.StartAsync(db.Info, TimeProvider.System, worker: false);
        var handle = await client.WithClientAsync(c => c.StartAsync<CrashableWorkflow, CrashInput>("crash:1", new CrashInput(log, block)));

        int firstPid;
        using (var first = await WorkerProcess.StartAsync(db.Info, TimeSpan.FromSeconds(3)))
        {
            firstPid = first.Id;
            await Eventually.GetAsync(() => ReadLinesAsync(log), l => l.Any(x => x.StartsWith("two|", StringComparison.Ordinal)), "step two to start in the first process");
            first.Kill();
        }

        File.Delete(block);
        using var second = await WorkerProcess.StartAsync(db.Info, TimeSpan.FromSeconds(3));
        var run = await client.WaitForStatusAsync(handle.RunId, WorkflowRunStatus.Completed);

        run.OutputJson.ShouldBe("\"done\"");
        var lines = (await ReadLinesAsync(log)).Select(l => l.Split('|')).ToList();
        lines.Count(l => l[0] == "one").ShouldBe(1, "step one completed before the crash and is not executed again");
        var two = lines.Where(l => l[0] == "two").ToList();
        two.Count.ShouldBe(2, "the in-flight step is retried (at-least-once)");
        two.Select(l => l[1]).Distinct().ShouldBe([$"{handle.RunId:N}:two"], "with the same idempotency key");
        two.Select(l => (l[2], int.Parse(l[3], System.Globalization.CultureInfo.InvariantCulture)))
            .ShouldBe([("1", firstPid), ("2", second.Id)]);
        lines.Single(l => l[0] == "three")[3].ShouldBe(second.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Two_worker_processes_on_PostgreSQL_complete_200_concurrent_runs_exactly_once_each()
    {
        await using var db = await TestDatabase.CreateAsync(DatabaseProvider.Postgres);
        await using var client = await WorkflowTestHost.StartAsync(db.Info, TimeProvider.System, worker: false);
        await client.WithDbAsync(d => d.Database.ExecuteSqlRawAsync("CREATE TABLE test_effects (run_id text NOT NULL, pid integer NOT NULL)"));
        using var a = await WorkerProcess.StartAsync(db.Info, TimeSpan.FromSeconds(10));
        using var b = await WorkerProcess.StartAsync(db.Info, TimeSpan.FromSeconds(10));

        var handles = await Task.WhenAll(Enumerable.Range(0, 200).Select(i =>
            client.WithClientAsync(c => c.StartAsync<EffectWorkflow, EffectInput>($"effect:{i}", new EffectInput(i)))));
        await Eventually.GetAsync(
            () => client.WithDbAsync(d => d.WorkflowRuns.CountAsync(r => r.Status == WorkflowRunStatus.Completed)),
            n => n == 200, "200 runs to complete", limitSeconds: 120);

        var effects = await client.WithDbAsync(d => d.Database.SqlQueryRaw<EffectRow>("SELECT run_id AS \"RunId\", pid AS \"Pid\" FROM test_effects").ToListAsync());
        effects.Count.ShouldBe(200);
        effects.Select(e => e.RunId).Distinct().Count().ShouldBe(200, "no run executed its step twice");
        effects.Select(e => e.RunId).ToHashSet().SetEquals(handles.Select(h => h.RunId.ToString())).ShouldBeTrue();
        effects.Select(e => e.Pid).Distinct().Order().ShouldBe(new[] { a.Id, b.Id }.Order(), "both processes took part");
    }

    private static async Task<List<string>> ReadLinesAsync(string file) =>
        File.Exists(file) ? [.. await File.ReadAllLinesAsync(file)] : [];

    private sealed record EffectRow(string RunId, int Pid);
}
