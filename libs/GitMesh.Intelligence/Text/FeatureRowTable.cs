using System.Numerics;

namespace GitMesh.Intelligence.Text;

/// <summary>
/// The IDF and per-class weights of one model, packed per used feature: a bitset over the hashed space says
/// whether a feature is used at all, and a used feature's IDF and weights sit side by side in one row.
/// </summary>
/// <remarks>
/// The dense tables (2^19 IDF floats + 2^19 × classes weights ≈ 8 MB for the intent model) do not fit in cache,
/// so looking a term up cost two cache misses, also for the many character n-grams the model never saw. The
/// bitset (64 kB) and rank index (32 kB) stay cached, unknown terms stop there, and a known term costs one
/// miss. Values are copied unchanged, so scores are bit-identical to the dense tables.
/// </remarks>
internal sealed class FeatureRowTable
{
    private readonly ulong[] _present;
    private readonly int[] _rank;
    private readonly float[] _rows;

    public FeatureRowTable(float[] idf, float[] weights, int classes)
    {
        if (classes < 1 || weights.Length != idf.Length * classes)
        {
            throw new ArgumentException("Weight table must hold idf.Length × classes entries.", nameof(weights));
        }

        Classes = classes;
        Stride = classes + 1;
        _present = new ulong[(idf.Length + 63) / 64];
        _rank = new int[_present.Length];
        var used = 0;
        for (var k = 0; k < idf.Length; k++)
        {
            if (idf[k] != 0 || weights.AsSpan(k * classes, classes).ContainsAnyExcept(0f))
            {
                _present[k >> 6] |= 1UL << (k & 63);
                used++;
            }
        }

        _rows = new float[used * Stride];
        var row = 0;
        for (var word = 0; word < _present.Length; word++)
        {
            _rank[word] = row;
            var bits = _present[word];
            while (bits != 0)
            {
                var k = (word << 6) + BitOperations.TrailingZeroCount(bits);
                bits &= bits - 1;
                _rows[row * Stride] = idf[k];
                weights.AsSpan(k * classes, classes).CopyTo(_rows.AsSpan((row * Stride) + 1));
                row++;
            }
        }

        Dimension = idf.Length;
    }

    public int Dimension { get; }

    /// <summary>Bit k is set when feature k has a row: terms outside it contribute nothing to a prediction.</summary>
    public ulong[] Present => _present;

    public int Classes { get; }

    /// <summary>Floats per row: the IDF, then one weight per class.</summary>
    public int Stride { get; }

    /// <summary>Offset of feature <paramref name="k"/>'s row in <see cref="Rows"/>, or -1 when its IDF and weights are all zero.</summary>
    public int RowOf(int k)
    {
        var word = k >> 6;
        var bit = 1UL << (k & 63);
        var bits = _present[word];
        if ((bits & bit) == 0)
        {
            return -1;
        }

        return (_rank[word] + BitOperations.PopCount(bits & (bit - 1))) * Stride;
    }

    public float[] Rows => _rows;

    /// <summary>Adds Σ weight × value of the given rows to <paramref name="scores"/> (one entry per class), in order.</summary>
    public void AddScores(ReadOnlySpan<int> rows, ReadOnlySpan<float> values, Span<float> scores)
    {
        var table = _rows;
        for (var i = 0; i < rows.Length; i++)
        {
            var r = rows[i];
            if (r < 0)
            {
                continue;
            }

            var weights = table.AsSpan(r + 1, Classes);
            var v = values[i];
            for (var c = 0; c < weights.Length; c++)
            {
                scores[c] += weights[c] * v;
            }
        }
    }
}
