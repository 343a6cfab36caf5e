using GitMesh.Data;
using GitMesh.Domain.Messaging;
using GitMesh.TestCommon;
using Microsoft.EntityFrameworkCore;

namespace GitMesh.Data.Tests;

/// <summary>
/// The outbox id is the sequence number clients resume from, so a reader must never see a later id while an earlier
/// one is still uncommitted: it would advance past it and miss that event for ever.
/// </summary>
public sealed class OutboxOrderingTests
{
    [Theory, Providers]
    public async Task Outbox_ids_become_visible_in_commit_order_under_concurrent_writers(DatabaseProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var workspaceId = Guid.NewGuid();

        await using var first = db.CreateContext();
        await using var firstTx = await first.Database.BeginTransactionAsync();
        var early = NewEvent(workspaceId, "first");
        first.OutboxEvents.Add(early);
        await first.SaveChangesAsync();

        // A second writer inserts and commits while the first transaction is still open.
        var second = Task.Run(async () =>
        {
            await using var context = db.CreateContext();
            var late = NewEvent(workspaceId, "second");
            context.OutboxEvents.Add(late);
            await context.SaveChangesAsync();
            return late.Id;
        });

        // Whatever the second writer manages meanwhile, a reader must not see an event the first one could precede.
        for (var i = 0; i < 10 && !second.IsCompleted; i++)
        {
            await Task.Delay(50);
            await using var reader = db.CreateContext();
            var visible = await reader.OutboxEvents.IgnoreQueryFilters().AsNoTracking().Select(e => e.Id).ToListAsync();
            visible.ShouldBeEmpty("an event became visible while an earlier sequence number was still uncommitted");
        }

        await firstTx.CommitAsync();
        var lateId = await second;
        early.Id.ShouldBeLessThan(lateId);
        await using var check = db.CreateContext();
        (await check.OutboxEvents.IgnoreQueryFilters().OrderBy(e => e.Id).Select(e => e.Type).ToListAsync()).ShouldBe(["first", "second"]);
    }

    private static OutboxEvent NewEvent(Guid workspaceId, string type) =>
        new() { WorkspaceId = workspaceId, Type = type, PayloadJson = "{}", CreatedAt = DateTime.UtcNow };
}
