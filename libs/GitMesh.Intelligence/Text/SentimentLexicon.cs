namespace GitMesh.Intelligence.Text;

/// <summary>
/// A small hand-written polarity lexicon for developer text. It gives the sentiment model a prior for words that
/// are rare in the training data; the model still learns how much to trust each cue. Negation ("not good") flips it.
/// </summary>
public static class SentimentLexicon
{
    private static readonly HashSet<string> Positive = new(StringComparer.Ordinal)
    {
        "thanks", "thank", "thx", "ty", "great", "awesome", "excellent", "perfect", "nice", "love", "loved", "loving",
        "amazing", "good", "helpful", "appreciate", "appreciated", "brilliant", "fantastic", "wonderful", "cool",
        "glad", "happy", "works", "worked", "solved", "beautiful", "elegant", "clean", "best", "impressive", "kudos",
        "congrats", "congratulations", "well", "neat", "superb", "useful", "enjoy", "enjoyed", "pleased", "welcome",
        "correct", "right", "fixed", "clever", "handy", "fine", "lovely", "favorite", "favourite", "recommend",
        "👍", "❤", "🎉", "😀", "😊", "🙂", "😃", "🙏", "谢谢", "merci", "danke", "gracias", "obrigado",
    };

    private static readonly HashSet<string> Negative = new(StringComparer.Ordinal)
    {
        "bad", "terrible", "horrible", "awful", "hate", "hated", "worst", "wrong", "stupid", "ugly", "useless",
        "annoying", "annoyed", "frustrating", "frustrated", "disappointed", "disappointing", "crap", "sucks",
        "suck", "ridiculous", "nonsense", "garbage", "mess", "pain", "painful", "sorry", "unfortunately", "sadly",
        "confused", "confusing", "weird", "silly", "poor",
        "unusable", "angry", "shame", "worse", "damn", "wtf", "idiot", "dumb", "lazy", "rude", "insane", "pathetic",
        "impossible", "nightmare", "ugh", "unacceptable", "waste", "wasted",
        "👎", "😡", "😠", "😞", "😢", "🙁", "😕",
    };

    private static readonly HashSet<string> Negators = new(StringComparer.Ordinal)
    {
        "not", "no", "never", "dont", "doesnt", "didnt", "isnt", "wasnt", "cant", "cannot", "wont", "without", "nothing", "neither", "nor", "hardly",
    };

    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> PositiveSpans = Positive.GetAlternateLookup<ReadOnlySpan<char>>();
    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> NegativeSpans = Negative.GetAlternateLookup<ReadOnlySpan<char>>();
    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> NegatorSpans = Negators.GetAlternateLookup<ReadOnlySpan<char>>();

    public static bool IsNegator(string token) => Negators.Contains(token);

    public static bool IsNegator(ReadOnlySpan<char> token) => NegatorSpans.Contains(token);

    // Technical words (error, crash, fail, broken, issue) are deliberately absent: a polite bug report is not negative.

    /// <summary>+1 for positive, -1 for negative, 0 otherwise.</summary>
    public static int Polarity(string token) => Positive.Contains(token) ? 1 : Negative.Contains(token) ? -1 : 0;

    /// <inheritdoc cref="Polarity(string)"/>
    public static int Polarity(ReadOnlySpan<char> token) => PositiveSpans.Contains(token) ? 1 : NegativeSpans.Contains(token) ? -1 : 0;
}
