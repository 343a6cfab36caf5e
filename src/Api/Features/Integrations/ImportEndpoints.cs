using GitMesh.Api.Features.Workspaces;
using GitMesh.Connectors.Import;
using GitMesh.Domain.Workspaces;
using GitMesh.Integrations.Imports;
using Microsoft.AspNetCore.Http.HttpResults;

namespace GitMesh.Api.Features.Integrations;

public sealed record ImportResponse(Guid ImportId, long Imported, long RejectedCount, IReadOnlyList<ImportLineError> Rejected, long BytesRead, long? TotalBytes);

public static class ImportEndpoints
{
    public static IEndpointRouteBuilder MapImportEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/workspaces/{workspaceId:guid}/imports").WithTags("Imports").RequireWorkspaceAccess();
        group.MapPost("/", ImportAsync).WithMinimumRole(WorkspaceRole.Member)
            .WithSummary("Import a CSV or JSON Lines file (multipart field 'file', or the raw body with ?format=csv|jsonl); bad lines are reported by number.");
        return app;
    }

    private static async Task<Results<Ok<ImportResponse>, ProblemHttpResult>> ImportAsync(
        Guid workspaceId, string? format, HttpContext http, SignalImporter importer, CancellationToken ct)
    {
        var request = http.Request;
        Stream stream;
        long? length;
        SignalImportFormat? detected;
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(ct);
            var file = form.Files.GetFile("file") ?? form.Files.FirstOrDefault();
            if (file is null)
            {
                return BadRequest("The multipart body has no file; send it in the field 'file'.");
            }

            stream = file.OpenReadStream();
            length = file.Length;
            detected = ParseFormat(format) ?? SignalImportReader.FormatFromFileName(file.FileName);
        }
        else
        {
            stream = request.Body;
            length = request.ContentLength;
            detected = ParseFormat(format) ?? FormatFromContentType(request.ContentType);
        }

        if (format is not null && ParseFormat(format) is null)
        {
            return BadRequest("'format' must be csv or jsonl.");
        }

        if (detected is not { } importFormat)
        {
            return BadRequest("Cannot tell the file format: pass ?format=csv or ?format=jsonl, or upload a .csv / .jsonl file.");
        }

        await using (stream)
        {
            var result = await importer.ImportAsync(workspaceId, stream, importFormat, length, progress: null, ct);
            return TypedResults.Ok(new ImportResponse(result.ImportId, result.Imported, result.RejectedCount, result.Rejected, result.BytesRead, result.TotalBytes));
        }
    }

    internal static SignalImportFormat? ParseFormat(string? format) => format?.Trim().ToLowerInvariant() switch
    {
        "csv" => SignalImportFormat.Csv,
        "jsonl" or "ndjson" or "jsonlines" => SignalImportFormat.JsonLines,
        _ => null,
    };

    private static SignalImportFormat? FormatFromContentType(string? contentType) => contentType?.Split(';')[0].Trim().ToLowerInvariant() switch
    {
        "text/csv" => SignalImportFormat.Csv,
        "application/x-ndjson" or "application/jsonl" or "application/x-jsonlines" => SignalImportFormat.JsonLines,
        _ => null,
    };

    private static ProblemHttpResult BadRequest(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "Bad request");
}
