namespace GitMesh.Intelligence.Text;

/// <summary>
/// Process-independent 64-bit hashing. <see cref="string.GetHashCode()"/> is randomised per process, so anything
/// persisted (model feature indices, MinHash signatures, LSH band hashes) must go through these functions instead.
/// </summary>
public static class StableHash
{
    private const ulong FnvOffset = 14695981039346656037UL;
    private const ulong FnvPrime = 1099511628211UL;

    /// <summary>FNV-1a over UTF-16 code units followed by a Murmur3 finaliser for avalanche.</summary>
    public static ulong Hash(ReadOnlySpan<char> text, ulong seed = 0)
    {
        var h = FnvOffset ^ seed;
        foreach (var c in text)
        {
            h ^= c;
            h *= FnvPrime;
        }

        return Mix(h);
    }

    /// <summary>Hash of a prefix followed by a value, without allocating the concatenation.</summary>
    public static ulong Hash(ReadOnlySpan<char> prefix, ReadOnlySpan<char> text)
    {
        var h = FnvOffset;
        foreach (var c in prefix)
        {
            h ^= c;
            h *= FnvPrime;
        }

        h ^= 0x1F;
        h *= FnvPrime;
        foreach (var c in text)
        {
            h ^= c;
            h *= FnvPrime;
        }

        return Mix(h);
    }

    /// <summary>FNV state after <paramref name="prefix"/> and the separator, as used by <see cref="Hash(ReadOnlySpan{char}, ReadOnlySpan{char})"/>; continue with <see cref="Append"/> and finish with <see cref="Mix"/>.</summary>
    internal static ulong PrefixState(ReadOnlySpan<char> prefix)
    {
        var h = Append(FnvOffset, prefix);
        h ^= 0x1F;
        return h * FnvPrime;
    }

    /// <summary>FNV state of a seeded hash before any text, as used by <see cref="Hash(ReadOnlySpan{char}, ulong)"/>.</summary>
    internal static ulong SeedState(ulong seed) => FnvOffset ^ seed;

    internal static ulong Append(ulong state, ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            state ^= c;
            state *= FnvPrime;
        }

        return state;
    }

    internal static ulong Append(ulong state, char c) => (state ^ c) * FnvPrime;

    public static ulong Combine(ulong a, ulong b) => Mix(a ^ (b + 0x9E3779B97F4A7C15UL + (a << 6) + (a >> 2)));

    /// <summary>Murmur3 fmix64.</summary>
    public static ulong Mix(ulong k)
    {
        k ^= k >> 33;
        k *= 0xff51afd7ed558ccdUL;
        k ^= k >> 33;
        k *= 0xc4ceb9fe1a85ec53UL;
        k ^= k >> 33;
        return k;
    }
}
