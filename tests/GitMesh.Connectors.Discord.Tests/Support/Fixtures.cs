using System.Text.Json.Nodes;

namespace GitMesh.Connectors.Discord.Tests.Support;

/// <summary>Payloads built from Discord's documentation examples in Fixtures/ (see SOURCE.txt for provenance and licenses).</summary>
internal static class Fixtures
{
    public const string GuildId = "278325129692446720";

    public static string Text(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", name));

    public static JsonObject Json(string name) => JsonNode.Parse(Text(name))!.AsObject();

    /// <summary>The documented REST message example with its ids and content replaced.</summary>
    public static JsonObject RestMessage(string id, string channelId, string content, int type = 0)
    {
        var message = Json("rest_message.example.json");
        message["id"] = id;
        message["channel_id"] = channelId;
        message["content"] = content;
        message["type"] = type;
        return message;
    }

    /// <summary>A MESSAGE_CREATE <c>d</c>: the message object plus the documented extra fields guild_id, member, channel_type.</summary>
    public static JsonObject MessageCreate(string id, string channelId, string content, int channelType = 0, string guildId = GuildId)
    {
        var message = RestMessage(id, channelId, content);
        message["guild_id"] = guildId;
        message["member"] = new JsonObject { ["nick"] = "Mason the Maker", ["roles"] = new JsonArray() };
        message["channel_type"] = channelType;
        return message;
    }

    /// <summary>The documented dispatch envelope {op:0, d, s, t} with our event.</summary>
    public static string Dispatch(string eventName, long sequence, JsonNode data)
    {
        var envelope = Json("gateway_event_payload.example.json");
        envelope["t"] = eventName;
        envelope["s"] = sequence;
        envelope["d"] = data;
        return envelope.ToJsonString();
    }

    public static string Hello(int heartbeatIntervalMs)
    {
        var hello = Json("gateway_hello.example.json");
        hello["d"]!["heartbeat_interval"] = heartbeatIntervalMs;
        return hello.ToJsonString();
    }

    public static JsonObject Ready(string sessionId, string resumeGatewayUrl) => new()
    {
        ["v"] = 10,
        ["user"] = new JsonObject { ["id"] = "1000", ["username"] = "gitmesh-bot", ["bot"] = true },
        ["guilds"] = new JsonArray(new JsonObject { ["id"] = GuildId, ["unavailable"] = true }),
        ["session_id"] = sessionId,
        ["resume_gateway_url"] = resumeGatewayUrl,
        ["application"] = new JsonObject { ["id"] = "1000", ["flags"] = 0 },
    };

    public static JsonObject Thread(string id, string parentId, int type = 11) => new()
    {
        ["id"] = id,
        ["guild_id"] = GuildId,
        ["parent_id"] = parentId,
        ["type"] = type,
        ["name"] = "thread " + id,
    };
}
