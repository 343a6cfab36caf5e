using System.Text.RegularExpressions;

namespace GitMesh.Intelligence.Text;

/// <summary>Strips code blocks, Jira {code}/{noformat} sections and stack-frame lines, leaving the human-written prose.</summary>
public static partial class Prose
{
    public const int MaxChars = 8_000;

    public static string Extract(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        var s = text.Length > MaxChars * 4 ? text[..(MaxChars * 4)] : text;
        s = FencedRegex().Replace(s, " ");
        s = JiraBlockRegex().Replace(s, " ");
        s = FrameLineRegex().Replace(s, string.Empty);
        return s.Length > MaxChars ? s[..MaxChars] : s;
    }

    [GeneratedRegex(@"```.*?(```|$)", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex FencedRegex();

    [GeneratedRegex(@"\{(code|noformat)[^}]*\}.*?(\{\1\}|$)", RegexOptions.Singleline | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex JiraBlockRegex();

    [GeneratedRegex(@"^\s*(at [\w$.<>]+\(.*\)|File "".*"", line \d+.*|#\d+\s+0x[0-9a-f]+.*|( {4}|\t).*)$\n?", RegexOptions.Multiline | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex FrameLineRegex();
}
