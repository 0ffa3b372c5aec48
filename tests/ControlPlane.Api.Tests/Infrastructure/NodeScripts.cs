using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace ControlPlane.Api.Tests.Infrastructure;

/// <summary>
/// Runs a script from <c>wire-js/</c> as <c>node script url [arguments]</c> with the AWS SDK for JavaScript v3 (versions
/// pinned in <c>wire-js/package-lock.json</c>). A script prints <c>PASS name</c> / <c>FAIL name: reason</c> per check
/// and exits non-zero when any check failed. Scripts run in the source folder (the test project does not copy
/// <c>wire-js/</c> to its output), after <c>npm ci</c> when the packages are not installed there yet or the lock file
/// changed since they were.
/// </summary>
public static class NodeScripts
{
    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromMinutes(3);
    private static readonly SemaphoreSlim InstallLock = new(1, 1);

    private static string Folder => Path.Combine(RepositoryPaths.Root, "tests", "ControlPlane.Api.Tests", "wire-js");

    /// <summary>Runs the script against <paramref name="address"/>; <paramref name="service"/>'s output goes into a failure's message.</summary>
    public static async Task RunAsync(ServiceProcess service, Uri address, string script, params string[] arguments)
    {
        var path = Path.Combine(Folder, script);
        Assert.True(File.Exists(path), $"The JavaScript wire script {path} is missing.");
        await EnsurePackagesAsync();

        var url = address.ToString().TrimEnd('/');
        var run = await RunAsync("node", [path, url, .. arguments], ScriptTimeout);
        var report = new StringBuilder()
            .AppendLine($"node {script} {url} {run.Outcome}")
            .AppendLine("--- script output ---")
            .AppendLine(run.Stdout)
            .AppendLine("--- script stderr ---")
            .AppendLine(run.Stderr)
            .AppendLine("--- service output ---")
            .AppendLine(service.Output)
            .ToString();
        Assert.False(run.TimedOut, report);
        Assert.True(run.ExitCode == 0, report);
    }

    /// <summary><c>npm ci</c> unless <c>node_modules</c> was installed from the current lock file.</summary>
    private static async Task EnsurePackagesAsync()
    {
        await InstallLock.WaitAsync();
        try
        {
            var lockFile = new FileInfo(Path.Combine(Folder, "package-lock.json"));
            var installed = new FileInfo(Path.Combine(Folder, "node_modules", ".package-lock.json"));
            Assert.True(lockFile.Exists, $"{lockFile.FullName} is missing.");
            if (installed.Exists && installed.LastWriteTimeUtc >= lockFile.LastWriteTimeUtc)
            {
                return;
            }

            var install = await RunAsync("npm", ["ci", "--no-audit", "--no-fund"], InstallTimeout);
            var report = $"npm ci --no-audit --no-fund in {Folder} {install.Outcome}\n--- stdout ---\n{install.Stdout}\n--- stderr ---\n{install.Stderr}";
            Assert.False(install.TimedOut, report);
            Assert.True(install.ExitCode == 0, report);
        }
        finally
        {
            InstallLock.Release();
        }
    }

    private static async Task<Run> RunAsync(string program, string[] arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Folder,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start.");
        }
        catch (Win32Exception e)
        {
            Assert.Fail($"{program} could not be started (Node.js 20+ with npm must be on PATH): {e.Message}");
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
            return new Run(timedOut, process.ExitCode, outcome, await stdout, await stderr);
        }
    }

    private sealed record Run(bool TimedOut, int ExitCode, string Outcome, string Stdout, string Stderr);
}
