using System.Collections.Concurrent;

namespace GitMesh.Connectors.Discord.Listener;

/// <summary>
/// Exclusive, expiring ownership of a bot: Discord allows one gateway session per bot (shard), and two listeners
/// would each ingest everything. Owners renew well before expiry and stop as soon as a renewal fails.
/// </summary>
public interface IDiscordBotLease
{
    /// <summary>True when <paramref name="ownerId"/> now holds the lease (free, expired, or already its own).</summary>
    Task<bool> TryAcquireAsync(string botId, string ownerId, TimeSpan duration, CancellationToken cancellationToken);

    /// <summary>Extends the lease; false when <paramref name="ownerId"/> no longer holds it.</summary>
    Task<bool> RenewAsync(string botId, string ownerId, TimeSpan duration, CancellationToken cancellationToken);

    /// <summary>Gives the lease up if <paramref name="ownerId"/> holds it, so a standby instance can take over at once.</summary>
    Task ReleaseAsync(string botId, string ownerId, CancellationToken cancellationToken);
}

/// <summary>Leases within one process (embedded profile, tests).</summary>
public sealed class InMemoryDiscordBotLease(TimeProvider timeProvider) : IDiscordBotLease
{
    private readonly ConcurrentDictionary<string, Holder> _leases = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public Task<bool> TryAcquireAsync(string botId, string ownerId, TimeSpan duration, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var now = timeProvider.GetUtcNow();
            if (_leases.TryGetValue(botId, out var holder) && holder.Owner != ownerId && holder.ExpiresAt > now)
            {
                return Task.FromResult(false);
            }

            _leases[botId] = new Holder(ownerId, now + duration);
            return Task.FromResult(true);
        }
    }

    public Task<bool> RenewAsync(string botId, string ownerId, TimeSpan duration, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var now = timeProvider.GetUtcNow();
            if (!_leases.TryGetValue(botId, out var holder) || holder.Owner != ownerId || holder.ExpiresAt <= now)
            {
                return Task.FromResult(false);
            }

            _leases[botId] = holder with { ExpiresAt = now + duration };
            return Task.FromResult(true);
        }
    }

    public Task ReleaseAsync(string botId, string ownerId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_leases.TryGetValue(botId, out var holder) && holder.Owner == ownerId)
            {
                _leases.TryRemove(botId, out _);
            }
        }

        return Task.CompletedTask;
    }

    private sealed record Holder(string Owner, DateTimeOffset ExpiresAt);
}
