using System.Text.Json;
using GitMesh.Connectors.Discord.Messages;
using GitMesh.Connectors.Discord.Rest;
using GitMesh.Connectors.Discord.Tests.Support;

namespace GitMesh.Connectors.Discord.Tests.Messages;

public sealed class DiscordMessageMapperTests
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private static DiscordMessage Parse(string json) => JsonSerializer.Deserialize<DiscordMessage>(json, Json)!;

    [Fact]
    public void Documented_message_maps_to_a_discord_message_signal()
    {
        var message = Parse(Fixtures.Text("rest_message.example.json"));

        var envelope = DiscordMessageMapper.Map(message, Fixtures.GuildId, threadParentId: null)!;

        envelope.Source.ShouldBe("discord");
        envelope.Kind.ShouldBe("message");
        envelope.ExternalId.ShouldBe("290926798999357250/334385199974967042");
        envelope.Url.ShouldBe($"https://discord.com/channels/{Fixtures.GuildId}/290926798999357250/334385199974967042");
        envelope.Body.ShouldBe("Supa Hot");
        envelope.Author!.Username.ShouldBe("Mason");
        envelope.Author.ProfileUrl.ShouldBe("https://discord.com/users/53908099506183680");
        envelope.CreatedAt.ShouldBe(new DateTimeOffset(2017, 7, 11, 17, 27, 7, 299, TimeSpan.Zero));
        envelope.ParentExternalId.ShouldBeNull();
        envelope.Deleted.ShouldBeFalse();
        envelope.Metadata!["guild_id"].ShouldBe(Fixtures.GuildId);
        envelope.Metadata["channel_id"].ShouldBe("290926798999357250");
        envelope.Metadata.ContainsKey("thread_id").ShouldBeFalse();
    }

    [Fact]
    public void Gateway_message_uses_its_guild_and_the_member_nickname_or_global_name()
    {
        var data = Fixtures.MessageCreate("334385199974967042", "290926798999357250", "hello", guildId: "42");
        data["author"]!["global_name"] = "Mason G.";

        var envelope = DiscordMessageMapper.Map(Parse(data.ToJsonString()), Fixtures.GuildId, null)!;

        envelope.Url.ShouldBe("https://discord.com/channels/42/290926798999357250/334385199974967042");
        envelope.Author!.DisplayName.ShouldBe("Mason the Maker");

        data.Remove("member");
        DiscordMessageMapper.Map(Parse(data.ToJsonString()), Fixtures.GuildId, null)!.Author!.DisplayName.ShouldBe("Mason G.");
    }

    [Fact]
    public void Reply_points_at_the_referenced_message()
    {
        var data = Fixtures.RestMessage("334385199974967042", "290926798999357250", "me too", type: 19);
        data["message_reference"] = new System.Text.Json.Nodes.JsonObject { ["type"] = 0, ["message_id"] = "334385199974967000", ["channel_id"] = "290926798999357250" };

        var envelope = DiscordMessageMapper.Map(Parse(data.ToJsonString()), Fixtures.GuildId, null)!;

        envelope.ParentExternalId.ShouldBe("290926798999357250/334385199974967000");
    }

    [Fact]
    public void Crosspost_is_not_a_reply_but_keeps_its_origin()
    {
        var envelope = DiscordMessageMapper.Map(Parse(Fixtures.Text("rest_message.crossposted_example.json")), Fixtures.GuildId, null)!;

        envelope.ParentExternalId.ShouldBeNull();
        envelope.Metadata!["crosspost_of"].ShouldBe("https://discord.com/channels/278325129692446720/278325129692446722/306588351130107906");
    }

    [Fact]
    public void Thread_message_records_thread_and_parent_channel()
    {
        var envelope = DiscordMessageMapper.Map(Parse(Fixtures.RestMessage("334385199974967042", "300", "in a thread").ToJsonString()), Fixtures.GuildId, "100")!;

        envelope.ExternalId.ShouldBe("300/334385199974967042");
        envelope.Metadata!["thread_id"].ShouldBe("300");
        envelope.Metadata["parent_channel_id"].ShouldBe("100");
    }

    [Fact]
    public void Partial_update_without_content_system_messages_and_empty_content_are_skipped()
    {
        var partial = Fixtures.RestMessage("334385199974967042", "290926798999357250", "x");
        partial.Remove("content");
        DiscordMessageMapper.Map(Parse(partial.ToJsonString()), Fixtures.GuildId, null).ShouldBeNull();

        DiscordMessageMapper.Map(Parse(Fixtures.RestMessage("334385199974967042", "290926798999357250", "pinned", type: 6).ToJsonString()), Fixtures.GuildId, null).ShouldBeNull();
        DiscordMessageMapper.Map(Parse(Fixtures.RestMessage("334385199974967042", "290926798999357250", "").ToJsonString()), Fixtures.GuildId, null).ShouldBeNull();
    }

    [Fact]
    public void Edited_message_carries_its_edit_time()
    {
        var data = Fixtures.RestMessage("334385199974967042", "290926798999357250", "edited");
        data["edited_timestamp"] = "2017-07-12T10:00:00.000000+00:00";

        DiscordMessageMapper.Map(Parse(data.ToJsonString()), Fixtures.GuildId, null)!.UpdatedAt
            .ShouldBe(new DateTimeOffset(2017, 7, 12, 10, 0, 0, TimeSpan.Zero));
    }

    [Fact]
    public void Delete_maps_to_a_deleted_signal_with_the_same_external_id()
    {
        var envelope = DiscordMessageMapper.MapDelete(Fixtures.GuildId, "290926798999357250", "334385199974967042", null);

        envelope.Deleted.ShouldBeTrue();
        envelope.ExternalId.ShouldBe("290926798999357250/334385199974967042");
        envelope.Source.ShouldBe("discord");
    }

    [Fact]
    public void Snowflake_timestamps_round_trip()
    {
        // Discord's documented example: 175928847299117063 was created 2016-04-30 11:18:25.796 UTC.
        DiscordSnowflake.ToTimestamp("175928847299117063").ShouldBe(new DateTimeOffset(2016, 4, 30, 11, 18, 25, 796, TimeSpan.Zero));
        var at = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
        DiscordSnowflake.ToTimestamp(DiscordSnowflake.FromTimestamp(at)).ShouldBe(at);
        DiscordSnowflake.Max("9", "10").ShouldBe("10");
        DiscordSnowflake.Previous("10").ShouldBe("9");
    }
}
