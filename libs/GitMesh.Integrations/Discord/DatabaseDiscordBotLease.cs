using GitMesh.Connectors.Discord.Listener;
using GitMesh.Data;
using GitMesh.Domain.Integrations;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace GitMesh.Integrations.Discord;

/// <summary>
/// Bot leases in the shared database, so DiscordListener instances on different machines never run one bot twice.
/// Every change is one conditional statement (or an insert guarded by the primary key): the database decides races.
/// </summary>
public sealed class DatabaseDiscordBotLease(IServiceScopeFactory scopes, TimeProvider time) : IDiscordBotLease
{
    public async Task<bool> TryAcquireAsync(string botId, string ownerId, TimeSpan duration, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GitMeshDbContext>();
        var now = time.GetUtcNow().UtcDateTime;
        var expires = now + duration;
        var taken = await db.Set<DiscordBotLeaseRecord>()
            .Where(l => l.BotId == botId && (l.OwnerId == ownerId || l.ExpiresAt <= now))
            .ExecuteUpdateAsync(s => s
                .SetProperty(l => l.OwnerId, ownerId)
                .SetProperty(l => l.ExpiresAt, expires)
                .SetProperty(l => l.AcquiredAt, now), cancellationToken);
        if (taken > 0)
        {
            return true;
        }

        if (await db.Set<DiscordBotLeaseRecord>().AnyAsync(l => l.BotId == botId, cancellationToken))
        {
            return false;
        }

        db.Add(new DiscordBotLeaseRecord { BotId = botId, OwnerId = ownerId, ExpiresAt = expires, AcquiredAt = now });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException)
        {
            // Another instance inserted the row between our check and insert: it holds the lease.
            return false;
        }
    }

    public async Task<bool> RenewAsync(string botId, string ownerId, TimeSpan duration, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GitMeshDbContext>();
        var now = time.GetUtcNow().UtcDateTime;
        var expires = now + duration;
        var renewed = await db.Set<DiscordBotLeaseRecord>()
            .Where(l => l.BotId == botId && l.OwnerId == ownerId && l.ExpiresAt > now)
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.ExpiresAt, expires), cancellationToken);
        return renewed > 0;
    }

    public async Task ReleaseAsync(string botId, string ownerId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GitMeshDbContext>();
        await db.Set<DiscordBotLeaseRecord>().Where(l => l.BotId == botId && l.OwnerId == ownerId).ExecuteDeleteAsync(cancellationToken);
    }
}
