using System.Text.Json;
using GitMesh.Api.Features.Workspaces;
using GitMesh.Api.Http;
using GitMesh.Data;
using GitMesh.Domain.Intelligence;
using GitMesh.Domain.Workspaces;
using GitMesh.Ingest.Learning;
using GitMesh.Intelligence.Corrections;
using GitMesh.Intelligence.Llm;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace GitMesh.Api.Features.Intelligence;

public sealed record ProductAreaRequest(string? Name, IReadOnlyList<string>? Keywords, IReadOnlyList<string>? Examples);

public sealed record ProductAreaResponse(Guid Id, string Name, IReadOnlyList<string> Keywords, IReadOnlyList<string> Examples, DateTime CreatedAt, DateTime UpdatedAt);

/// <param name="Field">intent, sentiment or product_areas.</param>
/// <param name="Examples">Corrected examples of the field in the model.</param>
/// <param name="BaseAccuracy">Leave-one-out accuracy of the base model alone on those examples.</param>
/// <param name="CorrectedAccuracy">Leave-one-out accuracy of base + the workspace's correction model.</param>
public sealed record FieldAccuracy(string Field, int Examples, double BaseAccuracy, double CorrectedAccuracy);

/// <param name="UpdatedAt">When the model was last retrained (null: never, no corrections yet).</param>
public sealed record AccuracyResponse(DateTime? UpdatedAt, int Examples, int CorrectionsSeen, IReadOnlyList<FieldAccuracy> Fields);

public static class IntelligenceEndpoints
{
    public const int MaxNameLength = 100;
    public const int MaxKeywords = 100;
    public const int MaxKeywordLength = 200;
    public const int MaxExamples = 50;
    public const int MaxExampleLength = 4000;
    public const int MaxAreasPerWorkspace = 500;

    public static IEndpointRouteBuilder MapIntelligenceEndpoints(this IEndpointRouteBuilder app)
    {
        var areas = app.MapGroup("/api/v1/workspaces/{workspaceId:guid}/product-areas").WithTags("Product areas").RequireWorkspaceAccess();
        areas.MapGet("/", ListAreasAsync).WithSummary("The workspace's product-area taxonomy (the pipeline assigns these areas to new signals).");
        areas.MapPost("/", CreateAreaAsync).WithMinimumRole(WorkspaceRole.Admin).WithSummary("Add a product area: name, keywords, example texts.");
        areas.MapPatch("/{areaId:guid}", UpdateAreaAsync).WithMinimumRole(WorkspaceRole.Admin).WithSummary("Change a product area; omitted fields stay as they are.");
        areas.MapDelete("/{areaId:guid}", DeleteAreaAsync).WithMinimumRole(WorkspaceRole.Admin).WithSummary("Remove a product area (signals keep the labels they have).");

        var intelligence = app.MapGroup("/api/v1/workspaces/{workspaceId:guid}/intelligence").WithTags("Intelligence").RequireWorkspaceAccess();
        intelligence.MapGet("/accuracy", AccuracyAsync)
            .WithSummary("Leave-one-out accuracy on the workspace's own corrections, per field: base model vs base + learned corrections.");
        intelligence.MapGet("/llm", LlmStatusAsync)
            .WithSummary("The optional LLM mode: enabled, model, endpoint host, enriched/pending/failed signals, today's tokens and budget, last error.");
        return app;
    }

    private static async Task<Ok<LlmStatus>> LlmStatusAsync(Guid workspaceId, GitMeshDbContext db, LlmStatusReader llm, CancellationToken ct) =>
        TypedResults.Ok(await llm.GetAsync(db, workspaceId, ct));

    private static async Task<Ok<IReadOnlyList<ProductAreaResponse>>> ListAreasAsync(GitMeshDbContext db, CancellationToken ct)
    {
        var rows = await db.Set<WorkspaceProductArea>().ToListAsync(ct);
        return TypedResults.Ok<IReadOnlyList<ProductAreaResponse>>(rows.OrderBy(a => a.Name, StringComparer.OrdinalIgnoreCase).Select(ToResponse).ToList());
    }

    private static async Task<Results<Created<ProductAreaResponse>, ValidationProblem, ProblemHttpResult>> CreateAreaAsync(
        Guid workspaceId, ProductAreaRequest request, HttpContext http, GitMeshDbContext db, TimeProvider time, CancellationToken ct)
    {
        var validation = new Validation().Required("name", request.Name);
        var (name, keywords, examples) = Validate(request, validation);
        if (!validation.IsValid)
        {
            return validation.ToProblem();
        }

        var existing = await db.Set<WorkspaceProductArea>().Select(a => a.Name).ToListAsync(ct);
        if (existing.Count >= MaxAreasPerWorkspace)
        {
            validation.Add("name", $"A workspace can have at most {MaxAreasPerWorkspace} product areas.");
            return validation.ToProblem();
        }

        if (existing.Contains(name!, StringComparer.OrdinalIgnoreCase))
        {
            return TypedResults.Problem($"A product area named '{name}' already exists.", statusCode: StatusCodes.Status409Conflict, title: "Conflict");
        }

        var now = time.GetUtcNow().UtcDateTime;
        var area = new WorkspaceProductArea
        {
            WorkspaceId = workspaceId,
            Name = name!,
            Keywords = JoinKeywords(keywords ?? []),
            ExamplesJson = JsonSerializer.Serialize(examples ?? []),
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Set<WorkspaceProductArea>().Add(area);
        AuditTrail.Record(db, workspaceId, http.Access().Caller, now, "product_area.created", "product_area", area.Id.ToString(), null, new { area.Name, area.Keywords });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            return TypedResults.Problem($"A product area named '{name}' already exists.", statusCode: StatusCodes.Status409Conflict, title: "Conflict");
        }

        return TypedResults.Created($"/api/v1/workspaces/{workspaceId}/product-areas/{area.Id}", ToResponse(area));
    }

    private static async Task<Results<Ok<ProductAreaResponse>, NotFound, ValidationProblem, ProblemHttpResult>> UpdateAreaAsync(
        Guid workspaceId, Guid areaId, ProductAreaRequest request, HttpContext http, GitMeshDbContext db, TimeProvider time, CancellationToken ct)
    {
        var validation = new Validation();
        if (request.Name is not null)
        {
            validation.Required("name", request.Name);
        }

        var (name, keywords, examples) = Validate(request, validation);
        if (!validation.IsValid)
        {
            return validation.ToProblem();
        }

        var area = await db.Set<WorkspaceProductArea>().FirstOrDefaultAsync(a => a.Id == areaId, ct);
        if (area is null)
        {
            return TypedResults.NotFound();
        }

        if (name is not null && !string.Equals(name, area.Name, StringComparison.OrdinalIgnoreCase)
            && (await db.Set<WorkspaceProductArea>().Where(a => a.Id != areaId).Select(a => a.Name).ToListAsync(ct)).Contains(name, StringComparer.OrdinalIgnoreCase))
        {
            return TypedResults.Problem($"A product area named '{name}' already exists.", statusCode: StatusCodes.Status409Conflict, title: "Conflict");
        }

        var before = new { area.Name, area.Keywords, area.ExamplesJson };
        area.Name = name ?? area.Name;
        area.Keywords = keywords is null ? area.Keywords : JoinKeywords(keywords);
        area.ExamplesJson = examples is null ? area.ExamplesJson : JsonSerializer.Serialize(examples);
        var now = time.GetUtcNow().UtcDateTime;
        // Strictly increasing: the pipeline's cache notices a change by the newest updated_at.
        area.UpdatedAt = now > area.UpdatedAt ? now : area.UpdatedAt.AddTicks(10);
        AuditTrail.Record(db, workspaceId, http.Access().Caller, now, "product_area.updated", "product_area", area.Id.ToString(), before, new { area.Name, area.Keywords, area.ExamplesJson });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            return TypedResults.Problem($"A product area named '{name}' already exists.", statusCode: StatusCodes.Status409Conflict, title: "Conflict");
        }

        return TypedResults.Ok(ToResponse(area));
    }

    private static async Task<Results<NoContent, NotFound>> DeleteAreaAsync(
        Guid workspaceId, Guid areaId, HttpContext http, GitMeshDbContext db, TimeProvider time, CancellationToken ct)
    {
        var area = await db.Set<WorkspaceProductArea>().FirstOrDefaultAsync(a => a.Id == areaId, ct);
        if (area is null)
        {
            return TypedResults.NotFound();
        }

        db.Set<WorkspaceProductArea>().Remove(area);
        AuditTrail.Record(db, workspaceId, http.Access().Caller, time.GetUtcNow().UtcDateTime, "product_area.deleted", "product_area", area.Id.ToString(), new { area.Name, area.Keywords }, null);
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<AccuracyResponse>> AccuracyAsync(GitMeshDbContext db, CancellationToken ct)
    {
        var row = await db.Set<WorkspaceModel>().AsNoTracking().FirstOrDefaultAsync(ct);
        if (row is null)
        {
            return TypedResults.Ok(new AccuracyResponse(null, 0, 0, []));
        }

        var fields = WorkspaceModelService.ReadReport(row)
            .Select(r => new FieldAccuracy(r.Field == CorrectionFields.ProductArea ? "product_areas" : r.Field, r.Examples, Math.Round(r.BaseAccuracy, 4), Math.Round(r.CorrectedAccuracy, 4)))
            .ToList();
        return TypedResults.Ok(new AccuracyResponse(row.UpdatedAt, row.Examples, row.CorrectionsSeen, fields));
    }

    private static (string? Name, List<string>? Keywords, List<string>? Examples) Validate(ProductAreaRequest request, Validation validation)
    {
        var name = request.Name?.Trim();
        validation.MaxLength("name", name, MaxNameLength)
            .Check(name is null || !name.Contains(',', StringComparison.Ordinal), "name", "'name' cannot contain a comma.");
        List<string>? keywords = null;
        if (request.Keywords is not null)
        {
            keywords = request.Keywords.Select(k => (k ?? "").Trim()).Where(k => k.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            validation.Check(keywords.Count <= MaxKeywords, "keywords", $"At most {MaxKeywords} keywords.")
                .Check(keywords.All(k => k.Length <= MaxKeywordLength && !k.Contains(',', StringComparison.Ordinal)), "keywords",
                    $"Each keyword must be at most {MaxKeywordLength} characters and contain no comma.");
        }

        List<string>? examples = null;
        if (request.Examples is not null)
        {
            examples = request.Examples.Select(x => (x ?? "").Trim()).Where(x => x.Length > 0).ToList();
            validation.Check(examples.Count <= MaxExamples, "examples", $"At most {MaxExamples} examples.")
                .Check(examples.All(x => x.Length <= MaxExampleLength), "examples", $"Each example must be at most {MaxExampleLength} characters.");
        }

        return (name, keywords, examples);
    }

    private static string? JoinKeywords(IReadOnlyCollection<string> keywords) => keywords.Count == 0 ? null : string.Join(',', keywords);

    private static ProductAreaResponse ToResponse(WorkspaceProductArea a) =>
        new(a.Id, a.Name, WorkspaceLearningCache.SplitKeywords(a.Keywords), WorkspaceLearningCache.ParseExamples(a.ExamplesJson), a.CreatedAt, a.UpdatedAt);
}
