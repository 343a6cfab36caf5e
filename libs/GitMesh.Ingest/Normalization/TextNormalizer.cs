using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using AngleSharp.Html.Parser;
using Markdig;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace GitMesh.Ingest.Normalization;

/// <param name="Title">Title as plain text, whitespace collapsed.</param>
/// <param name="Text">Prose as plain text: markup removed, quoted replies dropped, whitespace cleaned.</param>
/// <param name="Code">Code blocks and stack traces, kept apart so they neither drown the prose nor vanish.</param>
/// <param name="ContentHash">SHA-256 of the case-folded, whitespace-folded title + prose + code: equal for exact cross-posts.</param>
public sealed record NormalizedText(string Title, string Text, string Code, string ContentHash);

/// <summary>
/// Markdown, HTML (Stack Exchange, Reddit) and Jira-ish plain text to clean prose plus separated code.
/// Pure and thread-safe.
/// </summary>
public static partial class TextNormalizer
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().UseAdvancedExtensions().Build();
    private static readonly HtmlParser Html = new();

    /// <summary>Bodies larger than this are cut before parsing: no signal needs more to be understood.</summary>
    public const int MaxBodyChars = 200_000;

    public static NormalizedText Normalize(string? title, string? body)
    {
        var cleanTitle = CollapseWhitespace(DecodeIfHtml(title ?? string.Empty));
        var raw = body ?? string.Empty;
        if (raw.Length > MaxBodyChars)
        {
            raw = raw[..MaxBodyChars];
        }

        var prose = new StringBuilder();
        var code = new StringBuilder();
        if (LooksLikeHtml(raw))
        {
            ExtractHtml(raw, prose, code);
        }
        else
        {
            ExtractMarkdown(raw, prose, code);
        }

        var text = SeparateStackTraces(prose.ToString(), code);
        text = CleanProse(text);
        var codeText = code.ToString().Trim();
        return new NormalizedText(cleanTitle, text, codeText, Hash(cleanTitle, text, codeText));
    }

    private static bool LooksLikeHtml(string s) => HtmlTag().IsMatch(s) && (s.Contains("</", StringComparison.Ordinal) || s.Contains("<br", StringComparison.OrdinalIgnoreCase));

    private static string DecodeIfHtml(string s) =>
        s.Contains('&', StringComparison.Ordinal) || s.Contains('<', StringComparison.Ordinal) ? System.Net.WebUtility.HtmlDecode(HtmlTag().Replace(s, " ")) : s;

    private static void ExtractHtml(string html, StringBuilder prose, StringBuilder code)
    {
        var document = Html.ParseDocument(html);
        foreach (var pre in document.QuerySelectorAll("pre").ToList())
        {
            code.AppendLine(pre.TextContent.TrimEnd());
            pre.Remove();
        }

        foreach (var quote in document.QuerySelectorAll("blockquote").ToList())
        {
            quote.Remove();
        }

        foreach (var block in document.QuerySelectorAll("p, li, br, div, h1, h2, h3, h4, tr"))
        {
            block.Append(document.CreateTextNode("\n"));
        }

        prose.Append(document.Body?.TextContent ?? string.Empty);
    }

    private static void ExtractMarkdown(string markdown, StringBuilder prose, StringBuilder code)
    {
        var document = Markdown.Parse(markdown, Pipeline);
        foreach (var block in document.Descendants<Block>())
        {
            switch (block)
            {
                case CodeBlock codeBlock:
                    code.AppendLine(codeBlock.Lines.ToString().TrimEnd());
                    break;
                case QuoteBlock:
                    // Quoted replies repeat someone else's words: not this signal's content.
                    break;
                case HtmlBlock htmlBlock:
                    var inner = new StringBuilder();
                    ExtractHtml(htmlBlock.Lines.ToString(), inner, code);
                    prose.AppendLine(inner.ToString());
                    break;
                case LeafBlock leaf when !IsInside<QuoteBlock>(leaf):
                    if (leaf.Inline is not null)
                    {
                        AppendInlines(leaf.Inline, prose);
                    }
                    else
                    {
                        prose.Append(leaf.Lines.ToString());
                    }

                    prose.AppendLine();
                    break;
            }
        }
    }

    private static bool IsInside<T>(Block block)
        where T : Block
    {
        for (var parent = block.Parent; parent is not null; parent = parent.Parent)
        {
            if (parent is T)
            {
                return true;
            }
        }

        return false;
    }

    private static void AppendInlines(ContainerInline container, StringBuilder sb)
    {
        foreach (var inline in container)
        {
            switch (inline)
            {
                case LiteralInline literal:
                    sb.Append(literal.Content.ToString());
                    break;
                case CodeInline codeInline:
                    sb.Append(codeInline.Content);
                    break;
                case LineBreakInline:
                    sb.Append('\n');
                    break;
                case AutolinkInline autolink:
                    sb.Append(autolink.Url);
                    break;
                case HtmlInline:
                    break;
                case HtmlEntityInline entity:
                    sb.Append(entity.Transcoded.ToString());
                    break;
                case ContainerInline nested:
                    AppendInlines(nested, sb);
                    break;
            }
        }
    }

    /// <summary>Moves stack-trace lines (Java/.NET "at …", Python tracebacks, "Caused by") from prose to code.</summary>
    private static string SeparateStackTraces(string text, StringBuilder code)
    {
        if (!StackLine().IsMatch(text))
        {
            return text;
        }

        var prose = new StringBuilder(text.Length);
        foreach (var line in text.Split('\n'))
        {
            if (StackLine().IsMatch(line))
            {
                code.AppendLine(line.Trim());
            }
            else
            {
                prose.AppendLine(line);
            }
        }

        return prose.ToString();
    }

    private static string CleanProse(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var rawLine in text.Split('\n'))
        {
            var line = rawLine.TrimEnd();
            // Email-style quoting ("> ...") and "On <date>, X wrote:" headers are replies to someone else.
            if (line.TrimStart().StartsWith('>') || WroteHeader().IsMatch(line))
            {
                continue;
            }

            line = CollapseWhitespace(line);
            if (line.Length == 0)
            {
                if (sb.Length > 0 && !EndsWithBlankLine(sb))
                {
                    sb.Append('\n');
                }

                continue;
            }

            sb.Append(line).Append('\n');
        }

        return sb.ToString().Trim();
    }

    private static bool EndsWithBlankLine(StringBuilder sb) => sb.Length >= 2 && sb[^1] == '\n' && sb[^2] == '\n';

    private static string CollapseWhitespace(string s) => Whitespace().Replace(s, " ").Trim();

    private static string Hash(string title, string text, string code)
    {
        var canonical = $"{CollapseWhitespace(title).ToLowerInvariant()}\n{CollapseWhitespace(text).ToLowerInvariant()}\n{CollapseWhitespace(code).ToLowerInvariant()}";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    [GeneratedRegex(@"<\s*/?\s*[a-zA-Z][a-zA-Z0-9]*(\s[^>]*)?>")]
    private static partial Regex HtmlTag();

    [GeneratedRegex(@"^\s*(at\s+[\w$.<>\[\]`]+\(.*\)|at\s+[\w$.]+\.[\w$<>]+\s*\(|File "".+"", line \d+|Traceback \(most recent call last\)|Caused by: |\.\.\. \d+ more|Exception in thread |[\w$]+(\.[\w$]+)+(Exception|Error)(:|\s*$))", RegexOptions.Multiline)]
    private static partial Regex StackLine();

    [GeneratedRegex(@"^On .{3,80} wrote:\s*$")]
    private static partial Regex WroteHeader();

    [GeneratedRegex(@"[ \t\r\f\v\u00A0]+")]
    private static partial Regex Whitespace();
}
