using System.Text.RegularExpressions;

namespace GitMesh.Messaging;

/// <summary>
/// Logical queue names: what SQS allows (letters, digits, '-', '_') minus room for our "-dlq" suffix and a prefix,
/// so a name valid on one adapter is valid on the other.
/// </summary>
public static partial class QueueNameRules
{
    public const int MaxLength = 60;

    public static bool IsValid(string? name) => name is { Length: > 0 and <= MaxLength } && Pattern().IsMatch(name);

    public static void EnsureValid(string name)
    {
        if (!IsValid(name))
        {
            throw new ArgumentException($"Queue name '{name}' is invalid: use 1-{MaxLength} letters, digits, '-' or '_'.", nameof(name));
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_-]+$")]
    private static partial Regex Pattern();
}
