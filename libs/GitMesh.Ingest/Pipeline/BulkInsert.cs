using System.Data.Common;
using System.Globalization;
using System.Text;
using GitMesh.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;

namespace GitMesh.Ingest.Pipeline;

/// <summary>
/// Multi-row INSERTs of new entities in the caller's transaction, without change tracking. Columns, value
/// conversions and parameter types come from the EF model (the same mapping SaveChanges would use: Guids as upper-case
/// TEXT on SQLite, enums as strings, UTC timestamps), so a column added to the model is never silently skipped.
/// Store-generated keys (identity columns) are left to the database. Full chunks reuse one prepared statement;
/// on PostgreSQL the rows go in with one binary COPY instead.
/// </summary>
internal static class BulkInsert
{
    /// <summary>
    /// SQLite (through Microsoft.Data.Sqlite, which binds every parameter by name) resolves each name with a linear
    /// scan of the statement's parameter list, so binding costs grow with the square of their number: at 1,000 per
    /// statement the name look-ups (strncmp) were about a tenth of all ingest CPU. A prepared statement of ~250 is
    /// re-executed instead. PostgreSQL has no such cost: fewer, larger statements save round trips.
    /// </summary>
    internal static int MaxParametersPerStatement(GitMeshDbContext db) => db.Database.IsSqlite() ? 250 : 8_000;

    private const int MaxRowsPerStatement = 500;

    public static async Task InsertAsync<T>(GitMeshDbContext db, IReadOnlyList<T> rows, CancellationToken cancellationToken)
        where T : class
    {
        if (rows.Count == 0)
        {
            return;
        }

        var entityType = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not in the model.");
        var table = StoreObjectIdentifier.Table(entityType.GetTableName()!, entityType.GetSchema());
        var columns = entityType.GetProperties()
            .Where(p => !(p.ValueGenerated == ValueGenerated.OnAdd && p.IsPrimaryKey() && p.ClrType == typeof(long)))
            .Select(p => (Property: p, Column: p.GetColumnName(table)!, Mapping: p.GetRelationalTypeMapping(), Getter: p.GetGetter()))
            .ToArray();
        var perStatement = Math.Clamp(MaxParametersPerStatement(db) / columns.Length, 1, MaxRowsPerStatement);
        var connection = db.Database.GetDbConnection();
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("BulkInsert runs inside the caller's transaction.");
        if (connection is NpgsqlConnection npgsql)
        {
            await CopyAsync(npgsql, table.Name, columns.Select(c => (c.Column, c.Mapping, c.Getter)).ToArray(), rows, cancellationToken);
            return;
        }

        var header = $"INSERT INTO {Quote(table.Name)} ({string.Join(", ", columns.Select(c => Quote(c.Column)))}) VALUES ";
        DbCommand? full = null;
        try
        {
            for (var start = 0; start < rows.Count; start += perStatement)
            {
                var count = Math.Min(perStatement, rows.Count - start);
                var cmd = count == perStatement ? full ??= Create(connection, transaction, header, columns.Length, count) : Create(connection, transaction, header, columns.Length, count);
                cmd.Parameters.Clear();
                for (var r = 0; r < count; r++)
                {
                    var row = rows[start + r];
                    for (var c = 0; c < columns.Length; c++)
                    {
                        var (property, _, mapping, getter) = columns[c];
                        cmd.Parameters.Add(mapping.CreateParameter(cmd, ParameterName(r, c), getter.GetClrValueUsingContainingEntity(row), property.IsNullable));
                    }
                }

                await cmd.ExecuteNonQueryAsync(cancellationToken);
                if (!ReferenceEquals(cmd, full))
                {
                    await cmd.DisposeAsync();
                }
            }
        }
        finally
        {
            if (full is not null)
            {
                await full.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// PostgreSQL: one binary COPY per call, in the caller's transaction (COPY fires the statement triggers an INSERT
    /// would, such as the outbox commit-order lock). Values go through the model's converters (enums as strings) and
    /// are sent as the column's store type.
    /// </summary>
    private static async Task CopyAsync<T>(
        NpgsqlConnection connection,
        string table,
        (string Column, RelationalTypeMapping Mapping, IClrPropertyGetter Getter)[] columns,
        IReadOnlyList<T> rows,
        CancellationToken cancellationToken)
        where T : class
    {
        var types = columns.Select(c => CopyType(c.Mapping.StoreType)).ToArray();
        await using var importer = await connection.BeginBinaryImportAsync(
            $"COPY {Quote(table)} ({string.Join(", ", columns.Select(c => Quote(c.Column)))}) FROM STDIN (FORMAT BINARY)", cancellationToken);
        foreach (var row in rows)
        {
            await importer.StartRowAsync(cancellationToken);
            for (var c = 0; c < columns.Length; c++)
            {
                var value = columns[c].Getter.GetClrValueUsingContainingEntity(row);
                if (value is not null && columns[c].Mapping.Converter is { } converter)
                {
                    value = converter.ConvertToProvider(value);
                }

                if (value is null)
                {
                    await importer.WriteNullAsync(cancellationToken);
                }
                else
                {
                    await importer.WriteAsync(value, types[c], cancellationToken);
                }
            }
        }

        await importer.CompleteAsync(cancellationToken);
    }

    /// <summary>
    /// The wire type of a column, resolved once per call rather than by name for every value. Length facets do not
    /// change the binary format ("character varying(40)" is sent as varchar).
    /// </summary>
    private static NpgsqlDbType CopyType(string storeType)
    {
        var name = storeType.IndexOf('(', StringComparison.Ordinal) is var open and > 0 ? storeType[..open].TrimEnd() : storeType;
        return name switch
        {
            "uuid" => NpgsqlDbType.Uuid,
            "text" => NpgsqlDbType.Text,
            "character varying" => NpgsqlDbType.Varchar,
            "timestamp with time zone" => NpgsqlDbType.TimestampTz,
            "boolean" => NpgsqlDbType.Boolean,
            "smallint" => NpgsqlDbType.Smallint,
            "integer" => NpgsqlDbType.Integer,
            "bigint" => NpgsqlDbType.Bigint,
            "real" => NpgsqlDbType.Real,
            "double precision" => NpgsqlDbType.Double,
            "numeric" => NpgsqlDbType.Numeric,
            "jsonb" => NpgsqlDbType.Jsonb,
            "bytea" => NpgsqlDbType.Bytea,
            _ => throw new NotSupportedException($"BulkInsert has no COPY mapping for store type '{storeType}'; add it here."),
        };
    }

    private static DbCommand Create(DbConnection connection, DbTransaction transaction, string header, int columns, int rows)
    {
        var cmd = connection.CreateCommand();
        cmd.Transaction = transaction;
        var sql = new StringBuilder(header, header.Length + (rows * columns * 8));
        for (var r = 0; r < rows; r++)
        {
            sql.Append(r == 0 ? "(" : ",(");
            for (var c = 0; c < columns; c++)
            {
                sql.Append(c == 0 ? "" : ",").Append(ParameterName(r, c));
            }

            sql.Append(')');
        }

        cmd.CommandText = sql.ToString();
        return cmd;
    }

    private static string ParameterName(int row, int column) => string.Create(CultureInfo.InvariantCulture, $"@p{row}_{column}");

    private static string Quote(string identifier) => $"\"{identifier.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
}
