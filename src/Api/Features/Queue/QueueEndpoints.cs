using GitMesh.Api.Features.Auth;
using GitMesh.Api.Http;
using GitMesh.Data;
using GitMesh.Domain.Workspaces;
using GitMesh.Messaging;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace GitMesh.Api.Features.Queue;

public sealed record QueueStatsResponse(string Queue, long Visible, long InFlight, long DeadLettered, DateTime? OldestVisibleAt);

public sealed record DeadLetterResponse(string Id, string Body, int ReceiveCount, string? LastError, DateTime EnqueuedAt, DateTime DeadLetteredAt);

/// <param name="Ids">Dead letters to move back; omitted or null moves all of them.</param>
public sealed record RedriveRequest(IReadOnlyList<string>? Ids);

public sealed record RedriveResponse(int Moved);

/// <summary>
/// Queue administration. The queues serve the whole instance (every workspace's signals go through "ingest"), so no
/// workspace role fits exactly: the caller must be a signed-in user who is owner or admin of at least one workspace.
/// Workspace API keys are refused, since a key scoped to one tenant must not act on all of them.
/// </summary>
public static partial class QueueEndpoints
{
    public const int MaxIds = 1000;

    public static IEndpointRouteBuilder MapQueueEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/queues/{queue}").WithTags("Queues").RequireAuthorization().AddEndpointFilter(RequireQueueAdminAsync);
        group.MapGet("/stats", GetStatsAsync).WithSummary("Visible, in-flight and dead-lettered counts of a queue.");
        group.MapGet("/dead-letters", ListDeadLettersAsync).WithSummary("Dead letters of a queue, oldest first, with their last error.");
        group.MapPost("/dead-letters/redrive", RedriveAsync).WithSummary("Move dead letters (the given ids, or all) back onto the queue.");
        return app;
    }

    private static async ValueTask<object?> RequireQueueAdminAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var caller = Caller.From(http.User);
        if (caller.ApiKeyId is not null)
        {
            return TypedResults.Problem("Queue administration is instance-wide; workspace API keys cannot use it. Sign in as a workspace owner or admin.",
                statusCode: StatusCodes.Status403Forbidden, title: "Forbidden");
        }

        var db = http.RequestServices.GetRequiredService<GitMeshDbContext>();
        var isAdmin = caller.UserId is { } userId && await db.Memberships.IgnoreQueryFilters()
            .AnyAsync(m => m.UserId == userId && (m.Role == WorkspaceRole.Admin || m.Role == WorkspaceRole.Owner), http.RequestAborted);
        if (!isAdmin)
        {
            return TypedResults.Problem("Queue administration needs the owner or admin role in at least one workspace.",
                statusCode: StatusCodes.Status403Forbidden, title: "Forbidden");
        }

        return await next(context);
    }

    private static async Task<Results<Ok<QueueStatsResponse>, ValidationProblem>> GetStatsAsync(string queue, IMessageQueue queues, CancellationToken ct)
    {
        if (ValidateQueue(queue) is { } problem)
        {
            return problem;
        }

        var stats = await queues.GetStatsAsync(queue, ct);
        return TypedResults.Ok(new QueueStatsResponse(queue, stats.Visible, stats.InFlight, stats.DeadLettered, stats.OldestVisibleAt));
    }

    private static async Task<Results<Ok<IReadOnlyList<DeadLetterResponse>>, ValidationProblem>> ListDeadLettersAsync(
        string queue, int? limit, IMessageQueue queues, CancellationToken ct)
    {
        var validation = new Validation()
            .Check(QueueNameRules.IsValid(queue), "queue", QueueNameMessage)
            .Check(limit is null or (>= 1 and <= 500), "limit", "'limit' must be between 1 and 500.");
        if (!validation.IsValid)
        {
            return validation.ToProblem();
        }

        var dead = await queues.ListDeadLettersAsync(queue, limit ?? 50, ct);
        return TypedResults.Ok<IReadOnlyList<DeadLetterResponse>>(dead
            .Select(d => new DeadLetterResponse(d.Id, d.Body, d.ReceiveCount, d.LastError, d.EnqueuedAt, d.DeadLetteredAt)).ToList());
    }

    private static async Task<Results<Ok<RedriveResponse>, ValidationProblem>> RedriveAsync(
        string queue, RedriveRequest? request, HttpContext http, IMessageQueue queues, ILoggerFactory loggers, CancellationToken ct)
    {
        var ids = request?.Ids;
        var validation = new Validation()
            .Check(QueueNameRules.IsValid(queue), "queue", QueueNameMessage)
            .Check(ids is null || ids.Count <= MaxIds, "ids", $"At most {MaxIds} ids per request; omit 'ids' to redrive everything.")
            .Check(ids is null || ids.All(id => !string.IsNullOrWhiteSpace(id) && id.Length <= 200), "ids", "Every id must be a non-empty string of at most 200 characters.");
        if (!validation.IsValid)
        {
            return validation.ToProblem();
        }

        var moved = await queues.RedriveAsync(queue, ids, ct);
        LogRedrive(loggers.CreateLogger(typeof(QueueEndpoints)), Caller.From(http.User).UserId, moved, queue);
        return TypedResults.Ok(new RedriveResponse(moved));
    }

    private const string QueueNameMessage = "The queue name must be 1-60 letters, digits, '-' or '_'.";

    private static ValidationProblem? ValidateQueue(string queue)
    {
        var validation = new Validation().Check(QueueNameRules.IsValid(queue), "queue", QueueNameMessage);
        return validation.IsValid ? null : validation.ToProblem();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "User {UserId} redrove {Moved} dead letters on queue {Queue}")]
    private static partial void LogRedrive(ILogger logger, Guid? userId, int moved, string queue);
}
