namespace GitMesh.Domain;

/// <summary>
/// Every tenant-owned row carries its workspace id. The data layer applies a query filter on this interface,
/// so a request scoped to workspace A cannot read rows of workspace B even if a handler forgets a predicate.
/// </summary>
public interface IWorkspaceOwned
{
    Guid WorkspaceId { get; }
}
