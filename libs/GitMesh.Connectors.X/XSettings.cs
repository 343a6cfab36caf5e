using System.Text.Json;

namespace GitMesh.Connectors.X;

/// <summary>
/// Per-integration configuration read from <see cref="ConnectorRequest"/>.
/// Settings: <c>queries</c> (one search query per line, or a JSON array) or a single <c>query</c>.
/// Credentials: <c>bearerToken</c> (app-only).
/// </summary>
public sealed record XSettings(IReadOnlyList<string> Queries, string BearerToken)
{
    public const string QueriesKey = "queries";
    public const string QueryKey = "query";
    public const string BearerTokenKey = "bearerToken";

    public static XSettings From(ConnectorRequest request)
    {
        var token = Find(request.Credentials, BearerTokenKey);
        if (string.IsNullOrWhiteSpace(token))
        {
            throw new ConnectorAuthException("x", $"credential '{BearerTokenKey}' is required");
        }

        var queries = ParseLines(Find(request.Settings, QueriesKey))
            .Concat(ParseLines(Find(request.Settings, QueryKey)))
            .Distinct(StringComparer.Ordinal)
            .ToArray();
        if (queries.Length == 0)
        {
            throw new InvalidOperationException($"x: the integration needs '{QueriesKey}'");
        }

        return new XSettings(queries, token.Trim());
    }

    // Records print their members; keep the token out of any log or exception that formats this.
    public override string ToString() => $"XSettings {{ Queries = {string.Join(" | ", Queries)} }}";

    private static string? Find(IReadOnlyDictionary<string, string> values, string key) =>
        values.TryGetValue(key, out var value)
            ? value
            : values.FirstOrDefault(p => string.Equals(p.Key, key, StringComparison.OrdinalIgnoreCase)).Value;

    // Queries contain spaces, commas and quotes ("a, b" OR c): only line breaks separate them.
    private static IEnumerable<string> ParseLines(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return [];
        }

        return value.TrimStart().StartsWith('[')
            ? (JsonSerializer.Deserialize<string[]>(value) ?? []).Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v.Trim())
            : value.Split(['\n', '\r'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }
}
