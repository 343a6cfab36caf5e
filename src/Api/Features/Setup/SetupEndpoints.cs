using GitMesh.Api.Features.Workspaces;
using GitMesh.Api.Http;
using GitMesh.Data;
using GitMesh.Domain.Workspaces;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace GitMesh.Api.Features.Setup;

public sealed record SetupRequest(string? Email, string? Password, string? Workspace);

public sealed record SetupResponse(Guid UserId, Guid WorkspaceId, string WorkspaceSlug);

public sealed record SetupStatus(bool SetupRequired);

public static class SetupEndpoints
{
    internal const string CompletedKey = "setup.completed";

    public static IEndpointRouteBuilder MapSetupEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/setup").WithTags("Setup").AllowAnonymous();
        group.MapGet("/", GetStatusAsync).WithSummary("Whether first-run setup is still needed.");
        group.MapPost("/", SetupAsync).WithSummary("First run only: create the first admin and workspace (201); 409 once done.");
        return app;
    }

    private static async Task<Ok<SetupStatus>> GetStatusAsync(GitMeshDbContext db, CancellationToken ct) =>
        TypedResults.Ok(new SetupStatus(!await db.SystemSettings.AnyAsync(s => s.Key == CompletedKey, ct)));

    private static async Task<Results<Created<SetupResponse>, ValidationProblem, ProblemHttpResult>> SetupAsync(
        SetupRequest request, GitMeshDbContext db, UserManager<GitMeshUser> users, TimeProvider time, CancellationToken ct)
    {
        if (await db.SystemSettings.AnyAsync(s => s.Key == CompletedKey, ct))
        {
            return AlreadyDone();
        }

        var validation = new Validation()
            .Required("email", request.Email)
            .Required("password", request.Password)
            .Required("workspace", request.Workspace)
            .MaxLength("workspace", request.Workspace, 200)
            .MaxLength("email", request.Email, 256);
        if (!validation.IsValid)
        {
            return validation.ToProblem();
        }

        var now = time.GetUtcNow().UtcDateTime;
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        // The marker row goes first: of two racing setups, the second fails on its primary key and gets 409.
        db.SystemSettings.Add(new SystemSetting { Key = CompletedKey, Value = now.ToString("O"), UpdatedAt = now });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            return AlreadyDone();
        }

        var user = new GitMeshUser { UserName = request.Email!.Trim(), Email = request.Email.Trim(), CreatedAt = now };
        var created = await users.CreateAsync(user, request.Password!);
        if (!created.Succeeded)
        {
            await transaction.RollbackAsync(ct);
            foreach (var error in created.Errors)
            {
                validation.Add(error.Code.Contains("Password", StringComparison.Ordinal) ? "password" : "email", error.Description);
            }

            return validation.ToProblem();
        }

        var workspace = new Workspace { Name = request.Workspace!.Trim(), Slug = Slugs.From(request.Workspace), CreatedAt = now, UpdatedAt = now };
        db.Workspaces.Add(workspace);
        db.Memberships.Add(new Membership { WorkspaceId = workspace.Id, UserId = user.Id, Role = WorkspaceRole.Owner, CreatedAt = now });
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return TypedResults.Created($"/api/v1/workspaces/{workspace.Id}", new SetupResponse(user.Id, workspace.Id, workspace.Slug));
    }

    private static ProblemHttpResult AlreadyDone() =>
        TypedResults.Problem("GitMesh is already set up. Sign in, or ask an admin of your workspace to add you.",
            statusCode: StatusCodes.Status409Conflict, title: "Already set up");
}
