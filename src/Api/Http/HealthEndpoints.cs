using GitMesh.Hosting;

namespace GitMesh.Api.Http;

public static class HealthEndpoints
{
    /// <summary>/healthz: the process answers. /readyz: database migrated and every background role running.</summary>
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => TypedResults.Ok(new { status = "ok" })).WithTags("Health").AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/readyz", (ReadinessState state) =>
        {
            var notRunning = state.Components.Where(c => !c.Value).Select(c => c.Key).ToList();
            var body = new { database = state.DatabaseReady ? "ready" : state.DatabaseError ?? "starting", components = state.Components };
            return state.DatabaseReady && notRunning.Count == 0
                ? Results.Ok(body)
                : Results.Json(body, statusCode: StatusCodes.Status503ServiceUnavailable);
        }).WithTags("Health").AllowAnonymous().ExcludeFromDescription();
        return app;
    }
}
