using System.Globalization;
using System.Text.Json;
using System.Text;
using GitMesh.Api.Features.Triage;
using GitMesh.Api.Features.Workspaces;
using GitMesh.Api.Http;
using GitMesh.Data;
using GitMesh.Search;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.OpenApi;

namespace GitMesh.Api.Features.Export;

/// <summary>One exported signal: the list's fields plus the full plain-text body.</summary>
public sealed record SignalExportRow(
    Guid Id,
    string Source,
    string Kind,
    string ExternalId,
    string? Url,
    string? Title,
    string? BodyText,
    string? Author,
    DateTime? SourceCreatedAt,
    DateTime IngestedAt,
    string? Intent,
    double? IntentConfidence,
    string? Sentiment,
    string? Urgency,
    string? ProductAreas,
    Guid? ClusterId,
    string TriageStatus,
    string? Tags);

public static class ExportEndpoints
{
    public static IEndpointRouteBuilder MapExportEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/workspaces/{workspaceId:guid}/signals").WithTags("Signals").RequireWorkspaceAccess();
        group.MapGet("/export", ExportAsync)
            .WithQueryParameters(SignalQueryDocs.Export)
            .Produces(StatusCodes.Status200OK, contentType: "text/csv", additionalContentTypes: ["application/x-ndjson"])
            .WithSummary("Every signal matching the list's filters, newest first, streamed as CSV or JSON Lines (format=csv|jsonl).");
        return app;
    }

    private static Results<SignalExportResult, ValidationProblem> ExportAsync(
        Guid workspaceId, HttpContext http, GitMeshDbContext db, ISignalSearchIndex search, TimeProvider time)
    {
        var query = http.Request.Query;
        var validation = new Validation();
        foreach (var key in query.Keys.Where(k => !SignalFilter.Fields.Contains(k) && k != "format"))
        {
            validation.Add(key, $"Unknown query parameter '{key}'.");
        }

        var format = query["format"].ToString() is { Length: > 0 } f ? f.ToLowerInvariant() : "csv";
        validation.Check(format is "csv" or "jsonl", "format", "'format' must be csv or jsonl.");
        var filter = SignalFilter.FromQuery(query, http.Access().Caller.UserId, validation);
        if (!validation.IsValid)
        {
            return validation.ToProblem();
        }

        var signals = filter.Apply(db, search, workspaceId);
        var rows =
            from s in signals
            join a in db.Authors on s.AuthorId equals a.Id into authors
            from a in authors.DefaultIfEmpty()
            orderby s.IngestedAt descending, s.Id descending
            select new SignalExportRow(s.Id, s.Source, s.Kind, s.ExternalId, s.Url, s.Title, s.BodyText, a == null ? null : a.Username,
                s.SourceCreatedAt, s.IngestedAt, s.Intent, s.IntentConfidence, s.Sentiment, s.Urgency, s.ProductAreas, s.ClusterId,
                s.TriageStatus.ToString(), s.Tags);
        var stamp = time.GetUtcNow().UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        return new SignalExportResult(rows.AsNoTracking().AsAsyncEnumerable(), format, $"signals-{stamp}.{format}");
    }
}

/// <summary>Writes rows to the response as they are read from the database; nothing is buffered beyond one flush batch.</summary>
public sealed class SignalExportResult(IAsyncEnumerable<SignalExportRow> rows, string format, string fileName) : IResult
{
    internal static readonly string[] CsvHeader =
    [
        "id", "source", "kind", "external_id", "url", "title", "body_text", "author", "source_created_at", "ingested_at", "intent",
        "intent_confidence", "sentiment", "urgency", "product_areas", "cluster_id", "triage_status", "tags",
    ];

    private const int FlushEvery = 200;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        var ct = httpContext.RequestAborted;
        response.ContentType = format == "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8";
        response.Headers.ContentDisposition = new System.Net.Http.Headers.ContentDispositionHeaderValue("attachment") { FileName = fileName, FileNameStar = fileName }.ToString();
        response.Headers.CacheControl = "no-store";
        await using var writer = new StreamWriter(response.Body, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 16 * 1024, leaveOpen: true);
        if (format == "csv")
        {
            await writer.WriteAsync(string.Join(',', CsvHeader) + "\r\n");
        }

        var count = 0;
        await foreach (var row in rows.WithCancellation(ct))
        {
            await writer.WriteAsync(format == "csv" ? CsvLine(row) : JsonSerializer.Serialize(ToJson(row), Json) + "\n");
            if (++count % FlushEvery == 0)
            {
                await writer.FlushAsync(ct);
            }
        }

        await writer.FlushAsync(ct);
    }

    private static object ToJson(SignalExportRow r) => new
    {
        r.Id,
        r.Source,
        r.Kind,
        r.ExternalId,
        r.Url,
        r.Title,
        r.BodyText,
        r.Author,
        r.SourceCreatedAt,
        r.IngestedAt,
        r.Intent,
        r.IntentConfidence,
        r.Sentiment,
        r.Urgency,
        ProductAreas = SignalFilter.SplitList(r.ProductAreas),
        r.ClusterId,
        TriageStatus = r.TriageStatus.ToLowerInvariant(),
        Tags = SignalFilter.SplitList(r.Tags),
    };

    private static string CsvLine(SignalExportRow r)
    {
        string?[] cells =
        [
            r.Id.ToString(), r.Source, r.Kind, r.ExternalId, r.Url, r.Title, r.BodyText, r.Author, Iso(r.SourceCreatedAt), Iso(r.IngestedAt), r.Intent,
            r.IntentConfidence?.ToString("R", CultureInfo.InvariantCulture), r.Sentiment, r.Urgency, r.ProductAreas, r.ClusterId?.ToString(),
            r.TriageStatus.ToLowerInvariant(), r.Tags,
        ];
        return string.Join(',', cells.Select(Csv)) + "\r\n";
    }

    private static string? Iso(DateTime? value) => value?.ToString("O", CultureInfo.InvariantCulture);

    /// <summary>
    /// RFC 4180: a cell with a comma, quote or line break is quoted, quotes doubled. A cell a spreadsheet would read as a
    /// formula (leading =, +, -, @, tab or CR) gets a leading apostrophe, so exported feedback cannot run as a formula.
    /// </summary>
    internal static string Csv(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }

        if (value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }

        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }
}
