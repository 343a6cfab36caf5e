namespace GitMesh.Intelligence.Text;

/// <summary>How a <see cref="FeatureExtractor"/> turns a <see cref="SignalText"/> into hashed features. Stored inside each model file.</summary>
public sealed record FeatureOptions
{
    /// <summary>Feature space size is 2^HashBits; collisions are rare at 19 bits for the vocabularies we train on.</summary>
    public int HashBits { get; init; } = 19;

    public bool WordBigrams { get; init; } = true;

    /// <summary>Character n-gram range over the lower-cased text; 0 disables. Char n-grams make the model robust to typos, inflections and unseen languages.</summary>
    public int CharMin { get; init; } = 3;

    public int CharMax { get; init; } = 5;

    /// <summary>Body prefix used for word features. Issue templates and the first paragraphs carry the intent; the tail of a 1 MB log does not.</summary>
    public int MaxBodyChars { get; init; } = 6_000;

    /// <summary>Body prefix used for character n-grams (they are the expensive part).</summary>
    public int MaxCharNgramChars { get; init; } = 1_500;

    /// <summary>Prefix title tokens separately from body tokens ("how" in a title means more than in a body).</summary>
    public bool SeparateTitle { get; init; } = true;

    public bool Structural { get; init; } = true;

    /// <summary>Lexicon polarity counts, negation scope marking, exclamation marks and emoticons.</summary>
    public bool SentimentCues { get; init; }

    /// <summary>Scale of the non-TF-IDF cue features relative to the unit-length text vector.</summary>
    public float CueWeight { get; init; } = 0.35f;

    /// <summary>Terms seen in fewer training documents than this get zero IDF (dropped): they cannot generalise.</summary>
    public int MinDocumentFrequency { get; init; } = 2;

    public int Dimension => 1 << HashBits;
}
