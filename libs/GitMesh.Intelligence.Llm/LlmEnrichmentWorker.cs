using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GitMesh.Intelligence.Llm;

/// <summary>Runs enrichment rounds back to back while there is work, and sleeps when idle, paused or out of budget.</summary>
public sealed partial class LlmEnrichmentWorker(
    LlmEnrichmentProcessor processor,
    LlmGate gate,
    IOptions<LlmOptions> options,
    TimeProvider time,
    ILogger<LlmEnrichmentWorker> logger) : BackgroundService
{
    private readonly LlmOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled)
        {
            return;
        }

        LogStarted(_options.Model, _options.EndpointUri.Host, _options.RequestsPerMinute, _options.Concurrency);
        var budgetLogged = string.Empty;
        while (!stoppingToken.IsCancellationRequested)
        {
            var delay = _options.PollInterval;
            try
            {
                var round = await processor.RunOnceAsync(stoppingToken);
                if (round.BudgetExhausted)
                {
                    var day = time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
                    if (budgetLogged != day)
                    {
                        budgetLogged = day;
                        LogBudgetExhausted(day);
                    }

                    delay = TimeSpan.FromMinutes(1);
                }
                else if (round.Attempted > 0 && !round.EndpointBlocked)
                {
                    continue;
                }
                else if (gate.Status().Until is { } until)
                {
                    var wait = until - time.GetUtcNow();
                    delay = wait > TimeSpan.Zero && wait < _options.PollInterval ? wait : _options.PollInterval;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogRoundFailed(ex.GetType().Name, ex.Message);
            }

            try
            {
                await Task.Delay(delay, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "LLM enrichment on: model {Model} at {EndpointHost}, {RequestsPerMinute} requests/min, {Concurrency} in flight")]
    private partial void LogStarted(string? model, string endpointHost, int requestsPerMinute, int concurrency);

    [LoggerMessage(Level = LogLevel.Warning, Message = "LLM daily budget exhausted for {Day} (UTC): no more calls today, signals keep the offline labels")]
    private partial void LogBudgetExhausted(string day);

    [LoggerMessage(Level = LogLevel.Error, Message = "LLM enrichment round failed ({ExceptionType}: {Message}); retrying after the poll interval")]
    private partial void LogRoundFailed(string exceptionType, string message);
}
