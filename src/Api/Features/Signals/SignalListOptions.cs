namespace GitMesh.Api.Features.Signals;

/// <summary>How the signal inbox plans a searched "newest" page ("Api:SignalList").</summary>
public sealed class SignalListOptions
{
    public const string SectionName = "Api:SignalList";

    /// <summary>
    /// A search with at least this many matches is "common": its newest page is found by walking the other filters'
    /// signals newest first and probing each against the search index, which stops after about
    /// limit / (share of matches) signals. Fewer matches are cheaper to read whole and sort.
    /// </summary>
    /// <remarks>
    /// Reading costs about one row per match, probing about limit / (share of matches) rows, so the two meet near
    /// sqrt(limit × signals): about 7,000 matches at a million signals.
    /// </remarks>
    public int CommonSearchMatches { get; set; } = 5_000;

    /// <summary>Signals probed before a common-word search gives up walking (the filters leave few matches) and reads its matches whole.</summary>
    public int SearchProbeBudget { get; set; } = 16_000;

    /// <summary>
    /// Matches ranked together by sort=relevance: a search with more matches is ranked in windows of about this many,
    /// newest window first, so that a common word costs no more than this; fewer matches are ranked exactly. 0 ranks
    /// all matches at once (exact, but a word in 10% of a million signals takes seconds).
    /// </summary>
    public int RelevanceWindowMatches { get; set; } = 2_000;
}
