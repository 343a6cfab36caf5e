using System.Text;

namespace GitMesh.Connectors.Import;

/// <summary>One CSV record: its fields, the 1-based line it starts on, and why it is malformed (null when well-formed).</summary>
internal sealed record CsvRecord(IReadOnlyList<string> Fields, long StartLine, string? Malformed);

/// <summary>
/// A small RFC 4180 tokenizer (comma separator, <c>"</c> quoting with <c>""</c> escapes, CRLF/LF/CR line ends, quoted
/// fields may span lines). It is ours rather than CsvHelper's because the import needs what a general reader hides:
/// the start line of every record and a malformed record reported and skipped instead of an exception that ends the file.
/// Stray quotes are kept literally and the record is flagged; an unterminated quote can only be detected at end of input,
/// where it swallows the rest of the file into one flagged record (inherent to CSV).
/// </summary>
internal sealed class CsvRecordReader(TextReader reader)
{
    private readonly char[] _buffer = new char[64 * 1024];
    private int _position;
    private int _length;
    private long _line = 1;
    private bool _pendingCarriageReturn;

    public async ValueTask<CsvRecord?> ReadAsync(CancellationToken cancellationToken)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        string? malformed = null;
        var startLine = _line;
        var inQuotes = false;
        var quoteClosed = false;
        var fieldStarted = false;
        var any = false;

        while (true)
        {
            if (_position == _length)
            {
                _length = await reader.ReadAsync(_buffer.AsMemory(), cancellationToken);
                _position = 0;
                if (_length == 0)
                {
                    if (!any)
                    {
                        return null;
                    }

                    if (inQuotes)
                    {
                        malformed ??= "unterminated quoted field";
                    }

                    fields.Add(field.ToString());
                    return new CsvRecord(fields, startLine, malformed);
                }
            }

            var c = _buffer[_position++];

            // A CR already ended the previous line; its LF partner is not a new (blank) line.
            if (_pendingCarriageReturn)
            {
                _pendingCarriageReturn = false;
                if (c == '\n')
                {
                    if (inQuotes)
                    {
                        field.Append(c);
                    }

                    continue;
                }
            }

            if (!any)
            {
                startLine = _line;
            }

            any = true;

            if (inQuotes)
            {
                if (c == '"')
                {
                    inQuotes = false;
                    quoteClosed = true;
                }
                else
                {
                    if (c is '\n' or '\r')
                    {
                        _line++;
                        _pendingCarriageReturn = c == '\r';
                    }

                    field.Append(c);
                }

                continue;
            }

            switch (c)
            {
                case '"' when quoteClosed:
                    // "" inside a quoted field is an escaped quote.
                    field.Append('"');
                    inQuotes = true;
                    quoteClosed = false;
                    break;
                case '"' when !fieldStarted:
                    inQuotes = true;
                    fieldStarted = true;
                    break;
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    fieldStarted = false;
                    quoteClosed = false;
                    break;
                case '\n' or '\r':
                    _line++;
                    _pendingCarriageReturn = c == '\r';
                    if (fields.Count == 0 && field.Length == 0 && !fieldStarted)
                    {
                        // Blank line: skip it and start the record on the next one.
                        any = false;
                        break;
                    }

                    fields.Add(field.ToString());
                    return new CsvRecord(fields, startLine, malformed);
                default:
                    if (c == '"' || quoteClosed)
                    {
                        malformed ??= "malformed quoting (a quote inside an unquoted field or text after a closing quote)";
                    }

                    fieldStarted = true;
                    quoteClosed = false;
                    field.Append(c);
                    break;
            }
        }
    }
}
