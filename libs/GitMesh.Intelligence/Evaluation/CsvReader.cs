using System.Text;

namespace GitMesh.Intelligence.Evaluation;

/// <summary>
/// Minimal RFC 4180 reader: comma separated, double-quoted fields may contain commas, doubled quotes and line
/// breaks; CRLF and LF both end records. The first record is the header; columns are looked up by name.
/// </summary>
public static class CsvReader
{
    public static IEnumerable<IReadOnlyDictionary<string, string>> ReadFile(string path)
    {
        using var reader = new StreamReader(path, Encoding.UTF8);
        foreach (var row in Read(reader))
        {
            yield return row;
        }
    }

    public static IEnumerable<IReadOnlyDictionary<string, string>> Read(TextReader reader)
    {
        string[]? header = null;
        foreach (var record in ReadRecords(reader))
        {
            if (header is null)
            {
                header = record.Select(h => h.Trim().TrimStart('\uFEFF')).ToArray();
                continue;
            }

            if (record.Count == 1 && record[0].Length == 0)
            {
                continue;
            }

            var row = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < header.Length; i++)
            {
                row[header[i]] = i < record.Count ? record[i] : string.Empty;
            }

            yield return row;
        }
    }

    public static IEnumerable<List<string>> ReadRecords(TextReader reader)
    {
        var field = new StringBuilder();
        var record = new List<string>();
        var inQuotes = false;
        var any = false;
        int ch;
        while ((ch = reader.Read()) != -1)
        {
            var c = (char)ch;
            any = true;
            if (inQuotes)
            {
                if (c == '"')
                {
                    if (reader.Peek() == '"')
                    {
                        field.Append('"');
                        reader.Read();
                    }
                    else
                    {
                        inQuotes = false;
                    }
                }
                else
                {
                    field.Append(c);
                }

                continue;
            }

            switch (c)
            {
                case '"':
                    inQuotes = true;
                    break;
                case ',':
                    record.Add(field.ToString());
                    field.Clear();
                    break;
                case '\r':
                    break;
                case '\n':
                    record.Add(field.ToString());
                    field.Clear();
                    yield return record;
                    record = [];
                    any = false;
                    break;
                default:
                    field.Append(c);
                    break;
            }
        }

        if (any)
        {
            record.Add(field.ToString());
            yield return record;
        }
    }
}
