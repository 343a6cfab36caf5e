using System.Text.Json;

namespace GitMesh.Workflows;

/// <summary>One serializer setting for inputs, step results, signals and outputs, so a value reads back as it was written.</summary>
public static class WorkflowJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static string Serialize(object? value, Type type) => JsonSerializer.Serialize(value, type, Options);

    public static T Deserialize<T>(string? json) => json is null ? default! : JsonSerializer.Deserialize<T>(json, Options)!;

    public static object? Deserialize(string? json, Type type) => json is null ? null : JsonSerializer.Deserialize(json, type, Options);
}
