using System.Diagnostics;
using System.Text;

namespace ControlPlane.Api.Tests.Infrastructure;

/// <summary>
/// Runs a script from <c>wire/</c> as <c>python3 script url [arguments]</c> against a running service (or its gateway). A script prints
/// <c>PASS name</c> / <c>FAIL name: reason</c> per check and exits non-zero when any check failed; the assertion
/// message then carries the script's and the service's output.
/// </summary>
public static class WireScripts
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromMinutes(5);

    public static Task RunAsync(ServiceProcess service, string script, params string[] arguments) =>
        RunAsync(service, service.BaseAddress, script, arguments);

    /// <summary>Runs the script against <paramref name="address"/>; <paramref name="service"/>'s output goes into a failure's message.</summary>
    public static async Task RunAsync(ServiceProcess service, Uri address, string script, params string[] arguments)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "wire", script);
        Assert.True(File.Exists(path), $"The wire script {path} is not in the test output folder.");
        var url = address.ToString().TrimEnd('/');

        var start = new ProcessStartInfo("python3")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(path)!,
        };
        start.ArgumentList.Add("-B");
        start.ArgumentList.Add(path);
        start.ArgumentList.Add(url);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["PYTHONUNBUFFERED"] = "1";
        start.Environment["PYTHONDONTWRITEBYTECODE"] = "1";

        using var process = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var timedOut = false;
        using (var timeout = new CancellationTokenSource(ScriptTimeout))
        {
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                timedOut = true;
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }

        var report = new StringBuilder()
            .AppendLine($"python3 {script} {url} {(timedOut ? $"timed out after {ScriptTimeout}" : $"exited {process.ExitCode}")}")
            .AppendLine("--- script output ---")
            .AppendLine(await stdout)
            .AppendLine("--- script stderr ---")
            .AppendLine(await stderr)
            .AppendLine("--- service output ---")
            .AppendLine(service.Output)
            .ToString();
        Assert.False(timedOut, report);
        Assert.True(process.ExitCode == 0, report);
    }
}
