using GitMesh.Connectors.GitHub.Webhooks;
using GitMesh.Connectors.Webhooks;
using GitMesh.Integrations;
using GitMesh.Integrations.Webhooks;
using Microsoft.Extensions.Options;

namespace GitMesh.Api.Features.Webhooks;

public sealed record WebhookAckResponse(string Status, string? Message, int Accepted);

public sealed record WebhookIngestResponse(int Accepted, IReadOnlyList<WebhookItemError> Rejected);

/// <summary>
/// Inbound webhooks: anonymous, authenticated by the HMAC signature of the raw body (constant-time comparison), with
/// the body read as bytes up to Integrations:WebhookMaxBodyBytes. A failed signature stores nothing.
/// </summary>
public static class WebhookEndpoints
{
    public static IEndpointRouteBuilder MapWebhookEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/webhooks").WithTags("Webhooks").AllowAnonymous();
        group.MapPost("/github", GitHubAsync)
            .WithSummary("GitHub webhook (X-Hub-Signature-256); ?integration={id}, or routed by repository to the integration whose secret verifies it.");
        group.MapPost("/ingest/{integrationId:guid}", IngestAsync)
            .WithSummary("Generic signed webhook (X-GitMesh-Signature: t=<unix>,v1=<hex>); body is one envelope or an array; X-GitMesh-Delivery deduplicates.");
        return app;
    }

    private static async Task<IResult> GitHubAsync(Guid? integration, HttpContext http, WebhookIntake intake, IOptions<IntegrationsOptions> options, CancellationToken ct)
    {
        var body = await ReadBodyAsync(http.Request, options.Value.WebhookMaxBodyBytes, ct);
        if (body is null)
        {
            return TooLarge(options.Value.WebhookMaxBodyBytes);
        }

        var headers = http.Request.Headers;
        var result = await intake.ReceiveGitHubAsync(integration, headers[GitHubWebhookVerifier.EventHeader], headers[GitHubWebhookVerifier.DeliveryHeader],
            headers[GitHubWebhookVerifier.SignatureHeader], body, ct);
        return result.Outcome switch
        {
            WebhookOutcome.Accepted => TypedResults.Accepted((string?)null, new WebhookAckResponse("accepted", null, result.Accepted)),
            _ => Common(result),
        };
    }

    private static async Task<IResult> IngestAsync(Guid integrationId, HttpContext http, WebhookIntake intake, IOptions<IntegrationsOptions> options, CancellationToken ct)
    {
        var body = await ReadBodyAsync(http.Request, options.Value.WebhookMaxBodyBytes, ct);
        if (body is null)
        {
            return TooLarge(options.Value.WebhookMaxBodyBytes);
        }

        var headers = http.Request.Headers;
        var result = await intake.ReceiveGenericAsync(integrationId, headers[WebhookSignature.HeaderName], headers[WebhookIntake.GenericDeliveryHeader], body, ct);
        return result.Outcome switch
        {
            WebhookOutcome.Accepted => TypedResults.Accepted((string?)null, new WebhookIngestResponse(result.Accepted, result.Rejected ?? [])),
            _ => Common(result),
        };
    }

    private static IResult Common(WebhookResult result) => result.Outcome switch
    {
        WebhookOutcome.Duplicate => TypedResults.Ok(new WebhookAckResponse("already processed", result.Message, 0)),
        WebhookOutcome.Ignored => TypedResults.Ok(new WebhookAckResponse("ignored", result.Message, 0)),
        WebhookOutcome.Unauthorized => TypedResults.Problem(result.Message, statusCode: StatusCodes.Status401Unauthorized, title: "Invalid signature"),
        _ => TypedResults.Problem(result.Message, statusCode: StatusCodes.Status400BadRequest, title: "Malformed delivery"),
    };

    private static IResult TooLarge(long limit) =>
        TypedResults.Problem($"Webhook bodies are limited to {limit} bytes (Integrations:WebhookMaxBodyBytes).",
            statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request body too large");

    /// <summary>The raw bytes exactly as sent (signatures cover them), or null when over the limit.</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, long limit, CancellationToken ct)
    {
        if (request.ContentLength > limit)
        {
            return null;
        }

        using var buffer = new MemoryStream(request.ContentLength is { } n ? (int)Math.Min(n, limit) : 4096);
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
