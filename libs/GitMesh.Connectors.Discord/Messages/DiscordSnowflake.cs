using System.Globalization;

namespace GitMesh.Connectors.Discord.Messages;

/// <summary>
/// Discord ids are 64-bit snowflakes sent as strings; their top 42 bits are milliseconds since the Discord epoch,
/// so ids order by creation time and a timestamp converts to an id usable as an <c>after</c> cursor.
/// </summary>
public static class DiscordSnowflake
{
    private static readonly DateTimeOffset Epoch = new(2015, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static ulong Parse(string id) => ulong.Parse(id, NumberStyles.None, CultureInfo.InvariantCulture);

    public static bool TryParse(string? id, out ulong value) =>
        ulong.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out value);

    public static int Compare(string left, string right) => Parse(left).CompareTo(Parse(right));

    /// <summary>The greater of two ids; null counts as "nothing seen".</summary>
    public static string? Max(string? left, string? right)
    {
        if (left is null) return right;
        if (right is null) return left;
        return Compare(left, right) >= 0 ? left : right;
    }

    /// <summary>The smallest id that could have been created at <paramref name="timestamp"/>; as an "after" cursor it includes everything later.</summary>
    public static string FromTimestamp(DateTimeOffset timestamp)
    {
        var ms = Math.Max(0L, (long)(timestamp - Epoch).TotalMilliseconds);
        return ((ulong)ms << 22).ToString(CultureInfo.InvariantCulture);
    }

    public static DateTimeOffset ToTimestamp(string id) => Epoch.AddMilliseconds(Parse(id) >> 22);

    /// <summary>The id just before <paramref name="id"/>: "after" it includes <paramref name="id"/> itself (a forum post's starter message shares the thread id).</summary>
    public static string Previous(string id)
    {
        var value = Parse(id);
        return (value == 0 ? 0 : value - 1).ToString(CultureInfo.InvariantCulture);
    }
}
