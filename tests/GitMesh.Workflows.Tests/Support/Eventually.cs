namespace GitMesh.Workflows.Tests.Support;

/// <summary>Polls a condition that becomes true asynchronously (another worker, another process). The limit only bounds a hang.</summary>
public static class Eventually
{
    public static async Task<T> GetAsync<T>(Func<Task<T>> probe, Func<T, bool> done, string what, int limitSeconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(limitSeconds);
        while (true)
        {
            var value = await probe();
            if (done(value))
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Gave up waiting for {what}; last value: {(value is GitMesh.Domain.Workflows.WorkflowRun r ? $"{r.Status} lease={r.LeaseOwner} until {r.LeaseExpiresAt:O} next={r.NextRunAt:O} error={r.Error}" : value)}");
            }

            await Task.Delay(20);
        }
    }
}
