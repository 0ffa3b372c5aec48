namespace ControlPlane.Api.Tests.Infrastructure;

/// <summary>
/// Runs a script from <c>wire-js/</c> as <c>node script url [arguments]</c> with the AWS SDK for JavaScript v3 (versions
/// pinned in <c>wire-js/package-lock.json</c>, Node.js 20+). A script prints <c>PASS name</c> / <c>FAIL name: reason</c>
/// per check and exits non-zero when any check failed. Scripts run in the source folder (the test project does not copy
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
        await EnsurePackagesAsync(service);

        var url = address.ToString().TrimEnd('/');
        var run = await ScriptProcess.RunAsync("node", [path, url, .. arguments], Folder, ScriptTimeout);
        var report = run.Report($"node {script} {url}", service);
        Assert.False(run.TimedOut, report);
        Assert.True(run.ExitCode == 0, report);
    }

    /// <summary><c>npm ci</c> unless <c>node_modules</c> was installed from the current lock file.</summary>
    private static async Task EnsurePackagesAsync(ServiceProcess service)
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

            var install = await ScriptProcess.RunAsync("npm", ["ci", "--no-audit", "--no-fund"], Folder, InstallTimeout);
            var report = install.Report($"npm ci --no-audit --no-fund in {Folder}", service);
            Assert.False(install.TimedOut, report);
            Assert.True(install.ExitCode == 0, report);
        }
        finally
        {
            InstallLock.Release();
        }
    }
}
