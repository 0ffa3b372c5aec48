using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace ControlPlane.Api.Tests.Infrastructure;

/// <summary>How a script's process ended: whether it ran out of time, its exit code, and what it printed.</summary>
public sealed record ScriptRun(bool TimedOut, int ExitCode, string Outcome, string Stdout, string Stderr)
{
    /// <summary>The assertion message of a failed run: the command, its outcome, its output and the service's.</summary>
    public string Report(string command, ServiceProcess service) => new StringBuilder()
        .AppendLine($"{command} {Outcome}")
        .AppendLine("--- script output ---")
        .AppendLine(Stdout)
        .AppendLine("--- script stderr ---")
        .AppendLine(Stderr)
        .AppendLine("--- service output ---")
        .AppendLine(service.Output)
        .ToString();
}

/// <summary>Runs the wire scripts' interpreters (python3, node, npm): output collected, killed with its children past a timeout.</summary>
public static class ScriptProcess
{
    public static async Task<ScriptRun> RunAsync(string program, IEnumerable<string> arguments, string workingDirectory, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start.");
        }
        catch (Win32Exception e)
        {
            Assert.Fail($"{program} could not be started (it must be on PATH): {e.Message}");
            throw;
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            var timedOut = false;
            using (var cancel = new CancellationTokenSource(timeout))
            {
                try
                {
                    await process.WaitForExitAsync(cancel.Token);
                }
                catch (OperationCanceledException)
                {
                    timedOut = true;
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync();
                }
            }

            var outcome = timedOut ? $"timed out after {timeout}" : $"exited {process.ExitCode}";
            return new ScriptRun(timedOut, process.ExitCode, outcome, await stdout, await stderr);
        }
    }
}
