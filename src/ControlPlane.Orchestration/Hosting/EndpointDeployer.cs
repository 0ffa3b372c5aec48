using ControlPlane.Application.Operations;
using ControlPlane.Core.Documents;
using ControlPlane.Core.Errors;
using ControlPlane.Orchestration.BuiltInAlgorithms;
using ControlPlane.Orchestration.Jobs;
using ControlPlane.Orchestration.Runtimes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ControlPlane.Orchestration.Hosting;

/// <summary>
/// An endpoint as its supervisor knows it: account, name and workspace. Kind, in the containers' names and
/// <c>controlplane.kind</c> label, is <c>endpoints</c>, or <c>transform-jobs</c> for a batch transform's model containers.
/// </summary>
internal sealed record EndpointContext(string AccountId, string Name, string Root, string Kind = EndpointContext.EndpointKind)
{
    public const string EndpointKind = "endpoints";

    public string StatePath => Path.Combine(Root, "state.json");

    public string DeploymentDirectory(string deploymentId) => Path.Combine(Root, "deployments", deploymentId);
}

/// <summary>
/// Brings up and takes down the containers of an endpoint configuration (contract 5.2): resolves each variant's model,
/// pulls its image, stages its model data, starts its instances with <c>serve</c> and waits until they answer
/// <c>GET /ping</c> with 200; a container that exits or does not pass in time fails the variant with a reason.
/// </summary>
internal sealed partial class EndpointDeployer(
    IContainerRuntime runtime,
    ModelArtifacts artifacts,
    JobDocuments documents,
    IOptions<HostingOptions> options,
    IOptions<BuiltInAlgorithmOptions> builtInAlgorithms,
    TimeProvider time,
    ILogger<EndpointDeployer> logger)
{
    private const int FailureReasonLength = 1024;
    private static readonly TimeSpan StartupPingInterval = TimeSpan.FromMilliseconds(100);
    private static readonly HttpClient Pinger = new(new SocketsHttpHandler { UseProxy = false, PooledConnectionIdleTimeout = TimeSpan.FromSeconds(5) });

    /// <summary>Resolves the configuration's variants and prepares their images and model data; no container runs yet.</summary>
    public async Task<Result<DeploymentRecord>> PrepareAsync(EndpointContext endpoint, string configName, CancellationToken cancellationToken)
    {
        var deployment = new DeploymentRecord { Id = time.GetUtcNow().ToString("yyyyMMddHHmmssfff", System.Globalization.CultureInfo.InvariantCulture), EndpointConfigName = configName, Variants = [] };
        var prepared = await PrepareVariantsAsync(endpoint, deployment, cancellationToken);
        if (!prepared.Succeeded)
        {
            TryDeleteDirectory(endpoint.DeploymentDirectory(deployment.Id));
            return prepared.Error!;
        }

        return deployment;
    }

    private async Task<Result<bool>> PrepareVariantsAsync(EndpointContext endpoint, DeploymentRecord deployment, CancellationToken cancellationToken)
    {
        var configName = deployment.EndpointConfigName;
        var config = await documents.ReadAsync(ResourceCatalog.EndpointConfig, endpoint.AccountId, configName, cancellationToken);
        if (config is null)
        {
            return ApiError.Validation($"The endpoint configuration {configName} no longer exists.");
        }

        var defaultTimeout = options.Value.StartupHealthCheckTimeout;
        foreach (var variant in config.GetArray("ProductionVariants").Objects())
        {
            var variantName = variant.GetString("VariantName")!;
            if (variant.GetObject("ServerlessConfig") is not null)
            {
                return ApiError.Validation($"Production variant {variantName} is serverless; serverless variants are not supported here. Give it InstanceType and InitialInstanceCount.");
            }

            var prepared = await PrepareModelAsync(
                endpoint,
                deployment.Id,
                variantName,
                variant.GetString("ModelName")!,
                variant.GetString("InstanceType"),
                variant.GetInt("ContainerStartupHealthCheckTimeoutInSeconds") is { } seconds ? TimeSpan.FromSeconds(seconds) : defaultTimeout,
                cancellationToken);
            if (!prepared.Succeeded)
            {
                return prepared.Error!;
            }

            prepared.Value!.Weight = variant.GetDouble("InitialVariantWeight") ?? 1.0;
            prepared.Value.DesiredInstanceCount = variant.GetInt("InitialInstanceCount") ?? 1;
            deployment.Variants.Add(prepared.Value);
        }

        return true;
    }

    /// <summary>
    /// Pulls the image of <paramref name="modelName"/>'s primary container and stages its model data under the
    /// deployment; the variant it returns has no instances yet (weight 1, one desired instance).
    /// </summary>
    public async Task<Result<VariantRecord>> PrepareModelAsync(
        EndpointContext endpoint, string deploymentId, string variantName, string modelName, string? instanceType, TimeSpan startupTimeout, CancellationToken cancellationToken)
    {
        var model = await documents.ReadAsync(ResourceCatalog.Model, endpoint.AccountId, modelName, cancellationToken);
        var container = model?.GetObject("PrimaryContainer") ?? model?.GetArray("Containers").Objects().FirstOrDefault();
        if (container?.GetString("Image") is not { } image)
        {
            return ApiError.Validation($"The model {modelName} of production variant {variantName} does not exist or has no container image.");
        }

        var pulled = await runtime.PullAsync(BuiltInAlgorithmContainer.ImageFor(image, builtInAlgorithms.Value), cancellationToken);
        if (!pulled.Succeeded)
        {
            return ApiError.Validation($"The image '{image}' of production variant {variantName} could not be pulled: {pulled.Error!.Message}");
        }

        var modelDirectory = Path.Combine(endpoint.DeploymentDirectory(deploymentId), variantName, "model");
        var staged = await artifacts.StageAsync(container, modelDirectory, cancellationToken);
        if (!staged.Succeeded)
        {
            return staged.Error!;
        }

        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in container.GetObject("Environment") ?? [])
        {
            environment[key] = value!.GetValue<string>();
        }

        return new VariantRecord
        {
            Name = variantName,
            Image = image,
            Environment = environment,
            InstanceType = instanceType,
            ModelDirectory = modelDirectory,
            StartupTimeout = startupTimeout,
            Weight = 1.0,
            DesiredInstanceCount = 1,
        };
    }

    /// <summary>
    /// Starts <paramref name="count"/> more instances of <paramref name="variant"/> and waits until each passes its ping.
    /// Each container is recorded in the variant (and <paramref name="save"/> called) as soon as it exists, so a
    /// restart finds it. On failure the new containers are removed again and the reason says why.
    /// </summary>
    public async Task<Result<List<ModelInstance>>> StartHealthyAsync(EndpointContext endpoint, string deploymentId, VariantRecord variant, int count, Func<Task> save, CancellationToken cancellationToken)
    {
        var started = new List<ModelInstance>(count);
        var failure = await StartAsync(endpoint, deploymentId, variant, count, started, save, cancellationToken)
            ?? await WaitUntilHealthyAsync(variant, started, cancellationToken);
        if (failure is null)
        {
            return started;
        }

        await RemoveAsync(variant, started, TimeSpan.Zero, save);
        return failure;
    }

    /// <summary>Pings the instance once; true when it answered 200 in time.</summary>
    public async Task<bool> PingAsync(ModelInstance instance, CancellationToken cancellationToken)
    {
        if (instance.HasExited)
        {
            return false;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.PingTimeout);
        try
        {
            using var response = await Pinger.GetAsync(new Uri($"http://{instance.Address}/ping"), HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            return response.StatusCode == System.Net.HttpStatusCode.OK;
        }
        catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return false;
        }
    }

    /// <summary>The container a record names, if it still exists (after a restart of the control plane).</summary>
    public async Task<ModelInstance?> AttachAsync(InstanceRecord record, CancellationToken cancellationToken)
    {
        var handle = await runtime.TryAttachAsync(record.ContainerId, cancellationToken);
        return handle is null ? null : new ModelInstance(record, handle);
    }

    /// <summary>Stops (SIGTERM, <paramref name="gracePeriod"/>, SIGKILL) and removes the instances, and drops them from the variant.</summary>
    public async Task RemoveAsync(VariantRecord variant, IReadOnlyCollection<ModelInstance> instances, TimeSpan gracePeriod, Func<Task> save)
    {
        await Task.WhenAll(instances.Select(async instance =>
        {
            try
            {
                await instance.Handle.StopAsync(gracePeriod, CancellationToken.None);
                await instance.Handle.RemoveAsync(CancellationToken.None);
            }
            catch (ContainerRuntimeException e)
            {
                LogRemoveFailed(logger, instance.Record.ContainerName, e.Message);
            }

            await instance.DisposeAsync();
            TryDeleteDirectory(instance.Record.WorkDirectory);
        }));
        variant.Instances.RemoveAll(record => instances.Any(i => i.Record == record));
        await save();
    }

    /// <summary>A record whose container is gone: its files go too.</summary>
    public static void Forget(VariantRecord variant, InstanceRecord record)
    {
        variant.Instances.Remove(record);
        TryDeleteDirectory(record.WorkDirectory);
    }

    public async Task<string> LastLinesAsync(ModelInstance instance)
    {
        try
        {
            var lines = await instance.Handle.TailLogAsync(20, CancellationToken.None);
            return string.Join(" | ", lines.Where(line => line.Length > 0));
        }
        catch (ContainerRuntimeException e)
        {
            return $"(its log could not be read: {e.Message})";
        }
    }

    public static void TryDeleteDirectory(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Files a container wrote as another user: the endpoint works without removing them.
        }
    }

    private async Task<ApiError?> StartAsync(EndpointContext endpoint, string deploymentId, VariantRecord variant, int count, List<ModelInstance> started, Func<Task> save, CancellationToken cancellationToken)
    {
        for (var i = 0; i < count; i++)
        {
            var shortKind = endpoint.Kind == EndpointContext.EndpointKind ? "ep" : "tr";
            var containerName = $"cp-{endpoint.AccountId}-{shortKind}-{endpoint.Name}-{variant.Name}-{Guid.NewGuid().ToString("N")[..8]}";
            var workDirectory = Path.Combine(endpoint.DeploymentDirectory(deploymentId), variant.Name, containerName);
            Directory.CreateDirectory(workDirectory);
            var handle = await runtime.StartAsync(SpecFor(endpoint, variant, containerName, workDirectory), cancellationToken);
            if (!handle.Succeeded)
            {
                TryDeleteDirectory(workDirectory);
                return ApiError.Validation(Truncate($"The primary container for production variant {variant.Name} could not be started: {handle.Error!.Message}"));
            }

            var record = new InstanceRecord(containerName, handle.Value!.Id, workDirectory);
            variant.Instances.Add(record);
            started.Add(new ModelInstance(record, handle.Value));
            await save();
        }

        return null;
    }

    private async Task<ApiError?> WaitUntilHealthyAsync(VariantRecord variant, List<ModelInstance> started, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + variant.StartupTimeout;
        while (true)
        {
            foreach (var instance in started.Where(i => !i.Healthy))
            {
                if (instance.HasExited)
                {
                    return ApiError.Validation(Truncate(
                        $"The primary container for production variant {variant.Name} did not pass the ping health check: it exited with code {instance.ExitCode}. Its last log lines: {await LastLinesAsync(instance)}"));
                }

                instance.Healthy = await PingAsync(instance, cancellationToken);
            }

            if (started.All(i => i.Healthy))
            {
                return null;
            }

            if (time.GetUtcNow() > deadline)
            {
                var unhealthy = started.First(i => !i.Healthy);
                return ApiError.Validation(Truncate(
                    $"The primary container for production variant {variant.Name} did not pass the ping health check within {variant.StartupTimeout.TotalSeconds:0} seconds. Please check CloudWatch logs for this endpoint. Its last log lines: {await LastLinesAsync(unhealthy)}"));
            }

            await Task.Delay(StartupPingInterval, time, cancellationToken);
        }
    }

    /// <summary>A built-in algorithm's model runs the algorithms image (<see cref="BuiltInAlgorithmContainer"/>).</summary>
    private ContainerSpec SpecFor(EndpointContext endpoint, VariantRecord variant, string containerName, string workDirectory) => BuiltInAlgorithmContainer.Apply(new(
        Name: containerName,
        Image: variant.Image,
        Entrypoint: null,
        Arguments: ["serve"],
        Environment: variant.Environment,
        Mounts: [new VolumeMount(variant.ModelDirectory, "/opt/ml/model", ReadOnly: true)],
        Network: null,
        Hostname: null,
        Limits: ResourceLimits.ForInstanceType(variant.InstanceType),
        // Serving containers publish their port to the gateway; an isolated container could not (see Runtimes/README.md).
        NetworkIsolation: false,
        Ports: [new PortBinding(8080, 0)],
        Labels: new Dictionary<string, string>
        {
            ["controlplane.kind"] = endpoint.Kind,
            ["controlplane.account"] = endpoint.AccountId,
            ["controlplane.endpoint"] = endpoint.Name,
            ["controlplane.variant"] = variant.Name,
        },
        WorkDirectory: workDirectory), builtInAlgorithms.Value);

    private static string Truncate(string reason) => reason.Length <= FailureReasonLength ? reason : reason[..(FailureReasonLength - 3)] + "...";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Container {Container} could not be removed: {Reason}")]
    private static partial void LogRemoveFailed(ILogger logger, string container, string reason);
}
