namespace GitMesh.Api.Http;

/// <summary>Bound from "Api".</summary>
public sealed class ApiOptions
{
    public const string SectionName = "Api";

    /// <summary>Largest request body accepted, in bytes; larger bodies get 413 with a ProblemDetails body.</summary>
    public long MaxRequestBodyBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>Lifetime of bearer access tokens from POST /api/v1/auth/token.</summary>
    public int AccessTokenMinutes { get; set; } = 60;
}
