using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace ControlPlane.Orchestration.Runtimes;

/// <summary>
/// A Process-runtime container. Its id is <c>&lt;pid&gt;:&lt;start time&gt;:&lt;base path of its files&gt;</c>: the pid
/// with its start time tells whether the process still is the one started, the path leads to its log and exit code.
/// </summary>
internal sealed class ProcessContainerHandle : IContainerHandle
{
    /// <summary>What a re-attached handle reports when the process vanished without recording an exit code.</summary>
    public const int UnknownExitCode = -1;

    private const int KilledExitCode = 128 + 9;

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    private readonly ProcessContainerState _state;
    private readonly ContainerFiles _files;
    private readonly Process? _process;
    private bool _killed;

    /// <param name="state">The pid, start time and ports.</param>
    /// <param name="files">Where its log and exit code are.</param>
    /// <param name="process">The child when this control plane started it; null after a re-attach.</param>
    public ProcessContainerHandle(ProcessContainerState state, ContainerFiles files, Process? process)
    {
        _state = state;
        _files = files;
        _process = process;
    }

    public string Id => string.Create(CultureInfo.InvariantCulture, $"{_state.Pid}:{_state.StartTime}:{_files.BasePath}");

    public IReadOnlyList<PortBinding> Ports => _state.Ports;

    private bool HasExited => _process?.HasExited ?? !LinuxProcess.IsAlive(_state.Pid, _state.StartTime);

    public static bool TryParseId(string id, out int pid, out long startTime, out ContainerFiles files)
    {
        var parts = id.Split(':', 3);
        files = new ContainerFiles(parts.Length == 3 ? parts[2] : "");
        startTime = 0;
        pid = 0;
        return parts.Length == 3
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out pid)
            && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out startTime)
            && Path.IsPathFullyQualified(parts[2]);
    }

    public static ProcessContainerState? ReadState(ContainerFiles files)
    {
        try
        {
            return JsonSerializer.Deserialize<ProcessContainerState>(File.ReadAllText(files.State));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }

    public async Task<int> WaitForExitAsync(CancellationToken ct)
    {
        if (_process is not null)
        {
            await _process.WaitForExitAsync(ct);
            return ReadExitCode() ?? _process.ExitCode;
        }

        // Not our child (re-attached after a restart): it cannot be waited for, only watched.
        while (!HasExited)
        {
            await Task.Delay(PollInterval, ct);
        }

        return ReadExitCode() ?? (_killed ? KilledExitCode : UnknownExitCode);
    }

    public async Task StopAsync(TimeSpan gracePeriod, CancellationToken ct)
    {
        if (HasExited)
        {
            return;
        }

        await LinuxProcess.TerminateAsync(_state.Pid, ct);
        using var grace = CancellationTokenSource.CreateLinkedTokenSource(ct);
        grace.CancelAfter(gracePeriod);
        try
        {
            await WaitForExitAsync(grace.Token);
            return;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
        }

        Kill();
        await WaitForExitAsync(ct);
    }

    public Task<IReadOnlyList<string>> TailLogAsync(int lines, CancellationToken ct) => LogFile.TailAsync(_files.Log, lines, ct);

    public IAsyncEnumerable<string> FollowLogAsync(CancellationToken ct) => LogFile.FollowAsync(_files.Log, () => HasExited, ct);

    public async Task RemoveAsync(CancellationToken ct)
    {
        if (!HasExited)
        {
            Kill();
            await WaitForExitAsync(ct);
        }

        foreach (var path in (string[])[_files.Log, _files.ExitCode, _files.State])
        {
            File.Delete(path);
        }
    }

    public ValueTask DisposeAsync()
    {
        // Releases our view of the child only; the program keeps running.
        _process?.Dispose();
        return ValueTask.CompletedTask;
    }

    private void Kill()
    {
        _killed = true;
        if (_process is not null)
        {
            try
            {
                _process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Exited meanwhile.
            }
        }
        else
        {
            LinuxProcess.KillTree(_state.Pid, _state.StartTime);
        }
    }

    private int? ReadExitCode()
    {
        try
        {
            return int.TryParse(File.ReadAllText(_files.ExitCode).Trim(), CultureInfo.InvariantCulture, out var code) ? code : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
