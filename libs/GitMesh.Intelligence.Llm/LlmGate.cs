using Microsoft.Extensions.Options;

namespace GitMesh.Intelligence.Llm;

public enum LlmEndpointState
{
    /// <summary>Calls flow (within the rate limit).</summary>
    Closed,

    /// <summary>Backing off after a failure or a 429 (Retry-After honoured).</summary>
    Paused,

    /// <summary>Circuit breaker open after repeated failures: no calls until a single probe succeeds.</summary>
    Open,

    /// <summary>The open period is over: the next call is a single probe that closes or re-opens the breaker.</summary>
    HalfOpen,
}

/// <param name="Until">When calls may resume (null when closed).</param>
public sealed record LlmGateStatus(LlmEndpointState State, DateTimeOffset? Until, int ConsecutiveFailures, string? LastError, DateTimeOffset? LastErrorAt, DateTimeOffset? LastSuccessAt);

/// <summary>
/// Everything that decides whether a call may start now, per process: a token bucket (RequestsPerMinute, bursts up
/// to one minute's worth), a pause after 429/5xx/timeouts (Retry-After or exponential backoff with jitter), and a
/// circuit breaker so an endpoint that is down costs one probe per open period instead of a spin.
/// </summary>
public sealed class LlmGate
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan MaxOpen = TimeSpan.FromMinutes(10);
    private readonly Lock _lock = new();
    private readonly LlmOptions _options;
    private readonly TimeProvider _time;
    private double _tokens;
    private DateTimeOffset _refilledAt;
    private DateTimeOffset? _pausedUntil;
    private DateTimeOffset? _openUntil;
    private TimeSpan _nextOpen;
    private bool _probeInFlight;
    private int _consecutiveFailures;
    private int _consecutiveRateLimits;
    private string? _lastError;
    private DateTimeOffset? _lastErrorAt;
    private DateTimeOffset? _lastSuccessAt;

    public LlmGate(IOptions<LlmOptions> options, TimeProvider time)
    {
        _options = options.Value;
        _time = time;
        _tokens = _options.RequestsPerMinute;
        _refilledAt = time.GetUtcNow();
        _nextOpen = _options.BreakerOpenDuration;
    }

    /// <summary>
    /// Takes a permit when a call may start now (returns null). Otherwise returns how long to wait and whether the
    /// wait is only the rate limit (worth waiting for) or a pause / open breaker (give the round up).
    /// </summary>
    public (TimeSpan Wait, bool Blocked)? TryAcquire()
    {
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            if (_pausedUntil is { } paused && now < paused)
            {
                return (paused - now, true);
            }

            var probe = false;
            if (_openUntil is { } open)
            {
                if (now < open)
                {
                    return (open - now, true);
                }

                if (_probeInFlight)
                {
                    return (_options.PollInterval, true);
                }

                probe = true;
            }

            var rate = _options.RequestsPerMinute / 60.0;
            _tokens = Math.Min(_options.RequestsPerMinute, _tokens + (now - _refilledAt).TotalSeconds * rate);
            _refilledAt = now;
            if (_tokens < 1)
            {
                return (TimeSpan.FromSeconds((1 - _tokens) / rate), false);
            }

            _tokens -= 1;
            _probeInFlight = probe;
            return null;
        }
    }

    /// <summary>A permit taken but not used (the signal was claimed elsewhere): a pending probe may go again.</summary>
    public void Unused()
    {
        lock (_lock)
        {
            _probeInFlight = false;
        }
    }

    /// <summary>The endpoint answered (even with content we refuse): it is alive.</summary>
    public void Succeeded()
    {
        lock (_lock)
        {
            _consecutiveFailures = 0;
            _consecutiveRateLimits = 0;
            _openUntil = null;
            _probeInFlight = false;
            _nextOpen = _options.BreakerOpenDuration;
            _lastSuccessAt = _time.GetUtcNow();
        }
    }

    /// <summary>429: pause every call until Retry-After (or an exponential backoff when the server gives none).</summary>
    public DateTimeOffset RateLimited(TimeSpan? retryAfter, string error)
    {
        lock (_lock)
        {
            _consecutiveRateLimits++;
            _probeInFlight = false;
            var now = _time.GetUtcNow();
            var until = now + (retryAfter ?? Backoff(_consecutiveRateLimits));
            _pausedUntil = _pausedUntil is { } p && p > until ? p : until;
            Record(error, now);
            return _pausedUntil.Value;
        }
    }

    /// <summary>5xx, timeout, connection failure: back off, and open the breaker after too many in a row (or a failed probe).</summary>
    public DateTimeOffset Failed(TimeSpan? retryAfter, string error)
    {
        lock (_lock)
        {
            _consecutiveFailures++;
            var now = _time.GetUtcNow();
            Record(error, now);
            if (_probeInFlight || _consecutiveFailures >= _options.BreakerFailureThreshold)
            {
                var open = retryAfter is { } ra && ra > _nextOpen ? ra : _nextOpen;
                _openUntil = now + open;
                _nextOpen = TimeSpan.FromTicks(Math.Min(_nextOpen.Ticks * 2, MaxOpen.Ticks));
                _probeInFlight = false;
                return _openUntil.Value;
            }

            var until = now + (retryAfter ?? Backoff(_consecutiveFailures));
            _pausedUntil = _pausedUntil is { } p && p > until ? p : until;
            return _pausedUntil.Value;
        }
    }

    public LlmGateStatus Status()
    {
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            if (_openUntil is { } open && (now < open || _probeInFlight))
            {
                return new LlmGateStatus(LlmEndpointState.Open, open, _consecutiveFailures, _lastError, _lastErrorAt, _lastSuccessAt);
            }

            if (_pausedUntil is { } paused && now < paused)
            {
                return new LlmGateStatus(LlmEndpointState.Paused, paused, _consecutiveFailures, _lastError, _lastErrorAt, _lastSuccessAt);
            }

            return _openUntil is null
                ? new LlmGateStatus(LlmEndpointState.Closed, null, _consecutiveFailures, _lastError, _lastErrorAt, _lastSuccessAt)
                : new LlmGateStatus(LlmEndpointState.HalfOpen, null, _consecutiveFailures, _lastError, _lastErrorAt, _lastSuccessAt);
        }
    }

    private void Record(string error, DateTimeOffset now)
    {
        _lastError = error;
        _lastErrorAt = now;
    }

    /// <summary>1 s, 2 s, 4 s … up to 2 minutes, with ±20 % jitter so several processes do not retry in step.</summary>
    private static TimeSpan Backoff(int failures)
    {
        var seconds = Math.Min(MaxBackoff.TotalSeconds, Math.Pow(2, Math.Min(failures - 1, 10)));
        return TimeSpan.FromSeconds(seconds * (0.8 + (Random.Shared.NextDouble() * 0.4)));
    }
}
