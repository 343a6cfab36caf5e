using System.Text.RegularExpressions;
using GitMesh.Intelligence.Text;

namespace GitMesh.Intelligence.Duplicates;

/// <summary>A signal as a bag of weighted terms (64-bit stable term hashes, sorted), before IDF. Title terms carry the title field weight.</summary>
public sealed record TermVector(long[] Terms, float[] Weights, long[] TitleTerms)
{
    public static readonly TermVector Empty = new([], [], []);
}

/// <summary>Document-frequency statistics the scorer needs; implemented in memory here and by the data layer for persisted stats.</summary>
public interface IDocumentFrequencies
{
    long DocumentCount { get; }

    int DocumentFrequency(long term);
}

public enum DuplicateDecision
{
    /// <summary>Below <see cref="DuplicateThresholds.Suggest"/>: start a new cluster.</summary>
    NewCluster,

    /// <summary>Grey zone: show as "possible duplicate" for a human to confirm.</summary>
    PossibleDuplicate,

    /// <summary>At or above <see cref="DuplicateThresholds.AutoJoin"/>: join the cluster automatically.</summary>
    AutoJoin,
}

/// <summary>Score thresholds on the TF-IDF cosine (0..1), plus the evidence an automatic join needs.</summary>
/// <remarks>
/// Auto-join is deliberately conservative (near-verbatim reports); everything between is a suggestion a human confirms.
/// A high cosine alone is not enough: two three-word titles ("Release lib 1.1" / "Use lib 1.1") reach 0.9 on two
/// shared terms. <paramref name="AutoJoinMinSharedTerms"/> distinct shared terms (stopwords and markup excluded) are
/// required as well, so short reports are only ever suggested.
/// </remarks>
public sealed record DuplicateThresholds(double AutoJoin = 0.85, double Suggest = 0.4, int AutoJoinMinSharedTerms = 6);

/// <summary>Field weights and limits of <see cref="DuplicateScorer.Vectorize"/> and <see cref="DuplicateScorer.Truncate"/>.</summary>
/// <param name="TitleWeight">Titles are short summaries written to be found; a shared title term counts this many body occurrences.</param>
/// <param name="TitleBlend">Share of the final score taken by the IDF-weighted cosine of the two titles' term sets (the rest is the full-text cosine).</param>
/// <param name="MaxTerms">Terms kept per stored document (highest tf·idf first), bounding storage at large index sizes.</param>
public sealed record DuplicateScorerOptions(float TitleWeight = 3f, float BodyWeight = 1f, float CodeWeight = 0.3f, double TitleBlend = 0.0, int MaxTerms = 64, int MaxBodyChars = 20_000);

/// <summary>
/// Duplicate similarity: cosine of TF-IDF vectors over title + body with field weights. tf is sublinear per field
/// (1 + ln tf), the field contributions are added with <see cref="DuplicateScorerOptions.TitleWeight"/> and
/// <see cref="DuplicateScorerOptions.BodyWeight"/>, and IDF is the BM25 form ln(1 + (N − df + 0.5)/(df + 0.5)) read
/// from live document-frequency stats, so scores adapt as the corpus grows without re-vectorizing stored signals.
/// </summary>
public sealed partial class DuplicateScorer(DuplicateScorerOptions? options = null, DuplicateThresholds? thresholds = null)
{
    public DuplicateScorerOptions Options { get; } = options ?? new DuplicateScorerOptions();
    public DuplicateThresholds Thresholds { get; } = thresholds ?? new DuplicateThresholds();

    public static double Idf(long documentCount, int documentFrequency) =>
        Math.Log(1 + ((documentCount - documentFrequency + 0.5) / (documentFrequency + 0.5)));

    /// <summary>All terms of a signal with their field-weighted sublinear tf (no IDF yet).</summary>
    public TermVector Vectorize(SignalText text)
    {
        var body = text.BodyWithCode;
        if (body.Length > Options.MaxBodyChars)
        {
            body = body[..Options.MaxBodyChars];
        }

        var titleCounts = Count(text.Title);
        var bodyCounts = Count(body);
        var proseCounts = Count(Prose.Extract(body), signatures: false);
        var weights = new Dictionary<long, float>(titleCounts.Count + bodyCounts.Count);
        foreach (var (t, c) in titleCounts)
        {
            weights[t] = Options.TitleWeight * (1 + MathF.Log(c));
        }

        // Code, logs and stack traces count at CodeWeight: unrelated reports share framework frames and log lines.
        foreach (var (t, c) in bodyCounts)
        {
            weights[t] = weights.GetValueOrDefault(t) + (Options.CodeWeight * (1 + MathF.Log(c)));
        }

        foreach (var (t, c) in proseCounts)
        {
            weights[t] = weights.GetValueOrDefault(t) + ((Options.BodyWeight - Options.CodeWeight) * (1 + MathF.Log(c)));
        }

        // Exception types and top frames are found in the whole body (code and logs included) and count in full.
        var signatureCounts = new Dictionary<long, int>();
        AddSignatures(body, signatureCounts);
        foreach (var (t, c) in signatureCounts)
        {
            weights[t] = weights.GetValueOrDefault(t) + ((Options.BodyWeight - Options.CodeWeight) * (1 + MathF.Log(c)));
        }

        var sorted = weights.OrderBy(kv => kv.Key).ToArray();
        return new TermVector(
            sorted.Select(kv => kv.Key).ToArray(),
            sorted.Select(kv => kv.Value).ToArray(),
            titleCounts.Keys.Order().ToArray());
    }

    /// <summary>Keeps the <see cref="DuplicateScorerOptions.MaxTerms"/> terms with the highest tf·idf, for compact storage.</summary>
    public TermVector Truncate(TermVector vector, IDocumentFrequencies frequencies)
    {
        if (vector.Terms.Length <= Options.MaxTerms)
        {
            return vector;
        }

        var n = Math.Max(1, frequencies.DocumentCount);
        var keep = Enumerable.Range(0, vector.Terms.Length)
            .Select(i => (Index: i, Value: vector.Weights[i] * Idf(n, frequencies.DocumentFrequency(vector.Terms[i]))))
            .OrderByDescending(x => x.Value).ThenBy(x => x.Index)
            .Take(Options.MaxTerms)
            .Select(x => x.Index)
            .Order()
            .ToArray();
        return vector with
        {
            Terms = keep.Select(i => vector.Terms[i]).ToArray(),
            Weights = keep.Select(i => vector.Weights[i]).ToArray(),
        };
    }

    /// <summary>Similarity in 0..1: (1 − TitleBlend)·cos(full text) + TitleBlend·cos(titles).</summary>
    public double Score(TermVector a, TermVector b, IDocumentFrequencies frequencies) =>
        ((1 - Options.TitleBlend) * FullTextCosine(a, b, frequencies)) + (Options.TitleBlend * TitleCosine(a.TitleTerms, b.TitleTerms, frequencies));

    /// <summary>IDF-weighted cosine of two sorted sets of title terms.</summary>
    public static double TitleCosine(long[] a, long[] b, IDocumentFrequencies frequencies)
    {
        var n = Math.Max(1, frequencies.DocumentCount);
        double dot = 0, na = 0, nb = 0;
        foreach (var t in a)
        {
            var w = Idf(n, frequencies.DocumentFrequency(t));
            na += w * w;
        }

        foreach (var t in b)
        {
            var w = Idf(n, frequencies.DocumentFrequency(t));
            nb += w * w;
        }

        int i = 0, j = 0;
        while (i < a.Length && j < b.Length)
        {
            if (a[i] == b[j])
            {
                var w = Idf(n, frequencies.DocumentFrequency(a[i]));
                dot += w * w;
                i++;
                j++;
            }
            else if (a[i] < b[j])
            {
                i++;
            }
            else
            {
                j++;
            }
        }

        return na == 0 || nb == 0 ? 0 : Math.Min(1, dot / Math.Sqrt(na * nb));
    }

    public double FullTextCosine(TermVector a, TermVector b, IDocumentFrequencies frequencies)
    {
        var n = Math.Max(1, frequencies.DocumentCount);
        double dot = 0;
        int i = 0, j = 0;
        while (i < a.Terms.Length && j < b.Terms.Length)
        {
            var ta = a.Terms[i];
            var tb = b.Terms[j];
            if (ta == tb)
            {
                var idf = Idf(n, frequencies.DocumentFrequency(ta));
                dot += a.Weights[i] * b.Weights[j] * idf * idf;
                i++;
                j++;
            }
            else if (ta < tb)
            {
                i++;
            }
            else
            {
                j++;
            }
        }

        if (dot <= 0)
        {
            return 0;
        }

        var na = Norm(a, frequencies, n);
        var nb = Norm(b, frequencies, n);
        return na == 0 || nb == 0 ? 0 : Math.Min(1, dot / (na * nb));
    }

    public double Norm(TermVector v, IDocumentFrequencies frequencies) => Norm(v, frequencies, Math.Max(1, frequencies.DocumentCount));

    /// <summary>Decision on the score alone (no evidence check); prefer <see cref="Decide(double, int)"/> or <see cref="Compare"/>.</summary>
    public DuplicateDecision Decide(double score) =>
        score >= Thresholds.AutoJoin ? DuplicateDecision.AutoJoin
        : score >= Thresholds.Suggest ? DuplicateDecision.PossibleDuplicate
        : DuplicateDecision.NewCluster;

    /// <summary>Decision on the score and the number of distinct terms the two vectors share: auto-join needs both.</summary>
    public DuplicateDecision Decide(double score, int sharedTerms) =>
        score >= Thresholds.AutoJoin && sharedTerms >= Thresholds.AutoJoinMinSharedTerms ? DuplicateDecision.AutoJoin
        : score >= Thresholds.Suggest ? DuplicateDecision.PossibleDuplicate
        : DuplicateDecision.NewCluster;

    /// <summary><see cref="Score"/> and the evidence-checked <see cref="Decide(double, int)"/> in one call.</summary>
    public (double Score, DuplicateDecision Decision) Compare(TermVector a, TermVector b, IDocumentFrequencies frequencies)
    {
        var score = Score(a, b, frequencies);
        return (score, Decide(score, SharedTerms(a.Terms, b.Terms)));
    }

    /// <summary>Distinct terms two sorted term arrays have in common.</summary>
    public static int SharedTerms(long[] a, long[] b)
    {
        int i = 0, j = 0, shared = 0;
        while (i < a.Length && j < b.Length)
        {
            if (a[i] == b[j])
            {
                shared++;
                i++;
                j++;
            }
            else if (a[i] < b[j])
            {
                i++;
            }
            else
            {
                j++;
            }
        }

        return shared;
    }

    private static double Norm(TermVector v, IDocumentFrequencies frequencies, long n)
    {
        double s = 0;
        for (var k = 0; k < v.Terms.Length; k++)
        {
            var w = v.Weights[k] * Idf(n, frequencies.DocumentFrequency(v.Terms[k]));
            s += w * w;
        }

        return Math.Sqrt(s);
    }

    private static void AddTerm(Dictionary<long, int> counts, string term)
    {
        var h = (long)StableHash.Hash(term);
        counts[h] = counts.GetValueOrDefault(h) + 1;
    }

    // Exception types and the top frames of stack traces are the most distinctive part of a crash report.
    private static void AddSignatures(string text, Dictionary<long, int> counts)
    {
        foreach (Match m in ExceptionRegex().Matches(text))
        {
            AddTerm(counts, "exc:" + m.Groups[1].Value.ToLowerInvariant());
        }

        foreach (Match m in FrameRegex().Matches(text))
        {
            AddTerm(counts, "frame:" + m.Groups[1].Value.ToLowerInvariant());
        }
    }

    private static Dictionary<long, int> Count(string? text, bool signatures = true)
    {
        var counts = new Dictionary<long, int>();
        if (string.IsNullOrEmpty(text))
        {
            return counts;
        }

        void Add(string term) => AddTerm(counts, term);

        // Versions, issue keys and CVE ids tell "upgrade X to 3.5.1" from "upgrade X to 3.6.0"; the word tokenizer
        // splits or collapses them, so they are added whole. A three-part
        // version also adds its release line (3.8.3 → 3.8), so "bump X to 3.8.2" and "to 3.8.3" still share a term.
        foreach (Match m in IdentifierRegex().Matches(text))
        {
            var value = m.Value.ToLowerInvariant();
            Add("id:" + value);
            if (VersionLineRegex().Match(value) is { Success: true } line)
            {
                Add("ver:" + line.Value);
            }
        }

        // Hyphenated names ("commons-text", "aws-java-sdk-bundle", "start-build-env") are one thing; their parts
        // ("text", "java", "build") are common words, so the whole name is added as a term of its own.
        foreach (Match m in CompoundRegex().Matches(text))
        {
            Add("cmp:" + m.Value.ToLowerInvariant());
        }

        if (signatures)
        {
            AddSignatures(text, counts);
        }

        foreach (var t in Tokenizer.Tokenize(StripMarkup(text)))
        {
            if ((t.Length < 2 && !char.IsLetter(t[0])) || Stopwords.Contains(t) || t == Tokenizer.NumberToken || Boilerplate.Contains(t))
            {
                continue;
            }

            var stem = Stem(t);
            Add(Synonyms.GetValueOrDefault(stem, stem));
        }

        return counts;
    }

    /// <summary>Jira/Markdown markup tokens and template headings carry no meaning of their own but add shared terms to unrelated reports.</summary>
    internal static string StripMarkup(string text)
    {
        var s = JiraMarkupRegex().Replace(text, " ");
        return TemplateHeadingRegex().Replace(s, " ");
    }

    // Words of issue templates and tracker markup that survive as tokens once the punctuation is gone.
    private static readonly HashSet<string> Boilerplate = new(StringComparer.Ordinal)
    {
        "noformat", "quote", "panel", "color", "nbsp", "quot", "gt", "lt", "amp", "png", "jpg", "jpeg", "thumbnail",
    };

    // Verbs trackers use interchangeably in titles ("Upgrade / Update / Bump X to 1.2"), after stemming.
    private static readonly Dictionary<string, string> Synonyms = new(StringComparer.Ordinal)
    {
        ["updat"] = "upgrad",
        ["bump"] = "upgrad",
        ["failur"] = "fail",
        ["npe"] = "nullpointerexception",
    };

    /// <summary>
    /// Light suffix stripping so inflections of one word share a term: fails/failed/failing → fail,
    /// binary/binaries → binary, release/releases/released → releas, stop/stopped → stop.
    /// </summary>
    /// <remarks>
    /// After the suffix goes, a final "e" goes too and a doubled final consonant is undoubled, because
    /// "release" + "s" and "releas" + "ed" must meet, and "stopp" + "ed" must meet "stop".
    /// </remarks>
    internal static string Stem(string token)
    {
        if (token.Length <= 3 || !char.IsLetter(token[^1]))
        {
            return token;
        }

        var stem = token;
        foreach (var (suffix, replacement) in Suffixes)
        {
            if (token.Length - suffix.Length >= 3 && token.EndsWith(suffix, StringComparison.Ordinal))
            {
                stem = token[..^suffix.Length] + replacement;
                break;
            }
        }

        if (stem == token && token.EndsWith('s') && !token.EndsWith("ss", StringComparison.Ordinal) && !token.EndsWith("us", StringComparison.Ordinal) && !token.EndsWith("is", StringComparison.Ordinal))
        {
            stem = token[..^1];
        }

        if (stem.Length > 3 && stem[^1] == 'e')
        {
            stem = stem[..^1];
        }

        if (stem.Length > 3 && stem[^1] == stem[^2] && stem[^1] is not ('l' or 's' or 'z' or 'f') && !IsVowel(stem[^1]))
        {
            stem = stem[..^1];
        }

        return stem;
    }

    private static bool IsVowel(char c) => c is 'a' or 'e' or 'i' or 'o' or 'u';

    // First match wins, so longer suffixes come first; -ies/-ied become -y (binaries → binary, copied → copy).
    private static readonly (string Suffix, string Replacement)[] Suffixes =
    [
        ("ations", ""), ("ation", ""), ("ings", ""), ("ing", ""), ("ied", "y"), ("ies", "y"), ("ed", ""), ("ly", ""),
    ];

    [GeneratedRegex(@"\b(v?\d+(\.\d+)+[\w-]*|[A-Za-z][A-Za-z0-9]*-\d+|\d{3,})\b", RegexOptions.CultureInvariant)]
    private static partial Regex IdentifierRegex();

    [GeneratedRegex(@"(?<![\w.-])[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z][A-Za-z0-9]*)+(?![\w-])", RegexOptions.CultureInvariant)]
    private static partial Regex CompoundRegex();

    [GeneratedRegex(@"^v?\d+\.\d+(?=\.\d)", RegexOptions.CultureInvariant)]
    private static partial Regex VersionLineRegex();

    [GeneratedRegex(@"\b(?:[a-z_$][\w$]*\.)*([A-Z][\w$]*(?:Exception|Error))\b", RegexOptions.CultureInvariant)]
    private static partial Regex ExceptionRegex();

    // "at org.apache.hadoop.fs.FileSystem.open(FileSystem.java:42)" → "filesystem.open": class and method, no line numbers.
    [GeneratedRegex(@"^\s*at\s+(?:[\w$]+\.)*?([A-Z][\w$]*\.[\w$<>]+)\(", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex FrameRegex();

    // {code:java}, {color:#ff0000}, {noformat}, [~user], !image.png|thumbnail!, h2. headings.
    [GeneratedRegex(@"\{[a-zA-Z]+(?::[^}]*)?\}|\[~[^\]]*\]|![^!\s]+\.(?:png|jpe?g|gif)(?:\|[^!]*)?!|^\s*h[1-6]\.", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex JiraMarkupRegex();

    // Template headings ("Steps to reproduce:", "## Expected behavior", "*Actual result*") shared by every report of a project.
    [GeneratedRegex(@"^[\s#*_>-]*(steps to reproduce|how to reproduce|reproduction steps|expected (?:result|behaviou?r|outcome)|actual (?:result|behaviou?r|outcome)|observed behaviou?r|environment|description|additional (?:context|information|info)|to reproduce|version information|os|jdk)[\s*_]*:?[\s*_]*$", RegexOptions.Multiline | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex TemplateHeadingRegex();
}
