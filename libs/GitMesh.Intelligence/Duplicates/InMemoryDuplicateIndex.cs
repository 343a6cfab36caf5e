namespace GitMesh.Intelligence.Duplicates;

/// <summary>One retrieved neighbour.</summary>
/// <param name="Score">The word-level TF-IDF cosine the <see cref="DuplicateThresholds"/> (and so <paramref name="Decision"/>) apply to.</param>
/// <param name="SharedTerms">Distinct terms the query shares with this neighbour's stored vector (the evidence the auto-join rule checks); 0 when unknown.</param>
public sealed record DuplicateCandidate(string Id, double Score, DuplicateDecision Decision, int SharedTerms = 0)
{
    /// <summary>
    /// What results are ordered by: <see cref="Score"/> fused with the character n-gram similarity (see
    /// <see cref="DuplicateIndexOptions.CharGramWeight"/>), in 0..1. Equals <see cref="Score"/> when not set.
    /// Only for ranking and suggestions: automatic joins stay on the word-level <see cref="Score"/>.
    /// </summary>
    public double RankScore { get; init; } = Score;
}

/// <summary>Candidate-generation limits of <see cref="InMemoryDuplicateIndex"/>. Every limit is a constant, so lookup cost is bounded independently of index size.</summary>
/// <param name="PostedBodyTerms">Besides all title terms, this many highest-tf·idf body terms of each signal go into the inverted index.</param>
/// <param name="MaxPostingsScanned">Postings read per query term, newest first. Rare terms (df below this) are read completely.</param>
/// <param name="MaxDocumentFrequencyFraction">Terms in more than this fraction of documents are not used to generate candidates (they are still scored).</param>
/// <param name="CandidatePool">Inverted-index candidates (by summed IDF of shared terms) that get an exact score.</param>
/// <param name="MaxBucketScan">Signals read per matching LSH bucket, newest first.</param>
/// <param name="CharGramWeight">
/// Weight w of the character n-gram cosine c (<see cref="CharGramSketch"/>) in the ranking score (s + w·c)/(1 + w), s
/// being the word-level cosine; 0 ranks by s alone. Decisions do not use it.
/// </param>
/// <param name="RerankDepth">How many of the best candidates by word-level score get the character n-gram similarity.</param>
public sealed record DuplicateIndexOptions(
    int Bands = 16,
    int RowsPerBand = 8,
    int PostedBodyTerms = 16,
    int MaxPostingsScanned = 128,
    double MaxDocumentFrequencyFraction = 0.2,
    int CandidatePool = 48,
    int MaxBucketScan = 16,
    double CharGramWeight = 0.5,
    int RerankDepth = 20)
{
    public double CharGramWeight { get; init; } = CharGramWeight >= 0 && double.IsFinite(CharGramWeight)
        ? CharGramWeight
        : throw new ArgumentOutOfRangeException(nameof(CharGramWeight), CharGramWeight, "Must be a finite number >= 0.");

    public int RerankDepth { get; init; } = RerankDepth >= 0
        ? RerankDepth
        : throw new ArgumentOutOfRangeException(nameof(RerankDepth), RerankDepth, "Must be >= 0.");
}

/// <summary>Everything the index needs from a signal, computable in parallel before a (sequential) <see cref="InMemoryDuplicateIndex.Add(string, PreparedSignal)"/>.</summary>
/// <param name="Grams">Character n-grams for the ranking's morphological similarity; null counts as none.</param>
public sealed record PreparedSignal(TermVector Vector, IReadOnlyList<(int Band, long Hash)> Bands, CharGrams? Grams = null);

/// <summary>
/// In-memory duplicate index for evaluation, benchmarks and small deployments (the data layer persists the same
/// band hashes and document frequencies in tables). Candidates are the union of
/// (a) MinHash-LSH bucket mates — near-verbatim copies — and
/// (b) an inverted index over title terms and the strongest body terms, read only for terms that are rare enough,
/// ranked by summed IDF; the union is rescored with <see cref="DuplicateScorer"/> and ordered by that score fused
/// with the character n-gram similarity of <see cref="CharGramSketch"/>.
/// Reads (<see cref="FindSimilar"/>) may run concurrently with each other, not with <see cref="Add(string, PreparedSignal)"/>.
/// </summary>
public sealed class InMemoryDuplicateIndex
{
    private const int ChunkBits = 20;
    private readonly DuplicateIndexOptions _options;
    private readonly MinHasher _minHasher;
    private readonly LshBands _bands;
    private readonly VocabularyFrequencies _frequencies = new();
    private readonly List<string> _ids = [];
    private readonly Dictionary<string, int> _docById = new(StringComparer.Ordinal);
    private readonly List<int[]> _docTerms = [];
    private readonly List<float[]> _docWeights = [];
    private readonly List<int[]> _docTitles = [];
    private readonly List<float> _docNorms = [];
    private readonly List<long> _docNormN = [];
    private readonly List<int[]> _postings = [];
    private readonly List<int> _postingCount = [];
    private IdfSnapshot _idf = new([], 0, -1);
    private readonly Dictionary<long, int> _bucketHead = new();
    private readonly ChunkedIntList _bucketDoc = new();
    private readonly ChunkedIntList _bucketNext = new();
    private readonly List<sbyte[]> _docSketches = [];
    private readonly List<int> _docSketchNorms = [];
    private readonly ushort[] _gramDf;
    private GramIdfSnapshot _gramIdf = new([], 0);

    [ThreadStatic]
    private static Scratch? _scratch;

    public InMemoryDuplicateIndex(DuplicateScorer? scorer = null, DuplicateIndexOptions? options = null)
    {
        Scorer = scorer ?? new DuplicateScorer();
        _options = options ?? new DuplicateIndexOptions();
        _minHasher = new MinHasher(Math.Max(MinHasher.DefaultHashCount, _options.Bands * _options.RowsPerBand));
        _bands = new LshBands(_options.Bands, _options.RowsPerBand);
        _gramDf = _options.CharGramWeight > 0 ? new ushort[CharGramSketch.DocumentFrequencyBuckets] : [];
    }

    public DuplicateScorer Scorer { get; }

    public int Count => _ids.Count;

    public IDocumentFrequencies Frequencies => _frequencies;

    /// <summary>Pure and thread-safe: tokenization, term vector and LSH bands.</summary>
    public PreparedSignal Prepare(SignalText text) =>
        new(Scorer.Vectorize(text), _bands.Compute(_minHasher.Compute(text)), _options.CharGramWeight > 0 ? CharGramSketch.Extract(text) : null);

    public void Add(string id, SignalText text) => Add(id, Prepare(text));

    /// <summary>Adds many signals, preparing each batch in parallel.</summary>
    public void AddRange(IEnumerable<(string Id, SignalText Text)> items, int batchSize = 4_096)
    {
        foreach (var batch in items.Chunk(batchSize))
        {
            var prepared = new PreparedSignal[batch.Length];
            Parallel.For(0, batch.Length, i => prepared[i] = Prepare(batch[i].Text));
            for (var i = 0; i < batch.Length; i++)
            {
                Add(batch[i].Id, prepared[i]);
            }
        }
    }

    public void Add(string id, PreparedSignal prepared)
    {
        if (!_docById.TryAdd(id, _ids.Count))
        {
            throw new InvalidOperationException($"Signal '{id}' is already indexed.");
        }

        var doc = _ids.Count;
        _ids.Add(id);
        _frequencies.AddDocument(prepared.Vector.Terms);
        var stored = Scorer.Truncate(prepared.Vector, _frequencies);
        var termIds = new int[stored.Terms.Length];
        for (var i = 0; i < termIds.Length; i++)
        {
            termIds[i] = _frequencies.IdOf(stored.Terms[i]);
        }

        // Merge-joins at query time need ascending term ids.
        var weights = (float[])stored.Weights.Clone();
        Array.Sort(termIds, weights);
        _docTerms.Add(termIds);
        _docWeights.Add(weights);
        _docNorms.Add(0);
        var titleIds = prepared.Vector.TitleTerms.Select(_frequencies.IdOf).ToArray();
        Array.Sort(titleIds);
        _docTitles.Add(titleIds);
        _docNormN.Add(-1);

        // One contiguous, append-only array per term (oldest first): a query reads the newest postings as one
        // sequential run instead of chasing a linked list through memory.
        foreach (var termId in PostingTerms(prepared.Vector, stored))
        {
            while (_postings.Count <= termId)
            {
                _postings.Add([]);
                _postingCount.Add(0);
            }

            var list = _postings[termId];
            var count = _postingCount[termId];
            if (count == list.Length)
            {
                Array.Resize(ref list, Math.Max(4, list.Length * 2));
                _postings[termId] = list;
            }

            list[count] = doc;
            _postingCount[termId] = count + 1;
        }

        if (_options.CharGramWeight > 0)
        {
            var grams = prepared.Grams ?? CharGrams.Empty;
            foreach (var h in grams.Hashes)
            {
                ref var df = ref _gramDf[CharGramSketch.DocumentFrequencyBucket(h)];
                if (df < ushort.MaxValue)
                {
                    df++;
                }
            }

            var sketch = Sketch(grams, _frequencies.DocumentCount);
            _docSketches.Add(sketch);
            _docSketchNorms.Add(CharGramSketch.NormSquared(sketch));
        }

        foreach (var (band, hash) in prepared.Bands)
        {
            var key = BandKey(band, hash);
            _bucketDoc.Add(doc);
            _bucketNext.Add(_bucketHead.GetValueOrDefault(key, -1));
            _bucketHead[key] = _bucketDoc.Count - 1;
        }
    }

    /// <summary>The most similar indexed signals, best first. <paramref name="excludeId"/> (usually the query's own id) is skipped.</summary>
    public IReadOnlyList<DuplicateCandidate> FindSimilar(SignalText text, int top = 10, string? excludeId = null) =>
        FindSimilar(Prepare(text), top, excludeId);

    public IReadOnlyList<DuplicateCandidate> FindSimilar(PreparedSignal query, int top = 10, string? excludeId = null)
    {
        var n = _frequencies.DocumentCount;
        if (n == 0 || top <= 0)
        {
            return [];
        }

        var exclude = excludeId is not null && _docById.TryGetValue(excludeId, out var ex) ? ex : -1;
        var scratch = _scratch ??= new Scratch();
        scratch.Reset(_ids.Count);
        var idf = IdfTable(n);

        // Query weights carry idf twice (once for each side of the dot product), so rescoring needs no logarithms.
        var (qTerms, qWeights, qNorm) = QueryVector(query, idf, n, scratch);
        if (qNorm == 0)
        {
            return [];
        }

        var blend = Scorer.Options.TitleBlend;
        int[] qTitle = [];
        double qTitleNormSq = 0;
        if (blend > 0)
        {
            qTitle = query.Vector.TitleTerms.Select(_frequencies.TryGetId).ToArray();
            foreach (var t in qTitle)
            {
                var w = t >= 0 ? idf[t] : DuplicateScorer.Idf(n, 0);
                qTitleNormSq += w * w;
            }

            qTitle = qTitle.Where(t => t >= 0).Order().ToArray();
        }

        // (b) inverted index: accumulate the IDF of shared rare terms over the newest postings of each term.
        var maxDf = Math.Max(2, (int)(_options.MaxDocumentFrequencyFraction * n));
        var posted = scratch.Posted;
        posted.Clear();
        foreach (var t in query.Vector.TitleTerms)
        {
            posted.Add(_frequencies.TryGetId(t));
        }

        var ranked = scratch.Ranked;
        ranked.Clear();
        var qv = query.Vector;
        for (var i = 0; i < qv.Terms.Length; i++)
        {
            var termId = _frequencies.TryGetId(qv.Terms[i]);
            if (termId >= 0 && !posted.Contains(termId))
            {
                ranked.Add((qv.Weights[i] * idf[termId], termId));
            }
        }

        if (ranked.Count > _options.PostedBodyTerms)
        {
            ranked.Sort((a, b) => b.Value.CompareTo(a.Value));
            ranked.RemoveRange(_options.PostedBodyTerms, ranked.Count - _options.PostedBodyTerms);
        }

        foreach (var (_, termId) in ranked)
        {
            posted.Add(termId);
        }

        foreach (var termId in posted)
        {
            if (termId < 0 || termId >= _postings.Count)
            {
                continue;
            }

            var df = _frequencies.DocumentFrequency(termId);
            if (df > maxDf)
            {
                continue;
            }

            var list = _postings[termId];
            var count = _postingCount[termId];
            var stop = Math.Max(0, count - _options.MaxPostingsScanned);
            var value = idf[termId];
            for (var k = count - 1; k >= stop; k--)
            {
                scratch.Accumulate(list[k], value);
            }
        }

        var candidates = scratch.Top(_options.CandidatePool);

        // (a) LSH bucket mates.
        foreach (var (band, hash) in query.Bands)
        {
            if (!_bucketHead.TryGetValue(BandKey(band, hash), out var p))
            {
                continue;
            }

            for (var read = 0; p >= 0 && read < _options.MaxBucketScan; read++)
            {
                candidates.Add(_bucketDoc[p]);
                p = _bucketNext[p];
            }
        }

        var best = scratch.Best;
        best.Clear();
        var qSketch = QuerySketch(query, n);
        foreach (var doc in candidates)
        {
            if (doc == exclude)
            {
                continue;
            }

            var (dot, shared) = Dot(qTerms, qWeights, _docTerms[doc], _docWeights[doc]);
            if (dot <= 0)
            {
                continue;
            }

            var full = Math.Min(1, dot / (qNorm * DocNorm(doc, idf)));
            var score = blend > 0 ? ((1 - blend) * full) + (blend * TitleCosine(qTitle, qTitleNormSq, _docTitles[doc], n)) : full;
            best.Add((score, score, doc, shared));
        }

        return Rerank(best, qSketch, top);
    }

    /// <summary>
    /// Fuses the character n-gram similarity into the <see cref="DuplicateIndexOptions.RerankDepth"/> best candidates by
    /// word-level score (the rest keep a ranking score from the word score alone), then orders by ranking score.
    /// </summary>
    /// <remarks>
    /// Every sketch read is a cache miss on a large index, and on the Hadoop pairs the partner a fused score lifts into
    /// the top 5 was always within the word-level top 16, so only the head is reranked.
    /// </remarks>
    private DuplicateCandidate[] Rerank(List<(double Rank, double Score, int Doc, int Shared)> best, (sbyte[] Sketch, int NormSquared)? query, int top)
    {
        var depth = _options.RerankDepth;
        if (best.Count > depth)
        {
            best.Sort((a, b) => a.Score != b.Score ? b.Score.CompareTo(a.Score) : a.Doc.CompareTo(b.Doc));
        }

        for (var i = 0; i < best.Count; i++)
        {
            var (_, score, doc, shared) = best[i];
            best[i] = (RankScore(score, i < depth ? query : null, doc), score, doc, shared);
        }

        best.Sort((a, b) => a.Rank != b.Rank ? b.Rank.CompareTo(a.Rank) : a.Doc.CompareTo(b.Doc));
        var result = new DuplicateCandidate[Math.Min(top, best.Count)];
        for (var i = 0; i < result.Length; i++)
        {
            var (rank, score, doc, shared) = best[i];
            result[i] = new DuplicateCandidate(_ids[doc], score, Scorer.Decide(score, shared), shared) { RankScore = rank };
        }

        return result;
    }

    /// <summary>The query's character n-gram sketch under the current n-gram IDF, or null when the ranking does not use it.</summary>
    private (sbyte[] Sketch, int NormSquared)? QuerySketch(PreparedSignal query, long n)
    {
        if (_options.CharGramWeight <= 0 || query.Grams is not { Hashes.Length: > 0 } grams)
        {
            return null;
        }

        var sketch = Sketch(grams, n);
        return (sketch, CharGramSketch.NormSquared(sketch));
    }

    private sbyte[] Sketch(CharGrams grams, long n)
    {
        var idf = GramIdfTable(Math.Max(1, n));
        return CharGramSketch.Sketch(grams, _gramDf, idf.ByDf, idf.N);
    }

    /// <summary>
    /// N-gram IDF by document frequency, for the small frequencies nearly all n-grams have, so a sketch costs no
    /// logarithms; rebuilt (4,096 entries) when the corpus has grown 2 %, the staleness the word IDF accepts too.
    /// </summary>
    private GramIdfSnapshot GramIdfTable(long n)
    {
        var current = Volatile.Read(ref _gramIdf);
        if (n >= current.N && n <= current.N * 1.02 && current.ByDf.Length > 0)
        {
            return current;
        }

        var table = new float[4_096];
        for (var df = 0; df < table.Length; df++)
        {
            table[df] = (float)DuplicateScorer.Idf(n, df);
        }

        var snapshot = new GramIdfSnapshot(table, n);
        Volatile.Write(ref _gramIdf, snapshot);
        return snapshot;
    }

    private sealed record GramIdfSnapshot(float[] ByDf, long N);

    /// <summary>(s + w·c)/(1 + w): the word-level score fused with the character n-gram cosine (0 when either side has no n-grams).</summary>
    private double RankScore(double score, (sbyte[] Sketch, int NormSquared)? query, int doc)
    {
        var w = _options.CharGramWeight;
        if (w <= 0)
        {
            return score;
        }

        var c = query is { } q ? Math.Max(0, CharGramSketch.Cosine(q.Sketch, q.NormSquared, _docSketches[doc], _docSketchNorms[doc])) : 0;
        return (score + (w * c)) / (1 + w);
    }

    /// <summary>The query's stored-form vector (truncated like stored vectors, so an exact copy scores 1), as ascending term ids with weight·idf² and its norm.</summary>
    private (int[] Terms, double[] Weights, double Norm) QueryVector(PreparedSignal query, IdfSnapshot idf, long n, Scratch scratch)
    {
        var vector = Scorer.Truncate(query.Vector, _frequencies);
        var q = scratch.Query;
        q.Clear();
        double qNormSq = 0;
        for (var i = 0; i < vector.Terms.Length; i++)
        {
            var termId = _frequencies.TryGetId(vector.Terms[i]);
            var termIdf = termId >= 0 ? idf[termId] : DuplicateScorer.Idf(n, 0);
            var w = vector.Weights[i] * termIdf;
            qNormSq += w * w;
            if (termId >= 0)
            {
                q.Add((termId, w * termIdf));
            }
        }

        q.Sort((a, b) => a.Term.CompareTo(b.Term));
        var terms = new int[q.Count];
        var weights = new double[q.Count];
        for (var i = 0; i < terms.Length; i++)
        {
            (terms[i], weights[i]) = q[i];
        }

        return (terms, weights, Math.Sqrt(qNormSq));
    }

    /// <summary>
    /// IDF by term id, recomputed when the corpus has grown by 2 % (the staleness stored norms accept too); terms new
    /// since then are appended. Updates publish a new immutable snapshot, so concurrent readers see one consistent version.
    /// </summary>
    private IdfSnapshot IdfTable(long n)
    {
        var vocabulary = _frequencies.TermCount;
        var current = Volatile.Read(ref _idf);
        if (current.IsValidFor(n, vocabulary))
        {
            return current;
        }

        lock (_docById)
        {
            current = _idf;
            if (current.IsValidFor(n, vocabulary))
            {
                return current;
            }

            var fresh = n >= current.N && n <= current.N * 1.02;
            var from = fresh ? current.Filled : 0;
            var idfN = fresh ? current.N : n;
            // Appending in place is safe: older snapshots only read ids below their own Filled.
            // A new N rewrites every entry, so it needs a new array (readers of the old snapshot keep theirs); grow
            // geometrically only when the vocabulary outgrows the table, never merely because N moved.
            var capacity = vocabulary > current.Table.Length ? Math.Max(vocabulary, current.Table.Length * 2) : current.Table.Length;
            var table = fresh && current.Table.Length >= vocabulary ? current.Table : new float[capacity];
            if (table != current.Table)
            {
                Array.Copy(current.Table, table, from);
            }

            for (var t = from; t < vocabulary; t++)
            {
                table[t] = (float)DuplicateScorer.Idf(idfN, _frequencies.DocumentFrequency(t));
            }

            var snapshot = new IdfSnapshot(table, vocabulary, idfN);
            Volatile.Write(ref _idf, snapshot);
            return snapshot;
        }
    }

    private sealed record IdfSnapshot(float[] Table, int Filled, long N)
    {
        public bool IsValidFor(long n, int vocabulary) => vocabulary <= Filled && n >= N && n <= N * 1.02;

        public float this[int termId] => Table[termId];
    }

    /// <summary>
    /// Exact linear scan over every indexed signal (no candidate generation). O(index size) per query: only for
    /// measuring what candidate generation loses, and as the benchmark baseline.
    /// </summary>
    public IReadOnlyList<DuplicateCandidate> FindSimilarExhaustive(PreparedSignal query, int top = 10, string? excludeId = null)
    {
        var n = _frequencies.DocumentCount;
        if (n == 0 || top <= 0)
        {
            return [];
        }

        var idf = IdfTable(n);
        var (qTerms, qWeights, qNorm) = QueryVector(query, idf, n, _scratch ??= new Scratch());
        if (qNorm == 0)
        {
            return [];
        }

        var exclude = excludeId is not null && _docById.TryGetValue(excludeId, out var ex) ? ex : -1;
        var results = new List<(double Rank, double Score, int Doc, int Shared)>();
        for (var doc = 0; doc < _ids.Count; doc++)
        {
            if (doc == exclude)
            {
                continue;
            }

            var (dot, shared) = Dot(qTerms, qWeights, _docTerms[doc], _docWeights[doc]);
            if (dot > 0)
            {
                var score = Math.Min(1, dot / (qNorm * DocNorm(doc, idf)));
                results.Add((score, score, doc, shared));
            }
        }

        return Rerank(results, QuerySketch(query, n), top);
    }

    private IEnumerable<int> PostingTerms(TermVector full, TermVector stored)
    {
        var posted = new HashSet<int>();
        foreach (var t in full.TitleTerms)
        {
            posted.Add(_frequencies.IdOf(t));
        }

        var n = _frequencies.DocumentCount;
        foreach (var t in Enumerable.Range(0, stored.Terms.Length)
                     .OrderByDescending(i => stored.Weights[i] * DuplicateScorer.Idf(n, _frequencies.DocumentFrequency(_frequencies.IdOf(stored.Terms[i]))))
                     .ThenBy(i => i)
                     .Take(_options.PostedBodyTerms))
        {
            posted.Add(_frequencies.IdOf(stored.Terms[t]));
        }

        return posted;
    }

    private static (double Dot, int Shared) Dot(int[] qTerms, double[] qWeights, int[] dTerms, float[] dWeights)
    {
        double dot = 0;
        int i = 0, j = 0, shared = 0;
        while (i < qTerms.Length && j < dTerms.Length)
        {
            if (qTerms[i] == dTerms[j])
            {
                dot += qWeights[i] * dWeights[j];
                shared++;
                i++;
                j++;
            }
            else if (qTerms[i] < dTerms[j])
            {
                i++;
            }
            else
            {
                j++;
            }
        }

        return (dot, shared);
    }

    private double TitleCosine(int[] q, double qNormSq, int[] d, long n)
    {
        if (q.Length == 0 || d.Length == 0 || qNormSq == 0)
        {
            return 0;
        }

        double dot = 0, dNormSq = 0;
        int i = 0;
        foreach (var t in d)
        {
            var w = DuplicateScorer.Idf(n, _frequencies.DocumentFrequency(t));
            dNormSq += w * w;
            while (i < q.Length && q[i] < t)
            {
                i++;
            }

            if (i < q.Length && q[i] == t)
            {
                dot += w * w;
            }
        }

        return Math.Min(1, dot / Math.Sqrt(qNormSq * dNormSq));
    }

    /// <summary>
    /// Stored norms depend on IDF: computed from the same IDF table as the query weights (so an exact copy scores 1)
    /// and recomputed when the table is refreshed, i.e. after 2 % corpus growth (one pass over ≤ 64 terms).
    /// </summary>
    private double DocNorm(int doc, IdfSnapshot idf)
    {
        var idfN = idf.N;
        if (_docNormN[doc] != idfN)
        {
            var terms = _docTerms[doc];
            var weights = _docWeights[doc];
            double s = 0;
            for (var i = 0; i < terms.Length; i++)
            {
                var w = weights[i] * idf[terms[i]];
                s += w * w;
            }

            _docNorms[doc] = (float)Math.Max(1e-9, Math.Sqrt(s));
            _docNormN[doc] = idfN;
        }

        return _docNorms[doc];
    }

    private static long BandKey(int band, long hash) => hash ^ ((long)band << 56) ^ (long)((ulong)band * 0x9E3779B97F4A7C15UL);

    /// <summary>Per-thread buffers reused by every lookup, so a query allocates little beyond its result.</summary>
    private sealed class Scratch
    {
        private float[] _acc = [];
        private readonly List<int> _touched = [];
        private readonly HashSet<int> _top = [];
        private long[] _keys = [];

        public HashSet<int> Posted { get; } = [];
        public List<(double Value, int TermId)> Ranked { get; } = [];
        public List<(int Term, double Weight)> Query { get; } = [];
        public List<(double Rank, double Score, int Doc, int Shared)> Best { get; } = [];

        public void Reset(int size)
        {
            foreach (var d in _touched)
            {
                _acc[d] = 0;
            }

            _touched.Clear();
            if (_acc.Length < size)
            {
                _acc = new float[Math.Max(size, _acc.Length * 2)];
            }
        }

        public void Accumulate(int doc, float value)
        {
            if (_acc[doc] == 0)
            {
                _touched.Add(doc);
            }

            _acc[doc] += value;
        }

        /// <summary>The k touched documents with the highest accumulated value (ties: lower doc id), by quickselect in O(touched).</summary>
        public HashSet<int> Top(int k)
        {
            _top.Clear();
            var touched = _touched.Count;
            if (touched <= k)
            {
                _top.UnionWith(_touched);
                return _top;
            }

            if (_keys.Length < touched)
            {
                _keys = new long[Math.Max(touched, _keys.Length * 2)];
            }

            // One sortable key per document: the accumulated value's bits (positive floats order like their bits) above
            // the inverted doc id, so equal values prefer lower ids and the selection is deterministic.
            var keys = _keys;
            for (var i = 0; i < touched; i++)
            {
                var d = _touched[i];
                keys[i] = ((long)BitConverter.SingleToInt32Bits(_acc[d]) << 32) | (uint)(int.MaxValue - d);
            }

            var span = keys.AsSpan(0, touched);
            SelectLargest(span, k);
            foreach (var key in span[..k])
            {
                _top.Add(int.MaxValue - (int)(uint)key);
            }

            return _top;
        }

        /// <summary>Reorders <paramref name="keys"/> so its first <paramref name="k"/> entries are the k largest (Hoare quickselect).</summary>
        private static void SelectLargest(Span<long> keys, int k)
        {
            int lo = 0, hi = keys.Length - 1;
            while (lo < hi)
            {
                var pivot = keys[lo + ((hi - lo) / 2)];
                int i = lo, j = hi;
                while (i <= j)
                {
                    while (keys[i] > pivot)
                    {
                        i++;
                    }

                    while (keys[j] < pivot)
                    {
                        j--;
                    }

                    if (i <= j)
                    {
                        (keys[i], keys[j]) = (keys[j], keys[i]);
                        i++;
                        j--;
                    }
                }

                if (k - 1 <= j)
                {
                    hi = j;
                }
                else if (k - 1 >= i)
                {
                    lo = i;
                }
                else
                {
                    return;
                }
            }
        }
    }

    /// <summary>Vocabulary (term hash → dense id) with document frequencies by id.</summary>
    private sealed class VocabularyFrequencies : IDocumentFrequencies
    {
        private readonly Dictionary<long, int> _ids = new();
        private readonly List<int> _df = [];

        public long DocumentCount { get; private set; }

        public int TermCount => _df.Count;

        public int DocumentFrequency(long term) => _ids.TryGetValue(term, out var id) ? _df[id] : 0;

        public int DocumentFrequency(int termId) => termId >= 0 ? _df[termId] : 0;

        public int TryGetId(long term) => _ids.TryGetValue(term, out var id) ? id : -1;

        public int IdOf(long term)
        {
            if (!_ids.TryGetValue(term, out var id))
            {
                id = _df.Count;
                _ids[term] = id;
                _df.Add(0);
            }

            return id;
        }

        public void AddDocument(long[] distinctTerms)
        {
            DocumentCount++;
            foreach (var t in distinctTerms)
            {
                _df[IdOf(t)]++;
            }
        }
    }

    /// <summary>Append-only int list in fixed chunks: no large-object copies when it grows to tens of millions.</summary>
    private sealed class ChunkedIntList
    {
        private readonly List<int[]> _chunks = [];

        public int Count { get; private set; }

        public int this[int index] => _chunks[index >> ChunkBits][index & ((1 << ChunkBits) - 1)];

        public void Add(int value)
        {
            if ((Count & ((1 << ChunkBits) - 1)) == 0)
            {
                _chunks.Add(new int[1 << ChunkBits]);
            }

            _chunks[Count >> ChunkBits][Count & ((1 << ChunkBits) - 1)] = value;
            Count++;
        }
    }
}
