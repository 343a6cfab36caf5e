using System.Text.Json;

namespace GitMesh.Connectors.StackExchange;

/// <summary>
/// Per-integration configuration read from <see cref="ConnectorRequest"/>.
/// Settings: <c>site</c> (API site slug, default <c>stackoverflow</c>), <c>tags</c> (comma/space/newline separated or a
/// JSON array; each entry is one feed, <c>a;b</c> means both tags), <c>keywords</c> (one search per line, or a JSON array).
/// Credentials (all optional): <c>key</c> (app key), <c>accessToken</c>.
/// </summary>
public sealed record StackExchangeSettings(string Site, IReadOnlyList<StackExchangeFeed> Feeds, StackExchangeAccess Access)
{
    public const string SiteKey = "site";
    public const string TagsKey = "tags";
    public const string KeywordsKey = "keywords";
    public const string KeyCredential = "key";
    public const string AccessTokenCredential = "accessToken";

    public static StackExchangeSettings From(ConnectorRequest request)
    {
        var site = Find(request.Settings, SiteKey)?.Trim();
        var tags = ParseList(Find(request.Settings, TagsKey), [',', ' ', '\n', '\r', '\t'])
            .Select(t => t.ToLowerInvariant())
            .Distinct(StringComparer.Ordinal)
            .Select(t => new StackExchangeFeed(StackExchangeFeedKind.Tag, t));
        var keywords = ParseList(Find(request.Settings, KeywordsKey), ['\n', '\r'])
            .Distinct(StringComparer.Ordinal)
            .Select(k => new StackExchangeFeed(StackExchangeFeedKind.Keyword, k));
        var feeds = tags.Concat(keywords).ToArray();
        if (feeds.Length == 0)
        {
            throw new InvalidOperationException($"stackoverflow: the integration needs '{TagsKey}' or '{KeywordsKey}'");
        }

        var key = Find(request.Credentials, KeyCredential);
        var token = Find(request.Credentials, AccessTokenCredential);
        return new StackExchangeSettings(
            string.IsNullOrEmpty(site) ? "stackoverflow" : site,
            feeds,
            new StackExchangeAccess(string.IsNullOrWhiteSpace(key) ? null : key.Trim(), string.IsNullOrWhiteSpace(token) ? null : token.Trim()));
    }

    private static string? Find(IReadOnlyDictionary<string, string> values, string key) =>
        values.TryGetValue(key, out var value)
            ? value
            : values.FirstOrDefault(p => string.Equals(p.Key, key, StringComparison.OrdinalIgnoreCase)).Value;

    private static IEnumerable<string> ParseList(string? value, char[] separators)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return [];
        }

        return value.TrimStart().StartsWith('[')
            ? (JsonSerializer.Deserialize<string[]>(value) ?? []).Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v.Trim())
            : value.Split(separators, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }
}
