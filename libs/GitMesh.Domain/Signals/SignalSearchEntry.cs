namespace GitMesh.Domain.Signals;

/// <summary>
/// A live signal's row in the PostgreSQL full-text index (table signal_search; its tsvector is a provider-specific
/// shadow property). Written only by the search adapter from the signals table; SQLite uses an FTS5 table instead.
/// </summary>
public sealed class SignalSearchEntry : IWorkspaceOwned
{
    public Guid SignalId { get; set; }
    public Guid WorkspaceId { get; set; }
}
