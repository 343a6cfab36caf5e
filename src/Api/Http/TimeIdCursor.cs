using System.Globalization;
using System.Text;

namespace GitMesh.Api.Http;

/// <summary>
/// Opaque keyset cursor for lists ordered by (timestamp desc, id desc): base64 of "ticks|id". Clients treat it as
/// an opaque string; a tampered or foreign cursor decodes to false, never to an exception.
/// </summary>
internal static class TimeIdCursor
{
    public static string Encode(DateTime at, Guid id) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{at.Ticks.ToString(CultureInfo.InvariantCulture)}|{id:N}"));

    public static bool TryDecode(string cursor, out DateTime at, out Guid id)
    {
        at = default;
        id = default;
        try
        {
            var parts = Encoding.UTF8.GetString(Convert.FromBase64String(cursor)).Split('|');
            if (parts.Length != 2 || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) || !Guid.TryParseExact(parts[1], "N", out id))
            {
                return false;
            }

            at = new DateTime(ticks, DateTimeKind.Utc);
            return true;
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException)
        {
            return false;
        }
    }
}
