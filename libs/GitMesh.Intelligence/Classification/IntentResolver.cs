using System.Text.RegularExpressions;
using GitMesh.Intelligence.Text;

namespace GitMesh.Intelligence.Classification;

/// <summary>
/// Extends the three trained intents (bug / feature_request / question) with complaint, praise and other,
/// for which we have no training data. The rule, in order:
/// <list type="number">
/// <item><b>other</b> — the text has fewer than 3 word tokens, or the intent model is unsure
///   (top probability &lt; <see cref="UncertainIntent"/>) and the text carries none of the structural cues of an
///   issue (stack trace, repro steps, expected/actual, code, feature or question phrasing, question mark).</item>
/// <item><b>praise</b> — P(positive) ≥ <see cref="PraiseSentiment"/>, an explicit appreciation cue
///   ("thank", "love", "great work", …), and no bug evidence, feature phrasing or question.</item>
/// <item><b>complaint</b> — P(negative) ≥ <see cref="ComplaintSentiment"/>, an explicit dissatisfaction cue
///   ("frustrating", "unacceptable", "still not fixed", "waste of time", …), no concrete bug evidence
///   (stack trace, repro steps, expected/actual, code block) and not a question: dissatisfaction without an
///   actionable report. A negative text *with* a stack trace stays a bug; the cue is required because the
///   sentiment model alone reads many terse technical reports as negative.</item>
/// <item>otherwise the trained model's argmax.</item>
/// </list>
/// The derived label's probability is its evidence (the sentiment probability, or 1 − top intent probability
/// for "other"); the remaining mass keeps the base model's proportions, so the distribution stays calibrated-ish
/// and a workspace correction model can still blend over all six labels.
/// </summary>
public static partial class IntentResolver
{
    public const double UncertainIntent = 0.5;
    public const double PraiseSentiment = 0.6;
    public const double ComplaintSentiment = 0.65;

    /// <param name="baseIntent">P(bug), P(feature_request), P(question) from the trained model.</param>
    /// <param name="sentiment">P(negative), P(neutral), P(positive).</param>
    /// <param name="cues">The text's structural cues if already computed.</param>
    public static double[] Resolve(SignalText text, IReadOnlyList<float> baseIntent, IReadOnlyList<double> sentiment, StructuralCueSet? cues = null)
    {
        cues ??= StructuralCues.Detect(text.Title, text.BodyWithCode);
        var combined = text.Combined;
        var prose = combined.Length > StructuralCues.MaxScannedChars ? combined[..StructuralCues.MaxScannedChars] : combined;
        var tokenCount = CountWords(prose, 3);
        var top = baseIntent.Max();
        var bugEvidence = cues.StackTrace || cues.StepsToReproduce || cues.ExpectedActual || cues.CodeBlock;
        var issueShape = bugEvidence || cues.FeatureRequestPhrase || cues.QuestionPhrase || cues.QuestionMarks > 0
            || cues.FeatureTemplate || cues.BugTemplate;

        (SignalIntent Label, double Evidence)? derived = null;
        if (tokenCount < 3)
        {
            derived = (SignalIntent.Other, 0.9);
        }
        else if (sentiment[2] >= PraiseSentiment && PraiseRegex().IsMatch(prose) && !bugEvidence && !cues.ErrorWords
                 && !cues.FeatureRequestPhrase && cues.QuestionMarks == 0)
        {
            derived = (SignalIntent.Praise, sentiment[2]);
        }
        else if (sentiment[0] >= ComplaintSentiment && ComplaintRegex().IsMatch(prose) && !bugEvidence && !cues.QuestionPhrase && !cues.TitleIsQuestion)
        {
            derived = (SignalIntent.Complaint, sentiment[0]);
        }
        else if (top < UncertainIntent && !issueShape)
        {
            derived = (SignalIntent.Other, 1 - top);
        }

        var result = new double[LabelNames.Intents.Count];
        if (derived is null)
        {
            for (var i = 0; i < 3; i++)
            {
                result[i] = baseIntent[i];
            }

            return result;
        }

        var (label, evidence) = derived.Value;
        result[(int)label] = evidence;
        for (var i = 0; i < 3; i++)
        {
            result[i] = baseIntent[i] * (1 - evidence);
        }

        return result;
    }

    /// <summary>Number of letter/digit runs, counting no further than <paramref name="limit"/>.</summary>
    private static int CountWords(string text, int limit)
    {
        var count = 0;
        var inWord = false;
        foreach (var c in text)
        {
            var w = char.IsLetterOrDigit(c);
            if (w && !inWord && ++count >= limit)
            {
                return count;
            }

            inWord = w;
        }

        return count;
    }

    [GeneratedRegex(@"\b(thanks?|thank you|thx|love|loving|awesome|amazing|great (work|job|tool|app|product|library|project)|well done|kudos|congrat\w*|fantastic|brilliant|excellent|appreciate\w*|you rock|life ?saver|best \w+ ever)\b|❤|👍|🎉|🙏", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PraiseRegex();

    [GeneratedRegex(@"\b(frustrat\w*|annoy\w*|unacceptable|ridiculous|terrible|horrible|awful|worst|hate|sucks?|useless|garbage|disappoint\w*|waste of (time|money)|still (not|isn'?t|hasn'?t been) (fixed|working|resolved)|for (months|years)|every (single )?time|fed up|sick of|tired of|pathetic|joke|unusable|nobody (cares|responds)|no response|ignored)\b|😡|😠|👎", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ComplaintRegex();
}
