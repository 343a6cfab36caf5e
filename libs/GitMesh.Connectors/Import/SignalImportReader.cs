using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using GitMesh.Domain.Signals;

namespace GitMesh.Connectors.Import;

public enum SignalImportFormat
{
    Csv,
    /// <summary>One envelope JSON object per line (<c>.jsonl</c> / <c>.ndjson</c>).</summary>
    JsonLines,
}

/// <summary>One line (or CSV record) of an import: either a valid <see cref="Signal"/> or an <see cref="Error"/>. <see cref="LineNumber"/> is 1-based and, for a CSV record spanning several lines, the line it starts on.</summary>
public sealed record SignalImportItem(long LineNumber, SignalEnvelope? Signal, string? Error)
{
    [MemberNotNullWhen(true, nameof(Signal))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsValid => Signal is not null;
}

/// <summary>
/// Streams a CSV or JSON Lines file into envelopes without loading it into memory. A bad line yields an error item and the
/// import goes on; only an unreadable CSV header stops it. <see cref="BytesRead"/> and <see cref="TotalBytes"/> can be
/// polled from another thread to draw a progress bar.
/// <para>
/// CSV: a header row is required; columns are matched case-insensitively, ignoring <c>_</c>, <c>-</c> and spaces:
/// <c>source, kind, externalId (id), url, title, body (text, content), author (username), authorName, authorUrl,
/// createdAt, updatedAt, parentExternalId, deleted</c>, plus <c>metadata.&lt;key&gt;</c> / <c>meta.&lt;key&gt;</c>
/// columns. Other columns are ignored. Missing source/kind default per <see cref="EnvelopeRules"/>; a missing externalId
/// is derived from the content (<see cref="SignalEnvelopeDraft.DeriveExternalId"/>).
/// </para>
/// </summary>
public sealed class SignalImportReader
{
    private readonly CountingStream _stream;
    private readonly SignalImportFormat _format;
    private readonly EnvelopeRules _rules;

    public SignalImportReader(Stream stream, SignalImportFormat format, EnvelopeRules? rules = null)
    {
        _stream = new CountingStream(stream);
        _format = format;
        _rules = rules ?? EnvelopeRules.Import;
        TotalBytes = stream.CanSeek ? stream.Length - stream.Position : null;
    }

    /// <summary>Bytes consumed from the underlying stream so far (read-ahead buffering makes it run slightly ahead of the parser).</summary>
    public long BytesRead => _stream.BytesRead;

    /// <summary>Size of the input when the stream can tell (files); null for network streams.</summary>
    public long? TotalBytes { get; }

    /// <summary>Picks the format from a file name: <c>.csv</c> or <c>.jsonl</c>/<c>.ndjson</c>; null when unknown.</summary>
    public static SignalImportFormat? FormatFromFileName(string fileName) => Path.GetExtension(fileName).ToLowerInvariant() switch
    {
        ".csv" => SignalImportFormat.Csv,
        ".jsonl" or ".ndjson" => SignalImportFormat.JsonLines,
        _ => null,
    };

    public IAsyncEnumerable<SignalImportItem> ReadAllAsync(CancellationToken cancellationToken) => _format switch
    {
        SignalImportFormat.Csv => ReadCsvAsync(cancellationToken),
        SignalImportFormat.JsonLines => ReadJsonLinesAsync(cancellationToken),
        _ => throw new InvalidOperationException($"Unknown import format {_format}."),
    };

    private async IAsyncEnumerable<SignalImportItem> ReadJsonLinesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(_stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 64 * 1024, leaveOpen: true);
        long lineNumber = 0;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            yield return ParseJsonLine(lineNumber, line);
        }
    }

    private SignalImportItem ParseJsonLine(long lineNumber, string line)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            var draft = SignalEnvelopeJson.ReadDraft(document.RootElement, out var error);
            var envelope = draft?.TryBuild(_rules, out error);
            return new SignalImportItem(lineNumber, envelope, envelope is null ? error : null);
        }
        catch (JsonException ex)
        {
            return new SignalImportItem(lineNumber, null, $"malformed JSON: {ex.Message}");
        }
    }

    private async IAsyncEnumerable<SignalImportItem> ReadCsvAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var textReader = new StreamReader(_stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 64 * 1024, leaveOpen: true);
        var csv = new CsvRecordReader(textReader);

        var header = await csv.ReadAsync(cancellationToken);
        if (header is null)
        {
            yield break;
        }

        string? headerError = null;
        var columns = header.Malformed is null ? CsvColumns.FromHeader(header.Fields, out headerError) : null;
        if (columns is null)
        {
            yield return new SignalImportItem(header.StartLine, null, headerError ?? $"the header row is malformed: {header.Malformed}");
            yield break;
        }

        while (await csv.ReadAsync(cancellationToken) is { } record)
        {
            if (record.Malformed is not null)
            {
                yield return new SignalImportItem(record.StartLine, null, record.Malformed);
                continue;
            }

            if (record.Fields.Count != header.Fields.Count)
            {
                yield return new SignalImportItem(record.StartLine, null, $"expected {header.Fields.Count} fields but found {record.Fields.Count}");
                continue;
            }

            var envelope = columns.ToDraft(record.Fields).TryBuild(_rules, out var error);
            yield return new SignalImportItem(record.StartLine, envelope, envelope is null ? error : null);
        }
    }

    private sealed class CsvColumns
    {
        private readonly List<(int Index, Action<SignalEnvelopeDraft, string> Assign)> _fields = [];
        private readonly List<(int Index, string Key)> _metadata = [];

        public static CsvColumns? FromHeader(IReadOnlyList<string> header, out string? error)
        {
            var columns = new CsvColumns();
            var hasText = false;
            for (var i = 0; i < header.Count; i++)
            {
                var raw = header[i].Trim();
                var metadataKey = MetadataKey(raw);
                if (metadataKey is not null)
                {
                    columns._metadata.Add((i, metadataKey));
                    continue;
                }

                Action<SignalEnvelopeDraft, string>? assign = NormalizeHeader(raw) switch
                {
                    "source" => (d, v) => d.Source = v,
                    "kind" or "type" => (d, v) => d.Kind = v,
                    "externalid" or "id" => (d, v) => d.ExternalId = v,
                    "url" or "link" => (d, v) => d.Url = v,
                    "title" or "subject" => (d, v) => d.Title = v,
                    "body" or "text" or "content" => (d, v) => d.Body = v,
                    "author" or "username" or "authorusername" => (d, v) => d.AuthorUsername = v,
                    "authorname" or "authordisplayname" or "displayname" => (d, v) => d.AuthorDisplayName = v,
                    "authorurl" or "authorprofileurl" or "profileurl" => (d, v) => d.AuthorProfileUrl = v,
                    "createdat" or "created" or "date" => (d, v) => d.CreatedAt = v,
                    "updatedat" or "updated" => (d, v) => d.UpdatedAt = v,
                    "parentexternalid" or "parentid" or "parent" => (d, v) => d.ParentExternalId = v,
                    "deleted" => (d, v) => d.Deleted = v.Trim() is "1" || v.Trim().Equals("true", StringComparison.OrdinalIgnoreCase),
                    _ => null,
                };
                if (assign is null)
                {
                    continue;
                }

                hasText |= NormalizeHeader(raw) is "title" or "subject" or "body" or "text" or "content";
                columns._fields.Add((i, assign));
            }

            if (!hasText)
            {
                error = "the header row has no title or body column (expected e.g. source,kind,externalId,url,title,body,author,createdAt)";
                return null;
            }

            error = null;
            return columns;
        }

        public SignalEnvelopeDraft ToDraft(IReadOnlyList<string> record)
        {
            var draft = new SignalEnvelopeDraft();
            foreach (var (index, assign) in _fields)
            {
                assign(draft, record[index]);
            }

            foreach (var (index, key) in _metadata)
            {
                var value = record[index];
                if (!string.IsNullOrEmpty(value))
                {
                    (draft.Metadata ??= new Dictionary<string, string>(StringComparer.Ordinal))[key] = value;
                }
            }

            return draft;
        }

        private static string? MetadataKey(string header)
        {
            foreach (var prefix in (ReadOnlySpan<string>)["metadata.", "meta."])
            {
                if (header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && header.Length > prefix.Length)
                {
                    return header[prefix.Length..];
                }
            }

            return null;
        }

        private static string NormalizeHeader(string header)
        {
            var builder = new StringBuilder(header.Length);
            foreach (var c in header)
            {
                if (c is not ('_' or '-' or ' '))
                {
                    builder.Append(char.ToLowerInvariant(c));
                }
            }

            return builder.ToString();
        }
    }

    /// <summary>Read-only pass-through that counts bytes for progress reporting.</summary>
    private sealed class CountingStream(Stream inner) : Stream
    {
        private long _bytesRead;

        public long BytesRead => Interlocked.Read(ref _bytesRead);

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => inner.Length;

        public override long Position
        {
            get => inner.Position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override int Read(Span<byte> buffer) => Count(inner.Read(buffer));

        public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Count(await inner.ReadAsync(buffer.AsMemory(offset, count), cancellationToken));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private int Count(int read)
        {
            Interlocked.Add(ref _bytesRead, read);
            return read;
        }
    }
}
