using System.Diagnostics;
using GitMesh.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Xunit.Abstractions;

namespace GitMesh.Search.Tests;

public sealed class ZzBench(ITestOutputHelper output)
{
    [Theory, GitMesh.TestCommon.Providers]
    public async Task Bench(DatabaseProvider provider)
    {
        await using var f = await SearchFixture.CreateAsync(provider);
        await using var db = f.CreateContext();
        db.Database.SetCommandTimeout(600);
        var sw = Stopwatch.StartNew();
        var rnd = new Random(1);
        var basic = "crash startup export login dashboard theme sync network installer windows linux macos keyboard shortcut slow memory leak error timeout button".Split(' ');
        var words = basic.Concat(Enumerable.Range(0, 30000).Select(_ => new string([.. Enumerable.Range(0, rnd.Next(3, 10)).Select(_ => (char)rnd.Next('a', 'z' + 1))]))).ToArray();
        var cdf = new double[words.Length]; var acc = 0.0; for (var k = 0; k < words.Length; k++) { acc += 1.0 / (k + 1); cdf[k] = acc; }
        string Word() { var x = rnd.NextDouble() * acc; var k = Array.BinarySearch(cdf, x); return words[k < 0 ? ~k : k]; }
        var ws = provider == DatabaseProvider.Sqlite ? SearchTestText(f.WorkspaceId) : f.WorkspaceId.ToString();
        await using (var tx = await db.Database.BeginTransactionAsync())
        {
            var conn = db.Database.GetDbConnection();
            await using var cmd = conn.CreateCommand();
            cmd.Transaction = tx.GetDbTransaction();
            cmd.CommandText = provider == DatabaseProvider.Sqlite
                ? "INSERT INTO signals (id, workspace_id, source, kind, external_id, title, body_text, ingested_at, updated_at, classification_locked, triage_status, is_deleted, version) VALUES ($id, $ws, 'github', 'issue', $ext, $t, $b, '2026-01-01', '2026-01-01', 0, 'New', 0, 1)"
                : "INSERT INTO signals (id, workspace_id, source, kind, external_id, title, body_text, ingested_at, updated_at, classification_locked, triage_status, is_deleted, version) VALUES (@id::uuid, @ws::uuid, 'github', 'issue', @ext, @t, @b, now(), now(), false, 'New', false, 1)";
            var pid = cmd.CreateParameter(); pid.DbType = System.Data.DbType.String; pid.ParameterName = provider == DatabaseProvider.Sqlite ? "$id" : "id"; cmd.Parameters.Add(pid);
            var pws = cmd.CreateParameter(); pws.ParameterName = provider == DatabaseProvider.Sqlite ? "$ws" : "ws"; pws.Value = ws; cmd.Parameters.Add(pws);
            var pext = cmd.CreateParameter(); pext.DbType = System.Data.DbType.String; pext.ParameterName = provider == DatabaseProvider.Sqlite ? "$ext" : "ext"; cmd.Parameters.Add(pext);
            var pt = cmd.CreateParameter(); pt.DbType = System.Data.DbType.String; pt.ParameterName = provider == DatabaseProvider.Sqlite ? "$t" : "t"; cmd.Parameters.Add(pt);
            var pb = cmd.CreateParameter(); pb.DbType = System.Data.DbType.String; pb.ParameterName = provider == DatabaseProvider.Sqlite ? "$b" : "b"; cmd.Parameters.Add(pb);
            cmd.Prepare();
            for (var i = 0; i < 100_000; i++)
            {
                var id = Guid.CreateVersion7();
                pid.Value = provider == DatabaseProvider.Sqlite ? SearchTestText(id) : id.ToString();
                pext.Value = "e" + i;
                pt.Value = string.Join(' ', Enumerable.Range(0, 6).Select(_ => Word()));
                pb.Value = string.Join(' ', Enumerable.Range(0, 90).Select(_ => Word() + (rnd.Next(5) == 0 ? "ing" : "")));
                await cmd.ExecuteNonQueryAsync();
            }

            await tx.CommitAsync();
        }

        output.WriteLine($"{provider} insert 100k: {sw.Elapsed}");
        var ids = await db.Signals.Select(s => s.Id).ToListAsync();
        sw.Restart();
        await f.Index.IndexAsync(db, ids, CancellationToken.None);
        output.WriteLine($"{provider} IndexAsync 100k: {sw.Elapsed}");
        sw.Restart();
        await f.Index.IndexAsync(db, ids, CancellationToken.None);
        output.WriteLine($"{provider} IndexAsync again 100k: {sw.Elapsed}");
        sw.Restart();
        var n = await f.Index.RebuildAsync(db, null, null, CancellationToken.None);
        output.WriteLine($"{provider} Rebuild {n}: {sw.Elapsed}");
        await db.Database.ExecuteSqlRawAsync(provider == DatabaseProvider.Sqlite ? "UPDATE signals SET title = title || ' edited' WHERE rowid % 10 = 0" : "UPDATE signals SET title = title || ' edited' WHERE random() < 0.1");
        sw.Restart();
        await f.Index.IndexAsync(db, ids, CancellationToken.None);
        output.WriteLine($"{provider} IndexAsync 100k, 10% edited: {sw.Elapsed}");
        foreach (var q in new[] { "keyboard shortcut", "\"memory leak\" -windows", "crashing or timeout" })
        {
            sw.Restart();
            var hits = await f.Index.SearchAsync(db, f.WorkspaceId, q, 20, 0, CancellationToken.None);
            var t1 = sw.Elapsed;
            sw.Restart();
            var m = f.Index.Matching(db, f.WorkspaceId, q);
            var count = await db.Signals.Where(s => m.Contains(s.Id) && s.TriageStatus == Domain.Signals.TriageStatus.New).OrderByDescending(s => s.IngestedAt).Take(50).CountAsync();
            output.WriteLine($"{provider} '{q}': search top20 {t1}, matching page {sw.Elapsed} ({hits.Count}, {count}); total {await m.CountAsync()}");
        }
    }

    private static string SearchTestText(Guid id) => id.ToString("D").ToUpperInvariant();
}
