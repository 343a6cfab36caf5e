using GitMesh.Api.Http;
using Microsoft.OpenApi;

namespace GitMesh.Api.Features.Triage;

/// <summary>OpenAPI documentation of the <see cref="SignalFilter"/> query fields (list, export, facets).</summary>
public static class SignalQueryDocs
{
    private const string Multi = " Repeat the parameter or separate values with commas; values are OR-ed, fields AND-ed.";

    public static readonly QueryParameter[] Filter =
    [
        new("q", "Full-text search in web-search syntax: \"exact phrase\", OR, -excluded; words match their stems."),
        new("source", "Source platform, e.g. github, reddit, x, stackoverflow, discord, webhook, import." + Multi, Repeatable: true),
        new("kind", "Signal kind, e.g. issue, comment, discussion, post, message, question, answer." + Multi, Repeatable: true),
        new("intent", "Classified intent." + Multi, Values: ["bug", "feature_request", "question", "complaint", "praise", "other"], Repeatable: true),
        new("sentiment", "Classified sentiment." + Multi, Values: ["negative", "neutral", "positive"], Repeatable: true),
        new("urgency", "Estimated urgency." + Multi, Values: ["critical", "high", "normal", "low"], Repeatable: true),
        new("status", "Triage status." + Multi, Values: ["new", "triaged", "linked", "dismissed", "spam"], Repeatable: true),
        new("productArea", "Product area name (a signal may have several)." + Multi, Repeatable: true),
        new("assignee", "Assigned user id, 'me', or 'none' for unassigned." + Multi, Repeatable: true),
        new("clusterId", "Cluster id." + Multi, Format: "uuid", Repeatable: true),
        new("author", "Author username on the source." + Multi, Repeatable: true),
        new("tag", "Tag." + Multi, Repeatable: true),
        .. CommonQuery.Range("when the signal was said (source time, else ingest time)"),
        new("hasLink", "Only signals whose cluster is (true) or is not (false) linked to a tracker issue.", JsonSchemaType.Boolean),
    ];

    public static readonly QueryParameter[] List =
    [
        .. Filter,
        new("sort", "Order: newest first, relevance to q, cluster size, or cluster velocity (signals/day over the last 7 days). "
            + "relevance ranks the matches in windows of about Api:SignalList:RelevanceWindowMatches (default 2,000), newest window first, so a common word stays fast; "
            + "a search with fewer matches is ranked exactly. Its pages hold the matches that existed at the first page.",
            Values: ["newest", "relevance", "cluster_size", "velocity"], Default: "newest"),
        .. CommonQuery.Page(50, 200),
        new("facets", "Also return counts per source, intent, sentiment, urgency, status and product area for the filter sidebar.", JsonSchemaType.Boolean, Default: "false"),
    ];

    public static readonly QueryParameter[] Export =
    [
        .. Filter,
        new("format", "csv or jsonl (JSON Lines).", Values: ["csv", "jsonl"], Default: "csv"),
    ];
}
