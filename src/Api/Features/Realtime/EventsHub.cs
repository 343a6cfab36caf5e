using GitMesh.Api.Features.Auth;
using GitMesh.Data;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;

namespace GitMesh.Api.Features.Realtime;

/// <summary>
/// Real-time events at /hubs/events. The hub only authorizes and manages groups: a client joins the group of a
/// workspace it can access; the outbox relay pushes committed events to that group.
/// </summary>
[Authorize]
public sealed class EventsHub(GitMeshDbContext db) : Hub
{
    public static string GroupOf(Guid workspaceId) => $"ws:{workspaceId:N}";

    public async Task JoinWorkspace(Guid workspaceId)
    {
        var caller = Caller.From(Context.User!);
        var allowed = caller.ApiKeyWorkspaceId is { } keyWorkspace
            ? keyWorkspace == workspaceId
            : caller.UserId is { } userId && await db.Memberships.IgnoreQueryFilters().AnyAsync(m => m.WorkspaceId == workspaceId && m.UserId == userId);
        if (!allowed)
        {
            // Same answer for "no access" and "no such workspace".
            throw new HubException("Workspace not found.");
        }

        await Groups.AddToGroupAsync(Context.ConnectionId, GroupOf(workspaceId));
    }

    public Task LeaveWorkspace(Guid workspaceId) => Groups.RemoveFromGroupAsync(Context.ConnectionId, GroupOf(workspaceId));
}
