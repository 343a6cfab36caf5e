using System.Text.RegularExpressions;
using GitMesh.Api.Features.Auth;
using GitMesh.Api.Features.Workspaces;
using GitMesh.Domain.Workspaces;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace GitMesh.Api.Http;

/// <summary>
/// Makes the OpenAPI document say what the cross-cutting parts of the API do, so that every operation lists every
/// answer it can give: 401 without credentials, 403 when the workspace role is too low, 404 for a workspace the
/// caller cannot see, 400/413 for request bodies, 429 from the rate limiter (with <c>Retry-After</c>) — all as
/// RFC 7807 <c>application/problem+json</c>. It also declares the three ways to authenticate and fills in route
/// parameters that a handler does not bind itself (e.g. <c>{workspaceId}</c> consumed by the access filter).
/// </summary>
public static partial class OpenApiConventions
{
    public const string ProblemSchemaName = "ProblemDetails";
    private const string ProblemContentType = "application/problem+json";

    public static OpenApiOptions AddGitMeshConventions(this OpenApiOptions options)
    {
        options.AddDocumentTransformer(TransformDocumentAsync);
        options.AddOperationTransformer(TransformOperationAsync);
        return options;
    }

    private static Task TransformDocumentAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken ct)
    {
        document.Info ??= new OpenApiInfo();
        document.Info.Title = "GitMesh API";
        document.Info.Description = "Signals, clusters, triage, analytics and integrations. Every workspace route answers 404 for a "
            + "workspace the caller cannot access; errors are RFC 7807 problem details.";
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        document.Components.Schemas[ProblemSchemaName] = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "RFC 7807 problem details.",
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["type"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null },
                ["title"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null },
                ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer | JsonSchemaType.Null, Format = "int32" },
                ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null },
                ["instance"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null },
                ["errors"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.Object | JsonSchemaType.Null,
                    Description = "Validation errors by field (400 only).",
                    AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
                },
            },
        };
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes["bearer"] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "A user access token from POST /api/v1/auth/token, or an API key (gm_…) as the bearer token.",
        };
        document.Components.SecuritySchemes["apiKey"] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = ApiKeyAuthenticationHandler.HeaderName,
            Description = "A workspace API key (gm_…), limited to its workspace and role.",
        };
        document.Components.SecuritySchemes["cookie"] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Cookie,
            Name = "gitmesh.session",
            Description = "The dashboard's HttpOnly session cookie from POST /api/v1/auth/login.",
        };
        return Task.CompletedTask;
    }

    private static Task TransformOperationAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        var description = context.Description;
        var metadata = description.ActionDescriptor.EndpointMetadata;
        var route = "/" + (description.RelativePath ?? string.Empty).TrimStart('/');
        operation.Responses ??= new OpenApiResponses();

        AddMissingRouteParameters(operation, route);
        AddQueryParameters(operation, metadata.OfType<QueryParameterDocs>().SelectMany(d => d.Parameters));

        var requiresAuth = metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any();
        var workspaceScoped = metadata.OfType<WorkspaceScopedEndpoint>().Any();
        if (requiresAuth)
        {
            AddProblem(operation, context.Document, "401", "No valid credentials (token, session cookie or API key).");
            operation.Security ??= [];
            foreach (var scheme in new[] { "bearer", "apiKey", "cookie" })
            {
                operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(scheme, context.Document)] = [] });
            }
        }

        if (workspaceScoped)
        {
            AddProblem(operation, context.Document, "404", "Not found — also the answer for a workspace the caller cannot access.");
            var method = description.HttpMethod ?? "GET";
            var required = metadata.OfType<MinimumRole>().LastOrDefault()?.Role
                ?? (HttpMethods.IsGet(method) || HttpMethods.IsHead(method) ? WorkspaceRole.Viewer : WorkspaceRole.Member);
            if (required > WorkspaceRole.Viewer)
            {
                AddProblem(operation, context.Document, "403", $"The caller's role in the workspace is below {required.ToString().ToLowerInvariant()}.");
            }
        }

        if (operation.RequestBody is not null)
        {
            AddProblem(operation, context.Document, "400", "Malformed JSON, unknown or missing fields, or invalid values (per-field errors).");
            AddProblem(operation, context.Document, "413", "The request body is larger than the configured limit.");
        }

        if (route.StartsWith("/api/v1", StringComparison.OrdinalIgnoreCase))
        {
            var tooMany = AddProblem(operation, context.Document, "429", "Rate limit exceeded for this API key or user; retry after the given seconds.");
            tooMany.Headers ??= new Dictionary<string, IOpenApiHeader>();
            tooMany.Headers["Retry-After"] = new OpenApiHeader
            {
                Description = "Seconds to wait before retrying.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.Integer },
            };
        }

        // Error results without a body (e.g. TypedResults.NotFound()) are turned into problem details by
        // UseStatusCodePages, so the document says so too.
        foreach (var (status, value) in operation.Responses.Where(r => r.Key[0] is '4' or '5'))
        {
            if (value is OpenApiResponse { Content: null or { Count: 0 } } bare)
            {
                bare.Content = new Dictionary<string, OpenApiMediaType>
                {
                    [ProblemContentType] = new() { Schema = new OpenApiSchemaReference(ProblemSchemaName, context.Document) },
                };
            }
        }

        return Task.CompletedTask;
    }

    private static OpenApiResponse AddProblem(OpenApiOperation operation, OpenApiDocument? document, string status, string description)
    {
        if (operation.Responses!.TryGetValue(status, out var existing) && existing is OpenApiResponse response)
        {
            // Keep a specific schema (e.g. validation problems); make sure the description says what it means.
            if (string.IsNullOrEmpty(response.Description) || response.Description is "Bad Request" or "Not Found" or "Forbidden" or "Unauthorized")
            {
                response.Description = description;
            }

            return response;
        }

        response = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                [ProblemContentType] = new() { Schema = new OpenApiSchemaReference(ProblemSchemaName, document) },
            },
        };
        operation.Responses[status] = response;
        return response;
    }

    private static void AddMissingRouteParameters(OpenApiOperation operation, string route)
    {
        operation.Parameters ??= [];
        foreach (Match m in RouteParameter().Matches(route))
        {
            var name = m.Groups["name"].Value;
            if (operation.Parameters.Any(p => p.In == ParameterLocation.Path && string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            var constraint = m.Groups["constraint"].Value;
            var isGuid = constraint.Contains("guid", StringComparison.OrdinalIgnoreCase) || name.EndsWith("Id", StringComparison.Ordinal);
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = name,
                In = ParameterLocation.Path,
                Required = true,
                Schema = isGuid ? new OpenApiSchema { Type = JsonSchemaType.String, Format = "uuid" } : new OpenApiSchema { Type = JsonSchemaType.String },
            });
        }
    }

    /// <summary>
    /// Documents the query parameters a handler reads itself and makes the list binding: any other query parameter
    /// is refused with a 400 naming it, so a typo never silently widens a filter.
    /// </summary>
    public static RouteHandlerBuilder WithQueryParameters(this RouteHandlerBuilder builder, params QueryParameter[] parameters)
    {
        var known = parameters.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        builder.WithMetadata(new QueryParameterDocs(parameters));
        builder.AddEndpointFilter(async (context, next) =>
        {
            var unknown = context.HttpContext.Request.Query.Keys.Where(k => !known.Contains(k)).ToList();
            if (unknown.Count > 0)
            {
                return TypedResults.ValidationProblem(
                    unknown.ToDictionary(k => k, k => new[] { $"Unknown query parameter '{k}'; this endpoint accepts {string.Join(", ", known.Order(StringComparer.Ordinal))}." }));
            }

            return await next(context);
        });
        return builder;
    }

    private static void AddQueryParameters(OpenApiOperation operation, IEnumerable<QueryParameter> parameters)
    {
        operation.Parameters ??= [];
        foreach (var p in parameters)
        {
            if (operation.Parameters.Any(x => x.In == ParameterLocation.Query && x.Name == p.Name))
            {
                continue;
            }

            IOpenApiSchema schema = new OpenApiSchema
            {
                Type = p.Type,
                Format = p.Format,
                Enum = p.Values?.Select(v => (System.Text.Json.Nodes.JsonNode)System.Text.Json.Nodes.JsonValue.Create(v)!).ToList(),
                Minimum = p.Minimum?.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Maximum = p.Maximum?.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Default = p.Default is null ? null : System.Text.Json.Nodes.JsonValue.Create(p.Default),
            };
            if (p.Repeatable)
            {
                schema = new OpenApiSchema { Type = JsonSchemaType.Array, Items = schema };
            }

            operation.Parameters.Add(new OpenApiParameter
            {
                Name = p.Name,
                In = ParameterLocation.Query,
                Description = p.Description,
                Required = false,
                Schema = schema,
                Style = p.Repeatable ? ParameterStyle.Form : null,
                Explode = p.Repeatable,
            });
        }
    }

    [GeneratedRegex(@"\{(?<name>[A-Za-z_][A-Za-z0-9_]*)(?<constraint>(:[^}]*)?)\}")]
    private static partial Regex RouteParameter();
}

/// <summary>A query parameter as documented in OpenAPI (see <see cref="OpenApiConventions.WithQueryParameters"/>).</summary>
public sealed record QueryParameter(
    string Name,
    string Description,
    JsonSchemaType Type = JsonSchemaType.String,
    string? Format = null,
    IReadOnlyList<string>? Values = null,
    bool Repeatable = false,
    int? Minimum = null,
    int? Maximum = null,
    string? Default = null);

/// <summary>Endpoint metadata: the query parameters of an operation.</summary>
public sealed record QueryParameterDocs(IReadOnlyList<QueryParameter> Parameters);

/// <summary>Query parameters shared by several endpoints.</summary>
public static class CommonQuery
{
    public static QueryParameter[] Page(int defaultLimit, int maxLimit) =>
    [
        new("limit", $"Page size, 1–{maxLimit}.", JsonSchemaType.Integer, Minimum: 1, Maximum: maxLimit, Default: defaultLimit.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("cursor", "Opaque cursor from the previous page's nextCursor."),
    ];

    public static QueryParameter[] Range(string what) =>
    [
        new("from", $"Inclusive lower bound on {what} (ISO 8601).", Format: "date-time"),
        new("to", $"Exclusive upper bound on {what} (ISO 8601).", Format: "date-time"),
    ];
}

/// <summary>Endpoint metadata: the route is guarded by <see cref="WorkspaceAccess.RequireWorkspaceAccess"/>.</summary>
public sealed record WorkspaceScopedEndpoint;
