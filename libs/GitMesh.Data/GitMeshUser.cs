using Microsoft.AspNetCore.Identity;

namespace GitMesh.Data;

/// <summary>An account. Identity handles password hashing and lockout; workspace roles live in memberships.</summary>
public sealed class GitMeshUser : IdentityUser<Guid>
{
    public string? DisplayName { get; set; }
    public DateTime CreatedAt { get; set; }
}
