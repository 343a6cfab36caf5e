using System.Linq.Expressions;
using System.Text.Json;
using GitMesh.Api.Http;
using GitMesh.Data;
using GitMesh.Domain.Signals;
using GitMesh.Search;

namespace GitMesh.Api.Features.Triage;

/// <summary>
/// The signal filter shared by the list, bulk updates and saved views. Every list field may repeat or hold
/// comma-separated values; values of one field are OR-ed, fields are AND-ed.
/// </summary>
public sealed record SignalFilter
{
    /// <summary>Field names accepted in a query string, a bulk filter or a saved view.</summary>
    public static readonly IReadOnlySet<string> Fields = new HashSet<string>(StringComparer.Ordinal)
    {
        "q", "source", "kind", "intent", "sentiment", "urgency", "status", "productArea", "assignee", "clusterId", "author", "tag", "from", "to", "hasLink",
    };

    public string? Query { get; init; }
    public IReadOnlyList<string> Sources { get; init; } = [];
    public IReadOnlyList<string> Kinds { get; init; } = [];
    public IReadOnlyList<string> Intents { get; init; } = [];
    public IReadOnlyList<string> Sentiments { get; init; } = [];
    public IReadOnlyList<string> Urgencies { get; init; } = [];
    public IReadOnlyList<TriageStatus> Statuses { get; init; } = [];
    public IReadOnlyList<string> ProductAreas { get; init; } = [];
    public IReadOnlyList<Guid> Assignees { get; init; } = [];
    /// <summary><c>assignee=none</c>: signals nobody is assigned to (OR-ed with <see cref="Assignees"/>).</summary>
    public bool Unassigned { get; init; }
    public IReadOnlyList<Guid> ClusterIds { get; init; } = [];
    public IReadOnlyList<string> Authors { get; init; } = [];
    public IReadOnlyList<string> Tags { get; init; } = [];
    /// <summary>Inclusive lower bound on when the signal was said (source time, else ingest time).</summary>
    public DateTime? From { get; init; }
    /// <summary>Exclusive upper bound on when the signal was said.</summary>
    public DateTime? To { get; init; }
    /// <summary>Whether the signal's cluster is linked to a tracker issue.</summary>
    public bool? HasLink { get; init; }

    public static bool TryParseStatus(string value, out TriageStatus status) =>
        Enum.TryParse(value, ignoreCase: true, out status) && Enum.IsDefined(status) && !int.TryParse(value, out _);

    public static string StatusName(TriageStatus status) => status.ToString().ToLowerInvariant();

    /// <summary>Reads a filter from the query string; unknown values become field errors.</summary>
    internal static SignalFilter FromQuery(IQueryCollection query, Guid? callerUserId, Validation validation) =>
        Parse(name => query.TryGetValue(name, out var v) ? v.Where(x => x is not null).Select(x => x!) : [], callerUserId, validation, "");

    /// <summary>Reads a filter from a JSON object (bulk filter, saved view): each field a string, a string array, or a boolean for hasLink.</summary>
    internal static SignalFilter FromJson(JsonElement json, Guid? callerUserId, Validation validation, string prefix)
    {
        if (json.ValueKind != JsonValueKind.Object)
        {
            validation.Add(prefix.TrimEnd('.'), "Must be an object.");
            return new SignalFilter();
        }

        var values = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var property in json.EnumerateObject())
        {
            if (!Fields.Contains(property.Name))
            {
                validation.Add(prefix + property.Name, $"Unknown filter field '{property.Name}'.");
                continue;
            }

            var list = values[property.Name] = [];
            switch (property.Value.ValueKind)
            {
                case JsonValueKind.String:
                    list.Add(property.Value.GetString()!);
                    break;
                case JsonValueKind.True or JsonValueKind.False:
                    list.Add(property.Value.GetBoolean() ? "true" : "false");
                    break;
                case JsonValueKind.Null:
                    break;
                case JsonValueKind.Array when property.Value.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String):
                    list.AddRange(property.Value.EnumerateArray().Select(e => e.GetString()!));
                    break;
                default:
                    validation.Add(prefix + property.Name, "Must be a string or an array of strings.");
                    break;
            }
        }

        return Parse(name => values.TryGetValue(name, out var v) ? v : [], callerUserId, validation, prefix);
    }

    private static SignalFilter Parse(Func<string, IEnumerable<string>> raw, Guid? callerUserId, Validation validation, string prefix)
    {
        List<string> Values(string name) => raw(name)
            .SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Distinct(StringComparer.Ordinal).ToList();
        List<string> Lower(string name) => Values(name).Select(v => v.ToLowerInvariant()).Distinct(StringComparer.Ordinal).ToList();

        var statuses = new List<TriageStatus>();
        foreach (var value in Values("status"))
        {
            if (TryParseStatus(value, out var status))
            {
                statuses.Add(status);
            }
            else
            {
                validation.Add(prefix + "status", $"Unknown status '{value}'; use new, triaged, linked, dismissed or spam.");
            }
        }

        var assignees = new List<Guid>();
        var unassigned = false;
        foreach (var value in Values("assignee"))
        {
            if (value.Equals("none", StringComparison.OrdinalIgnoreCase))
            {
                unassigned = true;
            }
            else if (value.Equals("me", StringComparison.OrdinalIgnoreCase) && callerUserId is { } me)
            {
                assignees.Add(me);
            }
            else if (Guid.TryParse(value, out var id))
            {
                assignees.Add(id);
            }
            else
            {
                validation.Add(prefix + "assignee", $"'{value}' is not a user id, 'me' or 'none'.");
            }
        }

        var clusters = new List<Guid>();
        foreach (var value in Values("clusterId"))
        {
            if (Guid.TryParse(value, out var id))
            {
                clusters.Add(id);
            }
            else
            {
                validation.Add(prefix + "clusterId", $"'{value}' is not a cluster id.");
            }
        }

        bool? hasLink = null;
        if (Values("hasLink") is [var link])
        {
            if (bool.TryParse(link, out var b))
            {
                hasLink = b;
            }
            else
            {
                validation.Add(prefix + "hasLink", "Must be true or false.");
            }
        }

        var query = string.Join(' ', raw("q")).Trim();
        return new SignalFilter
        {
            Query = query.Length == 0 ? null : query,
            Sources = Lower("source"),
            Kinds = Lower("kind"),
            Intents = Lower("intent"),
            Sentiments = Lower("sentiment"),
            Urgencies = Lower("urgency"),
            Statuses = statuses,
            ProductAreas = Lower("productArea"),
            Assignees = assignees,
            Unassigned = unassigned,
            ClusterIds = clusters,
            Authors = Values("author"),
            Tags = Lower("tag"),
            From = ParseDate(raw("from"), prefix + "from", validation),
            To = ParseDate(raw("to"), prefix + "to", validation),
            HasLink = hasLink,
        };
    }

    private static DateTime? ParseDate(IEnumerable<string> values, string field, Validation validation)
    {
        var value = values.LastOrDefault();
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        if (DateTimeOffset.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var parsed))
        {
            return parsed.UtcDateTime;
        }

        validation.Add(field, $"'{value}' is not an ISO 8601 date or timestamp.");
        return null;
    }

    /// <summary>Live (not deleted) signals of the scoped workspace matching every field.</summary>
    public IQueryable<Signal> Apply(GitMeshDbContext db, ISignalSearchIndex search, Guid workspaceId)
    {
        // Explicit, besides the tenant query filter: that filter's SQL is "(@bypass OR workspace_id = @id)", which
        // SQLite cannot use as an index equality, so without this every list query scanned and sorted all signals.
        var q = db.Signals.Where(s => s.WorkspaceId == workspaceId && !s.IsDeleted);
        if (Query is { } text)
        {
            var matching = search.Matching(db, workspaceId, text);
            q = q.Where(s => matching.Contains(s.Id));
        }

        if (Sources.Count > 0)
        {
            q = q.Where(s => Sources.Contains(s.Source));
        }

        if (Kinds.Count > 0)
        {
            q = q.Where(s => Kinds.Contains(s.Kind));
        }

        if (Intents.Count > 0)
        {
            q = q.Where(s => s.Intent != null && Intents.Contains(s.Intent));
        }

        if (Sentiments.Count > 0)
        {
            q = q.Where(s => s.Sentiment != null && Sentiments.Contains(s.Sentiment));
        }

        if (Urgencies.Count > 0)
        {
            q = q.Where(s => s.Urgency != null && Urgencies.Contains(s.Urgency));
        }

        if (Statuses.Count > 0)
        {
            q = q.Where(s => Statuses.Contains(s.TriageStatus));
        }

        if (ProductAreas.Count > 0)
        {
            q = q.Where(AnyListItem(ProductAreas, token => s => ("," + s.ProductAreas + ",").ToLower().Contains(token)));
        }

        if (Tags.Count > 0)
        {
            q = q.Where(AnyListItem(Tags, token => s => ("," + s.Tags + ",").ToLower().Contains(token)));
        }

        if (Assignees.Count > 0 || Unassigned)
        {
            var unassigned = Unassigned;
            q = q.Where(s => (s.AssigneeUserId != null && Assignees.Contains(s.AssigneeUserId.Value)) || (unassigned && s.AssigneeUserId == null));
        }

        if (ClusterIds.Count > 0)
        {
            q = q.Where(s => s.ClusterId != null && ClusterIds.Contains(s.ClusterId.Value));
        }

        if (Authors.Count > 0)
        {
            var authors = Authors;
            q = q.Where(s => db.Authors.Any(a => a.Id == s.AuthorId && authors.Contains(a.Username)));
        }

        if (From is { } from)
        {
            q = q.Where(s => (s.SourceCreatedAt ?? s.IngestedAt) >= from);
        }

        if (To is { } to)
        {
            q = q.Where(s => (s.SourceCreatedAt ?? s.IngestedAt) < to);
        }

        if (HasLink is { } hasLink)
        {
            q = hasLink
                ? q.Where(s => db.TrackerLinks.Any(l => l.ClusterId == s.ClusterId))
                : q.Where(s => !db.TrackerLinks.Any(l => l.ClusterId == s.ClusterId));
        }

        return q;
    }

    /// <summary>
    /// OR of "the comma-separated column holds this item" for each value. Built as one expression per value so each
    /// value is a parameter and the SQL stays the same shape on both providers (no JSON-array functions).
    /// </summary>
    private static Expression<Func<Signal, bool>> AnyListItem(IReadOnlyList<string> values, Func<string, Expression<Func<Signal, bool>>> one)
    {
        Expression<Func<Signal, bool>>? result = null;
        foreach (var value in values)
        {
            var next = one("," + value + ",");
            result = result is null
                ? next
                : Expression.Lambda<Func<Signal, bool>>(
                    Expression.OrElse(result.Body, new ParameterSwap(next.Parameters[0], result.Parameters[0]).Visit(next.Body)),
                    result.Parameters);
        }

        return result ?? (_ => true);
    }

    private sealed class ParameterSwap(ParameterExpression from, ParameterExpression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : base.VisitParameter(node);
    }

    /// <summary>Splits a comma-separated column into its items.</summary>
    public static IReadOnlyList<string> SplitList(string? value) =>
        string.IsNullOrEmpty(value) ? [] : value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
