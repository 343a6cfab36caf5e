using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using GitMesh.Api.Features.Triage;
using GitMesh.Data;
using GitMesh.TestCommon;

namespace GitMesh.Api.Tests;

/// <summary>
/// The OpenAPI document is the contract customers script against: every operation lists its parameters and every
/// answer it can give, and the query parameters it documents are exactly the ones the handler accepts.
/// </summary>
public sealed partial class OpenApiDocumentTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private static readonly string[] Methods = ["get", "post", "put", "patch", "delete"];

    [Fact]
    public async Task Every_operation_documents_its_route_parameters_success_and_error_responses()
    {
        var factory = await fixture.GetAsync(DatabaseProvider.Sqlite);
        using var client = factory.CreateClient();
        using var doc = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));
        var root = doc.RootElement;
        root.GetProperty("components").GetProperty("securitySchemes").EnumerateObject().Select(p => p.Name).ShouldBe(["bearer", "apiKey", "cookie"], ignoreOrder: true);

        var problems = new List<string>();
        var count = 0;
        foreach (var path in root.GetProperty("paths").EnumerateObject())
        {
            foreach (var op in path.Value.EnumerateObject().Where(o => Methods.Contains(o.Name)))
            {
                count++;
                var name = $"{op.Name.ToUpperInvariant()} {path.Name}";
                var o = op.Value;
                var responses = o.GetProperty("responses").EnumerateObject().ToDictionary(r => r.Name, r => r.Value);
                if (!o.TryGetProperty("summary", out var summary) || string.IsNullOrWhiteSpace(summary.GetString())) problems.Add($"{name}: no summary");
                if (!o.TryGetProperty("tags", out var tags) || tags.GetArrayLength() == 0) problems.Add($"{name}: no tag");
                if (!responses.Keys.Any(k => k.StartsWith('2'))) problems.Add($"{name}: no success response");
                var declared = o.TryGetProperty("parameters", out var ps)
                    ? ps.EnumerateArray().Where(p => p.GetProperty("in").GetString() == "path").Select(p => p.GetProperty("name").GetString()).ToHashSet()
                    : [];
                foreach (Match m in RouteParameter().Matches(path.Name))
                {
                    if (!declared.Contains(m.Groups[1].Value)) problems.Add($"{name}: path parameter {m.Groups[1].Value} undocumented");
                }

                var secured = o.TryGetProperty("security", out var security) && security.GetArrayLength() > 0;
                if (secured && !responses.ContainsKey("401")) problems.Add($"{name}: secured but no 401");
                if (path.Name.StartsWith("/api/v1/workspaces/{workspaceId}", StringComparison.Ordinal))
                {
                    if (!secured) problems.Add($"{name}: workspace route without security requirement");
                    if (!responses.ContainsKey("404")) problems.Add($"{name}: no 404 for inaccessible workspaces");
                    if (op.Name != "get" && !responses.ContainsKey("403")) problems.Add($"{name}: a write without 403 for low roles");
                }

                if (path.Name.StartsWith("/api/v1", StringComparison.Ordinal) && !responses.ContainsKey("429")) problems.Add($"{name}: no 429");
                if (o.TryGetProperty("requestBody", out _) && !(responses.ContainsKey("400") && responses.ContainsKey("413"))) problems.Add($"{name}: body without 400/413");
                foreach (var (status, response) in responses.Where(r => r.Key[0] is '4' or '5'))
                {
                    if (!response.TryGetProperty("content", out var content) || !content.TryGetProperty("application/problem+json", out _))
                    {
                        problems.Add($"{name}: {status} is not application/problem+json");
                    }
                }
            }
        }

        count.ShouldBeGreaterThan(60);
        problems.ShouldBeEmpty();
    }

    [Fact]
    public async Task The_signal_list_documents_every_filter_field_sort_paging_and_facets()
    {
        var factory = await fixture.GetAsync(DatabaseProvider.Sqlite);
        using var client = factory.CreateClient();
        using var doc = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));
        var names = QueryParameters(doc.RootElement.GetProperty("paths").GetProperty("/api/v1/workspaces/{workspaceId}/signals").GetProperty("get")).Select(p => p.Name).ToList();
        names.ShouldBe([.. SignalFilter.Fields, "sort", "limit", "cursor", "facets"], ignoreOrder: true);
    }

    /// <summary>Calls every workspace GET that documents query parameters with a valid value for each: none may be refused as unknown.</summary>
    [Theory, Providers]
    public async Task Documented_query_parameters_are_accepted_and_undocumented_ones_refused(DatabaseProvider provider)
    {
        var factory = await fixture.GetAsync(provider);
        var tenant = await factory.CreateTenantAsync();
        using var client = factory.CreateClient(tenant.Token);
        using var doc = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));
        var checkedOperations = 0;
        foreach (var path in doc.RootElement.GetProperty("paths").EnumerateObject().Where(p => p.Name.StartsWith("/api/v1/workspaces/{workspaceId}", StringComparison.Ordinal)))
        {
            if (RouteParameter().Count(path.Name) != 1 || !path.Value.TryGetProperty("get", out var get))
            {
                continue;
            }

            var parameters = QueryParameters(get).Where(p => p.Name != "cursor").ToList();
            if (parameters.Count == 0)
            {
                continue;
            }

            checkedOperations++;
            var url = path.Name.Replace("{workspaceId}", tenant.WorkspaceId.ToString(), StringComparison.Ordinal);
            var query = string.Join('&', parameters.Select(p => $"{p.Name}={Uri.EscapeDataString(SampleValue(p.Name, p.Schema))}"));
            var response = await client.GetAsync($"{url}?{query}");
            response.StatusCode.ShouldBe(HttpStatusCode.OK, $"GET {url}?{query}: {await response.Content.ReadAsStringAsync()}");

            var unknown = await client.GetAsync($"{url}?notAParameter=1");
            unknown.StatusCode.ShouldBe(HttpStatusCode.BadRequest, $"GET {url} accepted an undocumented parameter");
        }

        checkedOperations.ShouldBeGreaterThanOrEqualTo(8);
    }

    private static List<(string Name, JsonElement Schema)> QueryParameters(JsonElement operation) =>
        operation.TryGetProperty("parameters", out var ps)
            ? ps.EnumerateArray().Where(p => p.GetProperty("in").GetString() == "query").Select(p => (p.GetProperty("name").GetString()!, p.GetProperty("schema"))).ToList()
            : [];

    private static string SampleValue(string name, JsonElement schema)
    {
        if (schema.TryGetProperty("items", out var items))
        {
            schema = items;
        }

        if (schema.TryGetProperty("enum", out var values))
        {
            return values[0].GetString()!;
        }

        var format = schema.TryGetProperty("format", out var f) ? f.GetString() : null;
        var type = schema.TryGetProperty("type", out var t) ? t.ToString() : "string";
        var now = DateTime.UtcNow;
        return (name, format, type) switch
        {
            ("from", "date", _) => now.AddDays(-10).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ("to", "date", _) => now.AddDays(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ("from", _, _) => now.AddDays(-10).ToString("O", CultureInfo.InvariantCulture),
            ("to", _, _) => now.AddDays(1).ToString("O", CultureInfo.InvariantCulture),
            ("assignee", _, _) => "me",
            (_, "uuid", _) => Guid.NewGuid().ToString(),
            (_, "date-time", _) => now.ToString("O", CultureInfo.InvariantCulture),
            (_, _, var ty) when ty.Contains("boolean", StringComparison.Ordinal) => "true",
            (_, _, var ty) when ty.Contains("integer", StringComparison.Ordinal) => schema.TryGetProperty("default", out var d) ? d.ToString() : "1",
            ("q", _, _) => "crash OR \"login page\" -mobile",
            _ => "sample",
        };
    }

    [GeneratedRegex(@"\{([A-Za-z_][A-Za-z0-9_]*)[^}]*\}")]
    private static partial Regex RouteParameter();
}
