using System.Text.Json;
using GitMesh.Api.Features.Workspaces;
using GitMesh.Connectors;
using GitMesh.Domain.Signals;
using GitMesh.Domain.Workspaces;
using GitMesh.Ingest;
using GitMesh.Ingest.Pipeline;
using GitMesh.Messaging;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace GitMesh.Api.Features.Signals;

public sealed record IngestRejection(int Index, string Error);

public sealed record IngestResponse(int Accepted, IReadOnlyList<IngestRejection> Rejected);

public sealed record IngestStatsResponse(
    long QueueVisible,
    long QueueInFlight,
    long DeadLettered,
    double LagSeconds,
    long Processed,
    long Created,
    long Updated,
    long Unchanged,
    long Failed,
    double LastBatchLatencyMs,
    DateTime? LastBatchAt);

public static class IngestEndpoints
{
    // Strict per item: an unknown or mistyped field rejects that item with a reason, not the whole request.
    private static readonly JsonSerializerOptions ItemJson = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
    };

    public static IEndpointRouteBuilder MapIngestEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/workspaces/{workspaceId:guid}/signals").WithTags("Ingest").RequireWorkspaceAccess();
        group.MapPost("/ingest", IngestAsync)
            .WithSummary("Queue a JSON array of signal envelopes; each item is validated on its own (202 with accepted and rejected).")
            .WithMinimumRole(WorkspaceRole.Member);
        app.MapGet("/api/v1/ingest/stats", GetStatsAsync).WithTags("Ingest").RequireAuthorization()
            .WithSummary("Ingest queue depth, dead letters, lag and this process's processed/failed counts.");
        return app;
    }

    private static async Task<Results<Accepted<IngestResponse>, ProblemHttpResult>> IngestAsync(
        Guid workspaceId, JsonElement body, ISignalSink sink, IOptions<IngestOptions> options, CancellationToken ct)
    {
        if (body.ValueKind != JsonValueKind.Array)
        {
            return TypedResults.Problem("The body must be a JSON array of signal envelopes.", statusCode: StatusCodes.Status400BadRequest, title: "Bad request");
        }

        var count = body.GetArrayLength();
        if (count > options.Value.MaxItemsPerRequest)
        {
            return TypedResults.Problem($"{count} items in one request; the limit is {options.Value.MaxItemsPerRequest} (Ingest:MaxItemsPerRequest). Split the array.",
                statusCode: StatusCodes.Status413PayloadTooLarge, title: "Too many items");
        }

        var accepted = new List<SignalEnvelope>(count);
        var rejected = new List<IngestRejection>();
        var index = 0;
        foreach (var item in body.EnumerateArray())
        {
            var error = TryRead(item, options.Value, out var envelope);
            if (error is null)
            {
                accepted.Add(envelope!);
            }
            else
            {
                rejected.Add(new IngestRejection(index, error));
            }

            index++;
        }

        await sink.EnqueueAsync(workspaceId, null, accepted, ct);
        return TypedResults.Accepted((string?)null, new IngestResponse(accepted.Count, rejected));
    }

    private static string? TryRead(JsonElement item, IngestOptions options, out SignalEnvelope? envelope)
    {
        envelope = null;
        if (item.ValueKind != JsonValueKind.Object)
        {
            return "Each item must be a JSON object.";
        }

        try
        {
            envelope = item.Deserialize<SignalEnvelope>(ItemJson);
        }
        catch (JsonException ex)
        {
            return $"Invalid item: {ex.Message}";
        }

        return envelope is null ? "Empty item." : EnvelopeValidator.Validate(envelope, options);
    }

    private static async Task<Ok<IngestStatsResponse>> GetStatsAsync(IMessageQueue queue, IngestMetrics metrics, TimeProvider time, CancellationToken ct)
    {
        var stats = await queue.GetStatsAsync(QueueNames.Ingest, ct);
        var lag = stats.OldestVisibleAt is { } oldest ? (time.GetUtcNow().UtcDateTime - oldest).TotalSeconds : 0;
        return TypedResults.Ok(new IngestStatsResponse(stats.Visible, stats.InFlight, stats.DeadLettered, Math.Max(0, lag),
            metrics.Processed, metrics.Created, metrics.Updated, metrics.Unchanged, metrics.Failed, metrics.LastLatency.TotalMilliseconds, metrics.LastBatchAt));
    }
}
