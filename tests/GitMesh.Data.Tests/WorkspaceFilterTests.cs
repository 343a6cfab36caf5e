using GitMesh.Data;
using GitMesh.Domain.Signals;
using GitMesh.Domain.Workspaces;
using GitMesh.TestCommon;
using Microsoft.EntityFrameworkCore;

namespace GitMesh.Data.Tests;

public sealed class WorkspaceFilterTests
{
    [Theory, Providers]
    public async Task A_scoped_context_sees_only_its_workspace_rows(DatabaseProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var now = DateTime.UtcNow;
        var a = new Workspace { Name = "A", Slug = "a", CreatedAt = now, UpdatedAt = now };
        var b = new Workspace { Name = "B", Slug = "b", CreatedAt = now, UpdatedAt = now };
        await using (var context = db.CreateContext())
        {
            context.Workspaces.AddRange(a, b);
            context.Signals.Add(new Signal { WorkspaceId = a.Id, Source = "github", Kind = "issue", ExternalId = "1", Title = "in A", IngestedAt = now, UpdatedAt = now });
            context.Signals.Add(new Signal { WorkspaceId = b.Id, Source = "github", Kind = "issue", ExternalId = "1", Title = "in B", IngestedAt = now, UpdatedAt = now });
            await context.SaveChangesAsync();
        }

        var scope = new WorkspaceScope();
        scope.Enter(a.Id);
        await using (var scoped = db.CreateContext(scope))
        {
            var titles = await scoped.Signals.Select(s => s.Title).ToListAsync();
            titles.ShouldBe(["in A"]);
            (await scoped.Signals.CountAsync(s => s.WorkspaceId == b.Id)).ShouldBe(0);
        }

        await using (var system = db.CreateContext())
        {
            (await system.Signals.CountAsync()).ShouldBe(2);
        }

        Should.Throw<InvalidOperationException>(() => scope.Enter(b.Id));
    }

    [Theory, Providers]
    public async Task Times_round_trip_as_utc(DatabaseProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var at = new DateTime(2026, 11, 21, 12, 30, 45, DateTimeKind.Utc);
        await using (var context = db.CreateContext())
        {
            context.Workspaces.Add(new Workspace { Name = "T", Slug = "t", CreatedAt = at, UpdatedAt = at });
            await context.SaveChangesAsync();
        }

        await using var read = db.CreateContext();
        var w = await read.Workspaces.SingleAsync();
        w.CreatedAt.ShouldBe(at);
        w.CreatedAt.Kind.ShouldBe(DateTimeKind.Utc);
    }
}
