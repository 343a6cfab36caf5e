using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace GitMesh.Api.Http;

/// <summary>
/// The one place unexpected and protocol-level errors become RFC 7807 bodies. Binding failures (malformed JSON,
/// unknown fields, oversized bodies) keep their status and a message saying what was wrong; anything else is a
/// 500 whose details appear only in Development.
/// </summary>
internal sealed class ProblemExceptionHandler(IProblemDetailsService problems, IHostEnvironment environment, ILogger<ProblemExceptionHandler> logger)
    : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title, detail) = exception switch
        {
            BadHttpRequestException bad when bad.StatusCode == StatusCodes.Status413PayloadTooLarge =>
                (bad.StatusCode, "Request body too large", bad.Message),
            BadHttpRequestException bad => (bad.StatusCode, "Bad request", DescribeBadRequest(bad)),
            JsonException json => (StatusCodes.Status400BadRequest, "Malformed JSON", json.Message),
            OperationCanceledException when httpContext.RequestAborted.IsCancellationRequested =>
                (499, "Client closed request", null),
            _ => (StatusCodes.Status500InternalServerError, "Unexpected error",
                environment.IsDevelopment() ? exception.ToString() : "The server could not complete the request. It was logged; retrying may help."),
        };

        if (status >= 500)
        {
            logger.LogError(exception, "Unhandled error on {Method} {Path}", httpContext.Request.Method, httpContext.Request.Path);
        }

        httpContext.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        });
    }

    // Minimal APIs wrap the JSON reader's error; its message names the line and path, which is what a caller needs.
    private static string DescribeBadRequest(BadHttpRequestException bad) =>
        bad.InnerException is JsonException json ? $"{bad.Message} {json.Message}" : bad.Message;
}
