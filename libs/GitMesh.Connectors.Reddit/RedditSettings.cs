using System.Text.Json;
using System.Text.RegularExpressions;

namespace GitMesh.Connectors.Reddit;

/// <summary>
/// Per-integration configuration read from <see cref="ConnectorRequest"/>.
/// Settings: <c>subreddits</c> (comma/space/newline separated or a JSON array; <c>r/</c> prefixes allowed),
/// <c>searchTerms</c> (newline separated or a JSON array), <c>includeComments</c> (default true).
/// Credentials: <c>clientId</c>, <c>clientSecret</c> of a Reddit "script"/"web" app.
/// </summary>
public sealed partial record RedditSettings(
    IReadOnlyList<string> Subreddits, IReadOnlyList<string> SearchTerms, bool IncludeComments, RedditCredentials Credentials)
{
    public const string SubredditsKey = "subreddits";
    public const string SearchTermsKey = "searchTerms";
    public const string IncludeCommentsKey = "includeComments";
    public const string ClientIdKey = "clientId";
    public const string ClientSecretKey = "clientSecret";

    /// <summary>The feeds one pass reads, in a stable order (the cursor tracks progress by feed key).</summary>
    public IReadOnlyList<RedditFeed> Feeds =>
    [
        .. Subreddits.Select(s => new RedditFeed(RedditFeedKind.NewPosts, s)),
        .. IncludeComments ? Subreddits.Select(s => new RedditFeed(RedditFeedKind.Comments, s)) : [],
        .. SearchTerms.Select(t => new RedditFeed(RedditFeedKind.Search, t)),
    ];

    public static RedditSettings From(ConnectorRequest request)
    {
        var clientId = Find(request.Credentials, ClientIdKey);
        var clientSecret = Find(request.Credentials, ClientSecretKey);
        if (string.IsNullOrWhiteSpace(clientId) || string.IsNullOrWhiteSpace(clientSecret))
        {
            throw new ConnectorAuthException("reddit", $"credentials '{ClientIdKey}' and '{ClientSecretKey}' are required");
        }

        var subreddits = ParseList(Find(request.Settings, SubredditsKey), splitOnSpaces: true)
            .Select(NormalizeSubreddit)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToArray();
        var searchTerms = ParseList(Find(request.Settings, SearchTermsKey), splitOnSpaces: false).Distinct(StringComparer.Ordinal).ToArray();
        if (subreddits.Length == 0 && searchTerms.Length == 0)
        {
            throw new InvalidOperationException($"reddit: the integration needs '{SubredditsKey}' or '{SearchTermsKey}'");
        }

        var includeComments = !bool.TryParse(Find(request.Settings, IncludeCommentsKey), out var include) || include;
        return new RedditSettings(subreddits, searchTerms, includeComments, new RedditCredentials(clientId.Trim(), clientSecret.Trim()));
    }

    private static string NormalizeSubreddit(string value)
    {
        var name = value.Trim().TrimStart('/');
        if (name.StartsWith("r/", StringComparison.OrdinalIgnoreCase))
        {
            name = name[2..];
        }

        name = name.TrimEnd('/');
        return SubredditName().IsMatch(name)
            ? name
            : throw new InvalidOperationException($"reddit: '{value}' is not a subreddit name");
    }

    internal static string? Find(IReadOnlyDictionary<string, string> values, string key) =>
        values.TryGetValue(key, out var value)
            ? value
            : values.FirstOrDefault(p => string.Equals(p.Key, key, StringComparison.OrdinalIgnoreCase)).Value;

    internal static IEnumerable<string> ParseList(string? value, bool splitOnSpaces)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return [];
        }

        if (value.TrimStart().StartsWith('['))
        {
            return (JsonSerializer.Deserialize<string[]>(value) ?? []).Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v.Trim());
        }

        char[] separators = splitOnSpaces ? [',', ';', '\n', '\r', ' ', '\t'] : ['\n', '\r'];
        return value.Split(separators, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    // Subreddit names are 2–21 word characters; '+' joins several into one multireddit listing.
    [GeneratedRegex("^[A-Za-z0-9_]{2,21}(\\+[A-Za-z0-9_]{2,21})*$")]
    private static partial Regex SubredditName();
}
