using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ControlPlane.Api.Tests.Infrastructure;

/// <summary>A production variant to deploy: its name, the model it serves, its instance count and weight.</summary>
public sealed record VariantSpec(string Name, string Model, int Instances = 1, double Weight = 1.0);

/// <summary>
/// The control plane with the inference gateway it launches (the quick start), set up for the hosting tests: short
/// health-check, drain and invocation timeouts. Models are the scripted server with a behaviour.json in their
/// model.tar.gz, kept in the local object store.
/// </summary>
public sealed partial class HostingService : IAsyncDisposable
{
    public static readonly string ServerDirectory = Path.Combine(RepositoryPaths.Root, "deploy", "test-images", "scripted-server");

    private readonly HttpClient? _signedControlPlane;

    private HostingService(ServiceProcess service, string image, TestAccessKey? key = null)
    {
        Service = service;
        Image = image;
        _signedControlPlane = key is null ? null : new HttpClient(new SigV4SigningHandler(key.AccessKeyId, key.SecretAccessKey)) { BaseAddress = service.BaseAddress };
    }

    private int _gatewaysSeen;

    public ServiceProcess Service { get; }

    public string Image { get; }

    /// <summary>The control plane's wire protocol, signed with the service's key when it authenticates.</summary>
    public WireDoor Wire => new(_signedControlPlane ?? Service.Http);

    public HttpClient Gateway { get; private set; } = null!;

    public static string[] HostingArguments =>
    [
        "--ControlPlane:Gateway:Launch", "true",
        "--ControlPlane:Gateway:Urls", "http://127.0.0.1:0",
        "--ControlPlane:Gateway:InvocationTimeout", "00:00:03",
        "--ControlPlane:Hosting:StartupHealthCheckTimeout", "00:00:10",
        "--ControlPlane:Hosting:PingInterval", "00:00:00.500",
        "--ControlPlane:Hosting:DrainPeriod", "00:00:01.500",
        "--ControlPlane:Hosting:StopGracePeriod", "00:00:05",
    ];

    public static async Task<HostingService> StartAsync(string image, params string[] arguments)
    {
        var hosting = await StartWithoutGatewayAsync(image, arguments);
        await hosting.ConnectGatewayAsync();
        return hosting;
    }

    /// <summary>
    /// The control plane and its gateway with <c>Mode=sigv4</c> and these access keys; <see cref="Wire"/> signs with the
    /// first, so the resources it creates are that key's account's.
    /// </summary>
    public static async Task<HostingService> StartSignedAsync(string image, TestAccessKey[] keys, params string[] arguments)
    {
        var hosting = new HostingService(await ServiceProcess.StartAsync([.. HostingArguments, .. SignedServiceFixture.AuthenticationArguments(keys), .. arguments]), image, keys[0]);
        await hosting.ConnectGatewayAsync();
        return hosting;
    }

    /// <summary>The control plane alone (<c>ControlPlane:Gateway:Launch</c> false); the test runs a gateway of its own.</summary>
    public static async Task<HostingService> StartWithoutGatewayAsync(string image, params string[] arguments) =>
        new(await ServiceProcess.StartAsync([.. HostingArguments, .. arguments]), image);

    /// <summary>Learns where the gateway the service launched listens: a new one after each restart.</summary>
    public async Task ConnectGatewayAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (GatewayLines().Count <= _gatewaysSeen)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The gateway did not start:\n{Service.Output}");
            }

            await Task.Delay(50);
        }

        var lines = GatewayLines();
        _gatewaysSeen = lines.Count;
        Gateway?.Dispose();
        Gateway = GatewayClient(new Uri(lines[^1].Groups[1].Value));
    }

    public static HttpClient GatewayClient(Uri address) => new(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Writes <c>s3://bucket/models/{name}/model.tar.gz</c> holding behaviour.json, and creates the model.</summary>
    public async Task CreateModelAsync(string name, JsonObject behaviour, string? image = null)
    {
        var model = Requests.Model(name);
        model["PrimaryContainer"] = new JsonObject { ["Image"] = image ?? Image, ["ModelDataUrl"] = await WriteModelDataAsync(name, behaviour) };
        await Expect.OkAsync(Wire.InvokeAsync("CreateModel", model));
    }

    /// <summary>Writes <c>s3://bucket/models/{name}/model.tar.gz</c> holding behaviour.json into the local object store; returns its URL.</summary>
    public async Task<string> WriteModelDataAsync(string name, JsonObject behaviour)
    {
        var directory = Path.Combine(Service.DataDirectory, "s3", "bucket", "models", name);
        Directory.CreateDirectory(directory);
        await using (var file = File.Create(Path.Combine(directory, "model.tar.gz")))
        await using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
        await using (var tar = new TarWriter(gzip, TarEntryFormat.Pax))
        {
            var entry = new PaxTarEntry(TarEntryType.RegularFile, "behaviour.json") { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(behaviour.ToJsonString())) };
            await tar.WriteEntryAsync(entry);
        }

        return $"s3://bucket/models/{name}/model.tar.gz";
    }

    public Task CreateConfigAsync(string name, params VariantSpec[] variants) => CreateConfigAsync(name, null, variants);

    /// <summary>An endpoint configuration of these variants, with <paramref name="asyncInference"/> as its AsyncInferenceConfig when given.</summary>
    public async Task CreateConfigAsync(string name, JsonObject? asyncInference, params VariantSpec[] variants)
    {
        var productionVariants = new JsonArray();
        foreach (var variant in variants)
        {
            productionVariants.Add(new JsonObject
            {
                ["VariantName"] = variant.Name,
                ["ModelName"] = variant.Model,
                ["InitialInstanceCount"] = variant.Instances,
                ["InstanceType"] = "ml.m5.large",
                ["InitialVariantWeight"] = variant.Weight,
            });
        }

        var config = new JsonObject { ["EndpointConfigName"] = name, ["ProductionVariants"] = productionVariants };
        if (asyncInference is not null)
        {
            config["AsyncInferenceConfig"] = asyncInference;
        }

        await Expect.OkAsync(Wire.InvokeAsync("CreateEndpointConfig", config));
    }

    /// <summary>
    /// A model with <paramref name="behaviour"/>, a configuration of one variant AllTraffic (with
    /// <paramref name="asyncInference"/> as its AsyncInferenceConfig when given), and the endpoint; waits until it settles.
    /// </summary>
    public async Task<JsonObject> DeployAsync(string endpoint, JsonObject behaviour, int instances = 1, JsonObject? asyncInference = null)
    {
        await CreateModelAsync(endpoint, behaviour);
        await CreateConfigAsync(endpoint, asyncInference, new VariantSpec("AllTraffic", endpoint, instances));
        await Expect.OkAsync(Wire.InvokeAsync("CreateEndpoint", Requests.Endpoint(endpoint, endpoint)));
        return await WaitForSettledAsync(endpoint);
    }

    /// <summary>Waits until the endpoint is neither Creating nor Updating.</summary>
    public async Task<JsonObject> WaitForSettledAsync(string endpoint, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(90));
        while (true)
        {
            var described = await Wire.InvokeAsync("DescribeEndpoint", Requests.Named("EndpointName", endpoint));
            var status = described.Body["EndpointStatus"]?.GetValue<string>();
            if (status is not ("Creating" or "Updating"))
            {
                return described.Body;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Endpoint {endpoint} is still {status}:\n{Service.Output}");
            }

            await Task.Delay(200);
        }
    }

    public async Task<InvocationResult> InvokeAsync(string endpoint, string body, string? variant = null, HttpClient? gateway = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/endpoints/{endpoint}/invocations") { Content = new StringContent(body, Encoding.UTF8, "text/csv") };
        if (variant is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Amzn-SageMaker-Target-Variant", variant);
        }

        using var response = await (gateway ?? Gateway).SendAsync(request);
        return new InvocationResult(
            response.StatusCode,
            await response.Content.ReadAsStringAsync(),
            response.Headers.TryGetValues("x-Amzn-Invoked-Production-Variant", out var served) ? served.Single() : null,
            response.Headers.TryGetValues("x-amzn-ErrorType", out var code) ? code.Single() : null);
    }

    /// <summary>The endpoint's containers on the Docker engine, running or not.</summary>
    public static async Task<IReadOnlyList<string>> DockerContainersAsync(string endpoint)
    {
        var output = await DockerAsync("ps", "-aq", "--filter", $"label=controlplane.endpoint={endpoint}");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    public static async Task<string> DockerAsync(params string[] arguments)
    {
        var (exitCode, output, error) = await TryDockerAsync(arguments);
        Assert.True(exitCode == 0, $"docker {string.Join(' ', arguments)}: {error}");
        return output;
    }

    /// <summary>Runs the docker CLI; its exit code, output and error output.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> TryDockerAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("docker") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        Gateway?.Dispose();
        using var signed = _signedControlPlane;
        var endpoints = await Wire.InvokeAsync("ListEndpoints", new JsonObject { ["MaxResults"] = 100 });
        foreach (var endpoint in endpoints.Body["Endpoints"]?.AsArray() ?? [])
        {
            await Wire.InvokeAsync("DeleteEndpoint", Requests.Named("EndpointName", endpoint!["EndpointName"]!.GetValue<string>()));
        }

        // The supervisors remove the containers; give them the time to.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (Directory.Exists(Path.Combine(Service.DataDirectory, "endpoints")) && Directory.EnumerateDirectories(Path.Combine(Service.DataDirectory, "endpoints")).SelectMany(Directory.EnumerateDirectories).Any() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        await Service.DisposeAsync();
    }

    private MatchCollection GatewayLines() => GatewayListening().Matches(Service.Output);

    [GeneratedRegex(@"\[gateway\].*Now listening on: (http://\S+)")]
    private static partial Regex GatewayListening();
}

/// <summary>An invocation as the caller saw it.</summary>
public sealed record InvocationResult(HttpStatusCode Status, string Body, string? Variant, string? ErrorCode)
{
    public JsonObject Json => JsonNode.Parse(Body)!.AsObject();

    public override string ToString() => $"{(int)Status} {ErrorCode} {Body}";
}

internal static class Expect
{
    public static async Task OkAsync(Task<ApiResponse> call)
    {
        var response = await call;
        Assert.True(response.Status == HttpStatusCode.OK, response.ToString());
    }
}
