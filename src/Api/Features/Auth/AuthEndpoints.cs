using System.Security.Claims;
using GitMesh.Api.Http;
using GitMesh.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace GitMesh.Api.Features.Auth;

public sealed record CredentialsRequest(string? Email, string? Password);

public sealed record MeResponse(Guid UserId, string Email, string? DisplayName, IReadOnlyList<MyWorkspace> Workspaces);

public sealed record MyWorkspace(Guid Id, string Name, string Slug, string Role);

public static class AuthEndpoints
{
    public static IEndpointRouteBuilder MapAuthEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/auth").WithTags("Auth");
        group.MapPost("/token", IssueTokenAsync)
            .WithSummary("Exchange email and password for a bearer access token ({accessToken, expiresIn}).")
            .Produces<Microsoft.AspNetCore.Authentication.BearerToken.AccessTokenResponse>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .AllowAnonymous();
        group.MapPost("/login", LoginAsync).WithSummary("Start a browser session (HttpOnly cookie).").AllowAnonymous();
        group.MapPost("/logout", LogoutAsync).WithSummary("End the browser session.");
        app.MapGet("/api/v1/me", GetMeAsync).WithTags("Auth").WithSummary("The signed-in user and their workspaces.").RequireAuthorization();
        return app;
    }

    private static async Task<Results<SignInHttpResult, ValidationProblem, ProblemHttpResult>> IssueTokenAsync(
        CredentialsRequest request, UserManager<GitMeshUser> users)
    {
        var checkedUser = await CheckCredentialsAsync(request, users);
        if (checkedUser.Result is { } failure)
        {
            return failure switch
            {
                ValidationProblem v => v,
                _ => (ProblemHttpResult)failure,
            };
        }

        return TypedResults.SignIn(Principal(checkedUser.User!, AuthSchemes.Bearer), authenticationScheme: AuthSchemes.Bearer);
    }

    private static async Task<Results<Ok<MeResponse>, ValidationProblem, ProblemHttpResult>> LoginAsync(
        CredentialsRequest request, UserManager<GitMeshUser> users, GitMeshDbContext db, HttpContext http)
    {
        var checkedUser = await CheckCredentialsAsync(request, users);
        if (checkedUser.Result is { } failure)
        {
            return failure switch
            {
                ValidationProblem v => v,
                _ => (ProblemHttpResult)failure,
            };
        }

        await http.SignInAsync(AuthSchemes.Cookie, Principal(checkedUser.User!, AuthSchemes.Cookie));
        return TypedResults.Ok(await BuildMeAsync(checkedUser.User!, db, http.RequestAborted));
    }

    private static async Task<NoContent> LogoutAsync(HttpContext http, ClaimsPrincipal principal)
    {
        _ = principal;
        await http.SignOutAsync(AuthSchemes.Cookie);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<MeResponse>, ProblemHttpResult>> GetMeAsync(
        ClaimsPrincipal principal, UserManager<GitMeshUser> users, GitMeshDbContext db, CancellationToken ct)
    {
        var caller = Caller.From(principal);
        if (caller.UserId is not { } userId || await users.FindByIdAsync(userId.ToString()) is not { } user)
        {
            return TypedResults.Problem("Only users have a profile; API keys belong to a workspace.", statusCode: StatusCodes.Status403Forbidden);
        }

        return TypedResults.Ok(await BuildMeAsync(user, db, ct));
    }

    private static async Task<MeResponse> BuildMeAsync(GitMeshUser user, GitMeshDbContext db, CancellationToken ct)
    {
        var workspaces = await (from m in db.Memberships
                                join w in db.Workspaces on m.WorkspaceId equals w.Id
                                where m.UserId == user.Id
                                orderby w.Name
                                select new { w.Id, w.Name, w.Slug, m.Role })
            .ToListAsync(ct);
        return new MeResponse(user.Id, user.Email!, user.DisplayName,
            workspaces.Select(w => new MyWorkspace(w.Id, w.Name, w.Slug, w.Role.ToString().ToLowerInvariant())).ToList());
    }

    private static async Task<(GitMeshUser? User, IResult? Result)> CheckCredentialsAsync(CredentialsRequest request, UserManager<GitMeshUser> users)
    {
        var validation = new Validation().Required("email", request.Email).Required("password", request.Password);
        if (!validation.IsValid)
        {
            return (null, validation.ToProblem());
        }

        var user = await users.FindByEmailAsync(request.Email!);
        if (user is not null && await users.IsLockedOutAsync(user))
        {
            return (null, TypedResults.Problem("Too many failed sign-ins; the account is locked for a few minutes.", statusCode: StatusCodes.Status429TooManyRequests, title: "Locked out"));
        }

        if (user is null || !await users.CheckPasswordAsync(user, request.Password!))
        {
            if (user is not null)
            {
                await users.AccessFailedAsync(user);
            }

            // Same answer for unknown email and wrong password: no account enumeration.
            return (null, TypedResults.Problem("Email or password is incorrect.", statusCode: StatusCodes.Status401Unauthorized, title: "Sign-in failed"));
        }

        await users.ResetAccessFailedCountAsync(user);
        return (user, null);
    }

    private static ClaimsPrincipal Principal(GitMeshUser user, string scheme) =>
        new(new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, user.Id.ToString()),
                new Claim(ClaimTypes.Email, user.Email ?? string.Empty),
            ],
            scheme));
}
