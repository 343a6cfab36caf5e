using GitMesh.Connectors.Discord.Gateway;
using GitMesh.Connectors.Discord.Listener;
using GitMesh.Connectors.Discord.Messages;
using GitMesh.Data;
using GitMesh.Domain.Integrations;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace GitMesh.Integrations.Discord;

/// <summary>
/// Listener state in the shared database: a bot moved to another instance resumes its session and backfills from
/// the cursors the previous owner saved. Cursors only move forward (a conditional update on the numeric id).
/// </summary>
public sealed class DatabaseDiscordStateStore(IServiceScopeFactory scopes, TimeProvider time) : IDiscordStateStore
{
    public async Task<DiscordBotState> LoadAsync(string botId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GitMeshDbContext>();
        var session = await db.Set<DiscordBotSessionRecord>().AsNoTracking().FirstOrDefaultAsync(s => s.BotId == botId, cancellationToken);
        var cursors = await db.Set<DiscordChannelCursorRecord>().AsNoTracking().Where(c => c.BotId == botId)
            .Select(c => new { c.ChannelId, c.LastMessageId }).ToListAsync(cancellationToken);
        var gatewaySession = session is { SessionId: { } id, ResumeGatewayUrl: { } url } ? new DiscordGatewaySession(id, url, session.Sequence) : null;
        return new DiscordBotState(
            gatewaySession,
            cursors.ToDictionary(c => c.ChannelId, c => ((ulong)c.LastMessageId).ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparer.Ordinal));
    }

    public async Task SaveChannelCursorAsync(string botId, string channelId, string lastMessageId, CancellationToken cancellationToken)
    {
        if (!DiscordSnowflake.TryParse(lastMessageId, out var parsed) || parsed > long.MaxValue)
        {
            throw new ArgumentException($"'{lastMessageId}' is not a Discord snowflake.", nameof(lastMessageId));
        }

        var id = (long)parsed;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GitMeshDbContext>();
        var now = time.GetUtcNow().UtcDateTime;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var updated = await db.Set<DiscordChannelCursorRecord>()
                .Where(c => c.BotId == botId && c.ChannelId == channelId && c.LastMessageId < id)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.LastMessageId, id).SetProperty(c => c.UpdatedAt, now), cancellationToken);
            if (updated > 0 || await db.Set<DiscordChannelCursorRecord>().AnyAsync(c => c.BotId == botId && c.ChannelId == channelId, cancellationToken))
            {
                // Moved forward, or the stored cursor is already at or past this id.
                return;
            }

            var record = new DiscordChannelCursorRecord { BotId = botId, ChannelId = channelId, LastMessageId = id, UpdatedAt = now };
            db.Add(record);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return;
            }
            catch (DbUpdateException)
            {
                // A concurrent save inserted the row first; go round and apply "keep the greater" to it.
                db.Entry(record).State = EntityState.Detached;
            }
        }
    }

    public async Task SaveSessionAsync(string botId, DiscordGatewaySession? session, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GitMeshDbContext>();
        var now = time.GetUtcNow().UtcDateTime;
        var record = await db.Set<DiscordBotSessionRecord>().FirstOrDefaultAsync(s => s.BotId == botId, cancellationToken);
        if (record is null)
        {
            record = new DiscordBotSessionRecord { BotId = botId };
            db.Add(record);
        }

        record.SessionId = session?.SessionId;
        record.ResumeGatewayUrl = session?.ResumeGatewayUrl;
        record.Sequence = session?.Sequence;
        record.UpdatedAt = now;
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Lost an insert race with another save of the same bot; resume state is best effort (a stale one only replays more).
        }
    }
}
