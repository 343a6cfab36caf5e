namespace GitMesh.Intelligence.Text;

/// <summary>
/// Per-thread working memory of <see cref="FeatureExtractor"/>: featurising a signal then allocates nothing but
/// the strings its callers hand in. Every buffer only grows, to the largest text seen on that thread (bounded by
/// the extractor's character caps).
/// </summary>
internal sealed class FeatureScratch
{
    [ThreadStatic]
    private static FeatureScratch? t_current;

    public static FeatureScratch Current => t_current ??= new FeatureScratch();

    public FeatureAccumulator Terms { get; } = new();
    public TokenList TitleTokens { get; } = new();
    public TokenList BodyTokens { get; } = new();
    public TokenList CueTokens { get; } = new();
    public (string Name, float Value)[] CueFeatures { get; } = new (string, float)[FeatureExtractor.MaxCueFeatures];
    public char[] Chars { get; private set; } = new char[1024];
    public ulong[] Hashes { get; private set; } = new ulong[4096];
    public int[] KeptIndexOf { get; private set; } = new int[512];
    public int[] VectorIndices { get; private set; } = new int[512];
    public float[] VectorValues { get; private set; } = new float[512];
    public int[] VectorRows { get; private set; } = new int[512];

    public char[] CharsFor(int length)
    {
        if (Chars.Length < length)
        {
            Chars = new char[Math.Max(length, Chars.Length * 2)];
        }

        return Chars;
    }

    public ulong[] HashesFor(int length)
    {
        if (Hashes.Length < length)
        {
            Hashes = new ulong[Math.Max(length, Hashes.Length * 2)];
        }

        return Hashes;
    }

    public void EnsureVector(int length)
    {
        if (VectorIndices.Length < length)
        {
            var size = Math.Max(length, VectorIndices.Length * 2);
            VectorIndices = new int[size];
            VectorValues = new float[size];
            KeptIndexOf = new int[size];
            VectorRows = new int[size];
        }
    }
}

/// <summary>
/// Open-addressing int → float map that remembers first-insertion order, like <see cref="Dictionary{TKey,TValue}"/>
/// without removals does — so sums over it run in the same order (and round the same way) as the dictionary code
/// it replaces. Clearing costs O(entries), not O(capacity).
/// </summary>
internal sealed class FeatureAccumulator
{
    private int[] _table = new int[1024]; // position + 1, 0 = empty
    private int[] _slots = new int[512];
    private int[] _keys = new int[512];
    private float[] _values = new float[512];
    private int _shift = 32 - 10;

    public int Count { get; private set; }

    public ReadOnlySpan<int> Keys => _keys.AsSpan(0, Count);

    public Span<float> Values => _values.AsSpan(0, Count);

    private ulong[]? _only;

    /// <param name="only">
    /// If given, a bitset of the keys worth counting; <see cref="Increment"/> ignores the rest. Skipping keys does
    /// not change the relative order of the others.
    /// </param>
    public void Clear(ulong[]? only = null)
    {
        foreach (var slot in _slots.AsSpan(0, Count))
        {
            _table[slot] = 0;
        }

        Count = 0;
        _only = only;
    }

    public void Increment(int key)
    {
        if (_only is { } only && (only[key >> 6] & (1UL << (key & 63))) == 0)
        {
            return;
        }

        // Not `_values[GetOrAdd(..)]`: the array reference would be read before GetOrAdd can replace it.
        var position = GetOrAdd(key, out _);
        _values[position] += 1f;
    }

    /// <summary>Position of <paramref name="key"/> in insertion order, adding it with value 0 if absent.</summary>
    public int GetOrAdd(int key, out bool added)
    {
        var mask = _table.Length - 1;
        var slot = (int)(((uint)key * 0x9E3779B9u) >> _shift);
        while (true)
        {
            var entry = _table[slot];
            if (entry == 0)
            {
                break;
            }

            if (_keys[entry - 1] == key)
            {
                added = false;
                return entry - 1;
            }

            slot = (slot + 1) & mask;
        }

        if ((Count + 1) * 2 > _table.Length)
        {
            Grow();
            return GetOrAdd(key, out added);
        }

        var position = Count++;
        _table[slot] = position + 1;
        _slots[position] = slot;
        _keys[position] = key;
        _values[position] = 0f;
        added = true;
        return position;
    }

    private void Grow()
    {
        var count = Count;
        _table = new int[_table.Length * 2];
        _shift--;
        Array.Resize(ref _slots, _table.Length / 2);
        Array.Resize(ref _keys, _table.Length / 2);
        Array.Resize(ref _values, _table.Length / 2);
        var mask = _table.Length - 1;
        for (var position = 0; position < count; position++)
        {
            var slot = (int)(((uint)_keys[position] * 0x9E3779B9u) >> _shift);
            while (_table[slot] != 0)
            {
                slot = (slot + 1) & mask;
            }

            _table[slot] = position + 1;
            _slots[position] = slot;
        }
    }
}

/// <summary>Tokens of one text in a shared character buffer, with the negation-scope mark of each.</summary>
internal sealed class TokenList
{
    private char[] _chars = new char[2048];
    private int[] _starts = new int[256];
    private int[] _lengths = new int[256];
    private bool[] _negated = new bool[256];
    private ulong[] _unigram = new ulong[256];
    private ulong[] _shared = new ulong[256];
    private ulong[] _bigram = new ulong[256];
    private ulong[] _plain = new ulong[256];
    private int _used;

    public int Count { get; private set; }

    /// <summary>Per token, after <see cref="Hash"/>: the token under the unigram, shared-unigram and bigram-left prefixes, and unprefixed (bigram right side).</summary>
    public ReadOnlySpan<ulong> UnigramHashes => _unigram.AsSpan(0, Count);

    public ReadOnlySpan<ulong> SharedHashes => _shared.AsSpan(0, Count);

    public ReadOnlySpan<ulong> BigramHashes => _bigram.AsSpan(0, Count);

    public ReadOnlySpan<ulong> PlainHashes => _plain.AsSpan(0, Count);

    public ReadOnlySpan<char> this[int index] => _chars.AsSpan(_starts[index], _lengths[index]);

    public bool IsNegated(int index) => _negated[index];

    public void Fill(ReadOnlySpan<char> text)
    {
        Count = 0;
        _used = 0;
        var sink = new Sink(this);
        Tokenizer.Tokenize(text, ref sink);
    }

    /// <summary>Marks the three tokens after a negator (the "neg_" prefix of the string-based extractor).</summary>
    public void MarkNegation()
    {
        var scope = 0;
        for (var i = 0; i < Count; i++)
        {
            if (SentimentLexicon.IsNegator(this[i]))
            {
                scope = 3;
                continue;
            }

            if (scope > 0)
            {
                _negated[i] = true;
                scope--;
            }
        }
    }

    /// <summary>
    /// Hashes every token (with "neg_" before negated ones) as <see cref="StableHash.Hash(ReadOnlySpan{char}, ReadOnlySpan{char})"/>
    /// under three prefix states and as <see cref="StableHash.Hash(ReadOnlySpan{char}, ulong)"/> without seed. The four
    /// FNV chains are independent, so running them in one loop lets the CPU overlap their multiplications.
    /// </summary>
    public void Hash(ulong unigramPrefix, ulong sharedPrefix, ulong bigramPrefix)
    {
        var plainSeed = StableHash.SeedState(0);
        for (var i = 0; i < Count; i++)
        {
            ulong a = unigramPrefix, b = sharedPrefix, c = bigramPrefix, d = plainSeed;
            if (_negated[i])
            {
                Step(ref a, ref b, ref c, ref d, "neg_");
            }

            Step(ref a, ref b, ref c, ref d, this[i]);
            _unigram[i] = StableHash.Mix(a);
            _shared[i] = StableHash.Mix(b);
            _bigram[i] = StableHash.Mix(c);
            _plain[i] = StableHash.Mix(d);
        }
    }

    private static void Step(ref ulong a, ref ulong b, ref ulong c, ref ulong d, ReadOnlySpan<char> text)
    {
        foreach (var ch in text)
        {
            a = StableHash.Append(a, ch);
            b = StableHash.Append(b, ch);
            c = StableHash.Append(c, ch);
            d = StableHash.Append(d, ch);
        }
    }

    private void Add(ReadOnlySpan<char> token)
    {
        if (Count == _starts.Length)
        {
            Array.Resize(ref _starts, Count * 2);
            Array.Resize(ref _lengths, Count * 2);
            Array.Resize(ref _negated, Count * 2);
            Array.Resize(ref _unigram, Count * 2);
            Array.Resize(ref _shared, Count * 2);
            Array.Resize(ref _bigram, Count * 2);
            Array.Resize(ref _plain, Count * 2);
        }

        if (_used + token.Length > _chars.Length)
        {
            Array.Resize(ref _chars, Math.Max(_chars.Length * 2, _used + token.Length));
        }

        token.CopyTo(_chars.AsSpan(_used));
        _starts[Count] = _used;
        _lengths[Count] = token.Length;
        _negated[Count] = false;
        _used += token.Length;
        Count++;
    }

    private readonly struct Sink(TokenList list) : ITokenSink
    {
        public void Add(ReadOnlySpan<char> token) => list.Add(token);
    }
}
