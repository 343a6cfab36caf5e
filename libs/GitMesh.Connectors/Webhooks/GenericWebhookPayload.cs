using System.Text.Json;
using GitMesh.Connectors.Import;
using GitMesh.Domain.Signals;

namespace GitMesh.Connectors.Webhooks;

/// <summary>Why one item of a generic webhook payload was rejected. <paramref name="Index"/> is 0-based; a single-object payload is index 0.</summary>
public sealed record EnvelopeItemError(int Index, string Message);

/// <summary>
/// Result of parsing a generic webhook body. <see cref="Error"/> is set when the body as a whole is unusable (not JSON,
/// not an object or array, too many items); otherwise the valid items are in <see cref="Signals"/> and the rejected ones in
/// <see cref="ItemErrors"/>, so a sender with one bad item out of fifty still gets forty-nine ingested and a precise
/// report back.
/// </summary>
public sealed record GenericWebhookParseResult(IReadOnlyList<SignalEnvelope> Signals, IReadOnlyList<EnvelopeItemError> ItemErrors, string? Error)
{
    public bool IsMalformed => Error is not null;
}

/// <summary>Parses the generic inbound payload: one envelope object or an array of them (see <see cref="SignalEnvelopeJson"/>).</summary>
public static class GenericWebhookPayload
{
    /// <summary>Upper bound of items per delivery; bigger batches belong in a file import.</summary>
    public const int MaxItems = 1000;

    public static GenericWebhookParseResult Parse(ReadOnlyMemory<byte> rawBody) => Parse(rawBody, EnvelopeRules.Webhook);

    public static GenericWebhookParseResult Parse(ReadOnlyMemory<byte> rawBody, EnvelopeRules rules)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(rawBody, new JsonDocumentOptions { MaxDepth = 32 });
        }
        catch (JsonException ex)
        {
            return Malformed($"body is not valid JSON: {ex.Message}");
        }

        using (document)
        {
            var root = document.RootElement;
            var signals = new List<SignalEnvelope>();
            var errors = new List<EnvelopeItemError>();
            switch (root.ValueKind)
            {
                case JsonValueKind.Object:
                    ParseItem(root, 0, rules, signals, errors);
                    break;
                case JsonValueKind.Array:
                    var length = root.GetArrayLength();
                    if (length == 0)
                    {
                        return Malformed("the array holds no envelopes");
                    }

                    if (length > MaxItems)
                    {
                        return Malformed($"at most {MaxItems} envelopes per delivery; this one has {length}");
                    }

                    var index = 0;
                    foreach (var item in root.EnumerateArray())
                    {
                        ParseItem(item, index++, rules, signals, errors);
                    }

                    break;
                default:
                    return Malformed("body must be an envelope object or an array of envelope objects");
            }

            return new GenericWebhookParseResult(signals, errors, null);
        }
    }

    private static void ParseItem(JsonElement item, int index, EnvelopeRules rules, List<SignalEnvelope> signals, List<EnvelopeItemError> errors)
    {
        var draft = SignalEnvelopeJson.ReadDraft(item, out var error);
        var envelope = draft?.TryBuild(rules, out error);
        if (envelope is null)
        {
            errors.Add(new EnvelopeItemError(index, error ?? "invalid envelope"));
            return;
        }

        signals.Add(envelope);
    }

    private static GenericWebhookParseResult Malformed(string error) => new([], [], error);
}
