using System.Diagnostics;
using System.Globalization;

namespace ControlPlane.Orchestration.Runtimes;

/// <summary>
/// What /proc says about a process. A pid alone names a process only while it lives (pids are reused), so a process is
/// identified by pid and start time (field 22 of /proc/&lt;pid&gt;/stat, clock ticks since boot).
/// </summary>
internal static class LinuxProcess
{
    /// <summary>The start time of a live (not zombie) process, or null when there is none with that pid.</summary>
    public static long? StartTime(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        // The command name (field 2) is in parentheses and may contain spaces and parentheses itself.
        var fields = stat[(stat.LastIndexOf(')') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 20 || fields[0] is "Z" or "X" || !long.TryParse(fields[19], CultureInfo.InvariantCulture, out var startTime))
        {
            return null;
        }

        return startTime;
    }

    public static bool IsAlive(int pid, long startTime) => StartTime(pid) == startTime;

    /// <summary>Sends SIGTERM. .NET has no API to send a signal other than SIGKILL, so this runs kill(1).</summary>
    public static async Task TerminateAsync(int pid, CancellationToken ct)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill")
        {
            ArgumentList = { "-TERM", pid.ToString(CultureInfo.InvariantCulture) },
            UseShellExecute = false,
            RedirectStandardError = true,
        }) ?? throw new ContainerRuntimeException("Could not run kill(1).");
        await kill.WaitForExitAsync(ct);
    }

    /// <summary>Kills the process and every descendant with SIGKILL, if it still is the process we started.</summary>
    public static void KillTree(int pid, long startTime)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            if (IsAlive(pid, startTime))
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            // Exited meanwhile.
        }
    }
}
