using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ControlPlane.Application.Persistence;

/// <summary>
/// Checkpoints the database's write-ahead log in the background. SQLite's automatic checkpoint runs inside whichever
/// commit crosses the threshold and fsyncs there, which put milliseconds on an unlucky Create; the service's
/// connections turn it off (<see cref="SqliteDatabase.ConnectionPragmas"/>) and this passive checkpoint, which never
/// blocks readers or writers, keeps the log short instead.
/// </summary>
internal sealed partial class WalCheckpointer(IOptions<ControlPlaneOptions> options, TimeProvider time, ILogger<WalCheckpointer> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        await using var connection = new SqliteConnection(SqliteDatabase.ConnectionString(options.Value));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    if (connection.State != System.Data.ConnectionState.Open)
                    {
                        if (!File.Exists(options.Value.DatabasePath))
                        {
                            continue; // not created yet: the database initializer runs beside this service
                        }

                        await connection.OpenAsync(stoppingToken);
                    }

                    await using var checkpoint = connection.CreateCommand();
                    checkpoint.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
                    await checkpoint.ExecuteNonQueryAsync(stoppingToken);
                }
                catch (SqliteException e)
                {
                    // A busy or missing database is retried at the next tick; the log only grows meanwhile.
                    LogCheckpointFailed(logger, e);
                    await connection.CloseAsync();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: SQLite checkpoints when the last connection closes.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Checkpointing the database's write-ahead log failed")]
    private static partial void LogCheckpointFailed(ILogger logger, Exception exception);
}
