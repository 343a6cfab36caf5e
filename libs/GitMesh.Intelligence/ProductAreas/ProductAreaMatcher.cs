using GitMesh.Intelligence.Text;

namespace GitMesh.Intelligence.ProductAreas;

/// <summary>One area of a workspace's product taxonomy.</summary>
/// <param name="Name">Display name, also the label stored on signals.</param>
/// <param name="Keywords">Words or phrases that name the area ("dark mode", "SSO"); matched as whole token sequences, case-insensitively.</param>
/// <param name="Examples">Example signal texts belonging to the area.</param>
public sealed record ProductArea(string Name, IReadOnlyList<string> Keywords, IReadOnlyList<string> Examples);

/// <summary>A workspace's product areas.</summary>
public sealed record ProductTaxonomy(IReadOnlyList<ProductArea> Areas);

/// <summary>An assigned area. <paramref name="Score"/> is in 0..1.</summary>
public sealed record ProductAreaMatch(string Area, double Score, IReadOnlyList<string> MatchedKeywords, double ExampleSimilarity);

/// <param name="MinScore">Areas scoring below this are not assigned.</param>
/// <param name="MaxAreas">At most this many areas per signal (multi-label, best first).</param>
/// <param name="KeywordWeight">Score of one keyword hit in the body; a title hit counts <paramref name="TitleBoost"/> times more; hits combine as 1 − Π(1 − s).</param>
public sealed record ProductAreaOptions(double MinScore = 0.3, int MaxAreas = 3, double KeywordWeight = 0.5, double TitleBoost = 1.5, double SimilarityWeight = 1.0);

/// <summary>
/// Multi-label product-area assignment from a taxonomy: keyword evidence combined with the best TF-IDF cosine to
/// the area's examples (IDF over all examples of the taxonomy, so words shared by every area count little).
/// score = 1 − (1 − keyword)(1 − similarity·SimilarityWeight). Build once per taxonomy version; thread-safe.
/// </summary>
public sealed class ProductAreaMatcher
{
    private const int HashBits = 18;
    private readonly ProductAreaOptions _options;
    private readonly List<(ProductArea Area, List<string[]> Keywords, List<SparseVector> Examples)> _areas = [];
    private readonly Dictionary<int, float> _idf = new();
    private readonly float _unknownIdf;

    public ProductAreaMatcher(ProductTaxonomy taxonomy, ProductAreaOptions? options = null)
    {
        _options = options ?? new ProductAreaOptions();
        var exampleCounts = taxonomy.Areas.Select(a => a.Examples.Select(CountTerms).ToList()).ToList();
        var docs = exampleCounts.Sum(l => l.Count);
        var df = new Dictionary<int, int>();
        foreach (var c in exampleCounts.SelectMany(l => l))
        {
            foreach (var k in c.Keys)
            {
                df[k] = df.GetValueOrDefault(k) + 1;
            }
        }

        foreach (var (k, d) in df)
        {
            _idf[k] = (float)(Math.Log((1.0 + docs) / (1.0 + d)) + 1);
        }

        _unknownIdf = (float)(Math.Log(1.0 + docs) + 1);
        for (var i = 0; i < taxonomy.Areas.Count; i++)
        {
            var area = taxonomy.Areas[i];
            var keywords = area.Keywords
                .Select(k => Tokenizer.Tokenize(k).ToArray())
                .Where(k => k.Length > 0)
                .ToList();
            _areas.Add((area, keywords, exampleCounts[i].Select(Weigh).ToList()));
        }
    }

    public IReadOnlyList<ProductAreaMatch> Match(SignalText text)
    {
        var titleTokens = Tokenizer.Tokenize(text.Title);
        var body = text.BodyWithCode;
        var bodyTokens = Tokenizer.Tokenize(body.Length > StructuralCues.MaxScannedChars ? body[..StructuralCues.MaxScannedChars] : body);
        var query = Weigh(CountTerms(titleTokens.Concat(bodyTokens)));
        var matches = new List<ProductAreaMatch>();
        foreach (var (area, keywords, examples) in _areas)
        {
            var matched = new List<string>();
            var miss = 1.0;
            foreach (var k in keywords)
            {
                var s = ContainsSequence(titleTokens, k) ? Math.Min(1, _options.KeywordWeight * _options.TitleBoost)
                    : ContainsSequence(bodyTokens, k) ? _options.KeywordWeight
                    : 0;
                if (s > 0)
                {
                    matched.Add(string.Join(' ', k));
                    miss *= 1 - s;
                }
            }

            var keywordScore = 1 - miss;
            var similarity = examples.Count == 0 || query.Count == 0 ? 0 : examples.Max(e => (double)SparseVector.DotSorted(query, e));
            var score = 1 - ((1 - keywordScore) * (1 - Math.Min(1, similarity * _options.SimilarityWeight)));
            if (score >= _options.MinScore)
            {
                matches.Add(new ProductAreaMatch(area.Name, score, matched, similarity));
            }
        }

        return matches
            .OrderByDescending(m => m.Score).ThenBy(m => m.Area, StringComparer.Ordinal)
            .Take(_options.MaxAreas)
            .ToList();
    }

    private static bool ContainsSequence(List<string> tokens, string[] phrase)
    {
        for (var i = 0; i + phrase.Length <= tokens.Count; i++)
        {
            var ok = true;
            for (var j = 0; j < phrase.Length && ok; j++)
            {
                ok = tokens[i + j] == phrase[j];
            }

            if (ok)
            {
                return true;
            }
        }

        return false;
    }

    private static Dictionary<int, float> CountTerms(string text) => CountTerms(Tokenizer.Tokenize(text));

    private static Dictionary<int, float> CountTerms(IEnumerable<string> tokens)
    {
        var counts = new Dictionary<int, float>();
        const int mask = (1 << HashBits) - 1;
        foreach (var t in tokens)
        {
            if (Stopwords.Contains(t))
            {
                continue;
            }

            var k = (int)(StableHash.Hash(t) & mask);
            counts[k] = counts.GetValueOrDefault(k) + 1;
        }

        return counts;
    }

    private SparseVector Weigh(Dictionary<int, float> counts)
    {
        var map = new Dictionary<int, float>(counts.Count);
        double norm = 0;
        foreach (var (k, c) in counts)
        {
            var v = (1 + MathF.Log(c)) * _idf.GetValueOrDefault(k, _unknownIdf);
            map[k] = v;
            norm += v * v;
        }

        if (norm > 0)
        {
            var inv = (float)(1 / Math.Sqrt(norm));
            foreach (var k in map.Keys.ToList())
            {
                map[k] *= inv;
            }
        }

        return SparseVector.FromDictionary(map);
    }
}
