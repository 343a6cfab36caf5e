using System.Text.RegularExpressions;

namespace GitMesh.Intelligence.Text;

/// <summary>Hand-crafted, label-indicative signals that bag-of-words models see only weakly.</summary>
public sealed record StructuralCueSet(
    bool StackTrace,
    bool StepsToReproduce,
    bool ExpectedActual,
    bool TitleIsQuestion,
    int QuestionMarks,
    bool CodeBlock,
    bool VersionString,
    bool FeatureRequestPhrase,
    bool ErrorWords,
    bool BugTemplate,
    bool FeatureTemplate,
    bool QuestionPhrase,
    bool EnvironmentSection,
    int BodyLength)
{
    /// <summary>Upper bound of <see cref="WriteFeatures"/> entries.</summary>
    internal const int MaxFeatures = 14;

    /// <summary>The cues as named feature values for a linear model (counts are log-scaled so one long body cannot dominate).</summary>
    public IEnumerable<(string Name, float Value)> AsFeatures()
    {
        var features = new (string Name, float Value)[MaxFeatures];
        return features[..WriteFeatures(features)];
    }

    /// <summary>Writes <see cref="AsFeatures"/> into <paramref name="dest"/> (at least <see cref="MaxFeatures"/> long) and returns the count.</summary>
    internal int WriteFeatures(Span<(string Name, float Value)> dest)
    {
        var n = 0;
        if (StackTrace) dest[n++] = ("stack_trace", 1f);
        if (StepsToReproduce) dest[n++] = ("steps_to_reproduce", 1f);
        if (ExpectedActual) dest[n++] = ("expected_actual", 1f);
        if (TitleIsQuestion) dest[n++] = ("title_question", 1f);
        if (QuestionMarks > 0) dest[n++] = ("question_marks", MathF.Log(1 + QuestionMarks));
        if (CodeBlock) dest[n++] = ("code_block", 1f);
        if (VersionString) dest[n++] = ("version_string", 1f);
        if (FeatureRequestPhrase) dest[n++] = ("feature_phrase", 1f);
        if (ErrorWords) dest[n++] = ("error_words", 1f);
        if (BugTemplate) dest[n++] = ("bug_template", 1f);
        if (FeatureTemplate) dest[n++] = ("feature_template", 1f);
        if (QuestionPhrase) dest[n++] = ("question_phrase", 1f);
        if (EnvironmentSection) dest[n++] = ("environment_section", 1f);
        dest[n++] = (BodyLength switch
        {
            0 => "body_empty",
            < 200 => "body_short",
            < 1500 => "body_medium",
            _ => "body_long",
        }, 1f);
        return n;
    }
}

/// <summary>Regex-based cue detection. Input is capped so a 1 MB body costs the same as a 20 kB one.</summary>
public static partial class StructuralCues
{
    public const int MaxScannedChars = 20_000;

    public static StructuralCueSet Detect(string? title, string? body)
    {
        title ??= string.Empty;
        body ??= string.Empty;
        var b = body.Length > MaxScannedChars ? body[..MaxScannedChars] : body;
        var all = title + "\n" + b;
        var questionMarks = 0;
        foreach (var c in all)
        {
            if (c is '?' or '？')
            {
                questionMarks++;
            }
        }

        return new StructuralCueSet(
            StackTrace: HasStackTrace(b),
            StepsToReproduce: StepsRegex().IsMatch(all),
            ExpectedActual: ExpectedActualRegex().IsMatch(b),
            TitleIsQuestion: title.TrimEnd().EndsWith('?') || QuestionStartRegex().IsMatch(title),
            QuestionMarks: questionMarks,
            CodeBlock: b.Contains("```", StringComparison.Ordinal) || b.Contains("{code", StringComparison.OrdinalIgnoreCase)
                || b.Contains("{noformat}", StringComparison.OrdinalIgnoreCase) || IndentedCodeRegex().IsMatch(b),
            VersionString: VersionRegex().IsMatch(all),
            FeatureRequestPhrase: FeatureRegex().IsMatch(all),
            ErrorWords: ErrorRegex().IsMatch(all),
            BugTemplate: BugTemplateRegex().IsMatch(all),
            FeatureTemplate: FeatureTemplateRegex().IsMatch(all),
            QuestionPhrase: QuestionPhraseRegex().IsMatch(all),
            EnvironmentSection: EnvironmentRegex().IsMatch(b),
            BodyLength: body.Length);
    }

    /// <summary>
    /// Stack frames (Java/.NET "at …(…)", Python "File …, line n", native "#n 0x…"), crash banners, or an
    /// "…Exception: " / "…Error: " message. One alternation over all of these had no literal to search for and
    /// was tried at every position; as separate patterns each is found by a vectorised search or line anchors.
    /// </summary>
    private static bool HasStackTrace(string text) =>
        CrashBannerRegex().IsMatch(text) || ExceptionMessageRegex().IsMatch(text) || StackFrameRegex().IsMatch(text);

    [GeneratedRegex(@"^\s*at [\w$.<>]+\(.*\)\s*$|^\s*File "".+"", line \d+|^\s*#\d+\s+0x[0-9a-f]+", RegexOptions.Multiline | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex StackFrameRegex();

    [GeneratedRegex(@"Traceback \(most recent call last\)|Exception in thread|panicked at|Segmentation fault|SIGSEGV|core dumped", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex CrashBannerRegex();

    // A run of [\w.] that starts a line or follows whitespace and ends in "Exception: " or "Error: " — written as a
    // lookbehind so the search starts from the literal.
    [GeneratedRegex(@"(?<=(?:^|\s)[\w.]+)(?:Exception|Error): ", RegexOptions.Multiline | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ExceptionMessageRegex();

    // Same matches as "steps to reproduce|repro(duction)? steps|to reproduce|how to reproduce|reproduc(e|ible|tion)|
    // minimal (example|repro)" for IsMatch (the longer phrases all contain "reproduce"/"reproduction"), but with
    // literal prefixes the search can jump to.
    [GeneratedRegex(@"repro steps|reproduc(?:e|ible|tion)|minimal (?:example|repro)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex StepsRegex();

    [GeneratedRegex(@"expected (behaviou?r|result|output)|actual (behaviou?r|result|output)|current behaviou?r|what happened|observed (behaviou?r|result)|\bexpected:|\bactual:|instead of", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ExpectedActualRegex();

    [GeneratedRegex(@"^\s*(\[[^\]]*\]\s*)?(how|what|why|where|when|which|who|is|are|can|could|does|do|did|should|would|will|any way|anyway|is there)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex QuestionStartRegex();

    [GeneratedRegex(@"(^( {4}|\t)\S.*$\n?){2,}", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex IndentedCodeRegex();

    [GeneratedRegex(@"\bv?\d+\.\d+(\.\d+)+|\bversion\s*:?\s*v?\d+(\.\d+)*", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex VersionRegex();

    [GeneratedRegex(@"would be (nice|great|useful|helpful|good|cool)|please (add|support|consider|implement|allow|provide)|\bsupport for\b|add(ing)? support|feature request|it would be|\ballow (users|me|us|to|for)\b|\boption to\b|\bability to\b|\bproposal\b|\bpropose\b|\bsuggest(ion)?\b|\benhancement\b|\bcould we\b|\bwe should\b|\bnice to have\b|\bwish\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex FeatureRegex();

    [GeneratedRegex(@"\b(error|errors|exception|crash(es|ed|ing)?|fail(s|ed|ing|ure)?|broken|segfault|panic|traceback|not working|doesn'?t work|does not work|regression|bug)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ErrorRegex();

    [GeneratedRegex(@"bug report|describe the bug|\bbug\]|\[bug|#+\s*bug\b|issue type\W+bug|system information|current behavior", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex BugTemplateRegex();

    [GeneratedRegex(@"feature request|\[feature|is your feature request|describe the solution you'?d like|describe alternatives|#+\s*(feature|motivation|proposal)\b|issue type\W+feature", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex FeatureTemplateRegex();

    [GeneratedRegex(@"\bhow (do|can|to|should|does)\b|\bis (it|there) (possible|a way)\b|\bany (idea|help|suggestion)s?\b|\bi('m| am) (wondering|trying to|confused)\b|\bi('d| would) like to know\b|\bcan (someone|anyone|you)\b|\bwhat is the (best|right|correct)\b|\bquestion\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex QuestionPhraseRegex();

    [GeneratedRegex(@"\b(os|operating system|platform|environment|browser|python version|node version|cuda|compiler)\s*(/[\w ]+)?\s*[:=]", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex EnvironmentRegex();
}
