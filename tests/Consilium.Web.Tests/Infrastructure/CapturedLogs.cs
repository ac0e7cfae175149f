using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Consilium.Tests.Infrastructure;

/// <summary>Every log line the app writes, as it would appear, exception text included; for asserting what logs never contain.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyCollection<string> Lines => _lines;

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

    public void Dispose() { }

    sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
            if (logLevel >= LogLevel.Error) Console.Error.WriteLine($"[app] {logLevel} {category}: {formatter(state, exception)} {exception}");
        }
    }
}
