using GitMesh.Data;
using Microsoft.EntityFrameworkCore;

namespace GitMesh.Search;

/// <summary>What both adapters index of a signal, so the providers agree on what is searchable.</summary>
internal static class SearchDocument
{
    /// <summary>
    /// Body characters indexed. PostgreSQL refuses tsvectors over 1 MB, and with an expression index that refusal would
    /// fail the signal's INSERT itself; a pasted log file is not worth indexing past this point on either provider.
    /// </summary>
    public const int MaxBodyLength = 100_000;

    /// <summary><see cref="MaxBodyLength"/> for SQL text; const interpolation cannot format an int.</summary>
    public const string MaxBodyLengthSql = "100000";

    /// <summary>An empty id query, still composable, for queries with nothing searchable left.</summary>
    public static IQueryable<Guid> NoMatches(GitMeshDbContext db) =>
        db.Database.SqlQueryRaw<Guid>("SELECT id AS \"Value\" FROM signals WHERE 1 = 0");
}
