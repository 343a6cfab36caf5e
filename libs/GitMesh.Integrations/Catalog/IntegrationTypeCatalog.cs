using GitMesh.Connectors.Discord.Listener;
using GitMesh.Domain.Signals;

namespace GitMesh.Integrations.Catalog;

/// <summary>Value types a settings or credential field accepts.</summary>
public static class FieldTypes
{
    public const string String = "string";
    public const string Boolean = "boolean";
    public const string Url = "url";
    /// <summary>A JSON array of strings (or one string with items on separate lines); stored one item per line.</summary>
    public const string List = "list";
}

/// <param name="Secret">True for credentials: accepted on create/update, stored encrypted, never returned.</param>
public sealed record IntegrationField(string Name, string Type, bool Required, bool Secret, string Description);

/// <param name="Polls">True when a connector polls the source on a schedule (the connector-run workflow).</param>
/// <param name="ReceivesWebhooks">True when the integration gets a webhook secret and a receiving endpoint.</param>
/// <param name="Rules">Human-readable rules across fields (e.g. "owner and repo, or org").</param>
public sealed record IntegrationType(
    string Type,
    string DisplayName,
    string Description,
    bool Polls,
    bool ReceivesWebhooks,
    IReadOnlyList<IntegrationField> Settings,
    IReadOnlyList<IntegrationField> Credentials,
    IReadOnlyList<string> Rules);

/// <summary>
/// Every integration type GitMesh knows, with the settings and credential fields its connector reads. The field names
/// are exactly the keys the connector libraries parse, so what the API validates is what the connector gets.
/// </summary>
public static class IntegrationTypeCatalog
{
    public static IReadOnlyList<IntegrationType> All { get; } =
    [
        new(SignalSources.GitHub, "GitHub", "Issues, issue comments and discussions of a repository or of every repository of an organization; webhooks for real-time updates.",
            Polls: true, ReceivesWebhooks: true,
            [
                new("owner", FieldTypes.String, false, false, "Repository owner (user or organization)."),
                new("repo", FieldTypes.String, false, false, "Repository name, or owner/name."),
                new("org", FieldTypes.String, false, false, "Read every repository of this organization instead of one repository."),
                new("includeDiscussions", FieldTypes.Boolean, false, false, "Read discussions too (default true)."),
                new("includePullRequests", FieldTypes.Boolean, false, false, "Read pull requests and their comments (default false)."),
                new("baseUrl", FieldTypes.Url, false, false, "REST root of a GitHub Enterprise Server, e.g. https://github.example.com/api/v3/."),
            ],
            [
                new("token", FieldTypes.String, false, true, "Personal access token or installation token."),
                new("appId", FieldTypes.String, false, true, "GitHub App id (with privateKey and installationId)."),
                new("privateKey", FieldTypes.String, false, true, "GitHub App private key (PEM)."),
                new("installationId", FieldTypes.String, false, true, "GitHub App installation id."),
            ],
            ["settings need 'owner' and 'repo' (or 'repo' as owner/name), or 'org'", "credentials need 'token', or 'appId', 'privateKey' and 'installationId'"]),
        new(SignalSources.Reddit, "Reddit", "New posts and comments of subreddits, and search results.",
            Polls: true, ReceivesWebhooks: false,
            [
                new("subreddits", FieldTypes.List, false, false, "Subreddit names (r/ prefix optional)."),
                new("searchTerms", FieldTypes.List, false, false, "Search queries, one per item."),
                new("includeComments", FieldTypes.Boolean, false, false, "Read comments of the subreddits too (default true)."),
            ],
            [
                new("clientId", FieldTypes.String, true, true, "Client id of a Reddit script or web app."),
                new("clientSecret", FieldTypes.String, true, true, "Client secret of the app."),
            ],
            ["settings need 'subreddits' or 'searchTerms'"]),
        new(SignalSources.X, "X (Twitter)", "Recent posts matching search queries.",
            Polls: true, ReceivesWebhooks: false,
            [new("queries", FieldTypes.List, true, false, "Search queries, one per item.")],
            [new("bearerToken", FieldTypes.String, true, true, "App-only bearer token.")],
            []),
        new(SignalSources.StackOverflow, "Stack Overflow", "Questions and answers by tag or keyword on Stack Overflow or another Stack Exchange site.",
            Polls: true, ReceivesWebhooks: false,
            [
                new("site", FieldTypes.String, false, false, "API site slug (default stackoverflow)."),
                new("tags", FieldTypes.List, false, false, "Tags; 'a;b' means questions with both tags."),
                new("keywords", FieldTypes.List, false, false, "Search keywords, one search per item."),
            ],
            [
                new("key", FieldTypes.String, false, true, "Stack Apps key (raises the daily quota)."),
                new("accessToken", FieldTypes.String, false, true, "Access token."),
            ],
            ["settings need 'tags' or 'keywords'"]),
        new(SignalSources.Discord, "Discord", "Messages of channels (and their threads) of a guild, live through the gateway with REST backfill.",
            Polls: true, ReceivesWebhooks: false,
            [
                new(DiscordBotSettings.GuildIdSetting, FieldTypes.String, true, false, "Guild (server) id."),
                new(DiscordBotSettings.ChannelIdsSetting, FieldTypes.List, true, false, "Channel ids to ingest; threads under them are included."),
            ],
            [new(DiscordBotSettings.BotTokenCredential, FieldTypes.String, true, true, "Bot token (the bot needs the MESSAGE_CONTENT intent).")],
            []),
        new(SignalSources.Webhook, "Generic webhook", "Any system that can POST signed signal envelopes to /webhooks/ingest/{integrationId}.",
            Polls: false, ReceivesWebhooks: true, [], [], []),
        new(SignalSources.Import, "File import", "CSV or JSON Lines files uploaded through the API or the CLI.",
            Polls: false, ReceivesWebhooks: false, [], [], []),
    ];

    public static IntegrationType? Find(string? type) =>
        type is null ? null : All.FirstOrDefault(t => string.Equals(t.Type, type, StringComparison.Ordinal));
}
