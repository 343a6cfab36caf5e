namespace GitMesh.Api.Features.Signals;

/// <summary>How the signal inbox plans a searched "newest" page ("Api:SignalList").</summary>
public sealed class SignalListOptions
{
    public const string SectionName = "Api:SignalList";

    /// <summary>
    /// A searched newest-first page reads the ids of at most this many matches from the index and lets the database
    /// join them with the other filters. A search with more matches is "common": its page is found by walking the other
    /// filters' signals newest first and probing them against the index, which stops after about
    /// limit / (share of matches) signals.
    /// </summary>
    /// <remarks>
    /// Reading costs about one index row per match, probing about limit / (share of matches) rows (on PostgreSQL each
    /// reads a stored vector), so the two meet near sqrt(limit × signals × 5): about 15,000 matches at a million.
    /// SQLite probes cheaply (a match's doclist is read once per chunk) and joins ids slowly, so its default is lower.
    /// </remarks>
    public int? SearchMatchIdLimit { get; set; }

    /// <summary>The default of <see cref="SearchMatchIdLimit"/> on PostgreSQL.</summary>
    public const int PostgresSearchMatchIdLimit = 10_000;

    /// <summary>The default of <see cref="SearchMatchIdLimit"/> on SQLite.</summary>
    public const int SqliteSearchMatchIdLimit = 2_000;

    /// <summary>Signals probed before a common search gives up walking (the other filters leave few matches) and lets the database read its matches whole.</summary>
    public int SearchProbeBudget { get; set; } = 16_000;

    /// <summary>
    /// Matches ranked together by sort=relevance: a search with more matches is ranked in windows of about this many,
    /// newest window first, so that a common word costs no more than this; fewer matches are ranked exactly. 0 ranks
    /// all matches at once (exact, but a word in 10% of a million signals takes seconds).
    /// </summary>
    public int RelevanceWindowMatches { get; set; } = 2_000;
}
