using System.Text.Json;
using ControlPlane.Application;
using ControlPlane.Core.Hosting;
using ControlPlane.Orchestration.Storage;
using Microsoft.Extensions.Options;

namespace ControlPlane.Orchestration.Hosting;

/// <summary>
/// The asynchronous inferences accepted and not yet answered, one file each under
/// <c>&lt;DataDirectory&gt;/async-invocations/</c>, written before the caller's 202 and removed once the answer or the
/// failure is in the object store. Each holds the token of the one Hangfire job that may run it: the job that finds
/// another token (or no file) ends at once, so a copy left behind by a crash or superseded at start-up
/// (<see cref="AsyncInvocationRecovery"/>) never runs the invocation a second time.
/// </summary>
public sealed class PendingAsyncInvocations(IOptions<ControlPlaneOptions> options)
{
    private string Root => Path.Combine(Path.GetFullPath(options.Value.DataDirectory), "async-invocations");

    /// <summary>Records <paramref name="invocation"/> (again) with a new token; returns the token its job must carry.</summary>
    public async Task<string> ClaimAsync(AsyncInvocation invocation, CancellationToken cancellationToken)
    {
        var token = Guid.NewGuid().ToString("N");
        using var content = new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(new PendingInvocation(invocation, token)), writable: false);
        await AtomicFile.WriteAsync(PathOf(invocation.Id), content, cancellationToken);
        return token;
    }

    /// <summary>Whether the job carrying <paramref name="token"/> is the one to run the invocation.</summary>
    public bool IsCurrent(AsyncInvocation invocation, string token) => Read(PathOf(invocation.Id))?.Token == token;

    public void Complete(AsyncInvocation invocation) => File.Delete(PathOf(invocation.Id));

    /// <summary>Every invocation still waiting for its answer.</summary>
    public IReadOnlyList<AsyncInvocation> All() => Directory.Exists(Root)
        ? [.. Directory.EnumerateFiles(Root, "*.json").Select(Read).OfType<PendingInvocation>().Select(p => p.Invocation)]
        : [];

    private string PathOf(string id) => Path.Combine(Root, id + ".json");

    private static PendingInvocation? Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<PendingInvocation>(File.ReadAllBytes(path));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    private sealed record PendingInvocation(AsyncInvocation Invocation, string Token);
}
