using System.Text;

namespace GitMesh.Search;

/// <summary>
/// A web-search query ("exact phrase", a or b, -excluded, bare terms AND-ed) parsed once in C#, then rendered for each
/// provider: an FTS5 MATCH expression for SQLite and a canonical websearch_to_tsquery string for PostgreSQL.
/// Parsing here rather than handing user text to the database means both providers see the same structure, and that
/// no user input can reach FTS5's query grammar: every rendered token consists of letters, digits and marks only and
/// is double-quoted. Garbage parses to an empty query, which matches nothing.
/// </summary>
/// <remarks>
/// The grouping follows PostgreSQL's websearch_to_tsquery: AND binds tighter than OR, so <c>a b or c -d</c> is
/// <c>(a AND b) OR (c AND NOT d)</c>. A group without a positive term ("-windows" alone) is dropped: FTS5 cannot
/// express "everything except", and matching the whole workspace is never what a search box user meant.
/// English stop words are dropped from bare terms because PostgreSQL's english configuration drops them; keeping them
/// for FTS5 alone would make "crash on startup" (unquoted) require "on" on SQLite only.
/// </remarks>
public sealed class WebSearchQuery
{
    /// <summary>Longer tokens are not words (base64, minified code): ignored, as PostgreSQL ignores words over 2047 bytes.</summary>
    internal const int MaxTokenLength = 100;

    /// <summary>Bounds the work a pasted 10 KB query can cause; tokens beyond this are ignored.</summary>
    internal const int MaxTokens = 64;

    // PostgreSQL's english.stop (the Snowball English list), so both providers ignore the same words.
    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "i", "me", "my", "myself", "we", "our", "ours", "ourselves", "you", "your", "yours", "yourself", "yourselves",
        "he", "him", "his", "himself", "she", "her", "hers", "herself", "it", "its", "itself", "they", "them", "their",
        "theirs", "themselves", "what", "which", "who", "whom", "this", "that", "these", "those", "am", "is", "are",
        "was", "were", "be", "been", "being", "have", "has", "had", "having", "do", "does", "did", "doing", "a", "an",
        "the", "and", "but", "if", "or", "because", "as", "until", "while", "of", "at", "by", "for", "with", "about",
        "against", "between", "into", "through", "during", "before", "after", "above", "below", "to", "from", "up",
        "down", "in", "out", "on", "off", "over", "under", "again", "further", "then", "once", "here", "there", "when",
        "where", "why", "how", "all", "any", "both", "each", "few", "more", "most", "other", "some", "such", "no", "nor",
        "not", "only", "own", "same", "so", "than", "too", "very", "s", "t", "can", "will", "just", "don", "should",
        "now",
    };

    private WebSearchQuery(IReadOnlyList<SearchGroup> groups) => Groups = groups;

    /// <summary>Alternatives (OR-ed); each is a conjunction of phrases with exclusions.</summary>
    public IReadOnlyList<SearchGroup> Groups { get; }

    /// <summary>True when nothing searchable is left: the query matches no signal.</summary>
    public bool IsEmpty => Groups.Count == 0;

    public static WebSearchQuery Parse(string? text)
    {
        var groups = new List<SearchGroup>();
        if (string.IsNullOrWhiteSpace(text))
        {
            return new WebSearchQuery(groups);
        }

        var include = new List<SearchPhrase>();
        var exclude = new List<SearchPhrase>();
        var budget = MaxTokens;
        var i = 0;
        while (i < text.Length && budget > 0)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            var negated = false;
            if (c == '-' && i + 1 < text.Length && !char.IsWhiteSpace(text[i + 1]))
            {
                negated = true;
                c = text[++i];
            }

            string item;
            var quoted = c == '"';
            if (quoted)
            {
                var close = text.IndexOf('"', i + 1);
                var end = close < 0 ? text.Length : close;
                item = text[(i + 1)..end];
                i = Math.Min(text.Length, end + 1);
            }
            else
            {
                var start = i;
                while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] != '"')
                {
                    i++;
                }

                item = text[start..i];
            }

            if (!quoted && !negated && item.Equals("or", StringComparison.OrdinalIgnoreCase))
            {
                Close(groups, ref include, ref exclude);
                continue;
            }

            // A quoted item is one phrase. A bare word is split at punctuation that separates words ("(crash",
            // "title:crash") but kept as a phrase across joiners inside compounds ("wi-fi", "v2.3", "file_name").
            foreach (var part in quoted ? [item] : SplitWords(item))
            {
                var tokens = Tokenize(part, ref budget);
                // A phrase of stop words only means nothing to PostgreSQL; drop it on both providers.
                if (tokens.Count > 0 && !tokens.TrueForAll(StopWords.Contains))
                {
                    (negated ? exclude : include).Add(new SearchPhrase(tokens));
                }
            }
        }

        Close(groups, ref include, ref exclude);
        return new WebSearchQuery(groups);
    }

    /// <summary>
    /// FTS5 MATCH expression, e.g. <c>("crash" AND "on startup") NOT "windows" OR ("hang")</c>. Each phrase is a quoted
    /// FTS5 string, so operators, column filters, NEAR, prefix stars and carets in the input are inert text.
    /// </summary>
    public string ToFts5()
    {
        var sb = new StringBuilder();
        foreach (var group in Groups)
        {
            if (sb.Length > 0)
            {
                sb.Append(" OR ");
            }

            sb.Append("((");
            for (var p = 0; p < group.Include.Count; p++)
            {
                if (p > 0)
                {
                    sb.Append(" AND ");
                }

                AppendFts5Phrase(sb, group.Include[p]);
            }

            sb.Append(')');
            foreach (var phrase in group.Exclude)
            {
                sb.Append(" NOT ");
                AppendFts5Phrase(sb, phrase);
            }

            sb.Append(')');
        }

        return sb.ToString();
    }

    /// <summary>
    /// Canonical input for PostgreSQL's websearch_to_tsquery, e.g. <c>"crash" "on startup" -"windows" or "hang"</c>.
    /// Tokens carry no quotes, dashes or operators, so websearch_to_tsquery sees exactly the structure parsed here.
    /// </summary>
    public string ToWebSearch()
    {
        var sb = new StringBuilder();
        foreach (var group in Groups)
        {
            if (sb.Length > 0)
            {
                sb.Append(" or ");
            }

            var first = true;
            foreach (var phrase in group.Include)
            {
                AppendWebSearchPhrase(sb, phrase, negated: false, ref first);
            }

            foreach (var phrase in group.Exclude)
            {
                AppendWebSearchPhrase(sb, phrase, negated: true, ref first);
            }
        }

        return sb.ToString();
    }

    public override string ToString() => ToWebSearch();

    private static void Close(List<SearchGroup> groups, ref List<SearchPhrase> include, ref List<SearchPhrase> exclude)
    {
        if (include.Count > 0)
        {
            groups.Add(new SearchGroup(include, exclude));
        }

        include = [];
        exclude = [];
    }

    /// <summary>
    /// Splits on anything that is not a letter, digit or combining mark, lower-cases, and drops over-long tokens.
    /// Works on runes so letters outside the BMP survive and lone surrogates become separators.
    /// </summary>
    private static List<string> Tokenize(string item, ref int budget)
    {
        var tokens = new List<string>();
        var current = new StringBuilder();
        foreach (var rune in item.EnumerateRunes())
        {
            if (Rune.IsLetterOrDigit(rune) || (current.Length > 0 && IsMark(rune)))
            {
                current.Append(Rune.ToLowerInvariant(rune).ToString());
            }
            else
            {
                Flush(tokens, current, ref budget);
            }
        }

        Flush(tokens, current, ref budget);
        return tokens;
    }

    private static List<string> SplitWords(string item)
    {
        var parts = new List<string>();
        var start = 0;
        for (var i = 0; i <= item.Length; i++)
        {
            if (i == item.Length || IsSeparator(item[i]))
            {
                if (i > start)
                {
                    parts.Add(item[start..i]);
                }

                start = i + 1;
            }
        }

        return parts;
    }

    private static bool IsSeparator(char c) =>
        !char.IsLetterOrDigit(c) && !char.IsSurrogate(c) && c is not ('-' or '\'' or '\u2019' or '.' or '_' or '/' or '@')
        && char.GetUnicodeCategory(c) is not (System.Globalization.UnicodeCategory.NonSpacingMark
            or System.Globalization.UnicodeCategory.SpacingCombiningMark or System.Globalization.UnicodeCategory.EnclosingMark);

    private static bool IsMark(Rune rune) =>
        Rune.GetUnicodeCategory(rune) is System.Globalization.UnicodeCategory.NonSpacingMark
            or System.Globalization.UnicodeCategory.SpacingCombiningMark
            or System.Globalization.UnicodeCategory.EnclosingMark;

    private static void Flush(List<string> tokens, StringBuilder current, ref int budget)
    {
        if (current.Length > 0 && current.Length <= MaxTokenLength && budget > 0)
        {
            tokens.Add(current.ToString());
            budget--;
        }

        current.Clear();
    }

    private static void AppendFts5Phrase(StringBuilder sb, SearchPhrase phrase)
    {
        sb.Append('"');
        for (var t = 0; t < phrase.Tokens.Count; t++)
        {
            if (t > 0)
            {
                sb.Append(' ');
            }

            // Tokens cannot contain a quote; doubling it anyway keeps the string literal closed if that ever changes.
            sb.Append(phrase.Tokens[t].Replace("\"", "\"\"", StringComparison.Ordinal));
        }

        sb.Append('"');
    }

    private static void AppendWebSearchPhrase(StringBuilder sb, SearchPhrase phrase, bool negated, ref bool first)
    {
        if (!first)
        {
            sb.Append(' ');
        }

        first = false;
        if (negated)
        {
            sb.Append('-');
        }

        sb.Append('"').AppendJoin(' ', phrase.Tokens).Append('"');
    }
}

/// <summary>One alternative of a query: every <see cref="Include"/> phrase and none of the <see cref="Exclude"/> phrases.</summary>
public sealed record SearchGroup(IReadOnlyList<SearchPhrase> Include, IReadOnlyList<SearchPhrase> Exclude);

/// <summary>Adjacent tokens (a single token is a one-word phrase). Tokens are lower-case letters, digits and marks.</summary>
public sealed record SearchPhrase(IReadOnlyList<string> Tokens);
