using System.Globalization;
using System.Text;

using GitMesh.Intelligence.Text;

namespace GitMesh.Intelligence.Tests.Text.Reference;

/// <summary>
/// Lower-casing, Unicode-aware word tokenizer for developer text.
/// Identifiers are kept whole and also split into their camelCase / snake_case parts, so <c>getUserName</c>
/// matches both an exact identifier and the words "user" and "name". Scripts written without spaces
/// (Han, Kana, Thai) are emitted one character per token so that word bigrams become character bigrams.
/// Digit runs longer than two characters collapse to <c>&lt;num&gt;</c> because ids, ports and line numbers
/// carry no intent, and tokens longer than <see cref="MaxTokenLength"/> (hashes, base64) are dropped.
/// </summary>
internal static class ReferenceTokenizer
{
    internal const int MaxTokenLength = 40;
    internal const string NumberToken = "<num>";

    public static List<string> Tokenize(string? text) => Tokenize(text.AsSpan());

    public static List<string> Tokenize(ReadOnlySpan<char> text)
    {
        var tokens = new List<string>();
        Tokenize(text, tokens);
        return tokens;
    }

    public static void Tokenize(ReadOnlySpan<char> text, List<string> tokens)
    {
        var sb = new StringBuilder(32);
        var hasUpperInside = false;
        var hasUnderscore = false;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                Flush(sb, tokens, ref hasUpperInside, ref hasUnderscore);
                var cat = CharUnicodeInfo.GetUnicodeCategory(char.ConvertToUtf32(c, text[i + 1]));
                if (cat is UnicodeCategory.OtherSymbol or UnicodeCategory.OtherLetter)
                {
                    tokens.Add(new string([c, text[i + 1]]));
                }

                i += 2;
                continue;
            }

            if (IsUnspacedScript(c))
            {
                Flush(sb, tokens, ref hasUpperInside, ref hasUnderscore);
                tokens.Add(char.ToString(c));
                i++;
                continue;
            }

            if (char.IsLetterOrDigit(c) || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark)
            {
                if (char.IsUpper(c) && sb.Length > 0 && char.IsLower(text[i - 1]))
                {
                    hasUpperInside = true;
                }

                sb.Append(c);
                i++;
                continue;
            }

            // Joiners inside a word: "don't" -> "dont", "snake_case" kept whole (and split later).
            if (sb.Length > 0 && i + 1 < text.Length && char.IsLetterOrDigit(text[i + 1]))
            {
                if (c is '\'' or '\u2019')
                {
                    i++;
                    continue;
                }

                if (c == '_')
                {
                    hasUnderscore = true;
                    sb.Append(c);
                    i++;
                    continue;
                }
            }

            Flush(sb, tokens, ref hasUpperInside, ref hasUnderscore);
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.OtherSymbol)
            {
                tokens.Add(char.ToString(c));
            }

            i++;
        }

        Flush(sb, tokens, ref hasUpperInside, ref hasUnderscore);
    }

    private static bool IsUnspacedScript(char c) =>
        c is >= '\u4E00' and <= '\u9FFF' // CJK unified ideographs
        or >= '\u3400' and <= '\u4DBF' // extension A
        or >= '\u3040' and <= '\u30FF' // Hiragana, Katakana
        or >= '\u0E00' and <= '\u0E7F' // Thai
        or >= '\uF900' and <= '\uFAFF'; // compatibility ideographs

    private static void Flush(StringBuilder sb, List<string> tokens, ref bool hasUpperInside, ref bool hasUnderscore)
    {
        if (sb.Length == 0)
        {
            return;
        }

        if (sb.Length > MaxTokenLength)
        {
            sb.Clear();
            hasUpperInside = hasUnderscore = false;
            return;
        }

        var raw = sb.ToString();
        sb.Clear();
        var allDigits = true;
        foreach (var ch in raw)
        {
            if (!char.IsDigit(ch))
            {
                allDigits = false;
                break;
            }
        }

        if (allDigits)
        {
            tokens.Add(raw.Length > 2 ? NumberToken : raw);
            hasUpperInside = hasUnderscore = false;
            return;
        }

        tokens.Add(raw.ToLowerInvariant());
        if (hasUpperInside || hasUnderscore)
        {
            var start = 0;
            for (var k = 1; k <= raw.Length; k++)
            {
                var boundary = k == raw.Length
                    || raw[k] == '_'
                    || (char.IsUpper(raw[k]) && char.IsLower(raw[k - 1]));
                if (boundary)
                {
                    if (k - start > 1)
                    {
                        tokens.Add(raw[start..k].Trim('_').ToLowerInvariant());
                    }

                    start = k < raw.Length && raw[k] == '_' ? k + 1 : k;
                }
            }
        }

        hasUpperInside = hasUnderscore = false;
    }
}
