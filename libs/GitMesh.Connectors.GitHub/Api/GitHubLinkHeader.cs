namespace GitMesh.Connectors.GitHub.Api;

/// <summary>
/// Parses RFC 8288 <c>Link</c> headers as GitHub sends them: <c>&lt;url&gt;; rel="next", &lt;url&gt;; rel="last"</c>.
/// Tolerates whitespace, unquoted or multi-valued <c>rel</c> (<c>rel="next last"</c>), extra parameters and several
/// header lines; URLs are delimited by angle brackets, so commas inside them do not split links.
/// </summary>
public static class GitHubLinkHeader
{
    public static Uri? FindNext(IEnumerable<string> headerValues, Uri requestUri) => Find(headerValues, "next", requestUri);

    public static Uri? Find(IEnumerable<string> headerValues, string relation, Uri requestUri)
    {
        foreach (var value in headerValues)
        {
            var rest = value.AsSpan();
            while (true)
            {
                var open = rest.IndexOf('<');
                if (open < 0)
                {
                    break;
                }

                var close = rest[(open + 1)..].IndexOf('>');
                if (close < 0)
                {
                    break;
                }

                var target = rest.Slice(open + 1, close).Trim().ToString();
                rest = rest[(open + close + 2)..];

                // Parameters run until the next link's '<' (a quoted value may not contain one in practice).
                var nextOpen = rest.IndexOf('<');
                var parameters = nextOpen < 0 ? rest : rest[..nextOpen];
                if (HasRelation(parameters, relation) && Uri.TryCreate(requestUri, target, out var uri))
                {
                    return uri;
                }
            }
        }

        return null;
    }

    private static bool HasRelation(ReadOnlySpan<char> parameters, string relation)
    {
        foreach (var range in parameters.Split(';'))
        {
            var parameter = parameters[range].Trim().TrimEnd(',').Trim();
            var eq = parameter.IndexOf('=');
            if (eq < 0 || !parameter[..eq].Trim().Equals("rel", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var values = parameter[(eq + 1)..].Trim().Trim('"');
            foreach (var relRange in values.Split(' '))
            {
                if (values[relRange].Trim().Equals(relation, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
