namespace GitMesh.Intelligence.Text;

/// <summary>
/// Turns a signal into a sparse TF-IDF vector via feature hashing: word unigrams and bigrams (title prefixed
/// separately), character n-grams, plus <see cref="StructuralCues"/> and optional sentiment cues. Term frequency
/// is sublinear (1 + ln tf), the text part is L2-normalised, and cue features are appended at a fixed scale.
/// Thread-safe: holds no mutable state (working memory is per thread, see <see cref="FeatureScratch"/>).
/// </summary>
/// <remarks>
/// Classification runs on every ingested signal, so the hot path hashes tokens straight from a character buffer
/// instead of building strings ("neg_" + token, prefixed keys) and accumulates into a reusable open-addressing
/// table. Feature indices, their order and the float arithmetic are exactly those of the original string- and
/// dictionary-based implementation (kept as a reference in the tests), so existing model files predict the
/// same probabilities bit for bit.
/// </remarks>
public sealed class FeatureExtractor
{
    internal const int MaxCueFeatures = StructuralCueSet.MaxFeatures + 8;

    /// <summary>MathF.Log of small whole counts (most terms occur once or twice), the same floats MathF.Log returns.</summary>
    private static readonly float[] LogOfCount = Enumerable.Range(0, 64).Select(c => MathF.Log(c)).ToArray();
    private readonly int _mask;
    private readonly ulong _title;
    private readonly ulong _body;
    private readonly ulong _word;
    private readonly ulong _titleBigram;
    private readonly ulong _bodyBigram;
    private readonly ulong _wordBigram;
    private readonly ulong _titleCharSeed;
    private readonly ulong _bodyCharSeed;

    public FeatureExtractor(FeatureOptions options)
    {
        if (options.HashBits is < 1 or > 30)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.HashBits, "HashBits must be between 1 and 30.");
        }

        if (options.CharMin > 0 && options.CharMax < options.CharMin)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.CharMax, "CharMax must not be below CharMin.");
        }

        Options = options;
        _mask = options.Dimension - 1;
        _title = StableHash.PrefixState("t");
        _body = StableHash.PrefixState("b");
        _word = StableHash.PrefixState("w");
        _titleBigram = StableHash.PrefixState("t2");
        _bodyBigram = StableHash.PrefixState("b2");
        _wordBigram = StableHash.PrefixState("w2");
        _titleCharSeed = StableHash.SeedState(StableHash.Hash("ct"));
        _bodyCharSeed = StableHash.SeedState(StableHash.Hash("cb"));
    }

    public FeatureOptions Options { get; }

    /// <summary>Raw term counts (text features only) keyed by hashed index, in first-occurrence order.</summary>
    public Dictionary<int, float> CountTerms(SignalText text)
    {
        var scratch = FeatureScratch.Current;
        CountTerms(text, scratch, null);
        var terms = scratch.Terms;
        var counts = new Dictionary<int, float>(terms.Count);
        var values = terms.Values;
        var i = 0;
        foreach (var k in terms.Keys)
        {
            counts[k] = values[i++];
        }

        return counts;
    }

    /// <summary>Full feature vector: IDF-weighted, normalised text features plus cue features.</summary>
    public SparseVector Transform(SignalText text, float[] idf, StructuralCueSet? cues = null)
    {
        var scratch = FeatureScratch.Current;
        var count = Featurize(text, idf, cues, scratch);
        return new SparseVector(scratch.VectorIndices.AsSpan(0, count).ToArray(), scratch.VectorValues.AsSpan(0, count).ToArray());
    }

    /// <summary>
    /// Builds the <see cref="Transform"/> vector into <see cref="FeatureScratch.VectorIndices"/> /
    /// <see cref="FeatureScratch.VectorValues"/> of <paramref name="scratch"/> and returns its length.
    /// </summary>
    internal int Featurize(SignalText text, float[] idf, StructuralCueSet? cues, FeatureScratch scratch)
    {
        if (idf.Length != Options.Dimension)
        {
            throw new ArgumentException($"IDF table has {idf.Length} entries, the feature space {Options.Dimension}.", nameof(idf));
        }

        var source = new DenseIdf(idf);
        return Featurize(text, ref source, cues, scratch);
    }

    /// <summary>
    /// As <see cref="Featurize(SignalText, float[], StructuralCueSet?, FeatureScratch)"/>, also recording each
    /// entry's row in <paramref name="table"/> in <see cref="FeatureScratch.VectorRows"/> for direct scoring.
    /// </summary>
    internal int Featurize(SignalText text, FeatureRowTable table, StructuralCueSet? cues, FeatureScratch scratch)
    {
        if (table.Dimension != Options.Dimension)
        {
            throw new ArgumentException($"Feature table has {table.Dimension} entries, the feature space {Options.Dimension}.", nameof(table));
        }

        var source = new TableIdf(table);
        return Featurize(text, ref source, cues, scratch);
    }

    private int Featurize<TIdf>(SignalText text, ref TIdf idf, StructuralCueSet? cues, FeatureScratch scratch)
        where TIdf : struct, IIdfSource
    {
        // Terms the model has no row for are dropped below anyway; not counting them saves most of the table work.
        CountTerms(text, scratch, idf.Filter);
        var terms = scratch.Terms;
        scratch.EnsureVector(terms.Count + MaxCueFeatures);
        var keys = terms.Keys;
        var counts = terms.Values;
        var indices = scratch.VectorIndices;
        var values = scratch.VectorValues;
        var rows = scratch.VectorRows;
        var keptIndexOf = scratch.KeptIndexOf;
        var n = 0;
        double norm = 0;
        for (var p = 0; p < keys.Length; p++)
        {
            var k = keys[p];
            var w = idf.Idf(k, out var row);
            if (w <= 0)
            {
                keptIndexOf[p] = -1;
                continue;
            }

            var c = counts[p];
            var v = (1f + (c < LogOfCount.Length ? LogOfCount[(int)c] : MathF.Log(c))) * w;
            keptIndexOf[p] = n;
            indices[n] = k;
            values[n] = v;
            rows[n] = row;
            n++;
            norm += v * v;
        }

        if (norm > 0)
        {
            var inv = (float)(1 / Math.Sqrt(norm));
            for (var i = 0; i < n; i++)
            {
                values[i] *= inv;
            }
        }

        var cueFeatures = scratch.CueFeatures.AsSpan();
        var cueCount = WriteCueFeatures(text, cues, scratch, cueFeatures);

        // A cue whose index collides with a kept text feature adds to it; otherwise it is appended.
        foreach (var (name, value) in cueFeatures[..cueCount])
        {
            var k = Index("cue", name);
            var p = terms.GetOrAdd(k, out var added);
            if (added)
            {
                keptIndexOf[p] = -1;
            }

            var at = keptIndexOf[p];
            if (at < 0)
            {
                at = n++;
                keptIndexOf[p] = at;
                indices[at] = k;
                values[at] = 0f;
                idf.Idf(k, out rows[at]);
            }

            values[at] += value * Options.CueWeight;
        }

        return n;
    }

    public IEnumerable<(string Name, float Value)> CueFeatures(SignalText text, StructuralCueSet? cues = null)
    {
        var features = new (string Name, float Value)[MaxCueFeatures];
        return features[..WriteCueFeatures(text, cues, FeatureScratch.Current, features)];
    }

    public int Index(string prefix, ReadOnlySpan<char> term) => (int)(StableHash.Hash(prefix, term) & (ulong)_mask);

    private int WriteCueFeatures(SignalText text, StructuralCueSet? cues, FeatureScratch scratch, Span<(string Name, float Value)> dest)
    {
        var n = 0;
        if (Options.Structural)
        {
            n += (cues ?? StructuralCues.Detect(text.Title, text.BodyWithCode)).WriteFeatures(dest);
        }

        if (Options.SentimentCues)
        {
            n += WriteSentimentCues(text, scratch, dest[n..]);
        }

        dest[n++] = ("bias_feature", 1f);
        return n;
    }

    private int WriteSentimentCues(SignalText text, FeatureScratch scratch, Span<(string Name, float Value)> dest)
    {
        var combined = text.Combined.AsSpan();
        if (combined.Length > StructuralCues.MaxScannedChars)
        {
            combined = combined[..StructuralCues.MaxScannedChars];
        }

        // Without a title or code, "\n" + body tokenises exactly like the body CountTerms just tokenised (and
        // negation-marked), as long as the body was not cut short there.
        var body = text.Body ?? string.Empty;
        var tokens = scratch.BodyTokens;
        if (!string.IsNullOrEmpty(text.Title) || !string.IsNullOrEmpty(text.Code) || body.Length > Options.MaxBodyChars
            || combined.Length != body.Length + 1)
        {
            tokens = scratch.CueTokens;
            tokens.Fill(combined);
            tokens.MarkNegation();
        }

        int pos = 0, neg = 0;
        for (var i = 0; i < tokens.Count; i++)
        {
            var t = tokens[i];
            int p;
            if (tokens.IsNegated(i))
            {
                // "neg_" + t: the prefix is stripped once, and the polarity flipped.
                p = -SentimentLexicon.Polarity(t);
            }
            else if (t.StartsWith("neg_", StringComparison.Ordinal))
            {
                p = -SentimentLexicon.Polarity(t[4..]);
            }
            else
            {
                p = SentimentLexicon.Polarity(t);
            }

            if (p > 0) pos++;
            else if (p < 0) neg++;
        }

        var n = 0;
        if (pos > 0) dest[n++] = ("lex_pos", MathF.Log(1 + pos));
        if (neg > 0) dest[n++] = ("lex_neg", MathF.Log(1 + neg));
        if (pos > neg) dest[n++] = ("lex_pos_dominant", 1f);
        if (neg > pos) dest[n++] = ("lex_neg_dominant", 1f);
        var exclamations = combined.Count('!');
        if (exclamations > 0) dest[n++] = ("exclamation", MathF.Log(1 + exclamations));
        if (combined.Contains(":)", StringComparison.Ordinal) || combined.Contains(":-)", StringComparison.Ordinal)
            || combined.Contains(":D", StringComparison.Ordinal) || combined.Contains(";)", StringComparison.Ordinal))
        {
            dest[n++] = ("emoticon_pos", 1f);
        }

        if (combined.Contains(":(", StringComparison.Ordinal) || combined.Contains(":-(", StringComparison.Ordinal))
        {
            dest[n++] = ("emoticon_neg", 1f);
        }

        var shouting = CountShoutedWords(combined);
        if (shouting > 0) dest[n++] = ("shouting", MathF.Log(1 + shouting));
        return n;
    }

    /// <summary>Space-separated words longer than two characters that are all upper case.</summary>
    private static int CountShoutedWords(ReadOnlySpan<char> text)
    {
        var count = 0;
        foreach (var range in text.Split(' '))
        {
            var word = text[range];
            if (word.Length <= 2)
            {
                continue;
            }

            var upper = true;
            foreach (var ch in word)
            {
                if (!char.IsUpper(ch))
                {
                    upper = false;
                    break;
                }
            }

            if (upper)
            {
                count++;
            }
        }

        return count;
    }

    private void CountTerms(SignalText text, FeatureScratch scratch, ulong[]? only)
    {
        var terms = scratch.Terms;
        terms.Clear(only);
        var title = text.Title ?? string.Empty;
        var body = text.BodyWithCode;
        var bodyWords = body.Length > Options.MaxBodyChars ? body.AsSpan(0, Options.MaxBodyChars) : body.AsSpan();

        var titleTokens = scratch.TitleTokens;
        var bodyTokens = scratch.BodyTokens;
        titleTokens.Fill(title);
        bodyTokens.Fill(bodyWords);
        if (Options.SentimentCues)
        {
            titleTokens.MarkNegation();
            bodyTokens.MarkNegation();
        }

        if (Options.SeparateTitle)
        {
            titleTokens.Hash(_title, _word, _titleBigram);
            bodyTokens.Hash(_body, _word, _bodyBigram);
            AddWords(terms, titleTokens, null);
            AddWords(terms, bodyTokens, null);
            // Shared unprefixed unigrams let title and body evidence reinforce each other.
            AddUnigrams(terms, titleTokens);
            AddUnigrams(terms, bodyTokens);
        }
        else
        {
            titleTokens.Hash(_word, _word, _wordBigram);
            bodyTokens.Hash(_word, _word, _wordBigram);
            AddWords(terms, titleTokens, bodyTokens);
        }

        if (Options.CharMin > 0)
        {
            AddCharNgrams(terms, title, _titleCharSeed, scratch);
            AddCharNgrams(terms, body.Length > Options.MaxCharNgramChars ? body.AsSpan(0, Options.MaxCharNgramChars) : body, _bodyCharSeed, scratch);
        }
    }

    private void AddUnigrams(FeatureAccumulator terms, TokenList tokens)
    {
        foreach (var h in tokens.SharedHashes)
        {
            terms.Increment((int)(h & (ulong)_mask));
        }
    }

    /// <summary>Unigrams and bigrams over <paramref name="first"/> followed by <paramref name="second"/> as one sequence.</summary>
    private void AddWords(FeatureAccumulator terms, TokenList first, TokenList? second)
    {
        var total = first.Count + (second?.Count ?? 0);
        for (var j = 0; j < total; j++)
        {
            var (list, i) = j < first.Count ? (first, j) : (second!, j - first.Count);
            terms.Increment((int)(list.UnigramHashes[i] & (ulong)_mask));
            if (Options.WordBigrams && j + 1 < total)
            {
                var (nextList, next) = j + 1 < first.Count ? (first, j + 1) : (second!, j + 1 - first.Count);
                var h = StableHash.Combine(list.BigramHashes[i], nextList.PlainHashes[next]);
                terms.Increment((int)(h & (ulong)_mask));
            }
        }
    }

    private void AddCharNgrams(FeatureAccumulator terms, ReadOnlySpan<char> text, ulong seedState, FeatureScratch scratch)
    {
        if (text.Length == 0)
        {
            return;
        }

        // Lower-case and collapse whitespace so layout does not create spurious n-grams.
        var buffer = scratch.CharsFor(text.Length + 2);
        var length = 0;
        buffer[length++] = ' ';
        var lastSpace = true;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                if (!lastSpace)
                {
                    buffer[length++] = ' ';
                    lastSpace = true;
                }
            }
            else
            {
                buffer[length++] = char.ToLowerInvariant(c);
                lastSpace = false;
            }
        }

        if (!lastSpace)
        {
            buffer[length++] = ' ';
        }

        // One pass extends each start position's FNV state from CharMin to CharMax characters; the counts are
        // then added n by n, the order the features were always inserted in.
        var min = Options.CharMin;
        var max = Options.CharMax;
        var hashes = scratch.HashesFor((max - min + 1) * length);
        for (var i = 0; i + min <= length; i++)
        {
            var state = StableHash.Append(seedState, buffer.AsSpan(i, min - 1));
            for (var n = min; n <= max && i + n <= length; n++)
            {
                state = StableHash.Append(state, buffer[i + n - 1]);
                hashes[((n - min) * length) + i] = StableHash.Mix(state);
            }
        }

        for (var n = min; n <= max; n++)
        {
            var row = hashes.AsSpan((n - min) * length, Math.Max(0, length - n + 1));
            foreach (var h in row)
            {
                terms.Increment((int)(h & (ulong)_mask));
            }
        }
    }

    private interface IIdfSource
    {
        /// <summary>Bitset of the terms that can have a non-zero IDF, or null.</summary>
        ulong[]? Filter { get; }

        float Idf(int k, out int row);
    }

    private readonly struct DenseIdf(float[] idf) : IIdfSource
    {
        public ulong[]? Filter => null;

        public float Idf(int k, out int row)
        {
            row = -1;
            return idf[k];
        }
    }

    private readonly struct TableIdf(FeatureRowTable table) : IIdfSource
    {
        public ulong[]? Filter => table.Present;

        public float Idf(int k, out int row)
        {
            row = table.RowOf(k);
            return row < 0 ? 0f : table.Rows[row];
        }
    }
}
