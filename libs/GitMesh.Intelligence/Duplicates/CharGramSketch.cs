using System.Numerics;
using GitMesh.Intelligence.Text;

namespace GitMesh.Intelligence.Duplicates;

/// <summary>Character 3–5-grams of a signal's opening (title + start of the body) with their counts, before IDF.</summary>
/// <param name="Hashes">Stable 64-bit hashes of the distinct n-grams.</param>
/// <param name="Counts">Occurrences of each n-gram, same order.</param>
public sealed record CharGrams(ulong[] Hashes, int[] Counts)
{
    public static readonly CharGrams Empty = new([], []);
}

/// <summary>
/// Morphological similarity for ranking: the cosine of character 3–5-gram TF-IDF vectors of the title and the first
/// <see cref="BodyChars"/> characters of the body. Paraphrased duplicates share word pieces the word-level scorer
/// misses ("VectorIO" / "readVectored", "aarch64" / "arm64", "shaded" / "shading", "s3a" inside "ITestS3AContract").
/// </summary>
/// <remarks>
/// A signal's full n-gram vector has ~1,000 dimensions, too many to keep per indexed signal; keeping only the top
/// tf·idf n-grams loses most of the benefit (measured). Each vector is instead compressed to a count sketch (signed
/// feature hashing, which preserves dot products in expectation) of <see cref="Dimensions"/> dimensions, normalised
/// and quantised to one signed byte per dimension: 512 bytes per signal, and a similarity is one short SIMD dot product.
/// IDF comes from a hashed document-frequency table at the time a signal is added, so the first signals of an index
/// get coarse weights (the ingest's background corpus absorbs that); the sketch is never recomputed.
/// </remarks>
public static class CharGramSketch
{
    public const int Dimensions = 512;

    /// <summary>Body characters (after the title) the n-grams are taken from: the opening states the problem; longer spans let logs and templates dominate.</summary>
    public const int BodyChars = 300;

    public const int MinGram = 3;
    public const int MaxGram = 5;

    /// <summary>Buckets of the hashed document-frequency table: 2 MB of saturating 16-bit counters per index (an n-gram in 65,535 documents has near-zero IDF anyway); collisions only blur rare n-grams' IDF.</summary>
    public const int DocumentFrequencyBuckets = 1 << 20;

    private const float Quantum = 127f;

    /// <summary>Pure and thread-safe: the distinct n-grams of the title and body opening, lower-cased, one padded word at a time.</summary>
    public static CharGrams Extract(SignalText text)
    {
        var title = text.Title ?? string.Empty;
        var body = text.BodyWithCode;
        var source = body.Length > BodyChars ? $"{title} {body.AsSpan(0, BodyChars)}" : $"{title} {body}";
        var counts = new Dictionary<ulong, int>();
        Span<char> word = stackalloc char[Tokenizer.MaxTokenLength + 2];
        var length = 0;
        for (var i = 0; i <= source.Length; i++)
        {
            var c = i < source.Length ? source[i] : ' ';
            if (char.IsLetterOrDigit(c))
            {
                if (length < Tokenizer.MaxTokenLength)
                {
                    word[++length] = char.ToLowerInvariant(c);
                }

                continue;
            }

            if (length > 0)
            {
                // Word boundaries are part of the grams (" sha", "ded "), so prefixes and suffixes count as such.
                word[0] = ' ';
                word[length + 1] = ' ';
                var padded = word[..(length + 2)];
                for (var n = MinGram; n <= MaxGram; n++)
                {
                    for (var s = 0; s + n <= padded.Length; s++)
                    {
                        var h = StableHash.Hash(padded.Slice(s, n), seed: 0x63686172UL);
                        counts[h] = counts.GetValueOrDefault(h) + 1;
                    }
                }

                length = 0;
            }
        }

        if (counts.Count == 0)
        {
            return CharGrams.Empty;
        }

        var hashes = new ulong[counts.Count];
        var values = new int[counts.Count];
        var k = 0;
        foreach (var (h, c) in counts)
        {
            hashes[k] = h;
            values[k++] = c;
        }

        Array.Sort(hashes, values);
        return new CharGrams(hashes, values);
    }

    public static int DocumentFrequencyBucket(ulong hash) => (int)(hash & (DocumentFrequencyBuckets - 1));

    /// <summary>The normalised, quantised count sketch of (1 + ln tf)·idf weights; all zeros when there are no n-grams.</summary>
    /// <param name="documentFrequencies">Document frequency by <see cref="DocumentFrequencyBucket"/>, saturating at <see cref="ushort.MaxValue"/>.</param>
    /// <param name="idfByFrequency">IDF by document frequency for small frequencies (larger ones are computed).</param>
    /// <param name="documentCount">The N the IDF is computed for.</param>
    public static sbyte[] Sketch(CharGrams grams, ReadOnlySpan<ushort> documentFrequencies, ReadOnlySpan<float> idfByFrequency, long documentCount)
    {
        var sketch = new sbyte[Dimensions];
        if (grams.Hashes.Length == 0)
        {
            return sketch;
        }

        Span<float> v = stackalloc float[Dimensions];
        v.Clear();
        for (var i = 0; i < grams.Hashes.Length; i++)
        {
            var h = grams.Hashes[i];
            var count = grams.Counts[i];
            var df = documentFrequencies[DocumentFrequencyBucket(h)];
            var idf = df < idfByFrequency.Length ? idfByFrequency[df] : (float)DuplicateScorer.Idf(documentCount, df);
            var w = (count == 1 ? 1 : 1 + MathF.Log(count)) * idf;
            // Dimension and sign from hash bits the document-frequency bucket does not use.
            var dimension = (int)((h >> 32) % Dimensions);
            v[dimension] += (h >> 63) == 0 ? w : -w;
        }

        var max = 0f;
        foreach (var x in v)
        {
            max = Math.Max(max, Math.Abs(x));
        }

        if (max == 0)
        {
            return sketch;
        }

        // Scale so the largest component is ±127; cosines are computed on the quantised vectors and their own norms.
        var scale = Quantum / max;
        for (var d = 0; d < Dimensions; d++)
        {
            sketch[d] = (sbyte)MathF.Round(v[d] * scale);
        }

        return sketch;
    }

    /// <summary>Squared norm of a quantised sketch.</summary>
    public static int NormSquared(ReadOnlySpan<sbyte> a) => Dot(a, a);

    /// <summary>Integer dot product of two quantised sketches (|component| ≤ 127, so 512 products fit an int).</summary>
    public static int Dot(ReadOnlySpan<sbyte> a, ReadOnlySpan<sbyte> b)
    {
        var total = 0;
        var i = 0;
        if (Vector.IsHardwareAccelerated && a.Length >= Vector<sbyte>.Count)
        {
            var acc = Vector<int>.Zero;
            for (; i <= a.Length - Vector<sbyte>.Count; i += Vector<sbyte>.Count)
            {
                Vector.Widen(new Vector<sbyte>(a[i..]), out var aLo, out var aHi);
                Vector.Widen(new Vector<sbyte>(b[i..]), out var bLo, out var bHi);
                // 127² fits a short; the sum of two such products does not, so widen each product before adding.
                Vector.Widen(aLo * bLo, out var p0, out var p1);
                Vector.Widen(aHi * bHi, out var p2, out var p3);
                acc += p0 + p1 + p2 + p3;
            }

            total = Vector.Sum(acc);
        }

        for (; i < a.Length; i++)
        {
            total += a[i] * b[i];
        }

        return total;
    }

    /// <summary>Cosine of two quantised sketches given their squared norms; 0 when either is empty.</summary>
    public static double Cosine(ReadOnlySpan<sbyte> a, int aNormSquared, ReadOnlySpan<sbyte> b, int bNormSquared) =>
        aNormSquared == 0 || bNormSquared == 0 ? 0 : Math.Clamp(Dot(a, b) / Math.Sqrt((double)aNormSquared * bNormSquared), -1, 1);
}
