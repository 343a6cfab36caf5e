namespace GitMesh.Intelligence.Duplicates;

/// <summary>
/// Incrementally updatable document frequencies (add / remove a document's distinct terms), serializable to bytes
/// so a host can snapshot them. Not thread-safe for writers; readers must not run concurrently with writes.
/// </summary>
public sealed class DocumentFrequencyStats : IDocumentFrequencies
{
    private readonly Dictionary<long, int> _df = new();

    public long DocumentCount { get; private set; }

    public int TermCount => _df.Count;

    public int DocumentFrequency(long term) => _df.GetValueOrDefault(term);

    /// <param name="distinctTerms">The document's distinct terms, e.g. <see cref="TermVector.Terms"/> of an untruncated vector.</param>
    public void Add(IEnumerable<long> distinctTerms)
    {
        DocumentCount++;
        foreach (var t in distinctTerms)
        {
            _df[t] = _df.GetValueOrDefault(t) + 1;
        }
    }

    public void Remove(IEnumerable<long> distinctTerms)
    {
        DocumentCount = Math.Max(0, DocumentCount - 1);
        foreach (var t in distinctTerms)
        {
            if (_df.TryGetValue(t, out var c))
            {
                if (c <= 1)
                {
                    _df.Remove(t);
                }
                else
                {
                    _df[t] = c - 1;
                }
            }
        }
    }

    public byte[] ToBytes()
    {
        using var ms = new MemoryStream();
        using (var w = new BinaryWriter(ms))
        {
            w.Write(1);
            w.Write(DocumentCount);
            w.Write(_df.Count);
            foreach (var (t, c) in _df.OrderBy(kv => kv.Key))
            {
                w.Write(t);
                w.Write7BitEncodedInt(c);
            }
        }

        return ms.ToArray();
    }

    public static DocumentFrequencyStats FromBytes(byte[] bytes)
    {
        using var r = new BinaryReader(new MemoryStream(bytes));
        if (r.ReadInt32() != 1)
        {
            throw new InvalidDataException("Unsupported document-frequency snapshot version.");
        }

        var stats = new DocumentFrequencyStats { DocumentCount = r.ReadInt64() };
        var count = r.ReadInt32();
        for (var i = 0; i < count; i++)
        {
            stats._df[r.ReadInt64()] = r.Read7BitEncodedInt();
        }

        return stats;
    }
}
