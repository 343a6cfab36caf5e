using System.Text.Json;
using System.Text.Json.Serialization;
using GitMesh.Domain.Signals;

namespace GitMesh.Ingest;

/// <summary>What travels on the ingest queue: one signal envelope and where it belongs.</summary>
public sealed record IngestMessage(Guid WorkspaceId, Guid? IntegrationId, SignalEnvelope Envelope, DateTime ReceivedAt)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string Serialize() => JsonSerializer.Serialize(this, Json);

    public static IngestMessage Deserialize(string body) =>
        JsonSerializer.Deserialize<IngestMessage>(body, Json) ?? throw new JsonException("Empty ingest message.");
}
