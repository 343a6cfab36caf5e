namespace GitMesh.Intelligence.Text;

/// <summary>English function words, ignored by the similarity features (duplicates, product areas, corrections) where they only add noise.</summary>
public static class Stopwords
{
    private static readonly HashSet<string> Words = new(StringComparer.Ordinal)
    {
        "a", "an", "the", "and", "or", "but", "if", "then", "else", "of", "to", "in", "on", "at", "by", "for", "with",
        "from", "as", "is", "are", "was", "were", "be", "been", "being", "it", "its", "this", "that", "these", "those",
        "i", "we", "you", "he", "she", "they", "me", "us", "my", "our", "your", "their", "them", "his", "her", "do",
        "does", "did", "have", "has", "had", "will", "would", "can", "could", "should", "so", "than", "too", "very",
        "just", "also", "there", "here", "when", "where", "which", "who", "what", "how", "why", "all", "any", "some",
        "not", "no", "into", "out", "up", "about", "after", "before", "while", "such", "only", "other", "same", "own",
        "more", "most", "again", "once", "am", "im", "ive", "get", "got", "use", "using", "used", "one", "like",
    };

    public static bool Contains(string token) => Words.Contains(token);
}
