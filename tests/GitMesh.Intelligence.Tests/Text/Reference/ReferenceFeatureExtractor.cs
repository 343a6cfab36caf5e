using System.Text;

using GitMesh.Intelligence.Text;

namespace GitMesh.Intelligence.Tests.Text.Reference;

/// <summary>
/// Turns a signal into a sparse TF-IDF vector via feature hashing: word unigrams and bigrams (title prefixed
/// separately), character n-grams, plus <see cref="StructuralCues"/> and optional sentiment cues. Term frequency
/// is sublinear (1 + ln tf), the text part is L2-normalised, and cue features are appended at a fixed scale.
/// Thread-safe: holds no mutable state.
/// </summary>
internal sealed class ReferenceFeatureExtractor(FeatureOptions options)
{
    public FeatureOptions Options { get; } = options;

    private int Mask => Options.Dimension - 1;

    /// <summary>Raw term counts (text features only) keyed by hashed index.</summary>
    public Dictionary<int, float> CountTerms(SignalText text)
    {
        var counts = new Dictionary<int, float>(256);
        var title = text.Title ?? string.Empty;
        var body = text.BodyWithCode;
        var bodyWords = body.Length > Options.MaxBodyChars ? body.AsSpan(0, Options.MaxBodyChars) : body.AsSpan();

        var titleTokens = ReferenceTokenizer.Tokenize(title);
        var bodyTokens = ReferenceTokenizer.Tokenize(bodyWords);
        if (Options.SentimentCues)
        {
            MarkNegation(titleTokens);
            MarkNegation(bodyTokens);
        }

        if (Options.SeparateTitle)
        {
            AddWords(counts, titleTokens, "t");
            AddWords(counts, bodyTokens, "b");
            // Shared unprefixed unigrams let title and body evidence reinforce each other.
            AddUnigrams(counts, titleTokens, "w");
            AddUnigrams(counts, bodyTokens, "w");
        }
        else
        {
            titleTokens.AddRange(bodyTokens);
            AddWords(counts, titleTokens, "w");
        }

        if (Options.CharMin > 0)
        {
            AddCharNgrams(counts, title, "ct");
            AddCharNgrams(counts, body.Length > Options.MaxCharNgramChars ? body[..Options.MaxCharNgramChars] : body, "cb");
        }

        return counts;
    }

    /// <summary>Full feature vector: IDF-weighted, normalised text features plus cue features.</summary>
    public SparseVector Transform(SignalText text, float[] idf, StructuralCueSet? cues = null)
    {
        var counts = CountTerms(text);
        var map = new Dictionary<int, float>(counts.Count + 32);
        double norm = 0;
        foreach (var (k, c) in counts)
        {
            var w = idf[k];
            if (w <= 0)
            {
                continue;
            }

            var v = (1f + MathF.Log(c)) * w;
            map[k] = v;
            norm += v * v;
        }

        var vector = SparseVector.FromDictionaryUnsorted(map);
        if (norm > 0)
        {
            var inv = (float)(1 / Math.Sqrt(norm));
            for (var i = 0; i < vector.Values.Length; i++)
            {
                vector.Values[i] *= inv;
            }
        }

        var cueFeatures = CueFeatures(text, cues).ToList();
        if (cueFeatures.Count == 0)
        {
            return vector;
        }

        // Cue features are few; rebuild with them appended (merging into a colliding text feature if any).
        var merged = new Dictionary<int, float>(vector.Count + cueFeatures.Count);
        for (var i = 0; i < vector.Count; i++)
        {
            merged[vector.Indices[i]] = vector.Values[i];
        }

        foreach (var (name, value) in cueFeatures)
        {
            var k = Index("cue", name);
            merged[k] = merged.GetValueOrDefault(k) + (value * Options.CueWeight);
        }

        return SparseVector.FromDictionaryUnsorted(merged);
    }

    public IEnumerable<(string Name, float Value)> CueFeatures(SignalText text, StructuralCueSet? cues = null)
    {
        if (Options.Structural)
        {
            foreach (var f in (cues ?? StructuralCues.Detect(text.Title, text.BodyWithCode)).AsFeatures())
            {
                yield return f;
            }
        }

        if (Options.SentimentCues)
        {
            foreach (var f in SentimentCueFeatures(text))
            {
                yield return f;
            }
        }

        yield return ("bias_feature", 1f);
    }

    private static IEnumerable<(string Name, float Value)> SentimentCueFeatures(SignalText text)
    {
        var combined = text.Combined;
        if (combined.Length > StructuralCues.MaxScannedChars)
        {
            combined = combined[..StructuralCues.MaxScannedChars];
        }

        var tokens = ReferenceTokenizer.Tokenize(combined);
        MarkNegation(tokens);
        int pos = 0, neg = 0;
        foreach (var t in tokens)
        {
            var negated = t.StartsWith("neg_", StringComparison.Ordinal);
            var p = SentimentLexicon.Polarity(negated ? t[4..] : t);
            if (negated)
            {
                p = -p;
            }

            if (p > 0) pos++;
            else if (p < 0) neg++;
        }

        if (pos > 0) yield return ("lex_pos", MathF.Log(1 + pos));
        if (neg > 0) yield return ("lex_neg", MathF.Log(1 + neg));
        if (pos > neg) yield return ("lex_pos_dominant", 1f);
        if (neg > pos) yield return ("lex_neg_dominant", 1f);
        var exclamations = combined.Count(c => c == '!');
        if (exclamations > 0) yield return ("exclamation", MathF.Log(1 + exclamations));
        if (combined.Contains(":)", StringComparison.Ordinal) || combined.Contains(":-)", StringComparison.Ordinal)
            || combined.Contains(":D", StringComparison.Ordinal) || combined.Contains(";)", StringComparison.Ordinal))
        {
            yield return ("emoticon_pos", 1f);
        }

        if (combined.Contains(":(", StringComparison.Ordinal) || combined.Contains(":-(", StringComparison.Ordinal))
        {
            yield return ("emoticon_neg", 1f);
        }

        var shouting = combined.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Count(w => w.Length > 2 && w.All(ch => char.IsUpper(ch)));
        if (shouting > 0) yield return ("shouting", MathF.Log(1 + shouting));
    }

    /// <summary>Prefixes the three tokens after a negator with "neg_", so "not good" and "good" are different features.</summary>
    private static void MarkNegation(List<string> tokens)
    {
        var scope = 0;
        for (var i = 0; i < tokens.Count; i++)
        {
            if (SentimentLexicon.IsNegator(tokens[i]))
            {
                scope = 3;
                continue;
            }

            if (scope > 0)
            {
                tokens[i] = "neg_" + tokens[i];
                scope--;
            }
        }
    }

    public int Index(string prefix, ReadOnlySpan<char> term) => (int)(StableHash.Hash(prefix, term) & (ulong)Mask);

    private void AddUnigrams(Dictionary<int, float> counts, List<string> tokens, string prefix)
    {
        foreach (var t in tokens)
        {
            Add(counts, Index(prefix, t));
        }
    }

    private void AddWords(Dictionary<int, float> counts, List<string> tokens, string prefix)
    {
        var bigramPrefix = prefix + "2";
        for (var i = 0; i < tokens.Count; i++)
        {
            Add(counts, Index(prefix, tokens[i]));
            if (Options.WordBigrams && i + 1 < tokens.Count)
            {
                var h = StableHash.Combine(StableHash.Hash(bigramPrefix, tokens[i]), StableHash.Hash(tokens[i + 1]));
                Add(counts, (int)(h & (ulong)Mask));
            }
        }
    }

    private void AddCharNgrams(Dictionary<int, float> counts, string text, string prefix)
    {
        if (text.Length == 0)
        {
            return;
        }

        // Lower-case and collapse whitespace so layout does not create spurious n-grams.
        var sb = new StringBuilder(text.Length + 2);
        sb.Append(' ');
        var lastSpace = true;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                if (!lastSpace)
                {
                    sb.Append(' ');
                    lastSpace = true;
                }
            }
            else
            {
                sb.Append(char.ToLowerInvariant(c));
                lastSpace = false;
            }
        }

        if (!lastSpace)
        {
            sb.Append(' ');
        }

        var s = sb.ToString();
        var seed = StableHash.Hash(prefix);
        for (var n = Options.CharMin; n <= Options.CharMax; n++)
        {
            for (var i = 0; i + n <= s.Length; i++)
            {
                Add(counts, (int)(StableHash.Hash(s.AsSpan(i, n), seed) & (ulong)Mask));
            }
        }
    }

    private static void Add(Dictionary<int, float> counts, int index)
    {
        counts[index] = counts.GetValueOrDefault(index) + 1f;
    }
}
