using GitMesh.Intelligence.Text;

namespace GitMesh.Intelligence.Duplicates;

/// <summary>
/// MinHash signatures over word shingles (stopwords kept: shingles need word order). Each of the
/// <see cref="HashCount"/> hash functions is Murmur-mix(shingle hash XOR seed_i); the signature keeps the low
/// 32 bits of each minimum, halving storage at a negligible collision cost. Deterministic across processes.
/// </summary>
public sealed class MinHasher
{
    public const int DefaultHashCount = 128;
    public const int DefaultShingleSize = 3;

    /// <summary>Text beyond this prefix is ignored: attached logs must not dominate near-duplicate detection.</summary>
    public const int MaxChars = 20_000;

    private readonly ulong[] _seeds;

    public MinHasher(int hashCount = DefaultHashCount, int shingleSize = DefaultShingleSize, ulong seed = 0x5EEDUL)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(hashCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(shingleSize, 1);
        HashCount = hashCount;
        ShingleSize = shingleSize;
        _seeds = new ulong[hashCount];
        var s = seed;
        for (var i = 0; i < hashCount; i++)
        {
            s = StableHash.Mix(s + 0x9E3779B97F4A7C15UL);
            _seeds[i] = s;
        }
    }

    public int HashCount { get; }
    public int ShingleSize { get; }

    public uint[] Compute(SignalText text) => Compute(text.Title + "\n" + text.Body);

    public uint[] Compute(string? text)
    {
        text ??= string.Empty;
        var tokens = Tokenizer.Tokenize(text.Length > MaxChars ? text.AsSpan(0, MaxChars) : text.AsSpan());
        var shingles = new HashSet<ulong>();
        if (tokens.Count < ShingleSize)
        {
            foreach (var t in tokens)
            {
                shingles.Add(StableHash.Hash(t));
            }
        }
        else
        {
            for (var i = 0; i + ShingleSize <= tokens.Count; i++)
            {
                var h = StableHash.Hash(tokens[i]);
                for (var k = 1; k < ShingleSize; k++)
                {
                    h = StableHash.Combine(h, StableHash.Hash(tokens[i + k]));
                }

                shingles.Add(h);
            }
        }

        var signature = new uint[HashCount];
        Array.Fill(signature, uint.MaxValue);
        if (shingles.Count == 0)
        {
            return signature;
        }

        var mins = new ulong[HashCount];
        Array.Fill(mins, ulong.MaxValue);
        foreach (var sh in shingles)
        {
            for (var i = 0; i < HashCount; i++)
            {
                var v = StableHash.Mix(sh ^ _seeds[i]);
                if (v < mins[i])
                {
                    mins[i] = v;
                }
            }
        }

        for (var i = 0; i < HashCount; i++)
        {
            signature[i] = (uint)mins[i];
        }

        return signature;
    }

    /// <summary>Fraction of equal positions: an unbiased estimate of the shingle-set Jaccard similarity.</summary>
    public static double EstimateJaccard(IReadOnlyList<uint> a, IReadOnlyList<uint> b)
    {
        if (a.Count != b.Count || a.Count == 0)
        {
            throw new ArgumentException("Signatures must have the same, non-zero length.");
        }

        var equal = 0;
        for (var i = 0; i < a.Count; i++)
        {
            if (a[i] == b[i] && a[i] != uint.MaxValue)
            {
                equal++;
            }
        }

        return equal / (double)a.Count;
    }
}

/// <summary>
/// LSH banding of a MinHash signature: <see cref="Bands"/> bands of <see cref="RowsPerBand"/> rows, each band hashed
/// to one 64-bit value. Two signals become candidates when any (band, hash) matches; with 16×8 the match probability
/// is 1 − (1 − J^8)^16: ≈ 0.02 at Jaccard 0.4, 0.5 at 0.7, 0.98 at 0.85. The values are plain numbers so the data
/// layer can store them in an indexed (band, hash) table.
/// </summary>
public sealed class LshBands(int bands = 16, int rowsPerBand = 8)
{
    public int Bands { get; } = bands;
    public int RowsPerBand { get; } = rowsPerBand;

    public IReadOnlyList<(int Band, long Hash)> Compute(IReadOnlyList<uint> signature)
    {
        if (signature.Count < Bands * RowsPerBand)
        {
            throw new ArgumentException($"Signature has {signature.Count} hashes; {Bands}×{RowsPerBand} needs {Bands * RowsPerBand}.", nameof(signature));
        }

        var result = new List<(int, long)>(Bands);
        for (var b = 0; b < Bands; b++)
        {
            var empty = true;
            var h = StableHash.Mix((ulong)(b + 1) * 0x9E3779B97F4A7C15UL);
            for (var r = 0; r < RowsPerBand; r++)
            {
                var v = signature[(b * RowsPerBand) + r];
                empty &= v == uint.MaxValue;
                h = StableHash.Combine(h, v);
            }

            // An empty text's signature is all-max: it must not collide with every other empty text.
            if (!empty)
            {
                result.Add((b, (long)h));
            }
        }

        return result;
    }
}
