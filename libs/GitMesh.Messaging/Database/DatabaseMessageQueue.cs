using System.Data.Common;
using System.Globalization;
using System.Text;
using GitMesh.Data;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace GitMesh.Messaging.Database;

/// <summary>
/// The queue on the application database (<c>queue_messages</c>), for SQLite and PostgreSQL. Raw SQL, no change
/// tracking: every operation is one statement (a batch send is one transaction), so it stays fast under load.
/// Claiming is atomic: on PostgreSQL the rows are picked with <c>FOR UPDATE SKIP LOCKED</c>, so competing consumers
/// in any number of processes never share a message and never wait on each other; on SQLite the single
/// <c>UPDATE … RETURNING</c> runs under the database's one writer lock.
/// </summary>
public sealed partial class DatabaseMessageQueue(
    DatabaseInfo database,
    IOptions<QueueOptions> options,
    IOptions<DatabaseQueueOptions> databaseOptions,
    QueueSignals signals,
    TimeProvider time,
    ILogger<DatabaseMessageQueue> logger) : IMessageQueue
{
    private const string Columns = "id, body, receipt_handle, receive_count, enqueued_at";

    private readonly bool _postgres = database.Provider == DatabaseProvider.Postgres;

    public async Task SendBatchAsync(string queue, IReadOnlyList<string> bodies, CancellationToken cancellationToken)
    {
        QueueNameRules.EnsureValid(queue);
        if (bodies.Count == 0)
        {
            return;
        }

        var now = UtcNow();
        var chunkSize = Math.Max(1, databaseOptions.Value.InsertChunkSize);
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        DbCommand? full = null;
        try
        {
            for (var start = 0; start < bodies.Count; start += chunkSize)
            {
                var count = Math.Min(chunkSize, bodies.Count - start);
                DbCommand command;
                if (count == chunkSize)
                {
                    // Full chunks reuse one prepared statement: building and parsing a 1,000-row INSERT is most of its cost.
                    full ??= CreateInsert(connection, transaction, queue, now, chunkSize);
                    command = full;
                }
                else
                {
                    command = CreateInsert(connection, transaction, queue, now, count);
                }

                for (var i = 0; i < count; i++)
                {
                    command.Parameters[i + 2].Value = bodies[start + i] ?? throw new ArgumentException("A message body is null.", nameof(bodies));
                }

                await command.ExecuteNonQueryAsync(cancellationToken);
                if (!ReferenceEquals(command, full))
                {
                    await command.DisposeAsync();
                }
            }

            await transaction.CommitAsync(cancellationToken);
        }
        finally
        {
            if (full is not null)
            {
                await full.DisposeAsync();
            }
        }

        signals.Notify(queue);
        LogSent(logger, bodies.Count, queue);
    }

    public async Task<IReadOnlyList<ReceivedMessage>> ReceiveAsync(
        string queue, int maxMessages, TimeSpan visibilityTimeout, TimeSpan wait, CancellationToken cancellationToken)
    {
        QueueNameRules.EnsureValid(queue);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessages, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(visibilityTimeout, TimeSpan.Zero);
        var deadline = time.GetUtcNow() + (wait < TimeSpan.Zero ? TimeSpan.Zero : wait);
        while (true)
        {
            // Taken before looking, so a send between the look and the wait still wakes us.
            var signal = signals.Current(queue);
            var claimed = await ClaimAsync(queue, maxMessages, visibilityTimeout, cancellationToken);
            if (claimed.Count > 0)
            {
                return claimed;
            }

            var remaining = deadline - time.GetUtcNow();
            if (remaining <= TimeSpan.Zero)
            {
                return [];
            }

            var pause = remaining < databaseOptions.Value.PollInterval ? remaining : databaseOptions.Value.PollInterval;
            using var stopDelay = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var delay = Task.Delay(pause, time, stopDelay.Token);
            await Task.WhenAny(signal, delay);
            await stopDelay.CancelAsync();
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    public async Task DeleteBatchAsync(string queue, IReadOnlyList<ReceivedMessage> messages, CancellationToken cancellationToken)
    {
        QueueNameRules.EnsureValid(queue);
        if (messages.Count == 0)
        {
            return;
        }

        const int chunk = 500;
        await using var connection = await OpenAsync(cancellationToken);
        for (var start = 0; start < messages.Count; start += chunk)
        {
            var count = Math.Min(chunk, messages.Count - start);
            await using var command = connection.CreateCommand();
            // An OR of primary-key lookups: both planners turn it into one index probe per message.
            var sql = new StringBuilder("DELETE FROM queue_messages WHERE queue = @q AND (");
            Add(command, "@q", queue);
            for (var i = 0; i < count; i++)
            {
                var message = messages[start + i];
                sql.Append(i == 0 ? "" : " OR ").Append(CultureInfo.InvariantCulture, $"(id = @i{i} AND receipt_handle = @r{i})");
                Add(command, $"@i{i}", ParseId(message.Id) ?? -1L);
                Add(command, $"@r{i}", message.ReceiptHandle);
            }

            command.CommandText = sql.Append(')').ToString();
            var deleted = await command.ExecuteNonQueryAsync(cancellationToken);
            if (deleted < count)
            {
                // Expected when a visibility timeout ran out and someone else holds the message now: their receipt wins.
                LogStaleDeletes(logger, count - deleted, queue);
            }
        }
    }

    public async Task FailAsync(string queue, ReceivedMessage message, string error, CancellationToken cancellationToken)
    {
        QueueNameRules.EnsureValid(queue);
        var o = options.Value;
        var now = UtcNow();
        var retryAt = now + QueueBackoff.Delay(o, message.ReceiveCount, Random.Shared.NextDouble());
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        // The database's receive count decides, not the caller's copy; the receipt check makes a stale Fail a no-op
        // and clearing it makes a repeated Fail one too.
        command.CommandText = """
            UPDATE queue_messages SET
                last_error = @e,
                receipt_handle = NULL,
                dead_lettered_at = CASE WHEN receive_count >= @max THEN @now ELSE NULL END,
                visible_at = CASE WHEN receive_count >= @max THEN visible_at ELSE @retry END
            WHERE id = @id AND queue = @q AND receipt_handle = @r
            RETURNING dead_lettered_at
            """;
        Add(command, "@e", error);
        Add(command, "@max", o.MaxReceives);
        Add(command, "@now", now);
        Add(command, "@retry", retryAt);
        Add(command, "@id", ParseId(message.Id) ?? -1L);
        Add(command, "@q", queue);
        Add(command, "@r", message.ReceiptHandle);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            LogStaleDeletes(logger, 1, queue);
            return;
        }

        if (!await reader.IsDBNullAsync(0, cancellationToken))
        {
            LogDeadLettered(logger, message.Id, queue, message.ReceiveCount);
        }
    }

    public async Task<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(string queue, int limit, CancellationToken cancellationToken)
    {
        QueueNameRules.EnsureValid(queue);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT id, body, receive_count, last_error, enqueued_at, dead_lettered_at FROM queue_messages
            WHERE queue = @q AND dead_lettered_at IS NOT NULL
            ORDER BY dead_lettered_at, id
            LIMIT @n
            """;
        Add(command, "@q", queue);
        Add(command, "@n", limit);
        var result = new List<DeadLetter>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            result.Add(new DeadLetter(
                reader.GetInt64(0).ToString(CultureInfo.InvariantCulture),
                reader.GetString(1),
                reader.GetInt32(2),
                await reader.IsDBNullAsync(3, cancellationToken) ? null : reader.GetString(3),
                Utc(reader.GetDateTime(4)),
                Utc(reader.GetDateTime(5))));
        }

        return result;
    }

    public async Task<int> RedriveAsync(string queue, IReadOnlyList<string>? ids, CancellationToken cancellationToken)
    {
        QueueNameRules.EnsureValid(queue);
        var numericIds = ids?.Select(ParseId).OfType<long>().Distinct().ToList();
        if (numericIds is { Count: 0 })
        {
            return 0;
        }

        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var sql = new StringBuilder("""
            UPDATE queue_messages SET dead_lettered_at = NULL, receive_count = 0, visible_at = @now, receipt_handle = NULL
            WHERE queue = @q AND dead_lettered_at IS NOT NULL
            """);
        Add(command, "@now", UtcNow());
        Add(command, "@q", queue);
        if (numericIds is not null)
        {
            sql.Append(" AND id IN (");
            for (var i = 0; i < numericIds.Count; i++)
            {
                sql.Append(i == 0 ? "" : ", ").Append(CultureInfo.InvariantCulture, $"@i{i}");
                Add(command, $"@i{i}", numericIds[i]);
            }

            sql.Append(')');
        }

        command.CommandText = sql.ToString();
        var moved = await command.ExecuteNonQueryAsync(cancellationToken);
        if (moved > 0)
        {
            signals.Notify(queue);
        }

        return moved;
    }

    public async Task<QueueStats> GetStatsAsync(string queue, CancellationToken cancellationToken)
    {
        QueueNameRules.EnsureValid(queue);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        // Separate counts, each answered by one of the two partial indexes (claim, dead letters) without a table scan.
        command.CommandText = """
            SELECT
                (SELECT COUNT(*) FROM queue_messages WHERE queue = @q AND dead_lettered_at IS NULL AND visible_at <= @now),
                (SELECT COUNT(*) FROM queue_messages WHERE queue = @q AND dead_lettered_at IS NULL AND visible_at > @now),
                (SELECT COUNT(*) FROM queue_messages WHERE queue = @q AND dead_lettered_at IS NOT NULL),
                (SELECT MIN(enqueued_at) FROM queue_messages WHERE queue = @q AND dead_lettered_at IS NULL AND visible_at <= @now)
            """;
        Add(command, "@now", UtcNow());
        Add(command, "@q", queue);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new QueueStats(
            Convert.ToInt64(reader.GetValue(0), CultureInfo.InvariantCulture),
            Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture),
            Convert.ToInt64(reader.GetValue(2), CultureInfo.InvariantCulture),
            await reader.IsDBNullAsync(3, cancellationToken) ? null : Utc(reader.GetDateTime(3)));
    }

    private async Task<IReadOnlyList<ReceivedMessage>> ClaimAsync(string queue, int maxMessages, TimeSpan visibilityTimeout, CancellationToken cancellationToken)
    {
        var now = UtcNow();
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        // ORDER BY visible_at, id walks the claim index (queue, visible_at, id WHERE dead_lettered_at IS NULL) in order:
        // no sort, and a backlog of in-flight messages is never scanned.
        command.CommandText = _postgres
            ? $"""
               UPDATE queue_messages SET
                   receipt_handle = replace(gen_random_uuid()::text, '-', ''),
                   visible_at = @until,
                   receive_count = receive_count + 1
               WHERE id IN (
                   SELECT id FROM queue_messages
                   WHERE queue = @q AND dead_lettered_at IS NULL AND visible_at <= @now
                   ORDER BY visible_at, id
                   LIMIT @n
                   FOR UPDATE SKIP LOCKED)
               RETURNING {Columns}
               """
            : $"""
               UPDATE queue_messages SET
                   receipt_handle = lower(hex(randomblob(16))),
                   visible_at = @until,
                   receive_count = receive_count + 1
               WHERE id IN (
                   SELECT id FROM queue_messages
                   WHERE queue = @q AND dead_lettered_at IS NULL AND visible_at <= @now
                   ORDER BY visible_at, id
                   LIMIT @n)
               RETURNING {Columns}
               """;
        Add(command, "@until", now + visibilityTimeout);
        Add(command, "@q", queue);
        Add(command, "@now", now);
        Add(command, "@n", maxMessages);
        var result = new List<(long Id, ReceivedMessage Message)>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var id = reader.GetInt64(0);
                result.Add((id, new ReceivedMessage(
                    id.ToString(CultureInfo.InvariantCulture), reader.GetString(1), reader.GetString(2), reader.GetInt32(3), Utc(reader.GetDateTime(4)))));
            }
        }

        // RETURNING gives no order guarantee; consumers see queue order.
        return result.OrderBy(r => r.Id).Select(r => r.Message).ToList();
    }

    private DbCommand CreateInsert(DbConnection connection, DbTransaction transaction, string queue, DateTime now, int rows)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        var sql = new StringBuilder("INSERT INTO queue_messages (queue, body, enqueued_at, visible_at, receive_count) VALUES ", 40 + rows * 24);
        Add(command, "@q", queue);
        Add(command, "@t", now);
        for (var i = 0; i < rows; i++)
        {
            sql.Append(i == 0 ? "" : ", ").Append(CultureInfo.InvariantCulture, $"(@q, @b{i}, @t, @t, 0)");
            Add(command, $"@b{i}", string.Empty);
        }

        command.CommandText = sql.ToString();
        return command;
    }

    private async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        DbConnection connection = _postgres ? new NpgsqlConnection(database.ConnectionString) : new SqliteConnection(database.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await SqliteConnectionSettings.ApplyAsync(connection, cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Truncated to microseconds: PostgreSQL keeps no more, and both providers must compare alike.</summary>
    private DateTime UtcNow()
    {
        var now = time.GetUtcNow().UtcDateTime;
        return new DateTime(now.Ticks - now.Ticks % 10, DateTimeKind.Utc);
    }

    private static DateTime Utc(DateTime value) => value.Kind == DateTimeKind.Utc ? value : DateTime.SpecifyKind(value, DateTimeKind.Utc);

    private static long? ParseId(string id) => long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Enqueued {Count} messages on {Queue}")]
    private static partial void LogSent(ILogger logger, int count, string queue);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Count} messages on {Queue} were not changed: their receipt handle is stale (received again by another consumer, or already handled)")]
    private static partial void LogStaleDeletes(ILogger logger, int count, string queue);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message {MessageId} on {Queue} dead-lettered after {ReceiveCount} receives")]
    private static partial void LogDeadLettered(ILogger logger, string messageId, string queue, int receiveCount);
}
