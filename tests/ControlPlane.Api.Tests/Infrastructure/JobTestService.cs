using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Text.Json.Nodes;

namespace ControlPlane.Api.Tests.Infrastructure;

/// <summary>The job types the execution tests run: their operation names, status member and REST segment.</summary>
public sealed record JobKind(string Operation, string RouteSegment)
{
    public static readonly JobKind Training = new("TrainingJob", "training-jobs");

    public static readonly JobKind Processing = new("ProcessingJob", "processing-jobs");

    public static readonly JobKind Transform = new("TransformJob", "transform-jobs");

    public string NameMember => Operation + "Name";

    public string StatusMember => Operation + "Status";
}

/// <summary>
/// A service with job workers for the execution tests, over its local object store (<c>&lt;data&gt;/s3</c>): seeds
/// objects, waits for jobs and their log lines, reads artifacts.
/// </summary>
public sealed class JobTestService : IAsyncDisposable
{
    private readonly JobKind _kind;

    private JobTestService(JobKind kind, ServiceProcess service)
    {
        _kind = kind;
        Service = service;
    }

    public ServiceProcess Service { get; }

    public WireDoor Wire => new(Service.Http);

    /// <summary>The local object store's root: s3://bucket/key is <c>Store/bucket/key</c>.</summary>
    public string Store => Path.Combine(Service.DataDirectory, "s3");

    /// <summary>Starts the service (StopGracePeriod 5 s) and waits for its workers.</summary>
    public static async Task<JobTestService> StartAsync(JobKind kind, params string[] arguments)
    {
        var service = await ServiceProcess.StartAsync([.. arguments, "--ControlPlane:Orchestration:StopGracePeriod", "00:00:05"]);
        await service.WaitForOutputAsync("all the dispatchers started", TimeSpan.FromSeconds(180));
        return new JobTestService(kind, service);
    }

    public ValueTask DisposeAsync() => Service.DisposeAsync();

    public void Seed(string key, string content)
    {
        var path = StorePath(key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    public string StorePath(string key) => Path.Combine(Store, key);

    /// <summary>The directory a host of a job runs in (its opt/ml tree is below it).</summary>
    public string HostDirectory(string name, string host = "algo-1") =>
        Path.Combine(Service.DataDirectory, "jobs", Requests.AccountId, _kind.RouteSegment, name, host);

    public Task<string> LogAsync(string name, string host = "algo-1") =>
        Service.Http.GetStringAsync($"/api/{_kind.RouteSegment}/{name}/logs?host={host}");

    /// <summary>Waits until the program has printed <paramref name="text"/>, so it is past its start-up.</summary>
    public async Task WaitForLogAsync(string name, string text, string host = "algo-1")
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!(await LogAsync(name, host)).Contains(text, StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, $"{name} never printed {text}.\n{Service.Output}");
            await Task.Delay(100);
        }
    }

    /// <summary>Waits for a job of the service's kind, or of <paramref name="kind"/>, to end.</summary>
    public Task<JsonObject> WaitForEndAsync(string name, JobKind? kind = null) =>
        WaitForAsync(name, job => job[(kind ?? _kind).StatusMember]!.GetValue<string>() is "Completed" or "Failed" or "Stopped", kind: kind);

    public async Task<JsonObject> WaitForAsync(string name, Func<JsonObject, bool> condition, TimeSpan? timeout = null, JobKind? kind = null)
    {
        kind ??= _kind;
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(90));
        JsonObject? job = null;
        while (DateTime.UtcNow < deadline)
        {
            var response = await Wire.InvokeAsync($"Describe{kind.Operation}", Requests.Named(kind.NameMember, name));
            job = response.Body;
            if (response.Status == HttpStatusCode.OK && condition(job))
            {
                return job;
            }

            await Task.Delay(100);
        }

        throw new Xunit.Sdk.XunitException($"{kind.Operation} {name} did not get there in time: {job?.ToJsonString()}\n{Service.Output}");
    }

    /// <summary>The entries of a .tar.gz in the store, by name.</summary>
    public Dictionary<string, string> ReadTar(string key)
    {
        using var file = File.OpenRead(StorePath(key));
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var tar = new TarReader(gzip);
        var entries = new Dictionary<string, string>(StringComparer.Ordinal);
        while (tar.GetNextEntry() is { } entry)
        {
            if (entry.DataStream is { } data)
            {
                using var reader = new StreamReader(data);
                entries[entry.Name] = reader.ReadToEnd();
            }
        }

        return entries;
    }

    public string ReadTarEntry(string key, string entryName) =>
        ReadTar(key).TryGetValue(entryName, out var content) ? content : throw new Xunit.Sdk.XunitException($"{key} has no {entryName}.");
}
