using System.Globalization;

namespace GitMesh.Intelligence.Text;

/// <summary>Receives the tokens of <see cref="Tokenizer.Tokenize{TSink}"/>; the span is only valid during the call.</summary>
internal interface ITokenSink
{
    void Add(ReadOnlySpan<char> token);
}

/// <summary>
/// Lower-casing, Unicode-aware word tokenizer for developer text.
/// Identifiers are kept whole and also split into their camelCase / snake_case parts, so <c>getUserName</c>
/// matches both an exact identifier and the words "user" and "name". Scripts written without spaces
/// (Han, Kana, Thai) are emitted one character per token so that word bigrams become character bigrams.
/// Digit runs longer than two characters collapse to <c>&lt;num&gt;</c> because ids, ports and line numbers
/// carry no intent, and tokens longer than <see cref="MaxTokenLength"/> (hashes, base64) are dropped.
/// </summary>
public static class Tokenizer
{
    public const int MaxTokenLength = 40;
    public const string NumberToken = "<num>";

    public static List<string> Tokenize(string? text) => Tokenize(text.AsSpan());

    public static List<string> Tokenize(ReadOnlySpan<char> text)
    {
        var tokens = new List<string>();
        Tokenize(text, tokens);
        return tokens;
    }

    public static void Tokenize(ReadOnlySpan<char> text, List<string> tokens)
    {
        var sink = new ListSink(tokens);
        Tokenize(text, ref sink);
    }

    /// <summary>
    /// The allocation-free core: tokens are lower-cased into a stack buffer and handed to <paramref name="sink"/>
    /// (a struct, so the JIT specialises the loop per sink). Only the first <see cref="MaxTokenLength"/> + 1
    /// characters of a run are kept, which is enough to know the run is too long and will be dropped.
    /// </summary>
    internal static void Tokenize<TSink>(ReadOnlySpan<char> text, ref TSink sink)
        where TSink : struct, ITokenSink
    {
        Span<char> raw = stackalloc char[MaxTokenLength + 1];
        Span<char> lower = stackalloc char[MaxTokenLength];
        var length = 0;
        var hasUpperInside = false;
        var hasUnderscore = false;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c < 0x80)
            {
                // ASCII fast path: same decisions as the general code below, without Unicode category lookups.
                if (char.IsAsciiLetterOrDigit(c))
                {
                    if (char.IsAsciiLetterUpper(c) && length > 0 && char.IsLower(text[i - 1]))
                    {
                        hasUpperInside = true;
                    }

                    Append(raw, ref length, c);
                    i++;
                    continue;
                }
            }
            else
            {
                if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                {
                    Flush(raw, lower, ref length, ref sink, ref hasUpperInside, ref hasUnderscore);
                    var cat = CharUnicodeInfo.GetUnicodeCategory(char.ConvertToUtf32(c, text[i + 1]));
                    if (cat is UnicodeCategory.OtherSymbol or UnicodeCategory.OtherLetter)
                    {
                        sink.Add(text.Slice(i, 2));
                    }

                    i += 2;
                    continue;
                }

                if (IsUnspacedScript(c))
                {
                    Flush(raw, lower, ref length, ref sink, ref hasUpperInside, ref hasUnderscore);
                    sink.Add(text.Slice(i, 1));
                    i++;
                    continue;
                }

                if (char.IsLetterOrDigit(c) || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark)
                {
                    if (char.IsUpper(c) && length > 0 && char.IsLower(text[i - 1]))
                    {
                        hasUpperInside = true;
                    }

                    Append(raw, ref length, c);
                    i++;
                    continue;
                }
            }

            // Joiners inside a word: "don't" -> "dont", "snake_case" kept whole (and split later).
            if (length > 0 && i + 1 < text.Length && char.IsLetterOrDigit(text[i + 1]))
            {
                if (c is '\'' or '\u2019')
                {
                    i++;
                    continue;
                }

                if (c == '_')
                {
                    hasUnderscore = true;
                    Append(raw, ref length, c);
                    i++;
                    continue;
                }
            }

            Flush(raw, lower, ref length, ref sink, ref hasUpperInside, ref hasUnderscore);
            if (c >= 0x80 && CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.OtherSymbol)
            {
                sink.Add(text.Slice(i, 1));
            }

            i++;
        }

        Flush(raw, lower, ref length, ref sink, ref hasUpperInside, ref hasUnderscore);
    }

    private static void Append(Span<char> raw, ref int length, char c)
    {
        if (length < raw.Length)
        {
            raw[length] = c;
        }

        // Keep counting past the buffer: the run is dropped at flush anyway.
        length++;
    }

    private static bool IsUnspacedScript(char c) =>
        c is >= '\u4E00' and <= '\u9FFF' // CJK unified ideographs
        or >= '\u3400' and <= '\u4DBF' // extension A
        or >= '\u3040' and <= '\u30FF' // Hiragana, Katakana
        or >= '\u0E00' and <= '\u0E7F' // Thai
        or >= '\uF900' and <= '\uFAFF'; // compatibility ideographs

    private static void Flush<TSink>(Span<char> buffer, Span<char> lower, ref int length, ref TSink sink, ref bool hasUpperInside, ref bool hasUnderscore)
        where TSink : struct, ITokenSink
    {
        if (length == 0)
        {
            return;
        }

        var upperInside = hasUpperInside;
        var underscore = hasUnderscore;
        var tooLong = length > MaxTokenLength;
        var raw = buffer[..Math.Min(length, buffer.Length)];
        length = 0;
        hasUpperInside = hasUnderscore = false;
        if (tooLong)
        {
            return;
        }

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
            sink.Add(raw.Length > 2 ? NumberToken : raw);
            return;
        }

        sink.Add(lower[..raw.ToLowerInvariant(lower)]);
        if (upperInside || underscore)
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
                        var part = raw[start..k].Trim('_');
                        sink.Add(lower[..part.ToLowerInvariant(lower)]);
                    }

                    start = k < raw.Length && raw[k] == '_' ? k + 1 : k;
                }
            }
        }
    }

    private readonly struct ListSink(List<string> tokens) : ITokenSink
    {
        public void Add(ReadOnlySpan<char> token) => tokens.Add(token.ToString());
    }
}
