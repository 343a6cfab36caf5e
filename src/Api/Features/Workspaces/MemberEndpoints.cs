using GitMesh.Api.Http;
using GitMesh.Data;
using GitMesh.Domain.Workspaces;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace GitMesh.Api.Features.Workspaces;

public sealed record MemberResponse(Guid UserId, string Email, string? DisplayName, string Role, DateTime JoinedAt);

/// <param name="Password">Only when the email has no account yet: the account is created with it.</param>
public sealed record AddMemberRequest(string? Email, string? Role, string? Password, string? DisplayName);

public sealed record UpdateMemberRequest(string? Role);

public static class MemberEndpoints
{
    public static IEndpointRouteBuilder MapMemberEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/workspaces/{workspaceId:guid}/members").WithTags("Members").RequireWorkspaceAccess();
        group.MapGet("/", ListAsync).WithSummary("Members and their roles.");
        group.MapPost("/", AddAsync).WithSummary("Add a member (creating the account when a password is given).").WithMinimumRole(WorkspaceRole.Admin);
        group.MapPatch("/{userId:guid}", UpdateAsync).WithSummary("Change a member's role.").WithMinimumRole(WorkspaceRole.Admin);
        group.MapDelete("/{userId:guid}", RemoveAsync).WithSummary("Remove a member.").WithMinimumRole(WorkspaceRole.Admin);
        return app;
    }

    internal static bool TryParseRole(string? value, out WorkspaceRole role) =>
        Enum.TryParse(value, ignoreCase: true, out role) && Enum.IsDefined(role) && !int.TryParse(value, out _);

    private static async Task<Ok<IReadOnlyList<MemberResponse>>> ListAsync(GitMeshDbContext db, CancellationToken ct)
    {
        var rows = await (from m in db.Memberships
                          join u in db.Users on m.UserId equals u.Id
                          orderby u.Email
                          select new { m, u.Email, u.DisplayName }).ToListAsync(ct);
        return TypedResults.Ok<IReadOnlyList<MemberResponse>>(rows
            .Select(r => new MemberResponse(r.m.UserId, r.Email!, r.DisplayName, r.m.Role.ToString().ToLowerInvariant(), r.m.CreatedAt)).ToList());
    }

    private static async Task<Results<Created<MemberResponse>, ValidationProblem, ProblemHttpResult>> AddAsync(
        Guid workspaceId, AddMemberRequest request, HttpContext http, GitMeshDbContext db, UserManager<GitMeshUser> users, TimeProvider time, CancellationToken ct)
    {
        var access = http.Access();
        var validation = new Validation().Required("email", request.Email).Required("role", request.Role);
        if (!TryParseRole(request.Role, out var role))
        {
            validation.Add("role", "'role' must be one of viewer, member, admin, owner.");
        }
        else if (role > access.Role)
        {
            validation.Add("role", "You cannot grant a role higher than your own.");
        }

        if (!validation.IsValid)
        {
            return validation.ToProblem();
        }

        var user = await users.FindByEmailAsync(request.Email!.Trim());
        if (user is null)
        {
            if (string.IsNullOrEmpty(request.Password))
            {
                validation.Add("password", "No account has this email; give a password to create it.");
                return validation.ToProblem();
            }

            user = new GitMeshUser { UserName = request.Email.Trim(), Email = request.Email.Trim(), DisplayName = request.DisplayName, CreatedAt = time.GetUtcNow().UtcDateTime };
            var created = await users.CreateAsync(user, request.Password);
            if (!created.Succeeded)
            {
                foreach (var error in created.Errors)
                {
                    validation.Add(error.Code.Contains("Password", StringComparison.Ordinal) ? "password" : "email", error.Description);
                }

                return validation.ToProblem();
            }
        }

        if (await db.Memberships.AnyAsync(m => m.UserId == user.Id, ct))
        {
            return TypedResults.Problem("This user is already a member.", statusCode: StatusCodes.Status409Conflict, title: "Conflict");
        }

        var now = time.GetUtcNow().UtcDateTime;
        var membership = new Membership { WorkspaceId = workspaceId, UserId = user.Id, Role = role, CreatedAt = now };
        db.Memberships.Add(membership);
        AuditTrail.Record(db, workspaceId, access.Caller, now, "member.added", "member", user.Id.ToString(), null, new { user.Email, Role = role.ToString() });
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/workspaces/{workspaceId}/members/{user.Id}",
            new MemberResponse(user.Id, user.Email!, user.DisplayName, role.ToString().ToLowerInvariant(), now));
    }

    private static async Task<Results<Ok<MemberResponse>, NotFound, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        Guid workspaceId, Guid userId, UpdateMemberRequest request, HttpContext http, GitMeshDbContext db, TimeProvider time, CancellationToken ct)
    {
        var access = http.Access();
        if (!TryParseRole(request.Role, out var role))
        {
            return new Validation().Check(false, "role", "'role' must be one of viewer, member, admin, owner.").ToProblem();
        }

        var membership = await db.Memberships.FirstOrDefaultAsync(m => m.UserId == userId, ct);
        if (membership is null)
        {
            return TypedResults.NotFound();
        }

        if (role > access.Role || membership.Role > access.Role)
        {
            return TypedResults.Problem("You cannot change a role above your own.", statusCode: StatusCodes.Status403Forbidden, title: "Forbidden");
        }

        if (membership.Role == WorkspaceRole.Owner && role != WorkspaceRole.Owner && await IsLastOwnerAsync(db, ct))
        {
            return TypedResults.Problem("A workspace keeps at least one owner.", statusCode: StatusCodes.Status409Conflict, title: "Conflict");
        }

        var now = time.GetUtcNow().UtcDateTime;
        AuditTrail.Record(db, workspaceId, access.Caller, now, "member.role_changed", "member", userId.ToString(), new { Role = membership.Role.ToString() }, new { Role = role.ToString() });
        membership.Role = role;
        await db.SaveChangesAsync(ct);
        var user = await db.Users.FirstAsync(u => u.Id == userId, ct);
        return TypedResults.Ok(new MemberResponse(userId, user.Email!, user.DisplayName, role.ToString().ToLowerInvariant(), membership.CreatedAt));
    }

    private static async Task<Results<NoContent, NotFound, ProblemHttpResult>> RemoveAsync(
        Guid workspaceId, Guid userId, HttpContext http, GitMeshDbContext db, TimeProvider time, CancellationToken ct)
    {
        var access = http.Access();
        var membership = await db.Memberships.FirstOrDefaultAsync(m => m.UserId == userId, ct);
        if (membership is null)
        {
            return TypedResults.NotFound();
        }

        if (membership.Role > access.Role)
        {
            return TypedResults.Problem("You cannot remove a member above your own role.", statusCode: StatusCodes.Status403Forbidden, title: "Forbidden");
        }

        if (membership.Role == WorkspaceRole.Owner && await IsLastOwnerAsync(db, ct))
        {
            return TypedResults.Problem("A workspace keeps at least one owner.", statusCode: StatusCodes.Status409Conflict, title: "Conflict");
        }

        db.Memberships.Remove(membership);
        AuditTrail.Record(db, workspaceId, access.Caller, time.GetUtcNow().UtcDateTime, "member.removed", "member", userId.ToString(), new { Role = membership.Role.ToString() }, null);
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    private static async Task<bool> IsLastOwnerAsync(GitMeshDbContext db, CancellationToken ct) =>
        await db.Memberships.CountAsync(m => m.Role == WorkspaceRole.Owner, ct) <= 1;
}
