namespace GitMesh.Data;

/// <summary>
/// The workspace the current unit of work acts for. Set by the API once the caller's membership is checked;
/// left empty by system components (workers, scheduler) that deliberately act across workspaces.
/// </summary>
public sealed class WorkspaceScope
{
    public Guid? WorkspaceId { get; private set; }

    public void Enter(Guid workspaceId)
    {
        if (WorkspaceId is { } current && current != workspaceId)
        {
            throw new InvalidOperationException("A unit of work cannot switch workspaces.");
        }

        WorkspaceId = workspaceId;
    }
}
